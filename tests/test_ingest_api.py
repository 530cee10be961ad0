"""Literature-API ingesters (Europe PMC JSON/XML, Crossref, OpenAlex, Semantic Scholar) on
checked-in real responses (tests/fixtures/api, see SOURCES.md). Hostile and broken inputs
are written under tmp_path by the tests. Nothing here touches the network.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from kb import pipeline
from kb.errors import ParseError
from kb.ingesters import crossref, europepmc, openalex, platform_json, semantic_scholar
from kb.ingesters.europepmc import markup_to_text
from kb.models import Document
from kb.store import texts

ROOT = Path(__file__).resolve().parents[1]
API = Path(__file__).parent / "fixtures" / "api"
EPMC_JSON = API / "europepmc_json"
EPMC_XML = API / "europepmc_xml"
CROSSREF = API / "crossref_json"
OPENALEX = API / "openalex_json"
S2 = API / "semanticscholar_json"
OTHER = API / "other"

CORE = EPMC_JSON / "search_cancer_core.json"          # resultType=core, 25 results, 21 abstracts
LITE = EPMC_JSON / "search_cancer.json"               # resultType=lite, 25 results
IDLIST = EPMC_JSON / "search_cancer_idlist.json"      # ids only
NO_HITS = EPMC_JSON / "search_no_results.json"        # hitCount 0
NATIVE_XML = EPMC_XML / "search_cancer.xml"           # <responseWrapper><resultList><result> (lite)
DC_XML = EPMC_XML / "search_cancer_dc.xml"            # format=dc: rdf:Description per result
CR_WORK = CROSSREF / "test_works_with_many_ids__1.json"   # single work, JATS abstract, 12 authors
CR_MINIMAL = CROSSREF / "test_works_with_many_ids__4.json"  # Int J Oncol, one family-only author
CR_NO_DATE = CROSSREF / "test_works_with_many_ids__3.json"  # issued {"date-parts": [[null]]}
CR_LIST = CROSSREF / "test_works_query.json"          # work-list, 2 items, <p> abstracts
CR_404 = CROSSREF / "test_works_mixed_ids_warn__1.txt"  # "Resource not found." (not JSON)
OA_WORK = OPENALEX / "W2741809807.json"
S2_BATCH_NULL = S2 / "test_get_papers_return_not_found.json"  # [null, paper, paper, paper]
S2_BATCH_IDS = S2 / "test_get_papers.json"            # 3 papers with paperId and authors only
S2_REFS = S2 / "test_get_paper_references__0.json"    # paged {"citedPaper": ...}, some paperId null
S2_SEARCH = S2 / "test_search_paper.json"             # paged search, 100 items
S2_CITATION = S2 / "Citation.json"                    # {"citingPaper": {...}} with context
S2_REFERENCE = S2 / "Reference.json"                  # {"citedPaper": {...}}
S2_NULLS = S2 / "PaperWithNullValues.json"            # paperId and nulls only
S2_ERROR = S2 / "test_not_found__0.json"              # {"error": "Paper with id 0 not found"}
PLATFORM = next((ROOT / "data" / "samples").glob("002_*.txt"))  # platform JSON record + lines

EPMC_J, EPMC_X = europepmc.EuropePmcJsonIngester(), europepmc.EuropePmcXmlIngester()
CR, OA, SS = crossref.CrossrefIngester(), openalex.OpenAlexIngester(), semantic_scholar.SemanticScholarIngester()
OURS = {i.format: i for i in (EPMC_J, EPMC_X, CR, OA, SS)}

# Every fixture: the one ingester of ours that must claim it (None: none of ours may) and the
# number of records it yields.
EXPECTED = {
    CORE: ("europepmc-json", 25), LITE: ("europepmc-json", 25), IDLIST: ("europepmc-json", 0),
    EPMC_JSON / "search_cancer_page2.json": ("europepmc-json", 5), NO_HITS: ("europepmc-json", 0),
    EPMC_JSON / "search_post_cancer.json": ("europepmc-json", 25),
    NATIVE_XML: ("europepmc-xml", 25), DC_XML: ("europepmc-xml", 25),
    CR_LIST: ("crossref-json", 2), CROSSREF / "test_works_with_many_ids__0.json": ("crossref-json", 1),
    CR_WORK: ("crossref-json", 1), CROSSREF / "test_works_with_many_ids__2.json": ("crossref-json", 1),
    CR_NO_DATE: ("crossref-json", 1), CR_MINIMAL: ("crossref-json", 1),
    CROSSREF / "test_works_with_one_id.json": ("crossref-json", 1), CR_404: (None, 0),
    OA_WORK: ("openalex-json", 1),
    S2_CITATION: ("semantic-scholar-json", 1), S2_REFERENCE: ("semantic-scholar-json", 1),
    S2_NULLS: ("semantic-scholar-json", 0), S2_REFS: ("semantic-scholar-json", 50),
    S2_BATCH_IDS: ("semantic-scholar-json", 0), S2_BATCH_NULL: ("semantic-scholar-json", 3),
    S2_SEARCH: ("semantic-scholar-json", 100), S2_ERROR: ("semantic-scholar-json", 0),
    OTHER / "test_content_negotiation_citeproc_json__1.json": (None, 0),   # CSL-JSON
    OTHER / "NCT00973089.json": (None, 0),                                 # ClinicalTrials.gov v2
}
NOT_OURS = sorted((ROOT / "data" / "samples").glob("*")) + sorted((ROOT / "tests" / "fixtures" / "pubmed").glob("*.xml"))


def make_doc(path: Path | str, data: bytes | None = None) -> Document:
    data = Path(path).read_bytes() if data is None else data
    return Document(name=Path(path).name, path=str(path), data=data,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def claims(doc: Document) -> list[str]:
    return [fmt for fmt, ing in OURS.items() if ing.sniff(doc.data[:65536], doc)]


def records(path: Path | str, data: bytes | None = None):
    doc = make_doc(path, data)
    (fmt,) = claims(doc)
    return list(OURS[fmt].parse(doc))


def by_doi(recs, doi):
    (rec,) = [r for r in recs if r.doi == doi]
    return rec


def assert_spans_exact(rec):
    """text is title, blank line, abstract; the spans are exact offsets into it."""
    kinds = {s.kind: rec.text[s.start:s.end] for s in rec.spans}
    assert kinds.get("title") == rec.title
    assert kinds.get("abstract") == rec.abstract
    assert rec.text == "\n\n".join(x for x in (rec.title, rec.abstract) if x)
    for sec in rec.extra.get("abstract_sections", []):
        para = rec.text[sec["start"]:sec["end"]]
        assert para.startswith(f"{sec['label']}: ") if sec["label"] else para


# ---------------------------------------------------------------- sniffing

def test_every_fixture_is_listed():
    on_disk = {p for p in API.rglob("*") if p.is_file() and p.name != "SOURCES.md"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("path", sorted(EXPECTED), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sniff_matrix(path):
    """Exactly the expected ingester of ours claims each sample, never two of them."""
    fmt, _ = EXPECTED[path]
    assert claims(make_doc(path)) == ([fmt] if fmt else [])


@pytest.mark.parametrize("path", NOT_OURS, ids=lambda p: p.name)
def test_sniff_leaves_other_formats_alone(path):
    """The platform JSON record (a JSON line then text), PubMed XML and plain text are not ours."""
    assert claims(make_doc(path)) == []


def test_platform_record_is_platforms_and_api_files_are_not():
    """platform_json claims many pretty-printed API files by its first-line heuristic: ours
    must be asked first (higher priority) and must never take the platform record."""
    plat = platform_json.PlatformJsonIngester()
    doc = make_doc(PLATFORM)
    assert plat.sniff(doc.data[:65536], doc) and claims(doc) == []
    assert plat.sniff(make_doc(S2_SEARCH).data[:65536], make_doc(S2_SEARCH))   # why priority matters
    assert all(ing.priority > plat.priority for ing in OURS.values())


def test_sniff_is_by_content_not_name(tmp_path):
    renamed = tmp_path / "notes.txt"
    renamed.write_bytes(OA_WORK.read_bytes())
    assert claims(make_doc(renamed)) == ["openalex-json"]
    disguised = tmp_path / "W123.json"
    disguised.write_text('{"title": "x", "doi": "10.1/x"}\nplain text line\n', encoding="utf-8")
    assert claims(make_doc(disguised)) == []


def test_sniff_reads_bom_and_pretty_printing(tmp_path):
    obj = json.loads(CR_WORK.read_text(encoding="utf-8"))
    data = b"\xef\xbb\xbf" + json.dumps(obj, indent=2, sort_keys=True).encode("utf-8")
    doc = make_doc(tmp_path / "w.json", data)
    assert claims(doc) == ["crossref-json"]
    assert [r.doi for r in CR.parse(doc)] == ["10.1002/jor.1100150407"]


# ---------------------------------------------------------------- counts and spans

@pytest.mark.parametrize("path", sorted(p for p, (fmt, _) in EXPECTED.items() if fmt and p != S2_ERROR),
                         ids=lambda p: p.name)
def test_record_counts_and_exact_spans(path):
    fmt, n = EXPECTED[path]
    recs = records(path)
    assert len(recs) == n
    for rec in recs:
        assert rec.source_format == fmt
        assert rec.title or rec.abstract
        assert_spans_exact(rec)
        assert isinstance(rec.keywords, list) and isinstance(rec.publication_types, list)
        assert rec.pub_date is None or rec.pub_date[:4] == str(rec.year) or fmt == "openalex-json"


# ---------------------------------------------------------------- Europe PMC

def test_europepmc_core_fields():
    recs = records(CORE)
    assert sum(r.abstract is not None for r in recs) == 21
    lancet = by_doi(recs, "10.1016/s0140-6736(24)02600-x")
    assert lancet.title == "Abscopal response in a patient with fibrolamellar hepatocellular carcinoma following radiotherapy."
    assert (lancet.pmid, lancet.pmcid, lancet.year, lancet.pub_date, lancet.language) == ("39709209", None, 2025, "2025-12", "eng")
    assert lancet.journal.name == "Lancet (London, England)"
    assert (lancet.journal.issn, lancet.journal.volume, lancet.journal.issue, lancet.journal.pages) == \
        ("0140-6736", "404", "10471", "2603-2604")
    assert [(a.name, a.family, a.given) for a in (lancet.authors[0], lancet.authors[-1])] == \
        [("Jonathan D Schoenfeld", "Schoenfeld", "Jonathan D"), ("Allison F O'Neill", "O'Neill", "Allison F")]
    assert lancet.abstract is None and lancet.text == lancet.title
    assert lancet.publication_types == ["Journal Article"]

    cald = by_doi(recs, "10.1002/hpja.70059")
    assert cald.pmid == "40437959" and cald.pmcid == "PMC12120539"
    assert [a.name for a in cald.authors] == ["Cannas Kwok", "Xinyi Xu"]
    # <h4>Issue addressed</h4>... becomes labelled paragraphs, as PubMed structured abstracts
    assert cald.abstract.startswith("Issue addressed: Despite national cancer screening programs in Australia, ")
    assert "\n\nMethods: A culturally tailored cancer awareness" in cald.abstract
    assert "<h4>" not in cald.text and [s["label"] for s in cald.extra["abstract_sections"]] == \
        ["Issue addressed", "Methods", "Results", "Conclusions"]
    assert cald.keywords[:2] == ["Chinese", "Cancer Screening"]
    assert {"Neoplasms", "Health Promotion", "Early Detection of Cancer"} <= set(cald.keywords)  # MeSH
    assert cald.extra["mesh"][0] == "Humans"
    assert cald.publication_types == ["research-article", "Journal Article"]
    assert cald.oa_url == "https://europepmc.org/articles/PMC12120539?pdf=render"

    cachexia = by_doi(recs, "10.1148/rycan.240291")
    assert cachexia.abstract.startswith("Cancer-associated cachexia (CAC) is a prevalent condition that accelerates")
    assert cachexia.authors[0].name == "Yang Jiang" and cachexia.authors[-1].name == "Xin-Gui Peng"
    assert len(cachexia.authors) == 8 and cachexia.journal.name == "Radiology. Imaging cancer"


def test_europepmc_inline_markup_and_raw_less_than():
    recs = records(CORE)
    h2s = next(r for r in recs if r.abstract and "Hydrogen sulfide" in r.abstract)
    assert "Hydrogen sulfide (H2S) is" in h2s.abstract          # <sub>2</sub> flattened, not spaced
    loose = next(r for r in recs if r.abstract and "(p <.01)" in r.abstract)   # a bare "<" stays text
    assert "<" in loose.abstract and "<h4>" not in loose.abstract


def test_europepmc_lite_json_and_native_xml_agree():
    lite, xml = records(LITE), records(NATIVE_XML)
    assert [r.pmid for r in lite] == [r.pmid for r in xml]
    first = xml[0]
    assert first.title == "Abscopal response in a patient with fibrolamellar hepatocellular carcinoma following radiotherapy."
    assert first.doi == "10.1016/s0140-6736(24)02600-x" and first.year == 2025 and first.pub_date == "2025-12-01"
    assert [(a.name, a.family, a.given) for a in (first.authors[0], first.authors[-1])] == \
        [("JD Schoenfeld", "Schoenfeld", "JD"), ("AF O'Neill", "O'Neill", "AF")]
    assert (first.journal.name, first.journal.issn, first.journal.volume, first.journal.issue) == \
        ("Lancet", "0140-6736", "404", "10471")
    erratum = next(r for r in xml if r.pmid == "39709208")
    assert erratum.title == "Department of Error." and erratum.authors == [] and erratum.pmcid == "PMC12124214"
    assert erratum.publication_types == ["published erratum", "correction"]
    for a, b in zip(lite, xml):
        assert (a.title, a.doi, a.pmcid, a.pub_date, a.publication_types, [x.name for x in a.authors], a.journal) == \
            (b.title, b.doi, b.pmcid, b.pub_date, b.publication_types, [x.name for x in b.authors], b.journal)


def test_europepmc_dublin_core():
    recs = records(DC_XML)
    assert sum(r.abstract is not None for r in recs) == 21
    first = recs[0]
    assert (first.pmid, first.doi, first.pub_date, first.language) == \
        ("39709209", "10.1016/s0140-6736(24)02600-x", "2025-12-01", "eng")
    assert [a.name for a in first.authors] == ["JD Schoenfeld", "DA Haas-Kogan", "AF O'Neill"]
    assert (first.journal.name, first.journal.issn, first.journal.volume, first.journal.issue, first.journal.pages) == \
        ("Lancet (London, England)", "0140-6736", "404", "10471", "2603-2604")
    flex = by_doi(recs, "10.1111/bjhp.12807")
    assert flex.abstract.startswith("Objective: This study investigated whether psychological flexibility")
    assert "\n\nDesign: This was an online, prospective" in flex.abstract
    assert flex.keywords[:2] == ["Neoplasms", "Adaptation, Psychological"]
    assert flex.journal.pages == "e12807" and flex.authors[-1].name == "L McCracken"
    assert by_doi(recs, "10.1002/hpja.70059").pmcid == "PMC12120539"
    # the DC abstracts are the core JSON abstracts, paragraph for paragraph
    core = {r.doi: r.abstract for r in records(CORE)}
    assert all(core[r.doi] == r.abstract for r in recs if r.doi)


@pytest.mark.parametrize("path", [IDLIST, NO_HITS])
def test_europepmc_idlist_and_empty_search_yield_nothing(path):
    assert records(path) == []


def test_europepmc_xml_idlist_and_empty_response(tmp_path):
    idlist = (b'<?xml version="1.0" encoding="UTF-8"?><responseWrapper><version>6.9</version>'
              b'<hitCount>2</hitCount><resultList><result><id>1</id><source>MED</source><pmid>1</pmid></result>'
              b'<result><id>2</id><source>MED</source><pmid>2</pmid></result></resultList></responseWrapper>')
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><responseWrapper><version>6.9</version>'
             b'<hitCount>0</hitCount><resultList/></responseWrapper>')
    for data in (idlist, empty):
        assert records(tmp_path / "r.xml", data) == []


def test_europepmc_core_xml_with_markup_children(tmp_path):
    """A core result in native XML: nested lists and an abstract whose markup is real elements."""
    data = ('<responseWrapper><hitCount>1</hitCount><resultList><result><id>9</id><source>MED</source>'
            '<pmid>9</pmid><title>A <i>KRAS</i> trial</title><authorList><author><firstName>Ann</firstName>'
            '<lastName>Lee</lastName></author></authorList><abstractText><h4>Background</h4>HR 0.5 &lt; 1'
            '<h4>Results</h4>OS rose.</abstractText><keywordList><keyword>KRAS</keyword></keywordList>'
            '<pubTypeList><pubType>Journal Article</pubType></pubTypeList><pubYear>2020</pubYear>'
            '</result></resultList></responseWrapper>').encode()
    (rec,) = records(tmp_path / "core.xml", data)
    assert rec.title == "A KRAS trial" and [a.name for a in rec.authors] == ["Ann Lee"]
    assert rec.abstract == "Background: HR 0.5 < 1\n\nResults: OS rose."
    assert rec.keywords == ["KRAS"] and rec.publication_types == ["Journal Article"] and rec.year == 2020


def test_europepmc_xml_is_parsed_without_entities_or_network(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<responseWrapper><hitCount>1</hitCount><resultList><result><title>&x;</title></result>'
           '</resultList></responseWrapper>').encode()
    doc = make_doc(tmp_path / "xxe.xml", xxe)
    assert claims(doc) == ["europepmc-xml"]
    with pytest.raises(ParseError, match="declares entities"):
        list(EPMC_X.parse(doc))
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' +
            "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi")) +
            ']><responseWrapper><hitCount>1</hitCount><resultList><result><title>&i;</title></result>'
            '</resultList></responseWrapper>').encode()
    t0 = time.perf_counter()
    with pytest.raises(ParseError):
        list(EPMC_X.parse(make_doc(tmp_path / "bomb.xml", bomb)))
    assert time.perf_counter() - t0 < 1


def test_europepmc_broken_xml_and_json(tmp_path):
    cut = NATIVE_XML.read_bytes()[:5000]
    with pytest.raises(ParseError, match="^.*: malformed Europe PMC XML: "):
        records(tmp_path / "cut.xml", cut)
    cut_json = CORE.read_bytes()[:20000]
    doc = make_doc(tmp_path / "cut.json", cut_json)
    assert claims(doc) == ["europepmc-json"]          # broken, but plainly a Europe PMC response
    with pytest.raises(ParseError, match=r"malformed Europe PMC JSON: Unterminated string .*\(line 557, column 15\)$"):
        list(EPMC_J.parse(doc))


# ---------------------------------------------------------------- Crossref

def test_crossref_single_work():
    (rec,) = records(CR_WORK)
    assert rec.title == "Growth hormone secretagogue increases muscle strength during remobilization after canine hindlimb immobilization"
    assert rec.doi == "10.1002/jor.1100150407" and rec.pmid is None
    assert (rec.pub_date, rec.year, rec.language) == ("1997-07", 1997, "en")
    assert (rec.journal.name, rec.journal.issn, rec.journal.volume, rec.journal.issue, rec.journal.pages) == \
        ("Journal of Orthopaedic Research", "0736-0266", "15", "4", "519-527")
    assert len(rec.authors) == 12
    assert [(a.name, a.family, a.given) for a in (rec.authors[0], rec.authors[-1])] == \
        [("Richard L. Lieber", "Lieber", "Richard L."), ("Gerard J. Hickey", "Hickey", "Gerard J.")]
    # JATS: the "Abstract" title is dropped, the paragraph kept, entities decoded
    assert rec.abstract.startswith("Twenty‐two beagles were divided into two equal groups")
    assert "(p < 0.001)" in rec.abstract and "jats" not in rec.text
    assert rec.publication_types == ["journal-article"] and rec.keywords == []


def test_crossref_minimal_and_dateless_works():
    (ijo,) = records(CR_MINIMAL)
    assert ijo.title.startswith("Human bladder cancer cells undergo cisplatin-induced apoptosis")
    assert [(a.name, a.family, a.given) for a in ijo.authors] == [("Stravopodis", "Stravopodis", None)]
    assert (ijo.journal.name, ijo.journal.issn, ijo.pub_date, ijo.abstract) == \
        ("International Journal of Oncology", "1019-6439", "2009-06-26", None)
    (conf,) = records(CR_NO_DATE)
    assert conf.pub_date is None and conf.year is None                  # "date-parts": [[null]]
    assert conf.publication_types == ["proceedings-article"] and conf.journal.pages == "877-882"


def test_crossref_work_list():
    recs = records(CR_LIST)
    assert [r.doi for r in recs] == ["10.1093/obo/9780199830060-0238", "10.1093/obo/9780199830060-0023"]
    assert [r.title for r in recs] == ["Communicating Ecology", "Chemical Ecology"]
    assert recs[0].authors == [] and [a.name for a in recs[1].authors] == ["André Kessler"]
    assert recs[1].abstract.startswith("“Ours is a world of sights and sounds.")
    assert recs[1].pub_date == "2012-05-23" and recs[0].title_original is None


def test_crossref_bare_work_and_error_bodies(tmp_path):
    work = json.loads(CR_WORK.read_text(encoding="utf-8"))["message"]
    (rec,) = records(tmp_path / "bare.json", json.dumps(work).encode())
    assert rec.doi == "10.1002/jor.1100150407"
    failed = {"status": "failed", "message-type": "validation-failure",
              "message": [{"type": "parameter-not-allowed", "value": "x", "message": "Parameter x is not allowed"}]}
    with pytest.raises(ParseError, match="Crossref error response .*: Parameter x is not allowed"):
        records(tmp_path / "err.json", json.dumps(failed).encode())
    members = {"status": "ok", "message-type": "member-list", "message": {"items": []}}
    with pytest.raises(ParseError, match="Crossref member-list response, not works"):
        records(tmp_path / "members.json", json.dumps(members).encode())


# ---------------------------------------------------------------- OpenAlex

STATE_OF_OA_OPENING = ("Despite growing interest in Open Access (OA) to scholarly literature, there is an unmet "
                       "need for large-scale, up-to-date, and reproducible studies assessing the prevalence and "
                       "characteristics of OA. We address this need using oaDOI, an open online service that "
                       "determines OA status for 67 million articles.")


def test_openalex_work():
    (rec,) = records(OA_WORK)
    assert rec.title == "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles"
    assert (rec.doi, rec.pmid, rec.pmcid) == ("10.7717/peerj.4375", "29456894", "PMC5815332")
    assert (rec.pub_date, rec.year, rec.language) == ("2018-02-13", 2018, "en")
    assert (rec.journal.name, rec.journal.issn, rec.journal.volume, rec.journal.issue, rec.journal.pages) == \
        ("PeerJ", "2167-8359", "6", None, "e4375")
    assert [a.name for a in rec.authors] == ["Heather Piwowar", "Jason Priem", "Vincent Larivière",
                                             "Juan Pablo Alperín", "Lisa Matthias", "Bree Norlander",
                                             "Ashley Farley", "Jevin D. West", "Stefanie Haustein"]
    assert rec.oa_url == "https://peerj.com/articles/4375.pdf"
    assert rec.keywords[:3] == ["Scholarly Communication", "Web of science", "Open Science"]
    assert "Citation" in rec.keywords                                   # from concepts
    assert rec.publication_types == ["article"] and rec.extra["id"] == "https://openalex.org/W2741809807"


def test_openalex_abstract_rebuilt_word_for_word():
    (rec,) = records(OA_WORK)
    assert rec.abstract.startswith(STATE_OF_OA_OPENING)
    index = json.loads(OA_WORK.read_text(encoding="utf-8"))["abstract_inverted_index"]
    n_positions = sum(len(v) for v in index.values())
    assert len(rec.abstract.split(" ")) == n_positions == 258
    assert rec.abstract.endswith("practice.")


def test_openalex_inverted_index_edge_cases():
    rebuild = openalex.rebuild_abstract
    assert rebuild({"b": [1], "a": [0], "c": [3]}) == "a b c"          # a gap is no extra space
    assert rebuild({"x": [10**12], "y": [0]}) == "y x"                  # huge positions cost nothing
    assert rebuild({}) is None and rebuild(None) is None and rebuild({"a": ["0", None, True]}) is None


def test_openalex_results_list_and_other_entities(tmp_path):
    work = json.loads(OA_WORK.read_text(encoding="utf-8"))
    listing = {"meta": {"count": 2, "page": 1}, "results": [work, {**work, "id": "https://openalex.org/W1",
                                                                     "abstract_inverted_index": None}]}
    recs = records(tmp_path / "list.json", json.dumps(listing).encode())
    assert [r.doi for r in recs] == ["10.7717/peerj.4375"] * 2 and recs[1].abstract is None
    authors = {"meta": {"count": 1}, "results": [{"id": "https://openalex.org/A5048491430", "display_name": "H P"}]}
    with pytest.raises(ParseError, match="OpenAlex list of authors, not works"):
        records(tmp_path / "authors.json", json.dumps(authors).encode())


# ---------------------------------------------------------------- Semantic Scholar

def test_semantic_scholar_batch_skips_nulls():
    recs = records(S2_BATCH_NULL)
    assert [r.title for r in recs] == ["How Much Should We Trust Differences-in-Differences Estimates?",
                                       "The Miracle of Microfinance? Evidence from a Randomized Evaluation",
                                       "Improving Third-Party Audits and Regulatory Compliance in India"]
    did = recs[0]
    assert (did.doi, did.year, did.pub_date) == ("10.2139/ssrn.288970", 2001, "2001-10-01")
    assert [a.name for a in did.authors] == ["Marianne Bertrand", "E. Duflo", "S. Mullainathan"]
    assert did.journal.name == "Experimental & Empirical Studies eJournal"
    assert did.abstract.startswith("Most Difference-in-Difference (DD) papers rely on many years of data")
    assert did.oa_url == "http://papers.nber.org/papers/w8841.pdf"
    assert did.publication_types == ["Review"] and did.keywords[:2] == ["Psychology", "Economics"]
    assert recs[2].doi == "10.1257/rct.1355" and recs[2].authors[-1].name == "Nick Ryan"


def test_semantic_scholar_wrappers_and_paged():
    (citing,) = records(S2_CITATION)
    assert citing.title == "Learning to Throw With a Handful of Samples Using Decision Transformers"
    assert citing.doi == "10.1109/lra.2022.3229266" and citing.year == 2023
    assert (citing.journal.name, citing.journal.volume, citing.journal.pages, citing.journal.issn) == \
        ("IEEE Robotics and Automation Letters", "8", "576-583", "2377-3766")
    assert [a.name for a in citing.authors] == ["M. Monastirsky", "Osher Azulay", "A. Sintov"]
    (cited,) = records(S2_REFERENCE)
    assert cited.title == "Neural Variational Inference and Learning in Belief Networks" and cited.doi is None
    assert cited.journal.name == "International Conference on Machine Learning" and cited.journal.pages == "1791-1799"
    refs = records(S2_REFS)
    assert refs[0].title == "Group lending or individual lending? Evidence from a randomised field experiment in Mongolia"
    unresolved = [r for r in refs if r.extra.get("paperId") is None]      # "paperId": null references kept
    assert unresolved and unresolved[0].title == "Progress of the World's Women 2011–2012: In Pursuit of Justice"
    search = records(S2_SEARCH)
    assert search[4].title == "Neural Turing Machines" and search[4].extra["paperId"] == "c1126fbffd6b8547a44c58b192b36b08b18299de"


def test_semantic_scholar_error_body():
    with pytest.raises(ParseError, match="test_not_found__0.json: Semantic Scholar error response: Paper with id 0 not found$"):
        records(S2_ERROR)


def test_semantic_scholar_external_ids(tmp_path):
    paper = {"paperId": "abc", "title": "T", "externalIds": {"DOI": "10.1/ABC", "PubMed": "123",
                                                              "PubMedCentral": "4567"}, "year": 2020}
    (rec,) = records(tmp_path / "p.json", json.dumps(paper).encode())
    assert (rec.doi, rec.pmid, rec.pmcid, rec.pub_date, rec.journal) == ("10.1/abc", "123", "PMC4567", "2020", None)


# ---------------------------------------------------------------- broken and foreign JSON

@pytest.mark.parametrize("path, fmt", [(CR_WORK, "crossref-json"), (OA_WORK, "openalex-json"),
                                       (S2_BATCH_NULL, "semantic-scholar-json")], ids=lambda x: getattr(x, "name", x))
def test_truncated_json_is_claimed_and_refused(tmp_path, path, fmt):
    doc = make_doc(tmp_path / "cut.json", path.read_bytes()[:1500])
    assert claims(doc) == [fmt]
    with pytest.raises(ParseError, match="malformed .* JSON: "):
        list(OURS[fmt].parse(doc))


@pytest.mark.parametrize("data", [b"{}", b"[]", b"[null, null]", b'{"data": [], "note": 1}', b'"paperId"',
                                  b'{"paperId": 5}', b'{"results": [], "openalex.org": 1}', b"{not json",
                                  b'{"DOI": "10.1/x", "title": "not a list", "member": "1"}',
                                  b'{"error": "x", "paperId": "y"} trailing words'])
def test_foreign_json_is_not_claimed(tmp_path, data):
    assert claims(make_doc(tmp_path / "x.json", data)) == []


def test_markup_to_text():
    assert markup_to_text(None) == (None, [])
    assert markup_to_text("  plain   text ") == ("plain text", [])
    assert markup_to_text("a<b and c>d p<0.05") == ("a<b and c>d p<0.05", [])
    text, sections = markup_to_text("<jats:sec><jats:title>Background</jats:title><jats:p>One.</jats:p>"
                                    "</jats:sec><jats:sec><jats:title>Results:</jats:title><jats:p>HR 0.7"
                                    " (95% CI 0.5&#8211;0.9)</jats:p><jats:p>More.</jats:p></jats:sec>")
    assert text == "Background: One.\n\nResults: HR 0.7 (95% CI 0.5–0.9)\n\nMore."
    assert sections == [{"label": "Background", "start": 0, "end": 16}, {"label": "Results", "start": 18, "end": 50},
                        {"label": None, "start": 52, "end": 57}]


def test_markup_to_text_is_linear():
    big = "<p>" + "word <i>x</i> " * 40000 + "</p>"
    t0 = time.perf_counter()
    text, _ = markup_to_text(big)
    assert time.perf_counter() - t0 < 1 and text.count("word") == 40000


# ---------------------------------------------------------------- through the pipeline

def test_pipeline_picks_our_ingesters():
    for path, (fmt, _) in EXPECTED.items():
        if fmt:
            assert pipeline.pick_ingester(make_doc(path)).format == fmt
    assert pipeline.pick_ingester(make_doc(PLATFORM)).format == "platform-json"
    assert pipeline.pick_ingester(make_doc(ROOT / "tests/fixtures/pubmed/23657305.xml")).format == "pubmed-xml"


def test_ingest_through_pipeline(store):
    paths = [CORE, DC_XML, CR_WORK, CR_LIST, OA_WORK, S2_BATCH_NULL]
    report = pipeline.ingest_paths(store, [str(p) for p in paths])
    assert report.failed == [] and report.ingested == [str(p) for p in paths]
    assert report.studies == 25 + 25 + 1 + 2 + 1 + 3
    docs = store.execute("SELECT name, format FROM documents ORDER BY id").fetchall()
    assert docs == [("search_cancer_core.json", "europepmc-json"), ("search_cancer_dc.xml", "europepmc-xml"),
                    ("test_works_with_many_ids__1.json", "crossref-json"), ("test_works_query.json", "crossref-json"),
                    ("W2741809807.json", "openalex-json"), ("test_get_papers_return_not_found.json",
                                                           "semantic-scholar-json")]
    # the DC file repeats the core file's 25 papers: same DOIs/PMIDs, so the same studies
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 25 + 1 + 2 + 1 + 3
    assert store.execute("""SELECT count(*) FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                            WHERE d.format = 'europepmc-xml'""").fetchone()[0] == 25

    row = store.execute("""SELECT s.title, s.doi, s.pmid, s.pmcid, s.pub_date, s.year, s.volume, s.issue, s.pages,
                                  s.language, s.oa_url, s.publication_types, j.name, j.issn
                           FROM studies s JOIN journals j ON j.id = s.journal_id WHERE s.doi = ?""",
                        ["10.7717/peerj.4375"]).fetchone()
    assert row == ("The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles",
                   "10.7717/peerj.4375", "29456894", "PMC5815332", "2018-02-13", 2018, "6", None, "e4375", "en",
                   "https://peerj.com/articles/4375.pdf", json.dumps(["article"]), "PeerJ", "2167-8359")
    abstract = store.execute("SELECT abstract FROM studies WHERE doi = '10.7717/peerj.4375'").fetchone()[0]
    assert abstract.startswith(STATE_OF_OA_OPENING)

    authors = store.execute("""SELECT a.name, a.family, a.given FROM study_authors sa JOIN authors a ON a.id = sa.author_id
                               JOIN studies s ON s.id = sa.study_id WHERE s.doi = ? ORDER BY sa.position""",
                            ["10.1002/jor.1100150407"]).fetchall()
    assert len(authors) == 12 and authors[0] == ("Richard L. Lieber", "Lieber", "Richard L.")
    # the core file came first: its full names win over DC's initials for the shared studies
    first = store.execute("""SELECT a.name FROM study_authors sa JOIN authors a ON a.id = sa.author_id
                             JOIN studies s ON s.id = sa.study_id WHERE s.pmid = '39709209' AND sa.position = 0""").fetchone()
    assert first == ("Jonathan D Schoenfeld",)
    journals = {n for (n,) in store.execute("SELECT name FROM journals")}
    assert {"Lancet (London, England)", "Journal of Orthopaedic Research", "Ecology", "PeerJ",
            "Experimental & Empirical Studies eJournal"} <= journals
    kws = {k for (k,) in store.execute("""SELECT k.keyword FROM study_keywords sk JOIN keywords k ON k.id = sk.keyword_id
                                          JOIN studies s ON s.id = sk.study_id WHERE s.pmcid = 'PMC12120539'""")}
    assert {"Cancer Screening", "Neoplasms"} <= kws
    # the document's text: the one record's, in documents.text
    (doc_id,) = store.execute("SELECT id FROM documents WHERE name = 'W2741809807.json'").fetchone()
    ((start, text),) = texts.texts_of(store, doc_id)
    assert start == 0 and text.startswith("The state of OA: a large-scale analysis") and STATE_OF_OA_OPENING in text
    assert store.execute("""SELECT count(*) FROM studies s WHERE NOT EXISTS
                            (SELECT 1 FROM study_documents sd WHERE sd.study_id = s.id)""").fetchone()[0] == 0

    again = pipeline.ingest_paths(store, [str(p) for p in paths])
    assert again.unchanged == [str(p) for p in paths] and again.studies == 0 and again.failed == []
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 6


def test_pipeline_reports_empty_and_error_responses(store, tmp_path):
    cut = tmp_path / "cut.json"
    cut.write_bytes(OA_WORK.read_bytes()[:3000])
    paths = [IDLIST, NO_HITS, S2_NULLS, S2_ERROR, cut]
    report = pipeline.ingest_paths(store, [str(p) for p in paths])
    assert report.ingested == [] and report.studies == 0
    failed = dict(report.failed)
    assert failed[str(IDLIST)] == "no records found in this europepmc-json file"
    assert failed[str(NO_HITS)] == "no records found in this europepmc-json file"
    assert failed[str(S2_NULLS)] == "no records found in this semantic-scholar-json file"
    assert failed[str(S2_ERROR)] == "Semantic Scholar error response: Paper with id 0 not found"
    assert failed[str(cut)].startswith("malformed OpenAlex JSON: ")
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 0
