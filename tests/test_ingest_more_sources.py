"""Real exports from sources and tools the first fixtures did not cover (issue 4: "we also
ingest real files from other sources that you do not see; they must go in as cleanly").

Every file here was taken from a public package distribution on PyPI, unedited or cut to its
first records; tests/fixtures/SOURCES.md names the package, version, path and licence. The
values asserted are read off the files themselves. Nothing here touches the network.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from kb import pipeline
from kb.errors import ParseError
from kb.ingesters import bibtex, medline_nbib, pubmed_xml, ris
from kb.models import Document

FIX = Path(__file__).parent / "fixtures"

# File -> (format kb must detect, number of records in it).
FILES = {
    "ris/ovid_psycinfo.ris": ("ris", 6),
    "ris/lens_baseline_first10.ris": ("ris", 10),
    "bibtex/tugboat_first5.bib": ("bibtex", 5),
    "bibtex/scopus_first3.bib": ("bibtex", 3),
    "bibtex/extrafields.bib": ("bibtex", 1),
    "bibtex/IEEEtran.bib": ("bibtex", 4),
    "pubmed_xml/20301546.xml": ("pubmed-xml", 1),
    "pubmed_xml/37070066.xml": ("pubmed-xml", 1),
    "pubmed_xml/pubmed21n1298_32472320.xml": ("pubmed-xml", 1),
    "wos_tagged/single-article.txt": ("wos-tagged", 1),
    "jsonl/demo_data_first10.json": ("jsonl", 10),
}


def make_doc(path: Path, data: bytes | None = None) -> Document:
    data = path.read_bytes() if data is None else data
    return Document(name=path.name, path=str(path), data=data, sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data))


def parsed(rel: str):
    doc = pipeline.read_document(str(FIX / rel))
    ing = pipeline.pick_ingester(doc)
    return ing.format, list(ing.parse(doc))


@pytest.mark.parametrize("rel", list(FILES))
def test_detected_as_its_format_with_every_record(rel):
    fmt, recs = parsed(rel)
    assert (fmt, len(recs)) == FILES[rel]
    assert all(r.title for r in recs)


# ---------------------------------------------------------------- RIS

def test_ovid_psycinfo_ris_numbered_records_with_text_between_them():
    """Ovid numbers each record ('1.' before TY) and writes an NL tag and a link line after
    its ER: the file is RIS, not an article text, and the lines between records are skipped."""
    fmt, recs = parsed("ris/ovid_psycinfo.ris")
    assert fmt == "ris"
    first, second = recs[0], recs[1]
    assert first.title == ("The influence of self-criticism on depression symptoms among ambulatory patients "
                           "with inflammatory bowel disease.")
    assert (first.doi, first.pub_date, first.journal.name, first.journal.issn) == \
        ("10.1002/cpp.2398", "2019", "Clinical Psychology & Psychotherapy", "1063-3995")
    assert [a.family for a in first.authors] == ["Trindade", "Irons", "Ferreira", "Portela", "Pinto-Gouveia"]
    assert first.abstract.startswith("Considering that self-criticism is an important process")
    assert (second.doi, second.journal.volume, second.journal.issue, second.journal.pages) == \
        ("10.1177/1359105317742958", "24", "7", "847-856")
    # Nothing of the text between records leaks into a record.
    assert not any("Link to the Ovid" in (r.abstract or "") + r.title for r in recs)


def test_ris_tag_of_content_between_records_is_still_an_error(tmp_path):
    """Lines between records are skipped, but a title or author there is a record that lost
    its TY line: refused, as before."""
    doc = make_doc(tmp_path / "x.ris", b"1.\nTY  - JOUR\nTI  - One\nER  - \nNL  - J Abbr\n\nLink\n"
                                       b"TI  - Lost\nER  - \n")
    with pytest.raises(ParseError, match=r"line 8: tag TI outside a record"):
        list(ris.RisIngester().parse(doc))


def test_lens_ris_pmcid_from_pmc_and_europe_pmc_links():
    _, recs = parsed("ris/lens_baseline_first10.ris")
    first = recs[0]
    assert first.title.startswith("The Value of Radiologic Interventions and 18 F-DOPA PET")
    assert (first.doi, first.pmid, first.pmcid, first.pub_date) == \
        ("10.1007/s11307-012-0572-0", "22752652", "PMC3553406", "2012-07-03")
    assert (first.journal.name, first.journal.volume, first.journal.issue, first.journal.pages) == \
        ("Molecular imaging and biology", "15", "1", "97-105")
    assert [a.family for a in first.authors] == ["Blomberg", "Moghbel", "Saboury", "Stanley", "Alavi"]
    assert (recs[1].pmcid, recs[2].pmcid) == ("PMC7999968", "PMC8008960")   # ncbi.nlm.nih.gov/pmc/articles/
    # Europe PMC's other link form, as record 3 writes it beside the NCBI one
    assert ris.parse_ris_pmcid({"L2": ["https://europepmc.org/article/PMC/PMC8008960"]}) == "PMC8008960"
    assert ris.parse_ris_pmcid({"L2": ["https://europepmc.org/article/MED/33809141"]}) is None


# ---------------------------------------------------------------- BibTeX

def test_bibtex_after_a_long_percent_comment_header():
    """Beebe's TeX bibliographies open with ~90 lines of %%% header, then @String macros."""
    fmt, recs = parsed("bibtex/tugboat_first5.bib")
    assert fmt == "bibtex"
    first = recs[0]
    assert (first.title, first.pub_date, first.journal.name, first.journal.pages, first.journal.issn) == \
        ("Editor's Comments", "1980-10", "TUGboat", "2-3", "0896-3207")
    assert [a.name for a in first.authors] == ["Robert Welland"]
    assert [r.extra["citation_key"] for r in recs] == \
        ["Welland:TB1-1-2", "Palais:TB1-1-3", "Swanson:TB1-1-7", "Spivak:TB1-1-10", "Morris:TB1-1-12"]


