"""PubMed/MEDLINE XML ingester, on checked-in real files (tests/fixtures/pubmed, see SOURCES.md).

Hostile inputs (entity expansion, external entities, gzip bombs, truncation) are written
under tmp_path by the tests themselves. Nothing here touches the network.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import time
from pathlib import Path

import pytest

from kb import pipeline
from kb.errors import ParseError
from kb.ingesters import pubmed_xml
from kb.ingesters.pubmed_xml import PubmedXmlIngester, deleted_pmids, parse_medline_date
from kb.models import Document

FIXTURES = Path(__file__).parent / "fixtures" / "pubmed"
STRUCTURED = FIXTURES / "23657305.xml"           # efetch, structured abstract with labels
COLLECTIVE = FIXTURES / "34843274.xml"           # efetch, one CollectiveName author
INLINE = FIXTURES / "32306807.xml"               # efetch, <i>T</i><sub>1/2</sub> inside the abstract
CURRENT = FIXTURES / "test_current_medline.xml.gz"  # 2024 DTD, 4 records, one without abstract
BASELINE = FIXTURES / "medline16n0902.xml.gz"    # 2016 baseline, 604 citations + 1 DeleteCitation
NORWEGIAN = FIXTURES / "36987902.xml"            # two Languages, VernacularTitle
GERMAN = FIXTURES / "38048813.xml"               # bracketed translated title, no abstract
CORRIGENDUM = FIXTURES / "38833988.xml"          # no abstract
ERRATUM = FIXTURES / "38962805.xml"              # no AuthorList, no abstract
EMPTY_SET = FIXTURES / "37909814.xml"            # PubmedArticleSet with zero articles
HTML_PAGE = FIXTURES / "Invalid-nct-id.html"     # an HTML error page saved in place of XML
RSS = FIXTURES / "empty_search.xml"              # other XML: an RSS feed with zero items

ING = PubmedXmlIngester()


@pytest.fixture(autouse=True)
def _no_decompress_cap_from_env(monkeypatch):
    monkeypatch.delenv("KB_MAX_DECOMPRESSED_MB", raising=False)


def make_doc(path: Path | str, data: bytes | None = None) -> Document:
    data = Path(path).read_bytes() if data is None else data
    return Document(name=Path(path).name, path=str(path), data=data,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def sniff(doc: Document) -> bool:
    return ING.sniff(doc.data[:65536], doc)


def records(path: Path | str, data: bytes | None = None):
    return list(ING.parse(make_doc(path, data)))


def assert_spans_exact(rec):
    """Spans are exact offsets into record.text; text is title, blank line, abstract."""
    kinds = {s.kind: rec.text[s.start:s.end] for s in rec.spans}
    assert kinds.get("title") == rec.title
    assert kinds.get("abstract") == rec.abstract
    assert rec.text == "\n\n".join(x for x in (rec.title, rec.abstract) if x)


# ---------------------------------------------------------------- sniffing

@pytest.mark.parametrize("path", [STRUCTURED, COLLECTIVE, CURRENT, BASELINE, NORWEGIAN, EMPTY_SET])
def test_sniff_accepts_pubmed_plain_and_gzip(path):
    assert sniff(make_doc(path))


@pytest.mark.parametrize("path", [HTML_PAGE, RSS])
def test_sniff_rejects_html_and_other_xml(path):
    assert not sniff(make_doc(path))


def test_sniff_is_by_content_not_name(tmp_path):
    # gzip detected by magic bytes: a .xml name holding gzip, a .gz name holding plain XML
    plain_named_gz = tmp_path / "a.xml.gz"
    plain_named_gz.write_bytes(STRUCTURED.read_bytes())
    gz_named_xml = tmp_path / "b.xml"
    gz_named_xml.write_bytes(CURRENT.read_bytes())
    assert sniff(make_doc(plain_named_gz)) and sniff(make_doc(gz_named_xml))
    assert [r.pmid for r in records(gz_named_xml)] == ["36400559", "2930949", "11446611", "28786991"]
    # PubMed words deep in a text file, a gzip of HTML, a broken gzip: all no
    assert not sniff(make_doc("t.txt", b"We exported <PubmedArticleSet> files from PubMed.\n"))
    assert not sniff(make_doc("h.gz", gzip.compress(HTML_PAGE.read_bytes())))
    assert not sniff(make_doc("x.gz", b"\x1f\x8b" + b"not deflate at all" * 10))


def test_sniff_tolerates_bom_comments_and_internal_subset():
    body = b"<PubmedArticleSet></PubmedArticleSet>"
    assert sniff(make_doc("a", b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- exported -->\n" + body))
    assert sniff(make_doc("b", b'<!DOCTYPE PubmedArticleSet [<!ELEMENT x (#PCDATA)>]>' + body))
    assert sniff(make_doc("c", b"<MedlineCitationSet/>"))
    assert not sniff(make_doc("d", b"<PubmedArticleSetX/>"))


def test_pipeline_picks_pubmed_xml_for_pubmed_only():
    assert pipeline.pick_ingester(make_doc(BASELINE)).format == "pubmed-xml"
    assert pipeline.pick_ingester(make_doc(STRUCTURED)).format == "pubmed-xml"
    assert pipeline.pick_ingester(make_doc(HTML_PAGE)).format != "pubmed-xml"
    assert pipeline.pick_ingester(make_doc(RSS)).format != "pubmed-xml"


# ---------------------------------------------------------------- one record, field by field

def test_structured_abstract_and_all_fields():
    (rec,) = records(STRUCTURED)
    assert rec.source_format == "pubmed-xml"
    assert rec.pmid == "23657305"
    assert rec.doi == "10.1590/s0004-28032013000100008"     # ArticleIdList wins over the pii ELocationID
    assert rec.pmcid is None
    assert rec.title == "Hfe mutations and iron overload in patients with alcoholic liver disease."
    assert rec.title_original is None and rec.title_language is None
    paragraphs = rec.abstract.split("\n\n")
    assert [p.split(":", 1)[0] for p in paragraphs] == ["CONTEXT", "OBJECTIVES", "METHODS", "RESULTS", "CONCLUSION"]
    assert paragraphs[3].startswith("RESULTS: ALD patients had significantly higher serum ferritin")
    assert "(both P<0.05)" in paragraphs[3]                   # &lt; decoded
    assert "CopyrightInformation" not in rec.abstract
    assert_spans_exact(rec)
    sections = rec.extra["abstract_sections"]
    assert [s["category"] for s in sections] == ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert all(rec.text[s["start"]:s["end"]].startswith(s["label"] + ": ") for s in sections)
    assert [(a.name, a.family, a.given, a.collective) for a in rec.authors[:2]] == [
        ("Luís Costa-Matos", "Costa-Matos", "Luís", False), ("Paulo Batista", "Batista", "Paulo", False)]
    assert len(rec.authors) == 6 and rec.authors[-1].name == "Armando Carvalho"
    j = rec.journal
    assert (j.name, j.issn, j.volume, j.issue, j.pages) == ("Arquivos de gastroenterologia", "1678-4219", "50", "1", "35-41")
    # <Year>2013</Year><Season>Jan-Mar</Season>: the season's first month
    assert rec.pub_date == "2013-01" and rec.year == 2013
    assert rec.publication_types == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert rec.language == "eng"
    assert rec.extra["mesh"][:3] == ["Case-Control Studies", "Female", "Genotype"]
    assert len(rec.extra["mesh"]) == 12
    assert rec.keywords == rec.extra["mesh"]                   # no KeywordList in this record
    assert "genetics" not in rec.keywords                      # qualifiers are not descriptors


def test_collective_author():
    (rec,) = records(COLLECTIVE)
    assert rec.pmid == "34843274" and rec.doi == "10.1037/amp0000904"
    assert len(rec.authors) == 1
    a = rec.authors[0]
    assert a.collective is True
    assert a.name == "Guideline Development Panel for the Treatment of Depressive Disorders"
    assert a.family is None and a.given is None
    assert "\n\n" not in rec.abstract and not rec.abstract.startswith("None")   # unlabelled abstract
    assert "abstract_sections" not in rec.extra
    assert rec.pub_date == "2022-09" and rec.journal.pages == "770-780"
    assert_spans_exact(rec)


def test_inline_markup_flattened():
    (rec,) = records(INLINE)
    assert "rapidly cleared from the circulation (T1/2; 1.35 h) and excreted" in rec.abstract
    assert "<" not in rec.text and "sub>" not in rec.text
    assert_spans_exact(rec)


def test_current_2024_layout_gzip():
    recs = records(CURRENT)
    assert [r.pmid for r in recs] == ["36400559", "2930949", "11446611", "28786991"]
    back, low, acute, tb = recs
    # keywords first, then MeSH; references' ArticleIdLists are not this article's ids
    assert back.keywords[:4] == ["Back pain", "Diagnosis", "Management", "Outpatient"]
    assert back.extra["mesh"][:2] == ["Humans", "Low Back Pain"]
    assert "Back Pain" in back.keywords and "Low Back Pain" in back.keywords
    assert back.doi == "10.1016/j.ncl.2022.07.002" and back.pmcid is None
    assert back.abstract.startswith("Back pain is a common condition") and "6 weeks" in back.abstract
    assert "Copyright" not in back.abstract
    assert [a.name for a in back.authors] == ["David Gibbs", "Ben G McGahan", "Alexander E Ropper", "David S Xu"]
    assert back.pub_date == "2023-02" and back.journal.name == "Neurologic clinics"
    assert low.doi is None and low.pmcid == "PMC1306303" and low.pub_date == "1985-08"
    assert low.authors[0].name == "J B Reuler" and low.authors[0].given == "J B"
    # the record without an abstract: title only, one span, abstract None (not "")
    assert acute.abstract is None
    assert acute.text == "Acute back pain." and [s.kind for s in acute.spans] == ["title"]
    assert acute.pmcid == "PMC4951901" and acute.doi == "10.7861/clinmedicine.1-3-188"
    assert tb.abstract.startswith("OBJECTIVE: To synthesize outputs")
    assert [s["label"] for s in tb.extra["abstract_sections"]] == ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert tb.publication_types == ["Journal Article", "Meta-Analysis", "Review", "Systematic Review"]
    assert tb.pub_date == "2017" and tb.year == 2017
    for r in recs:
        assert_spans_exact(r)
        assert "Competing Interests" not in r.text             # CoiStatement is not the abstract


def test_ids_never_come_from_the_reference_list():
    """A record's ReferenceList holds other papers' ArticleIdLists (DOIs, PMC ids)."""
    xml = gzip.decompress(CURRENT.read_bytes())
    own = (b'<ArticleId IdType="pmc">PMC5546677</ArticleId><ArticleId IdType="doi">10.1371/journal.pone.0180707'
           b'</ArticleId>')
    assert xml.count(own) == 1 and b'<ReferenceList>' in xml
    xml = xml.replace(own, b"").replace(b'<ELocationID EIdType="doi" ValidYN="Y">10.1371/journal.pone.0180707'
                                        b'</ELocationID>', b"")
    tb = records("no-own-ids.xml", xml)[-1]
    assert tb.pmid == "28786991"
    assert tb.doi is None and tb.pmcid is None                 # not 10.1371/journal.pone.0140881 / PMC4633161


def test_vernacular_title_and_languages():
    (nor,) = records(NORWEGIAN)
    assert nor.title.startswith("Patients over 75 years admitted to the National Burn Centre")
    assert nor.title_original == ("Pasienter over 75\xa0år innlagt ved Brannskadeavdelinga, "
                                  "Haukeland universitetssjukehus 2000–19.").replace("\xa0", " ")
    assert nor.title_language == "nor"
    assert nor.language == "eng" and nor.extra["languages"] == ["eng", "nor"]
    assert nor.pub_date == "2023-03-28"
    assert nor.abstract.startswith("BACKGROUND: The number of burn patients")
    assert "MATERIAL AND METHOD: " in nor.abstract

    (ger,) = records(GERMAN)
    # NLM brackets a translated title: the brackets go, the fact is kept
    assert ger.title == "A Broader Scope - Bio-Psycho-Social Medicine In Global Focus."
    assert ger.extra["title_translated"] is True
    assert ger.title_original == "A Broader Scope – Bio-psycho-soziale Medizin im globalen Fokus."
    assert ger.title_language == "ger" and ger.language == "ger"
    assert ger.abstract is None and ger.text == ger.title


def test_records_without_abstract_or_authors():
    (cor,) = records(CORRIGENDUM)
    assert cor.abstract is None and cor.publication_types == ["Published Erratum"]
    assert cor.title.startswith('Corrigendum to "MageC2 protein')
    assert cor.title.endswith("118918].")                      # not wholly bracketed: kept as is
    assert "title_translated" not in cor.extra
    (err,) = records(ERRATUM)
    assert err.authors == [] and err.abstract is None and err.title == "Correction."
    assert err.keywords == [] and err.extra["mesh"] == []
    assert err.journal.issue == "sup1" and err.pub_date == "2024-07"
    assert_spans_exact(err)


@pytest.mark.parametrize("raw, iso", [
    ("2016 Jan-Feb", "2016-01"), ("2015 Oct-Dec", "2015-10"), ("1998 Dec-1999 Jan", "1998-12"),
    ("2001 Nov 15-21", "2001-11-15"), ("2000 Spring", "2000"), ("1999-2000", "1999"), ("Spring", None), ("", None),
])
def test_medline_date(raw, iso):
    assert parse_medline_date(raw) == iso


# ---------------------------------------------------------------- a baseline file, streamed

def test_baseline_file_604_records():
    doc = make_doc(BASELINE)
    recs = list(ING.parse(doc))
    assert len(recs) == 604
    assert len({r.pmid for r in recs}) == 604
    assert recs[0].pmid == "17942999"
    assert recs[0].abstract.startswith("PURPOSE: An auditory electrophysiological study")
    # PMIDs inside CommentsCorrections are not records, and the deleted one is not a record
    assert "26432306" not in {r.pmid for r in recs}
    assert deleted_pmids(doc) == ["26432306"]
    assert sum(1 for r in recs if r.abstract is None) == 78
    assert all(r.pub_date and r.year for r in recs)
    assert sum(1 for r in recs if r.pub_date == "2015-10") >= 59     # MedlineDate "2015 Oct-Dec"
    assert sum(1 for r in recs if r.pmcid) > 300                    # from OtherID Source="NLM"
    assert all(r.pmcid is None or r.pmcid.startswith("PMC") and r.pmcid[3:].isdigit() for r in recs)
    assert sum(1 for r in recs if any(a.collective for a in r.authors)) == 8
    # NLM's Label="UNLABELLED" is no label: the paragraph is the text alone
    assert not any("UNLABELLED" in (r.abstract or "") for r in recs)
    dsigdb = next(r for r in recs if (r.abstract or "").startswith("We report the creation of Drug Signatures Database"))
    assert dsigdb.abstract.startswith("We report")
    for r in recs:
        assert_spans_exact(r)


def test_baseline_italian_record_keeps_vernacular_title():
    ita = [r for r in ING.parse(make_doc(BASELINE)) if r.language == "ita"]
    assert len(ita) == 18
    assert all(r.title_original and r.title_language == "ita" for r in ita)
    vaccines = next(r for r in ita if r.pmid == "26407462")
    assert vaccines.title == "Vaccines are drugs."                 # "[Vaccines are drugs]." in the file
    assert vaccines.title_original == "I vaccini sono farmaci."
    assert vaccines.extra["title_translated"] is True


def test_parsing_streams_and_clears(monkeypatch):
    """Records come out one at a time and the ones already read are dropped from the tree.

    (Records *after* the current one may be in the tree already: the parser reads ahead by
    one buffer, which is bounded; what must not grow is what lies behind.)"""
    streams = []
    real_open = pubmed_xml.open_stream

    def spy_open(doc):
        streams.append(real_open(doc))
        return streams[-1]

    behind = []
    real_build = pubmed_xml.build_entry

    def spy_build(elem):
        behind.append(sum(1 for _ in elem.itersiblings(preceding=True)))
        return real_build(elem)

    monkeypatch.setattr(pubmed_xml, "open_stream", spy_open)
    monkeypatch.setattr(pubmed_xml, "build_entry", spy_build)
    gen = ING.parse(make_doc(BASELINE))
    first = next(gen)
    assert first.pmid == "17942999"
    total = len(gzip.decompress(BASELINE.read_bytes()))
    assert streams[0].bytes_out < total / 10                   # lazily: ~0.2 MB of 3.9 MB read so far
    assert sum(1 for _ in gen) == 603
    assert streams[0].bytes_out == total
    assert len(behind) == 605                                  # 604 citations + 1 DeleteCitation
    assert max(behind) <= 1                                    # only the previous, already cleared one


# ---------------------------------------------------------------- odd and broken inputs

def test_empty_result_set_yields_nothing():
    assert records(EMPTY_SET) == []


@pytest.mark.parametrize("path", [HTML_PAGE, RSS])
def test_parse_refuses_other_roots(path):
    with pytest.raises(ParseError, match="not PubMed XML: the root element is <(html|rss)>"):
        records(path)


def test_truncated_record_is_a_parse_error(tmp_path):
    data = STRUCTURED.read_bytes()
    cut = data[: data.index(b"Label=\"METHODS\"") + 40]
    with pytest.raises(ParseError) as e:
        records(tmp_path / "cut.xml", cut)
    assert e.value.source == str(tmp_path / "cut.xml")
    assert e.value.reason.startswith("malformed PubMed XML: ")
    assert "\n" not in e.value.reason
    assert "Premature end of data" in e.value.reason or "EndTag" in e.value.reason


def test_mismatched_tag_is_a_parse_error():
    bad = STRUCTURED.read_bytes().replace(b"</ArticleTitle>", b"</ArticleTitel>")
    with pytest.raises(ParseError, match=r"^.*: malformed PubMed XML: .*ArticleTitle"):
        records("bad.xml", bad)


def test_truncated_gzip_is_a_parse_error():
    data = BASELINE.read_bytes()
    with pytest.raises(ParseError, match="truncated or corrupt gzip data"):
        records("half.xml.gz", data[: len(data) // 2])


def test_decompression_cap(monkeypatch):
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "1")
    with pytest.raises(ParseError, match=r"more than the 1 MB limit \(KB_MAX_DECOMPRESSED_MB\)"):
        records(BASELINE)                                      # 3.9 MB once inflated
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "5")
    assert len(records(BASELINE)) == 604
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "lots")
    with pytest.raises(ParseError, match="KB_MAX_DECOMPRESSED_MB must be a positive number"):
        records(BASELINE)


def test_gzip_bomb_stops_at_the_cap(monkeypatch):
    # 64 MB of whitespace inside a valid root compresses to ~64 KB
    bomb = gzip.compress(b"<PubmedArticleSet>" + b" " * (64 * 1024 * 1024) + b"</PubmedArticleSet>", 9)
    assert len(bomb) < 200_000
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "2")
    doc = make_doc("bomb.xml.gz", bomb)
    assert sniff(doc)
    started = time.monotonic()
    with pytest.raises(ParseError, match="more than the 2 MB limit"):
        list(ING.parse(doc))
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------- hostile XML

LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))
ARTICLE = ("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
           "<ArticleTitle>Before {ref} after</ArticleTitle><Abstract><AbstractText>Text {ref} end."
           "</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>")


def _all_field_text(recs) -> str:
    return json.dumps([r.__dict__ for r in recs], default=lambda o: o.__dict__, ensure_ascii=False)


def test_billion_laughs_is_refused_without_expansion(tmp_path):
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n<!ENTITY lol0 "lol">\n' + LAUGHS + "]>\n"
           + ARTICLE.format(ref="&lol9;"))
    path = tmp_path / "laughs.xml"
    path.write_text(xml, encoding="utf-8")
    doc = make_doc(path)
    assert sniff(doc)
    started = time.monotonic()
    with pytest.raises(ParseError) as e:
        list(ING.parse(doc))
    assert time.monotonic() - started < 5
    assert "declares entities" in e.value.reason and "lol" in e.value.reason
    assert "lollol" not in e.value.reason


def test_external_entity_never_reads_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-7f3a", encoding="utf-8")
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n<!ENTITY xxe SYSTEM "{secret.as_uri()}">\n]>\n'
           + ARTICLE.format(ref="&xxe;"))
    doc = make_doc(tmp_path / "xxe.xml", xml.encode())
    with pytest.raises(ParseError) as e:
        list(ING.parse(doc))
    assert "declares entities (xxe)" in e.value.reason
    assert "TOPSECRET" not in str(e.value)


def test_external_dtd_and_parameter_entity_are_not_loaded(tmp_path):
    secret = tmp_path / "evil.dtd"
    secret.write_text('<!ENTITY xxe "TOPSECRET-9c1d">', encoding="utf-8")
    # an external DTD naming the file (the shape of every real PubMed DOCTYPE): never fetched
    ext = (f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "{secret.as_uri()}">\n'
           + ARTICLE.format(ref="&xxe;"))
    recs = records(tmp_path / "ext.xml", ext.encode())
    assert len(recs) == 1 and recs[0].pmid == "1"
    assert recs[0].title == "Before after" and recs[0].abstract == "Text end."
    assert "TOPSECRET" not in _all_field_text(recs)
    # a parameter entity pulling the file into the internal subset: refused
    param = (f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>\n'
             + ARTICLE.format(ref="&xxe;"))
    with pytest.raises(ParseError) as e:
        records(tmp_path / "param.xml", param.encode())
    assert "TOPSECRET" not in str(e.value)


# ---------------------------------------------------------------- through the pipeline into a store

def test_ingest_through_pipeline(store):
    report = pipeline.ingest_paths(store, [str(STRUCTURED), str(COLLECTIVE), str(CURRENT), str(EMPTY_SET)])
    assert report.ingested == [str(STRUCTURED), str(COLLECTIVE), str(CURRENT)]
    assert report.failed == [(str(EMPTY_SET), "no records found in this pubmed-xml file")]
    assert report.studies == 6

    docs = store.execute("SELECT name, format FROM documents ORDER BY id").fetchall()
    assert docs == [("23657305.xml", "pubmed-xml"), ("34843274.xml", "pubmed-xml"),
                    ("test_current_medline.xml.gz", "pubmed-xml")]
    study = dict(zip(
        ["title", "abstract", "doi", "pmid", "pub_date", "year", "volume", "issue", "pages", "language",
         "publication_types", "journal", "issn"],
        store.execute("""SELECT s.title, s.abstract, s.doi, s.pmid, s.pub_date, s.year, s.volume, s.issue, s.pages,
                                s.language, s.publication_types, j.name, j.issn
                         FROM studies s JOIN journals j ON j.id = s.journal_id WHERE s.pmid = '23657305'""").fetchone()))
    assert study == {
        "title": "Hfe mutations and iron overload in patients with alcoholic liver disease.",
        "abstract": study["abstract"], "doi": "10.1590/s0004-28032013000100008", "pmid": "23657305",
        "pub_date": "2013-01", "year": 2013, "volume": "50", "issue": "1", "pages": "35-41", "language": "eng",
        "publication_types": json.dumps(["Journal Article", "Research Support, Non-U.S. Gov't"]),
        "journal": "Arquivos de gastroenterologia", "issn": "1678-4219",
    }
    assert study["abstract"].startswith("CONTEXT: Alcoholic liver disease")

    authors = store.execute("""SELECT a.name, a.family, a.given, a.collective FROM study_authors sa
                               JOIN authors a ON a.id = sa.author_id JOIN studies s ON s.id = sa.study_id
                               WHERE s.pmid = ? ORDER BY sa.position""", ["23657305"]).fetchall()
    assert authors[0] == ("Luís Costa-Matos", "Costa-Matos", "Luís", 0) and len(authors) == 6
    collective = store.execute("""SELECT a.name, a.collective FROM study_authors sa JOIN authors a ON a.id = sa.author_id
                                  JOIN studies s ON s.id = sa.study_id WHERE s.pmid = '34843274'""").fetchall()
    assert collective == [("Guideline Development Panel for the Treatment of Depressive Disorders", 1)]

    assert store.execute("SELECT count(*) FROM journals").fetchone()[0] == 6
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 6
    no_abstract = store.execute("SELECT title, abstract FROM studies WHERE pmid = '11446611'").fetchone()
    assert no_abstract == ("Acute back pain.", None)
    kws = {k for (k,) in store.execute("""SELECT k.keyword FROM study_keywords sk JOIN keywords k ON k.id = sk.keyword_id
                                          JOIN studies s ON s.id = sk.study_id WHERE s.pmid = '36400559'""")}
    assert {"Back pain", "Outpatient", "Low Back Pain", "Humans"} <= kws
    # every study is linked to its document
    assert store.execute("""SELECT count(*) FROM studies s
                            WHERE NOT EXISTS (SELECT 1 FROM study_documents sd WHERE sd.study_id = s.id)""").fetchone()[0] == 0

    # re-ingesting the same files is a no-op
    again = pipeline.ingest_paths(store, [str(STRUCTURED), str(CURRENT)])
    assert again.unchanged == [str(STRUCTURED), str(CURRENT)] and again.studies == 0


def test_pipeline_reports_broken_files(store, tmp_path):
    cut = tmp_path / "cut.xml"
    cut.write_bytes(STRUCTURED.read_bytes()[:3000])
    report = pipeline.ingest_paths(store, [str(cut)])
    assert report.ingested == [] and report.studies == 0
    ((path, reason),) = report.failed
    assert path == str(cut) and reason.startswith("malformed PubMed XML: ")
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 0


def test_ingest_baseline_file(store):
    report = pipeline.ingest_paths(store, [str(BASELINE)])
    assert report.failed == [] and report.studies == 604
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 604
    assert store.execute("SELECT count(*) FROM studies WHERE language = 'ita' AND title_original IS NOT NULL"
                         ).fetchone()[0] == 18
    assert store.execute("SELECT count(*) FROM studies WHERE abstract IS NULL").fetchone()[0] == 78
