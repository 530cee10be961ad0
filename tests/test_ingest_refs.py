"""Reference-manager exports: RIS (+ WoS tagged), MEDLINE nbib, BibTeX, CSL-JSON, EndNote XML, CSV.

Real samples and a few written variants live in tests/fixtures/refs (see SOURCES.md). BOM,
CRLF and UTF-16 variants and broken inputs are made under tmp_path from those files.
Nothing here touches the network.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

import pytest

from kb import pipeline
from kb.errors import ParseError
from kb.ingesters import bibtex, csl_json, csv_export, endnote_xml, medline_nbib, ris
from kb.models import Document
from kb.store import texts

REFS = Path(__file__).parent / "fixtures" / "refs"
SEED = Path(__file__).resolve().parents[1] / "data" / "samples" / "000_fc0d2b3c35c8c766.txt"

RIS = ris.RisIngester()
WOS = ris.WosTaggedIngester()
NBIB = medline_nbib.MedlineNbibIngester()
BIB = bibtex.BibtexIngester()
CSL = csl_json.CslJsonIngester()
ENDNOTE = endnote_xml.EndnoteXmlIngester()
CSV = csv_export.CsvExportIngester()

SAMPLES = {
    RIS: ["embase.ris", "example_bom.ris", "example_empty_tag.ris", "example_utf_chars.ris", "ovid_zotero.ris",
          "proquest.ris", "pubmed_endnote.txt", "pubmed_zotero.ris", "ris_issue_992.txt", "scopus.ris",
          "web_of_science.txt", "written_ovid_medline.ris"],
    WOS: ["example_wos.ris"],
    NBIB: ["example_pubmed.txt", "written_cite.nbib"],
    BIB: ["test_content_negotiation__1.bib", "written_refs.bib"],
    CSL: ["test_content_negotiation_citeproc_json__1.json", "written_zotero_csl.json"],
    ENDNOTE: ["EndnoteXmlImporterTestArticle.xml", "written_endnote20.xml"],
    CSV: ["embase.csv", "written_scopus.csv", "written_pubmed.csv"],
}
COUNTS = {
    "embase.ris": 6, "example_bom.ris": 1, "example_empty_tag.ris": 1, "example_utf_chars.ris": 1,
    "ovid_zotero.ris": 6, "proquest.ris": 6, "pubmed_endnote.txt": 6, "pubmed_zotero.ris": 6,
    "ris_issue_992.txt": 19, "scopus.ris": 6, "web_of_science.txt": 10, "written_ovid_medline.ris": 2,
    "example_wos.ris": 2, "example_pubmed.txt": 10, "written_cite.nbib": 2, "test_content_negotiation__1.bib": 1,
    "written_refs.bib": 2, "test_content_negotiation_citeproc_json__1.json": 1, "written_zotero_csl.json": 2,
    "EndnoteXmlImporterTestArticle.xml": 1, "written_endnote20.xml": 2, "embase.csv": 6, "written_scopus.csv": 3,
    "written_pubmed.csv": 2,
}
ALL = [(ing, name) for ing, names in SAMPLES.items() for name in names]


def make_doc(path: Path | str, data: bytes | None = None) -> Document:
    data = Path(path).read_bytes() if data is None else data
    return Document(name=Path(path).name, path=str(path), data=data,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def sniff(ing, doc: Document) -> bool:
    return ing.sniff(doc.data[:65536], doc)


def records(ing, name: str | Path, data: bytes | None = None):
    path = REFS / name if isinstance(name, str) else name
    return list(ing.parse(make_doc(path, data)))


def authors(rec) -> list[tuple]:
    return [(a.name, a.family, a.given, a.collective) for a in rec.authors]


# ---------------------------------------------------------------- every sample

@pytest.mark.parametrize("ing,name", ALL, ids=[n for _, n in ALL])
def test_every_sample_parses_with_exact_spans(ing, name):
    recs = records(ing, name)
    assert len(recs) == COUNTS[name]
    for rec in recs:
        assert rec.source_format == ing.format
        assert rec.text == "\n\n".join(x for x in (rec.title, rec.abstract) if x)
        spans = {s.kind: rec.text[s.start:s.end] for s in rec.spans}
        assert spans.get("title") == rec.title and spans.get("abstract") == rec.abstract
        assert rec.year == (int(rec.pub_date[:4]) if rec.pub_date else None)
        assert rec.doi is None or (rec.doi == rec.doi.lower() and rec.doi.startswith("10."))
        assert rec.pmid is None or rec.pmid.isdigit()
        assert all(isinstance(x, list) for x in (rec.authors, rec.keywords, rec.publication_types))
        assert "" not in (rec.title, rec.abstract, rec.language)


@pytest.mark.parametrize("ing,name", ALL, ids=[n for _, n in ALL])
def test_sniff_claims_only_its_own_format(ing, name):
    doc = make_doc(REFS / name)
    assert [i.format for i in SAMPLES if sniff(i, doc)] == [ing.format]


@pytest.mark.parametrize("ing", list(SAMPLES), ids=lambda i: i.format)
def test_sniff_rejects_seed_text_and_other_formats(ing):
    assert not sniff(ing, make_doc(SEED))
    assert not sniff(ing, make_doc("x.ris", b'{"title": "platform json", "doi": "10.1/x"}\nTitle\nAbstract\n'))


def test_sniff_is_by_content_not_name(tmp_path):
    doc = make_doc(tmp_path / "export.csv", (REFS / "pubmed_zotero.ris").read_bytes())
    assert sniff(RIS, doc) and not sniff(CSV, doc)
    doc = make_doc(tmp_path / "refs.ris", (REFS / "written_refs.bib").read_bytes())
    assert sniff(BIB, doc) and not sniff(RIS, doc)


def test_csv_without_a_title_column_is_not_claimed():
    doc = make_doc("a.csv", b"PMID,Journal,Year\n123,Lancet,2020\n")
    assert not sniff(CSV, doc)
    annotations = b"PromptID,PMCID,Valid Label,Annotations\n1,59604,0,HR 1.24\n"
    assert not sniff(CSV, make_doc("b.csv", annotations))


# ---------------------------------------------------------------- RIS flavours

def test_ris_embase_flavour():
    recs = records(RIS, "embase.ris")
    r = recs[1]
    assert r.title.startswith("Endoscopic ultrasound-guided fine-needle aspiration in the diagnosis of foregut")
    assert r.abstract.startswith("BACKGROUND. The management of foregut duplication cysts")
    assert (r.doi, r.pmid, r.pub_date) == ("10.1002/cncr.20369", "15368318", "2004")   # C5 is the PMID
    assert (r.journal.name, r.journal.issn, r.journal.volume, r.journal.issue, r.journal.pages) == \
        ("Cancer", "0008-543X", "102", "4", "253-258")
    assert authors(r)[0] == ("M.A. Eloubeidi", "Eloubeidi", "M.A.", False) and len(r.authors) == 7
    assert r.extra["accession_numbers"] == ["L39097156"] and r.extra["databases"] == ["Embase", "Medline"]
    assert recs[0].pmid is None and recs[0].publication_types == ["Article"] and recs[0].language == "English"


def test_ris_scopus_flavour_pmid_in_c2():
    recs = records(RIS, "scopus.ris")
    assert [r.pmid for r in recs[:3]] == [None, "31421429", "31627144"]
    r = recs[0]
    assert r.journal.issn == "0306-4530" and r.journal.volume == "111"
    assert r.publication_types == ["Review"] and r.doi == "10.1016/j.psyneuen.2019.104501"
    assert authors(r)[:2] == [("A. Labanski", "Labanski", "A.", False), ("J. Langhorst", "Langhorst", "J.", False)]
    assert "Brain-gut axis" in r.keywords


def test_ris_endnote_from_pubmed_accession_is_pmid():
    r = records(RIS, "pubmed_endnote.txt")[1]
    assert (r.pmid, r.doi, r.pub_date) == ("29459515", "10.5650/jos.ess17184", "2018-03-01")   # PY + DA "Mar 1"
    assert (r.journal.name, r.journal.volume, r.journal.issue, r.journal.pages) == ("J Oleo Sci", "67", "3", "335-344")


def test_ris_proquest_doi_url_and_no_pmid():
    r = records(RIS, "proquest.ris")[0]
    assert r.doi == "10.1002/jts.22387" and r.pmid is None       # AN is ProQuest's document id
    assert r.journal.issn == "0894-9867" and r.extra["accession_numbers"] == ["2214991469; 51887"]


def test_ris_zotero_dates_and_issn_pairs():
    recs = records(RIS, "pubmed_zotero.ris")
    assert [r.pub_date for r in recs[:3]] == ["2019", "2019-10", "2019-08"]       # DA 2019/10//undefined
    assert recs[1].journal.issn == "1128-045X"
    ovid = records(RIS, "ovid_zotero.ris")
    assert ovid[0].journal.pages is None                                        # Ovid's "No-Specified"
    assert authors(ovid[0])[0] == ("Ines A Trindade", "Trindade", "Ines A", False)


def test_ris_web_of_science_flavour():
    r = records(RIS, "web_of_science.txt")[0]
    assert r.title == "Holding Yourself Captive: Perceptions of Custody During Interviews and Interrogations"
    assert (r.pub_date, r.journal.pages, r.journal.issn) == ("2018-09", "387-397", "2211-3681")
    assert r.extra["accession_numbers"] == ["WOS:000444108200009"]
    assert authors(r)[0] == ("F Alceste", "Alceste", "F", False)


def test_ris_rayyan_wrapped_keywords_are_items():
    r = records(RIS, "ris_issue_992.txt")[0]
    assert r.keywords[:3] == ["Health Facility Administration", "Joint Commission", "Standards"]
    assert len(r.keywords) == 13 and r.keywords[-1] == "Patient Education"
    assert r.abstract is None and r.text == r.title


def test_ris_wrapped_abstract_one_space_tags_crlf_and_collective():
    recs = records(RIS, "written_ovid_medline.ris")
    r = recs[0]
    assert r.abstract == ("BACKGROUND: Nivolumab plus ipilimumab improved overall survival versus sunitinib. "
                          "METHODS: Adults with previously untreated advanced renal-cell carcinoma were "
                          "randomly assigned to nivolumab plus ipilimumab or sunitinib. RESULTS: The hazard ratio "
                          "for death was 0.69 (95% CI, 0.59 to 0.81; P<0.001).")
    assert r.pmid == "31562000" and r.doi == "10.1016/s1470-2045(19)30413-9"
    assert r.keywords == ["Antineoplastic Combined Chemotherapy Protocols", "Carcinoma, Renal Cell/dt [Drug Therapy]"]
    assert authors(r)[2] == ("CheckMate 214 Investigators", None, None, True)
    assert (recs[1].pmcid, recs[1].doi, recs[1].pub_date) == ("PMC6550000", "10.1056/nejmoa1816714", "2019-03-21")


def test_ris_bom_and_utf8_text():
    (r,) = records(RIS, "example_bom.ris")
    assert r.doi == "10.1186/s40981-020-0316-0" and r.title is None and r.text == ""
    (r,) = records(RIS, "example_utf_chars.ris")
    assert r.title.startswith("Состояние рецепторного аппарата") and r.journal.volume == "8"   # VO tag
    assert r.authors[0].family == "Dobrokhotova" and r.journal.pages == "52-57"


def test_ris_empty_tag_and_url_doi():
    (r,) = records(RIS, "example_empty_tag.ris")
    assert r.doi == "10.1177/2325967120950040" and r.journal.pages is None and r.journal.issn == "2325-9671"
    assert r.abstract.startswith('Background: Athletic endeavor') and r.abstract.endswith("athlete's safe return to sport...")


@pytest.mark.parametrize("encode", [
    lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
    lambda s: s.replace("\n", "\r\n").encode("utf-16"),          # UTF-16 with its BOM
    lambda s: s.replace("\n", "\r").encode("utf-8"),               # old Mac line ends
], ids=["crlf", "bom", "utf16", "cr"])
@pytest.mark.parametrize("ing,name", [(RIS, "pubmed_zotero.ris"), (NBIB, "example_pubmed.txt"),
                                      (WOS, "example_wos.ris"), (CSV, "embase.csv"), (BIB, "written_refs.bib")],
                         ids=["ris", "nbib", "wos", "csv", "bib"])
def test_line_ends_and_boms_give_the_same_records(tmp_path, ing, name, encode):
    text = (REFS / name).read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    variant = make_doc(tmp_path / name, encode(text))
    assert sniff(ing, variant)
    got, want = list(ing.parse(variant)), records(ing, name)
    assert [(r.title, r.abstract, r.doi, r.pmid, authors(r), r.keywords) for r in got] == \
           [(r.title, r.abstract, r.doi, r.pmid, authors(r), r.keywords) for r in want]


def test_ris_is_streamed_record_by_record(tmp_path):
    good = (REFS / "pubmed_zotero.ris").read_text(encoding="utf-8")
    it = RIS.parse(make_doc(tmp_path / "x.ris", (good + "TY  - JOUR\nTI  - cut off\n").encode()))
    assert iter(it) is it
    assert len([next(it) for _ in range(6)]) == 6                 # the good records come before the error
    with pytest.raises(ParseError, match="record 7 .*no ER line"):
        next(it)


# ---------------------------------------------------------------- Web of Science tagged

def test_wos_tagged_records():
    r1, r2 = records(WOS, "example_wos.ris")
    assert r1.title == ("Interactions stabilizing the structure of the core light-harvesting complex (LHl) of "
                        "photosynthetic bacteria and its subunit (B820)")                    # wrapped TI joined
    assert (r1.doi, r1.pmid, r1.pub_date) == ("10.1021/bi049798f", "15170338", "2004-06-08")
    assert (r1.journal.name, r1.journal.issn, r1.journal.volume, r1.journal.issue, r1.journal.pages) == \
        ("BIOCHEMISTRY", "0006-2960", "43", "22", "7003-7016")
    assert [a.family for a in r1.authors] == ["Parkes-Loach", "Majeed", "Law", "Loach"]
    assert r1.keywords[:2] == ["CHEMICALLY SYNTHESIZED POLYPEPTIDES", "IN-VITRO RECONSTITUTION"]
    assert "AMINO-ACID-SEQUENCE" in r1.keywords and r1.publication_types == ["Article"]
    assert r2.pmid == "15170339" and r1.extra["accession_numbers"] == ["WOS:000221807500019"]


# ---------------------------------------------------------------- MEDLINE nbib

def test_nbib_real_export():
    recs = records(NBIB, "example_pubmed.txt")
    r = recs[0]
    assert (r.pmid, r.pmcid, r.doi, r.pub_date) == ("30922926", "PMC7026692", "10.1016/j.ejmg.2019.03.004", "2020-02")
    assert r.title == "Time lapse: A glimpse into prehistoric genomics."
    assert r.abstract.startswith("For the purpose of this review, 'time-lapse' refers to the reconstruction of "
                                 "ancestral (in this case dinosaur) karyotypes")                 # 6-space wraps
    assert "\n" not in r.abstract and "  " not in r.abstract
    assert (r.journal.name, r.journal.issn, r.journal.volume, r.journal.issue, r.journal.pages) == \
        ("European journal of medical genetics", "1878-0849", "63", "2", "103640")
    assert authors(r) == [("Darren K Griffin", "Griffin", "Darren K", False),
                          ("Denis M Larkin", "Larkin", "Denis M", False),
                          ("Rebecca E O'Connor", "O'Connor", "Rebecca E", False)]
    assert r.publication_types == ["Historical Article", "Journal Article", "Review"] and r.language == "eng"
    assert r.keywords[:3] == ["Chromosome", "Comparative", "Dinosaur"]
    assert [x.pmid for x in recs] == ["30922926", "37068225", "36448670", "26754250", "21251189", "35962036",
                                      "37464026", "33990610", "35444275", "36122246"]


def test_nbib_cite_file_collective_translated_title_and_mesh():
    r, bare = records(NBIB, "written_cite.nbib")
    assert r.title == "Bortezomib-based induction in elderly patients with multiple myeloma: a multicentre cohort."
    assert r.extra["title_translated"] is True and r.title_original.startswith("Bortezomib-basierte")
    assert (r.title_language, r.language, r.extra["languages"]) == ("ger", "ger", ["ger", "eng"])
    assert authors(r) == [("Jörg Müller", "Müller", "Jörg", False), ("German Myeloma Study Group", None, None, True),
                          ("Anna-Lena van der Berg", "van der Berg", "Anna-Lena", False)]
    assert r.pub_date == "2019-11" and r.doi == "10.1111/bjh.16001" and r.journal.issn == "0007-1048"
    assert r.extra["mesh"] == ["Humans", "Multiple Myeloma", "Bortezomib"]
    assert r.keywords == ["elderly", "Humans", "Multiple Myeloma", "Bortezomib"]
    assert bare.authors == [] and bare.abstract is None and bare.pub_date == "2020"


# ---------------------------------------------------------------- BibTeX

def test_bibtex_crossref_entry():
    (r,) = records(BIB, "test_content_negotiation__1.bib")
    assert r.title == ("The Structure of Ordinary Water: New data and interpretations are yielding new insights "
                       "into this fascinating substance.")
    assert (r.doi, r.pub_date, r.journal.name, r.journal.issn, r.journal.pages) == \
        ("10.1126/science.169.3946.635", "1970-08", "Science", "1095-9203", "635-641")
    assert authors(r) == [("Henry S. Frank", "Frank", "Henry S.", False)]


def test_bibtex_latex_strings_months_and_collective_names():
    r, conf = records(BIB, "written_refs.bib")
    assert r.title == "Nivolumab versus Docetaxel in Advanced Squamous-Cell Non\u2013Small-Cell Lung Cancer"
    assert r.abstract == ("Median overall survival was 9.2 months with nivolumab (HR 0.59; 95% CI, "
                          "0.44\u20130.79; P<0.001).")
    assert r.journal.name == "The New England Journal of Medicine"                           # @string macro
    assert (r.pub_date, r.pmid, r.doi, r.journal.pages) == ("2015-07-09", "26028407", "10.1056/nejmoa1504627",
                                                             "123-135")
    assert authors(r) == [("Julie Brahmer", "Brahmer", "Julie", False),
                          ("Karen L. Reckamp", "Reckamp", "Karen L.", False),
                          ("CheckMate 017 Investigators", None, None, True),
                          ("Jörg Müller", "Müller", "Jörg", False), ("Anna van den Berg", "van den Berg", "Anna", False)]
    assert r.keywords == ["Carcinoma, Non-Small-Cell Lung", "Docetaxel"]
    assert [a.name for a in conf.authors] == ["María García", "Søren Østergaard"]
    assert (conf.pub_date, conf.pmid, conf.journal.name) == ("2019-12", "31000003", "Proceedings of the Annual Meeting")


# ---------------------------------------------------------------- CSL-JSON

def test_csl_json_crossref_object():
    (r,) = records(CSL, "test_content_negotiation_citeproc_json__1.json")
    assert r.title.startswith("The Structure of Ordinary Water: New data")                  # title + subtitle
    assert r.abstract.startswith("The train of thought pursued") and "<jats" not in r.abstract
    assert (r.pub_date, r.doi, r.journal.name, r.journal.issn, r.journal.pages) == \
        ("1970-08-14", "10.1126/science.169.3946.635", "Science", "0036-8075", "635-641")
    assert r.publication_types == ["journal-article"] and r.language == "en"


def test_csl_json_zotero_list():
    r, short = records(CSL, "written_zotero_csl.json")
    assert (r.pmid, r.pmcid, r.doi, r.pub_date) == ("26028407", "PMC4681400", "10.1056/nejmoa1504627", "2015-07-09")
    assert r.abstract.startswith("Background: Nivolumab was compared with docetaxel. Results:") and "P<0.001" in r.abstract
    assert authors(r)[2:] == [("CheckMate 017 Investigators", None, None, True),
                              ("Anna van den Berg", "van den Berg", "Anna", False)]
    assert r.keywords == ["Carcinoma, Non-Small-Cell Lung", "Docetaxel", "Nivolumab"]
    assert short.pub_date == "2021" and short.abstract is None


# ---------------------------------------------------------------- EndNote XML

def test_endnote_xml_pretty_printed_bookends_export():
    (r,) = records(ENDNOTE, "EndnoteXmlImporterTestArticle.xml")
    assert r.title == ("Trends in the lifetime risk of developing cancer in Great Britain: comparison of risk "
                       "for those born from 1930 to 1960")
    assert (r.abstract, r.doi, r.pmid, r.pub_date) == ("test abstract", "10.1038/bjc.2014.606", "25647015", "2015-03-03")
    assert (r.journal.name, r.journal.issn, r.journal.volume, r.journal.issue, r.journal.pages) == \
        ("Br J Cancer", "1532-1827", "112", "5", "943-7")
    assert [a.name for a in r.authors] == ["AS Ahmad", "N Ormiston-Smith", "PD Sasieni"]
    assert len(r.keywords) == 13 and r.keywords[-1] == "Sex Characteristics"


def test_endnote_xml_endnote20_style_runs_and_accession_rules():
    r, embase = records(ENDNOTE, "written_endnote20.xml")
    assert r.title == "Nivolumab versus Docetaxel in Advanced Squamous-Cell Non-Small-Cell Lung Cancer"
    assert (r.pmid, r.pmcid, r.journal.name, r.journal.issn) == ("26028407", "PMC4681400",
                                                                 "The New England Journal of Medicine", "1533-4406")
    assert authors(r)[2] == ("CheckMate 017 Investigators", None, None, True)
    assert r.publication_types == ["Randomized Controlled Trial"] and r.pub_date == "2015-07-09"
    assert embase.pmid is None and embase.extra["accession_numbers"] == ["2011234567"]


# ---------------------------------------------------------------- CSV

def test_csv_embase_source_and_open_url():
    recs = records(CSV, "embase.csv")
    r = recs[1]
    assert r.title.startswith("Endoscopic ultrasound-guided fine-needle aspiration")
    assert (r.doi, r.pub_date, r.journal.name, r.journal.issn, r.journal.volume, r.journal.issue, r.journal.pages) == \
        ("10.1002/cncr.20369", "2004-08-25", "Cancer", "0008-543X", "102", "4", "253-258")
    assert len(r.authors) == 7 and authors(r)[0] == ("M.A. Eloubeidi", "Eloubeidi", "M.A.", False)
    assert "bronchogenic duplication cyst (diagnosis, surgery)" in recs[0].keywords       # commas in parentheses
    assert [x.pub_date for x in recs] == ["2014", "2004-08-25", "2019-01-01", "2018-12-01", "2011-01-07", "2017-03-01"]
    # The same papers as embase.ris: same DOIs, titles and authors.
    ris_recs = records(RIS, "embase.ris")
    assert [(x.doi, x.title, [a.name for a in x.authors]) for x in recs] == \
           [(x.doi, x.title, [a.name for a in x.authors]) for x in ris_recs]


def test_csv_scopus_quoted_newline_bom_and_single_author():
    a, b, c = records(CSV, "written_scopus.csv")
    assert a.abstract == ("The broad role of stress in the brain-gut axis is widely acknowledged. "
                          "A second paragraph follows a quoted line break.")
    assert (a.pmid, a.doi, a.publication_types, a.language) == ("31683163", "10.1016/j.psyneuen.2019.104501",
                                                                ["Review"], "English")
    assert [x.name for x in a.authors] == ["Alexandra Labanski", "Jost Langhorst", "Harald Engler"]
    assert authors(b) == [("Yoshiharu Uno", "Uno", "Yoshiharu", False)]
    assert c.journal.pages == "1001-1010" and authors(c)[0] == ("PARP Trial Collaborative Group", None, None, True)
    assert a.keywords == ["Brain-gut axis", "Chronic-inflammatory bowel diseases", "Microbiota",
                          "adrenocorticotropic hormone", "human", "review"]


def test_csv_pubmed_export_citation_cell():
    a, b = records(CSV, "written_pubmed.csv")
    assert (a.pmid, a.pmcid, a.pub_date, a.journal.volume, a.journal.issue, a.journal.pages) == \
        ("30922926", "PMC7026692", "2020-02", "63", "2", "103640")
    assert b.pub_date == "2023-04-25" and [x.family for x in b.authors] == ["Peñalver", "Peris", "Álvarez-Parra"]


# ---------------------------------------------------------------- broken inputs

BROKEN = [
    (RIS, "cut.ris", "TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\n", r"record 2 \(line 5\) has no ER line"),
    (RIS, "nested.ris", "TY  - JOUR\nTI  - One\nTY  - JOUR\nER  - \n", r"record 1 .* before the next TY at line 3"),
    (RIS, "stray.ris", "TY  - JOUR\nTI  - One\nER  - \nAU  - Stray, A\n", r"line 4: tag AU outside a record"),
    (WOS, "cut.txt", "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI x\n", r"record 1 .*no ER line"),
    (NBIB, "bad.nbib", "PMID- 1\nTI  - ok\n\nPMID- 2\nthis is not a tag line\n", r"line 5: not a MEDLINE tag line"),
    (NBIB, "nopmid.nbib", "PMID- 1\nTI  - ok\n\nTI  - no pmid here\n", r"record 2 \(line 4\) does not start with PMID"),
    (NBIB, "letters.nbib", "PMID- 1\nTI  - ok\n\nPMID- abc\nTI  - x\n", r"record 2: PMID 'abc' is not a number"),
    (BIB, "bad.bib", "@article{a, title={Fine}}\n@article{b, title = {unbalanced\n@article{c, title={x}}\n",
     r"entry 2 \(@article\{b\) could not be read"),
    (CSL, "bad.json", '[{"title": "a", "issued": {"date-parts": [[2020]]}}, {"title": ', r"malformed JSON at line 1"),
    (CSL, "notobj.json", '[{"title": "a", "issued": {"date-parts": [[2020]]}}, 42]', r"item 2 is a int"),
    (CSL, "empty_item.json", '[{"title": "a", "issued": {"date-parts": [[2020]]}}, {"note": "x"}]', r"item 2 has no title"),
    (ENDNOTE, "cut.xml", "<xml><records><record><titles><title>A</title></titles></record><record><titles>",
     r"malformed EndNote XML after record 1"),
    (CSV, "extra.csv", 'Title,Abstract,Year\n"A","B",2020\n"C","D",2021,oops\n', r"row ending at line 3 has 4 cells"),
    (CSV, "quote.csv", 'Title,Abstract,Year\n"A","B",2020\n"C","D" x,2021\n', r"malformed CSV near line 3"),
]


@pytest.mark.parametrize("ing,name,content,reason", BROKEN, ids=[b[1] + "-" + b[0].format for b in BROKEN])
def test_broken_inputs_raise_parse_error_naming_the_record(tmp_path, ing, name, content, reason):
    doc = make_doc(tmp_path / name, content.encode())
    assert sniff(ing, doc)
    with pytest.raises(ParseError) as e:
        list(ing.parse(doc))
    assert e.value.source == str(tmp_path / name)
    assert "\n" not in e.value.reason
    assert re.search(reason, e.value.reason), e.value.reason


def test_endnote_xml_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
           "<xml><records><record><titles><title>A &xxe; B</title></titles></record></records></xml>")
    with pytest.raises(ParseError, match="declares entities"):
        records(ENDNOTE, tmp_path / "xxe.xml", xxe.encode())


# ---------------------------------------------------------------- through the pipeline into a store


PIPELINE_FILES = ["pubmed_endnote.txt", "example_wos.ris", "example_pubmed.txt", "written_refs.bib",
                  "written_zotero_csl.json", "written_endnote20.xml", "written_scopus.csv", "example_bom.ris"]


def test_ingest_through_pipeline_and_reingest_is_a_no_op(store, tmp_path):
    paths = [str(REFS / n) for n in PIPELINE_FILES]
    report = pipeline.ingest_paths(store, paths)
    assert report.failed == [] and report.ingested == paths
    assert report.studies == sum(COUNTS[n] for n in PIPELINE_FILES)
    formats = [r[0] for r in store.execute("SELECT format FROM documents ORDER BY id")]
    assert formats == ["ris", "wos-tagged", "medline-nbib", "bibtex", "csl-json", "endnote-xml", "csv-export", "ris"]
    # Nivolumab/docetaxel (DOI 10.1056/nejmoa1504627) is in the .bib, the CSL-JSON and the EndNote XML: one study.
    n_studies = store.execute("SELECT count(*) FROM studies").fetchone()[0]
    assert n_studies == report.studies - 2
    row = store.execute("""SELECT s.title, s.pmid, s.pub_date, s.volume, s.pages, j.name FROM studies s
                           JOIN journals j ON j.id = s.journal_id WHERE s.pmid = '30922926'""").fetchone()
    assert row == ("Time lapse: A glimpse into prehistoric genomics.", "30922926", "2020-02", "63", "103640",
                   "European journal of medical genetics")
    names = store.execute("""SELECT a.name, a.family, a.given, a.collective FROM study_authors sa
                             JOIN authors a ON a.id = sa.author_id JOIN studies s ON s.id = sa.study_id
                             WHERE s.doi = '10.1056/nejmoa1504627' ORDER BY sa.position""").fetchall()
    assert names == [("Julie Brahmer", "Brahmer", "Julie", 0), ("Karen L. Reckamp", "Reckamp", "Karen L.", 0),
                     ("CheckMate 017 Investigators", None, None, 1), ("Jörg Müller", "Müller", "Jörg", 0),
                     ("Anna van den Berg", "van den Berg", "Anna", 0)]
    # a file of many records keeps one text per record, each starting where its offsets count from
    (doc_id,) = store.execute("SELECT id FROM documents WHERE name = 'example_pubmed.txt'").fetchone()
    record_texts = list(texts.texts_of(store, doc_id))
    assert len(record_texts) == 10 and record_texts[0][0] == 0
    assert record_texts[0][1].startswith("Time lapse: A glimpse into prehistoric genomics.\n\nFor the purpose of this review")
    assert all(b[0] == a[0] + len(a[1]) + len(pipeline.RECORD_SEPARATOR) for a, b in zip(record_texts, record_texts[1:]))

    before = {t: store.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
              for t in ("documents", "studies", "authors", "study_authors", "keywords", "journals", "figures")}
    again = pipeline.ingest_paths(store, paths)
    assert again.unchanged == paths and again.ingested == [] and again.studies == 0
    after = {t: store.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in before}
    assert after == before


def test_a_broken_file_is_ingested_not_at_all(store, tmp_path):
    good = (REFS / "pubmed_zotero.ris").read_text(encoding="utf-8")
    broken = tmp_path / "broken.ris"
    broken.write_text(good + "TY  - JOUR\nTI  - cut off\n", encoding="utf-8")
    report = pipeline.ingest_paths(store, [str(broken)])
    line = good.count("\n") + 1
    assert report.failed == [(str(broken), f"record 7 (line {line}) has no ER line: the file is truncated")]
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