def test_bibtex_free_text_before_the_first_entry_is_a_comment(tmp_path):
    """Mendeley opens its .bib exports with lines of free text; BibTeX reads them as a comment."""
    entry = (FIX / "bibtex/extrafields.bib").read_bytes()
    head = (b"Automatically generated by Mendeley Desktop 1.19.8\n"
            b"Any changes to this file will be lost if it is regenerated by Mendeley.\n\n"
            b"BibTeX export options can be customized via Options -> BibTeX in Mendeley Desktop\n\n")
    doc = make_doc(tmp_path / "library.bib", head + entry)
    assert bibtex.BibtexIngester().sniff(doc.data, doc)
    (rec,) = bibtex.BibtexIngester().parse(doc)
    assert rec.doi == "10.7717/peerj.453"


def test_bibtex_sniff_still_refuses_prose_with_an_at_sign_line(tmp_path):
    doc = make_doc(tmp_path / "notes.txt", b"Results\nWe wrote to\n@article{x} as a joke\nand more text\n")
    assert not bibtex.BibtexIngester().sniff(doc.data, doc)


def test_scopus_bibtex_field_name_with_a_no_break_space():
    """Scopus writes `funding_text\\u00a01={...}`; the entry was lost whole and the file refused."""
    raw = (FIX / "bibtex/scopus_first3.bib").read_text(encoding="utf-8")
    assert "funding_text\u00a01=" in raw
    _, recs = parsed("bibtex/scopus_first3.bib")
    first = recs[0]
    assert first.title == ("Relationship between temperature rise and thermal conductivity in a magnetic "
                           "medium during heated dot magnetic recording")
    assert (first.doi, first.pub_date, first.journal.name, first.journal.volume, first.journal.issue) == \
        ("10.35848/1347-4065/ac899a", "2023", "Japanese Journal of Applied Physics", "62", "SB")
    assert [a.family for a in first.authors] == ["Akagi", "Matsushima"]
    assert first.abstract.startswith("In this study, we investigated the relationship between the temperature rise")


def test_bibtex_author_list_wrapped_after_and():
    """'... {S}ch\\"onberger, {J}ohannes {L}. and' + line end + '{Nunez-Iglesias}, {J}uan': the
    'and' before a line end separates two names."""
    _, (rec,) = parsed("bibtex/extrafields.bib")
    assert [a.family for a in rec.authors][:8] == \
        ["van der Walt", "Schönberger", "Nunez-Iglesias", "Boulogne", "Warner", "Yager", "Gouillart", "Yu"]
    assert [a.given for a in rec.authors][:3] == ["Stéfan", "Johannes L.", "Juan"]


def test_bibtex_style_control_entry_is_no_record_and_latex_logos_are_words():
    """IEEEtran's example .bib opens with an @IEEEtranBSTCTL entry of style switches (no title,
    no author): it was stored as an empty study. '{{\\BibTeX}}ing' kept its backslash."""
    fmt, recs = parsed("bibtex/IEEEtran.bib")
    assert fmt == "bibtex"
    assert [r.title for r in recs] == ["BibTeXing", "Tame the BeaST \u2014 The B to X of BibTeX",
                                       "BibTeX Tips and FAQ", "A BibTeX Guide via Examples"]
    assert [r.authors[0].name for r in recs] == \
        ["Oren Patashnik", "Nicolas Markey", "David Hoadley", "Ki-Joo Kim"]
    assert [r.pub_date for r in recs] == ["1988-02", "2005-10", "2007-01", "2004-04"]


# ---------------------------------------------------------------- empty records

def test_ris_of_only_empty_records_is_refused_with_a_reason(tmp_path, kb):
    """ASReview's baseline_reference_types.ris, one record per RIS reference type (GEN, ABST,
    AGGR, ...): 61 records of a TY and a note, and no title, abstract or identifier among
    them. They were stored as 61 empty studies."""
    path = FIX / "ris/baseline_reference_types.ris"
    doc = pipeline.read_document(str(path))
    assert pipeline.pick_ingester(doc).format == "ris"
    assert list(pipeline.pick_ingester(doc).parse(doc)) == []
    result = kb(["ingest", path, "--db", tmp_path / "kb.db"])
    assert result.exit_code == 1
    assert f"error: {path}: no records found in this ris file" in result.output


def test_empty_records_are_skipped_among_real_ones(tmp_path):
    text = (FIX / "ris/ovid_psycinfo.ris").read_text() + "\nTY  - GEN\nN1  - Reference Type: Generic\nER  - \n"
    recs = list(ris.RisIngester().parse(make_doc(tmp_path / "x.ris", text.encode())))
    assert len(recs) == 6


# ---------------------------------------------------------------- PubMed XML and MEDLINE

def test_pubmed_book_article_is_a_record():
    """A PubmedBookArticle (GeneReviews chapter), which efetch returns among articles, was skipped
    without a word and its file refused as having no records."""
    fmt, (rec,) = parsed("pubmed_xml/20301546.xml")
    assert fmt == "pubmed-xml"
    assert rec.title == "Hereditary Motor and Sensory Neuropathy with Agenesis of the Corpus Callosum"
    assert (rec.pmid, rec.pub_date, rec.year, rec.language) == ("20301546", "2006-02-02", 2006, "eng")
    # the chapter's authors, not the book's editors (Adam, Bick, Mirzaa, ...)
    assert [a.family for a in rec.authors] == ["Gauvreau", "Brisson", "Dupré"]
    assert rec.abstract.startswith("CLINICAL CHARACTERISTICS: Hereditary motor and sensory neuropathy with "
                                   "agenesis of the corpus callosum (HMSN/ACC)")
    assert "GENETIC COUNSELING: HMSN/ACC is inherited in an autosomal recessive manner." in rec.abstract
    assert rec.publication_types == ["Review"]
    assert (rec.extra["book_title"], rec.extra["publisher"], rec.extra["bookaccession"]) == \
        ("GeneReviews®", "University of Washington, Seattle", ["NBK1372"])
    assert rec.text[rec.spans[0].start:rec.spans[0].end] == rec.title


def test_pubmed_not_available_title_gives_way_to_the_vernacular_title():
    """'[Not Available].' is NLM's placeholder for an untranslated title, not the title."""
    _, (rec,) = parsed("pubmed_xml/37070066.xml")
    assert rec.title == ("Analisi di impatto sul budget sanitario italiano di enzalutamide per il trattamento "
                         "del carcinoma prostatico metastatico ormono-sensibile.")
    assert (rec.title_original, rec.title_language, rec.doi, rec.pub_date) == \
        (rec.title, "ita", "10.33393/grhta.2023.2507", "2023-01")
    assert "title_translated" not in rec.extra


def test_pubmed_empty_article_title_gives_way_to_the_vernacular_title():
    """<ArticleTitle/> with a German VernacularTitle (54 of the 20,788 records of the
    pubmed21n1298 update file have an empty ArticleTitle; 53 have a VernacularTitle)."""
    _, (rec,) = parsed("pubmed_xml/pubmed21n1298_32472320.xml")
    assert (rec.title, rec.title_original, rec.title_language) == \
        ("Briefsammlung Wittelshöfer.", "Briefsammlung Wittelshöfer.", "ger")
    assert (rec.pmid, rec.doi, rec.pub_date, rec.journal.pages) == \
        ("32472320", "10.1007/s10354-020-00757-y", "2021-06", "195-197")
    assert rec.text.startswith("Briefsammlung Wittelshöfer.")


def test_medline_not_available_title_gives_way_to_tt(tmp_path):
    """The same record as PubMed's MEDLINE text writes it (TI [Not Available]., TT the original)."""
    text = ("PMID- 37070066\nTI  - [Not Available].\nTT  - Analisi di impatto sul budget sanitario italiano di\n"
            "      enzalutamide.\nLA  - ita\nDP  - 2023 Jan-Dec\n")
    (rec,) = medline_nbib.MedlineNbibIngester().parse(make_doc(tmp_path / "r.nbib", text.encode()))
    assert rec.title == rec.title_original == "Analisi di impatto sul budget sanitario italiano di enzalutamide."


def test_other_bracketed_titles_stay_translated():
    doc = make_doc(FIX / "pubmed" / "38048813.xml")
    (rec,) = pubmed_xml.PubmedXmlIngester().parse(doc)
    assert rec.title == "A Broader Scope - Bio-Psycho-Social Medicine In Global Focus."
    assert rec.extra["title_translated"] is True


# ---------------------------------------------------------------- Web of Science

def test_wos_tagged_record_without_the_fn_header():
    fmt, (rec,) = parsed("wos_tagged/single-article.txt")
    assert fmt == "wos-tagged"
    assert rec.title == "Structural control of ultra-fine CoPt nanodot arrays via electrodeposition process"
    assert (rec.doi, rec.pub_date, rec.journal.volume, rec.journal.pages, rec.journal.issn) == \
        ("10.1016/j.jmmm.2017.01.061", "2017-05-15", "430", "52-58", "0304-8853")
    assert [a.name for a in rec.authors] == ["Siggi Wodarz", "Takashi Hasegawa", "Shunji Ishio", "Takayuki Homma"]
    assert rec.extra["accession_numbers"] == ["WOS:000397201600008"]


# ---------------------------------------------------------------- through the CLI, into the store

def test_cli_ingests_every_new_fixture_into_the_store(tmp_path, kb):
    db = tmp_path / "kb.db"
    result = kb(["ingest", *[FIX / rel for rel in FILES], "--db", db])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    formats = dict(con.execute("SELECT name, format FROM documents"))
    assert formats == {Path(rel).name: fmt for rel, (fmt, _) in FILES.items()}
    row = con.execute("SELECT title, year, pmid FROM studies WHERE pmid = '20301546'").fetchone()
    assert row == ("Hereditary Motor and Sensory Neuropathy with Agenesis of the Corpus Callosum", 2006, "20301546")
    (ovid,) = con.execute("SELECT COUNT(*) FROM study_documents sd JOIN documents d ON d.id = sd.document_id "
                          "WHERE d.name = 'ovid_psycinfo.ris'").fetchone()
    assert ovid == 6


# ---------------------------------------------------------------- CSV

def test_csv_of_only_title_and_abstract(tmp_path):
    """ASReview's minimal tabular format has two columns, `title,abstract` (its
    tests/demo_data/missing_values.csv); with fewer than three columns it was read as one
    article text of no title."""
    text = ('title,abstract\n"Title of reference",""\n'
            '"","BACKGROUND: Lorem ipsum dolor sit amet."\n')
    doc = make_doc(tmp_path / "missing_values.csv", text.encode())
    assert pipeline.pick_ingester(doc).format == "csv-export"
    a, b = pipeline.pick_ingester(doc).parse(doc)
    assert (a.title, a.abstract, b.title, b.abstract) == \
        ("Title of reference", None, None, "BACKGROUND: Lorem ipsum dolor sit amet.")


def test_two_columns_that_are_not_both_reference_fields_are_no_export(tmp_path):
    doc = make_doc(tmp_path / "t.csv", b"Title,Comment\nA,B\n")
    assert pipeline.pick_ingester(doc).format != "csv-export"


# ---------------------------------------------------------------- found here, fixed in kb/store

def test_same_paper_twice_in_one_file_second_record_adds_an_abstract(tmp_path, kb):
    ris_text = ("TY  - JOUR\nTI  - Same paper\nDO  - 10.1000/xyz\nPY  - 2020\nER  - \n\n"
                "TY  - JOUR\nTI  - Same paper\nDO  - 10.1000/xyz\nPY  - 2020\nAB  - An abstract the first lacks.\nER  - \n")
    (tmp_path / "dup.ris").write_text(ris_text)
    result = kb(["ingest", tmp_path / "dup.ris", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT abstract FROM studies").fetchall() == [("An abstract the first lacks.",)]


# ---------------------------------------------------------------- not article lists

def test_entrez_elink_answer_is_named_as_xml_of_another_kind(tmp_path, kb):
    """An E-utilities eLink answer is mostly PMIDs; it was refused as 'too few letters' rather
    than named as the XML it is."""
    path = FIX / "entrez_xml/elink1.xml"
    result = kb(["ingest", path, "--db", tmp_path / "kb.db"])
    assert result.exit_code == 1
    assert f"error: {path}: XML of a kind kb does not read (root <eLinkResult>)" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- JSON Lines

def test_asreview_json_lines_dataset():
    """ASReview's demo dataset is JSON Lines (title, abstract, OpenAlex's open_access, a label):
    the literature-platform ingester took line 1 for a record and the other records for its text
    (one study, with figures extracted from the abstracts of nine other papers)."""
    fmt, recs = parsed("jsonl/demo_data_first10.json")
    assert (fmt, len(recs)) == ("jsonl", 10)
    first = recs[0]
    assert first.title == ("Role of patient preferences in clinical practice guidelines: a multiple methods study "
                           "using guidelines from oncology as a case")
    assert first.abstract.startswith("Objective Many treatment decisions are preference-sensitive")
    assert first.abstract.endswith("thus hindering shared decision-making.")
    assert first.oa_url == "https://bmjopen.bmj.com/content/bmjopen/9/12/e032483.full.pdf"
    assert recs[1].title == ("The additional facet of immunoscore: immunoprofiling as a possible predictive tool "
                             "for cancer treatment")
    assert all(r.source_format == "jsonl" and r.text.startswith(r.title) for r in recs)


def test_json_lines_of_api_records_are_read_by_their_own_builders(tmp_path):
    """Real API objects (the OpenAlex, Crossref and Semantic Scholar fixtures) one per line, as
    bulk snapshots and `jq -c` write them: each line reads as its own ingester reads it."""
    from kb.ingesters import crossref, openalex, semantic_scholar
    api = FIX / "api"
    work = json.loads((api / "openalex_json/W2741809807.json").read_text())
    cr = json.loads((api / "crossref_json/test_works_with_many_ids__1.json").read_text())["message"]
    s2 = [p for p in json.loads((api / "semanticscholar_json/test_get_papers_return_not_found.json").read_text()) if p][0]
    lines = "\n".join(json.dumps(o) for o in (work, cr, s2)) + "\n"
    doc = make_doc(tmp_path / "snapshot.jsonl", lines.encode())
    ing = pipeline.pick_ingester(doc)
    assert ing.format == "jsonl"
    got = list(ing.parse(doc))
    want = [openalex.build_record(work), crossref.build_record(cr), semantic_scholar.build_record(s2)]
    assert [(r.title, r.doi, r.pub_date, [a.name for a in r.authors]) for r in got] == \
        [(r.title, r.doi, r.pub_date, [a.name for a in r.authors]) for r in want]
    assert got[0].doi == "10.7717/peerj.4375"


def test_json_lines_broken_line_names_the_line(tmp_path):
    text = (FIX / "jsonl/demo_data_first10.json").read_text().splitlines()
    broken = "\n".join(text[:2] + ['{"title": "cut'] + text[3:]) + "\n"
    doc = make_doc(tmp_path / "x.jsonl", broken.encode())
    with pytest.raises(ParseError, match=r"line 3: not a JSON object"):
        list(pipeline.pick_ingester(doc).parse(doc))


def test_one_json_line_then_text_is_still_a_platform_record(tmp_path):
    from kb.ingesters import json_lines
    doc = make_doc(tmp_path / "r.txt", b'{"title": "x", "doi": "10.1/x"}\nTitle\nAbstract\n')
    assert not json_lines.JsonLinesIngester().sniff(doc.data, doc)
