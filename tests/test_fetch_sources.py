"""Each source against real response bodies (tests/fixtures/fetch, copied from
../shared/realdata): the exact requests made (URL, parameters, headers, body), paging,
batching, per-record payload files, and what fails with which reason. respx answers every
request; the clock is fake, so rate limits cost no time."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from kb.ingesters.crossref import CrossrefIngester
from kb.ingesters.ctgov import CtgovJsonIngester
from kb.ingesters.europepmc import EuropePmcJsonIngester
from kb.ingesters.jats_xml import JatsXmlIngester
from kb.ingesters.openalex import OpenAlexIngester
from kb.ingesters.pubmed_xml import PubmedXmlIngester
from kb.ingesters.semantic_scholar import SemanticScholarIngester
from kb.models import Document
from scrapers import fetch as fetcher
from scrapers.http import HttpSettings, RetryPolicy
from scrapers.ids import BadId, RecordId, file_stem, parse_id

FIX = Path(__file__).parent / "fixtures" / "fetch"
EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
EPMC = "https://www.ebi.ac.uk/europepmc/webservices/rest"
CROSSREF = "https://api.crossref.org"
OPENALEX = "https://api.openalex.org"
S2 = "https://api.semanticscholar.org/graph/v1"
CTGOV = "https://clinicaltrials.gov/api/v2"


def body(rel: str) -> bytes:
    return (FIX / rel).read_bytes()


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self):
        return self.now

    def time(self):
        return 1_700_000_000 + self.now

    def sleep(self, s):
        self.sleeps.append(round(s, 6))
        self.now += s


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for var in ("KB_EMAIL", "NCBI_API_KEY", "OPENALEX_API_KEY", "SEMANTIC_SCHOLAR_API_KEY", "S2_API_KEY",
                "CROSSREF_PLUS_API_TOKEN", *(f"KB_{s.upper()}_BASE_URL" for s in fetcher.SOURCES)):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def run(tmp_path, clock):
    """run(ids, **kw) / run.search(query, **kw) into tmp_path/raw with the fake clock."""
    raw = tmp_path / "raw"

    def settings():
        return HttpSettings(clock=clock, policy=RetryPolicy(rng=lambda: 1.0), cache_dir=raw / ".cache")

    def by_ids(ids, **kw):
        return fetcher.fetch_ids(ids, raw, settings=settings(), **kw)

    by_ids.search = lambda q, **kw: fetcher.search(q, raw, settings=settings(), **kw)
    by_ids.raw = raw
    return by_ids


def params(call) -> dict[str, str]:
    return dict(call.request.url.params.multi_items())


def readable_by(ingester, path: Path) -> list:
    doc = Document(name=path.name, path=str(path), data=path.read_bytes(), sha256="x", size=path.stat().st_size)
    assert ingester.sniff(doc.data[:65536], doc), f"{path.name} not recognised by {type(ingester).__name__}"
    return list(ingester.parse(doc))


def pubmed_set(*names: str) -> bytes:
    """One efetch answer holding the records of several real single-record answers."""
    head, _, _ = body(f"pubmed/{names[0]}").partition(b"<PubmedArticle>")
    records = [b"<PubmedArticle>" + body(f"pubmed/{n}").partition(b"<PubmedArticle>")[2].rpartition(b"</PubmedArticleSet>")[0]
               for n in names]
    return head + b"".join(records) + b"</PubmedArticleSet>\n"


# ---------------------------------------------------------------- ids

@pytest.mark.parametrize("text, kind, value", [
    ("doi:10.1371/journal.pone.0033693", "doi", "10.1371/journal.pone.0033693"),
    ("10.1371/JOURNAL.PONE.0033693", "doi", "10.1371/journal.pone.0033693"),
    ("https://doi.org/10.7717/peerj.4375", "doi", "10.7717/peerj.4375"),
    ("DOI: 10.7717/peerj.4375", "doi", "10.7717/peerj.4375"),
    ("pmid:23657305", "pmid", "23657305"),
    ("23657305", "pmid", "23657305"),
    ("pmcid:3363814", "pmcid", "PMC3363814"),
    ("pmc3363814", "pmcid", "PMC3363814"),
    ("nct:nct00973089", "nct", "NCT00973089"),
    ("NCT00973089", "nct", "NCT00973089"),
    ("W2741809807", "openalex", "W2741809807"),
    ("https://openalex.org/W2741809807", "openalex", "W2741809807"),
])
def test_ids_are_recognised_with_or_without_prefix(text, kind, value):
    assert parse_id(text) == RecordId(kind, value)


@pytest.mark.parametrize("text", ["", "hello", "pmid:12a", "nct:NCT123", "doi:11.1/x", "PMCX"])
def test_not_an_id(text):
    with pytest.raises(BadId):
        parse_id(text)


def test_file_stems_are_safe_and_distinct():
    assert file_stem("10.1371/journal.pone.0033693") == "10.1371%2Fjournal.pone.0033693"
    assert file_stem("10.1000/a_b") != file_stem("10.1000/a/b")
    assert file_stem("10.1000/../../etc") == "10.1000%2F..%2F..%2Fetc"
    assert file_stem("..x") == "%2E.x"
    long = file_stem("10.1000/" + "x" * 300)
    assert len(long) == 197 and long != file_stem("10.1000/" + "x" * 301)


def test_plan_sends_each_kind_to_its_source_and_drops_repeats():
    by_source, bad = fetcher.plan(["10.1371/journal.pone.0033693", "pmid:1", "PMC2", "NCT00973089", "1", "nope"])
    assert by_source == {"crossref": [RecordId("doi", "10.1371/journal.pone.0033693")],
                         "pubmed": [RecordId("pmid", "1")], "europepmc": [RecordId("pmcid", "PMC2")],
                         "ctgov": [RecordId("nct", "NCT00973089")]}
    assert [(p.id, p.source) for p in bad] == [("nope", "-")]


def test_plan_with_a_source_moves_only_the_kinds_it_serves():
    by_source, _ = fetcher.plan(["10.7717/peerj.4375", "pmid:1", "NCT00973089"], source="openalex")
    assert by_source == {"openalex": [RecordId("doi", "10.7717/peerj.4375"), RecordId("pmid", "1")],
                         "ctgov": [RecordId("nct", "NCT00973089")]}


# ---------------------------------------------------------------- PubMed

@respx.mock
def test_pubmed_efetch_by_pmid_in_one_batch_with_tool_email_and_key(run, clock, monkeypatch):
    monkeypatch.setenv("KB_EMAIL", "reviewer@example.org")
    monkeypatch.setenv("NCBI_API_KEY", "k123")
    route = respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=pubmed_set("23657305.xml", "38704912.xml"))
    report = run(["pmid:23657305", "38704912", "pmid:99999999"])
    assert route.call_count == 1
    assert params(route.calls.last) == {"db": "pubmed", "id": "23657305,38704912,99999999", "retmode": "xml",
                                        "tool": "kb", "email": "reviewer@example.org", "api_key": "k123"}
    assert report.fetched == ["pmid:23657305", "pmid:38704912"]
    assert [(p.id, p.source, p.reason) for p in report.failed] == [
        ("pmid:99999999", "pubmed", "not found (efetch returned no record for this PMID)")]
    files = sorted(p.name for p in (run.raw / "pubmed").iterdir())
    assert files == ["23657305.xml", "38704912.xml"]
    [rec] = readable_by(PubmedXmlIngester(), run.raw / "pubmed" / "23657305.xml")
    assert rec.pmid == "23657305"
    assert b"<PMID Version=\"1\">38704912</PMID>" not in (run.raw / "pubmed" / "23657305.xml").read_bytes()


@respx.mock
def test_pubmed_batches_of_200_spaced_at_3_per_second_without_a_key(run, clock):
    route = respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=body("pubmed/37909814.xml"))
    ids = [str(n) for n in range(1, 402)]
    report = run(ids)
    assert [len(params(c)["id"].split(",")) for c in route.calls] == [200, 200, 1]
    assert clock.sleeps == [0.333333, 0.333333]
    assert len(report.failed) == 401 and report.files == []


@respx.mock
def test_pubmed_with_a_key_is_spaced_at_10_per_second(run, clock, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "k")
    respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=body("pubmed/37909814.xml"))
    run([str(n) for n in range(1, 402)])
    assert clock.sleeps == [0.1, 0.1]


ESEARCH = {"header": {"type": "esearch", "version": "0.3"},
           "esearchresult": {"count": "2", "retmax": "0", "retstart": "0", "querykey": "1",
                             "webenv": "MCID_6790a1b2c3d4e5f6a7b8c9d0", "idlist": [], "translationset": [],
                             "querytranslation": "\"trastuzumab\"[All Fields]"}}


@respx.mock
def test_pubmed_search_uses_the_history_server_and_pages_efetch(run, monkeypatch):
    monkeypatch.setattr(fetcher.SOURCES["pubmed"], "page_size", 1)
    es = respx.get(f"{EUTILS}/esearch.fcgi").respond(200, json=ESEARCH)
    ef = respx.get(f"{EUTILS}/efetch.fcgi").mock(side_effect=[
        httpx.Response(200, content=body("pubmed/23657305.xml")),
        httpx.Response(200, content=body("pubmed/38704912.xml"))])
    report = run.search("trastuzumab", source="pubmed", limit=500)
    assert params(es.calls.last) == {"db": "pubmed", "term": "trastuzumab", "usehistory": "y", "retmax": "0",
                                     "retmode": "json", "tool": "kb"}
    assert [params(c) for c in ef.calls] == [
        {"db": "pubmed", "query_key": "1", "WebEnv": "MCID_6790a1b2c3d4e5f6a7b8c9d0", "retstart": str(i),
         "retmax": "1", "retmode": "xml", "tool": "kb"} for i in (0, 1)]
    assert report.fetched == ["pmid:23657305", "pmid:38704912"] and report.failed == []


@respx.mock
def test_pubmed_search_stops_at_the_limit(run):
    respx.get(f"{EUTILS}/esearch.fcgi").respond(200, json={**ESEARCH, "esearchresult": {
        **ESEARCH["esearchresult"], "count": "5000"}})
    ef = respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=body("pubmed/23657305.xml"))
    run.search("cancer", source="pubmed", limit=450)
    assert [(params(c)["retstart"], params(c)["retmax"]) for c in ef.calls] == [("0", "200"), ("200", "200"),
                                                                                ("400", "50")]


@respx.mock
def test_pubmed_search_with_no_hits_makes_no_efetch(run):
    respx.get(f"{EUTILS}/esearch.fcgi").respond(200, json={"header": {}, "esearchresult": {
        "count": "0", "retmax": "0", "retstart": "0", "idlist": [], "querykey": "1", "webenv": "MCID_x"}})
    ef = respx.get(f"{EUTILS}/efetch.fcgi")
    report = run.search("asdkfjhasdkfjh", source="pubmed")
    assert not ef.called and report.fetched == [] and report.ok


@respx.mock
def test_pubmed_html_error_page_fails_every_id_of_the_batch_and_saves_nothing(run):
    respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=body("../pubmed/Invalid-nct-id.html"),
                                               headers={"Content-Type": "text/html"})
    report = run(["23657305", "38704912"])
    assert [(p.id, p.source) for p in report.failed] == [("pmid:23657305", "pubmed"), ("pmid:38704912", "pubmed")]
    assert {p.reason for p in report.failed} == {"malformed answer: an HTML page, not XML (an error page?)"}
    assert not (run.raw / "pubmed").exists()


# ---------------------------------------------------------------- Crossref

@respx.mock
def test_crossref_work_by_doi_with_mailto_and_a_404_that_does_not_stop_the_rest(run, monkeypatch):
    monkeypatch.setenv("KB_EMAIL", "reviewer@example.org")
    ok = respx.get(f"{CROSSREF}/works/10.1371/journal.pone.0033693").respond(200, content=body(
        "crossref/test_works_with_one_id.json"))
    missing = respx.get(f"{CROSSREF}/works/10.1371/notarealdoi").respond(404, content=body(
        "crossref/test_works_mixed_ids_warn__1.txt"))
    onc = respx.get(f"{CROSSREF}/works/10.3892/ijo_00000353").respond(200, content=body(
        "crossref/test_works_with_many_ids__4.json"))
    report = run(["10.1371/notarealdoi", "doi:10.1371/journal.pone.0033693", "10.3892/IJO_00000353"])
    for r in (ok, missing, onc):
        assert params(r.calls.last) == {"mailto": "reviewer@example.org"}
        assert "mailto:reviewer@example.org" in r.calls.last.request.headers["user-agent"]
    assert [(p.id, p.reason) for p in report.failed] == [("doi:10.1371/notarealdoi", "not found (HTTP 404)")]
    saved = run.raw / "crossref" / "10.1371%2Fjournal.pone.0033693.json"
    assert saved.read_bytes() == body("crossref/test_works_with_one_id.json")     # as served
    assert readable_by(CrossrefIngester(), saved)[0].doi == "10.1371/journal.pone.0033693"


@respx.mock
def test_crossref_plus_token_is_sent_as_a_header(run, monkeypatch):
    monkeypatch.setenv("CROSSREF_PLUS_API_TOKEN", "tok")
    route = respx.get(f"{CROSSREF}/works/10.1371/journal.pone.0033693").respond(
        200, content=body("crossref/test_works_with_one_id.json"))
    run(["10.1371/journal.pone.0033693"])
    assert route.calls.last.request.headers["crossref-plus-api-token"] == "Bearer tok"


@respx.mock
def test_crossref_query_pages_with_the_cursor_and_saves_one_work_per_file(run):
    page1 = json.loads(body("crossref/test_works_query.json"))
    page1["message"]["next-cursor"] = "DnF1ZXJ5VGhlbkZldGNo"
    last = json.loads(body("crossref/test_works_query.json"))
    last["message"]["items"] = []
    route = respx.get(f"{CROSSREF}/works").mock(side_effect=[httpx.Response(200, json=page1),
                                                             httpx.Response(200, json=last)])
    report = run.search("ecology", source="crossref", limit=10)
    assert [params(c) for c in route.calls] == [{"query": "ecology", "rows": "10", "cursor": "*"},
                                                 {"query": "ecology", "rows": "10", "cursor": "DnF1ZXJ5VGhlbkZldGNo"}]
    assert report.fetched == ["doi:10.1093/obo/9780199830060-0238", "doi:10.1093/obo/9780199830060-0023"]
    for path in report.files:
        [rec] = readable_by(CrossrefIngester(), path)
        assert rec.doi in path.name.replace("%2F", "/")


# ---------------------------------------------------------------- OpenAlex

@respx.mock
def test_openalex_work_by_doi_pmid_and_id(run, monkeypatch):
    monkeypatch.setenv("KB_EMAIL", "reviewer@example.org")
    monkeypatch.setenv("OPENALEX_API_KEY", "oa-key")
    work = body("openalex/W2741809807.json")
    by_doi = respx.get(f"{OPENALEX}/works/doi:10.7717/peerj.4375").respond(200, content=work)
    by_pmid = respx.get(f"{OPENALEX}/works/pmid:29456894").respond(200, content=work)
    by_id = respx.get(f"{OPENALEX}/works/W2741809807").respond(200, content=work)
    report = run(["10.7717/peerj.4375", "pmid:29456894", "W2741809807"], source="openalex")
    for r in (by_doi, by_pmid, by_id):
        assert params(r.calls.last) == {"mailto": "reviewer@example.org", "api_key": "oa-key"}
    assert report.ok and report.fetched == ["doi:10.7717/peerj.4375", "pmid:29456894", "openalex:W2741809807"]
    assert sorted(p.name for p in (run.raw / "openalex").iterdir()) == ["W2741809807.json"]
    assert readable_by(OpenAlexIngester(), run.raw / "openalex" / "W2741809807.json")


@respx.mock
def test_openalex_search_pages_with_the_cursor(run):
    work = json.loads(body("openalex/W2741809807.json"))
    page = lambda cursor: {"meta": {"count": 2, "per_page": 1, "next_cursor": cursor}, "results": [work]}
    route = respx.get(f"{OPENALEX}/works").mock(side_effect=[httpx.Response(200, json=page("IlsxNjA5")),
                                                             httpx.Response(200, json=page(None))])
    report = run.search("open access", source="openalex", limit=5)
    assert [params(c) for c in route.calls] == [{"search": "open access", "per-page": "5", "cursor": "*"},
                                                 {"search": "open access", "per-page": "5", "cursor": "IlsxNjA5"}]
    assert report.fetched == ["doi:10.7717/peerj.4375"] * 2


# ---------------------------------------------------------------- Semantic Scholar

@respx.mock
def test_semantic_scholar_batch_posts_the_ids_with_fields_and_key(run, monkeypatch, clock):
    monkeypatch.setenv("SEMANTIC_SCHOLAR_API_KEY", "s2-key")
    route = respx.post(f"{S2}/paper/batch").respond(200, content=body(
        "semanticscholar/test_get_papers_return_not_found.json"))
    ids = ["doi:10.1000/unknown", "10.2139/ssrn.288970", "10.2139/ssrn.2250500", "10.1257/rct.1355"]
    report = run(ids, source="semanticscholar")
    req = route.calls.last.request
    assert route.call_count == 1
    assert params(route.calls.last) == {"fields": "paperId,externalIds,title,abstract,venue,publicationVenue,year,"
                                                  "publicationDate,journal,authors,publicationTypes,isOpenAccess,"
                                                  "openAccessPdf,url"}
    assert json.loads(req.content) == {"ids": ["DOI:10.1000/unknown", "DOI:10.2139/ssrn.288970",
                                               "DOI:10.2139/ssrn.2250500", "DOI:10.1257/rct.1355"]}
    assert req.headers["x-api-key"] == "s2-key"
    assert [(p.id, p.reason) for p in report.failed] == [
        ("doi:10.1000/unknown", "not found (the batch answer is null for this id)")]
    assert sorted(p.name for p in (run.raw / "semanticscholar").iterdir()) == [
        "0f40b1f08821e22e859c6050916cec3667778613.json", "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce.json",
        "cb1ebd913c3724c599f6b276b14b5c6253da68f3.json"]
    for p in (run.raw / "semanticscholar").iterdir():
        assert len(readable_by(SemanticScholarIngester(), p)) == 1


@respx.mock
def test_semantic_scholar_search_pages_by_offset_at_one_request_per_second(run, clock):
    first = json.loads(body("semanticscholar/test_search_paper.json"))
    second = {**first, "offset": 100, "next": 200, "data": first["data"][:20]}
    route = respx.get(f"{S2}/paper/search").mock(side_effect=[httpx.Response(200, json=first),
                                                              httpx.Response(200, json=second)])
    report = run.search("quantum", source="semanticscholar", limit=120)
    assert [(params(c)["offset"], params(c)["limit"]) for c in route.calls] == [("0", "100"), ("100", "20")]
    assert len(report.files) == 120 and clock.sleeps == [1.0]


# ---------------------------------------------------------------- Europe PMC

@respx.mock
def test_europepmc_search_pages_with_cursor_mark(run):
    route = respx.get(f"{EPMC}/search").mock(side_effect=[
        httpx.Response(200, content=body("europepmc/search_cancer.json")),
        httpx.Response(200, content=body("europepmc/search_cancer_page2.json"))])
    report = run.search("cancer", source="europepmc", limit=28)
    assert [params(c) for c in route.calls] == [
        {"query": "cancer", "resultType": "core", "format": "json", "pageSize": "28", "cursorMark": "*"},
        {"query": "cancer", "resultType": "core", "format": "json", "pageSize": "28",
         "cursorMark": "AoIIP4ZawSg1MzEyODI1MA=="}]
    assert len(report.fetched) == 28 and report.fetched[0] == "pmid:39709209"
    one = run.raw / "europepmc" / "MED-39709209.json"
    [rec] = readable_by(EuropePmcJsonIngester(), one)
    assert rec.doi == "10.1016/s0140-6736(24)02600-x"


@respx.mock
def test_europepmc_search_without_hits(run):
    route = respx.get(f"{EPMC}/search").respond(200, content=body("europepmc/search_no_results.json"))
    report = run.search("asdkfjhasdkfjhasdfasdasdasdfgsagsd", source="europepmc")
    assert route.call_count == 1 and report.fetched == [] and report.ok


@respx.mock
def test_pmcid_fetches_the_jats_full_text(run):
    route = respx.get(f"{EPMC}/PMC3363814/fullTextXML").respond(200, content=body("europepmc/cc11003.nxml"))
    report = run(["pmcid:PMC3363814"])
    assert route.call_count == 1 and params(route.calls.last) == {}
    saved = run.raw / "europepmc" / "PMC3363814.xml"
    assert saved.read_bytes() == body("europepmc/cc11003.nxml")
    assert readable_by(JatsXmlIngester(), saved)
    assert report.fetched == ["pmcid:PMC3363814"]


@respx.mock
def test_pmcid_without_open_access_full_text(run):
    respx.get(f"{EPMC}/PMC1/fullTextXML").respond(404)
    report = run(["PMC1"])
    assert [(p.id, p.source, p.reason) for p in report.failed] == [
        ("pmcid:PMC1", "europepmc", "no open-access full text for PMC1 (HTTP 404)")]


@respx.mock
def test_full_text_for_a_pmid_looks_up_open_access_then_fetches_jats(run):
    lite = json.loads(body("europepmc/search_cancer.json"))
    oa = next(r for r in lite["resultList"]["result"] if r["id"] == "40437959")
    closed = next(r for r in lite["resultList"]["result"] if r["id"] == "39709209")
    respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=body("pubmed/23657305.xml"))
    lookup = respx.get(f"{EPMC}/search").mock(side_effect=[
        httpx.Response(200, json={**lite, "hitCount": 1, "resultList": {"result": [oa]}}),
        httpx.Response(200, json={**lite, "hitCount": 1, "resultList": {"result": [closed]}})])
    text = respx.get(f"{EPMC}/PMC12120539/fullTextXML").respond(200, content=body("europepmc/cc11003.nxml"))
    crossref = respx.get(f"{CROSSREF}/works/10.1016/s0140-6736(24)02600-x").respond(
        200, content=body("crossref/test_works_with_one_id.json"))
    report = run(["pmid:23657305", "doi:10.1016/s0140-6736(24)02600-x"], full_text=True)
    assert [params(c)["query"] for c in lookup.calls] == ["EXT_ID:23657305 AND SRC:MED",
                                                          'DOI:"10.1016/s0140-6736(24)02600-x"']
    assert params(lookup.calls[0]) == {"query": "EXT_ID:23657305 AND SRC:MED", "resultType": "lite",
                                       "format": "json", "pageSize": "1"}
    assert text.call_count == 1 and crossref.call_count == 1
    assert (run.raw / "europepmc" / "PMC12120539.xml").exists()
    assert [(n.id, n.reason) for n in report.notes] == [("doi:10.1016/s0140-6736(24)02600-x",
                                                          "no open-access full text in Europe PMC")]
    assert report.ok


# ---------------------------------------------------------------- ClinicalTrials.gov

@respx.mock
def test_ctgov_study_by_nct(run, clock):
    a = respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    b = respx.get(f"{CTGOV}/studies/NCT05594173").respond(200, content=body("ctgov/NCT05594173.json"))
    report = run(["NCT00973089", "nct:NCT05594173"])
    assert params(a.calls.last) == {} and b.call_count == 1
    assert report.fetched == ["nct:NCT00973089", "nct:NCT05594173"]
    assert clock.sleeps == [1.2]                       # 50 requests a minute
    assert readable_by(CtgovJsonIngester(), run.raw / "ctgov" / "NCT00973089.json")


@respx.mock
def test_ctgov_html_page_instead_of_json_is_reported_with_id_and_source(run):
    respx.get(f"{CTGOV}/studies/NCT00000001").respond(200, content=body("../pubmed/Invalid-nct-id.html"),
                                                      headers={"Content-Type": "text/html"})
    report = run(["NCT00000001"])
    [p] = report.failed
    assert (p.id, p.source) == ("nct:NCT00000001", "ctgov")
    assert p.reason.startswith("malformed answer: not JSON (starts with '<!DOCTYPE html>")
    assert not (run.raw / "ctgov").exists() and report.files == []


@respx.mock
def test_ctgov_cut_off_json_is_malformed(run):
    respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json")[:3000])
    report = run(["NCT00973089"])
    assert report.failed[0].reason.startswith("malformed answer: not JSON")
    assert not (run.raw / "ctgov").exists()


@respx.mock
def test_ctgov_search_pages_with_page_token(run):
    s1, s2 = json.loads(body("ctgov/NCT00973089.json")), json.loads(body("ctgov/NCT05594173.json"))
    route = respx.get(f"{CTGOV}/studies").mock(side_effect=[
        httpx.Response(200, json={"studies": [s1], "nextPageToken": "NF0g5JGBlPMu"}),
        httpx.Response(200, json={"studies": [s2]})])
    report = run.search("melanoma", source="ctgov", limit=50)
    assert [params(c) for c in route.calls] == [{"query.term": "melanoma", "pageSize": "50"},
                                                 {"query.term": "melanoma", "pageSize": "50",
                                                  "pageToken": "NF0g5JGBlPMu"}]
    assert report.fetched == ["nct:NCT00973089", "nct:NCT05594173"]


# ---------------------------------------------------------------- retries through a source

@respx.mock
def test_a_429_with_retry_after_inside_a_fetch_is_waited_out(run, clock):
    route = respx.get(f"{CTGOV}/studies/NCT00973089").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "12"}), httpx.Response(200, content=body("ctgov/NCT00973089.json"))])
    report = run(["NCT00973089"])
    assert report.ok and route.call_count == 2
    assert clock.sleeps == [12.0]


@respx.mock
def test_persistent_5xx_is_a_per_id_failure(run):
    respx.get(f"{CTGOV}/studies/NCT00973089").respond(503)
    respx.get(f"{CTGOV}/studies/NCT05594173").respond(200, content=body("ctgov/NCT05594173.json"))
    report = run(["NCT00973089", "NCT05594173"])
    assert [(p.id, p.reason) for p in report.failed] == [("nct:NCT00973089", "server error (HTTP 503) after retries")]
    assert report.fetched == ["nct:NCT05594173"]


@respx.mock
def test_an_unreachable_host_fails_its_ids_fast_and_leaves_other_sources_alone(run, clock):
    cr = respx.get(url__startswith=f"{CROSSREF}/works/").mock(side_effect=httpx.ConnectError("Connection refused"))
    respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    report = run(["10.1371/journal.pone.0033693", "10.7717/peerj.4375", "NCT00973089"])
    assert cr.call_count == 2                        # one retry, then the whole host is given up
    assert [(p.id, p.reason) for p in report.failed] == [
        ("doi:10.1371/journal.pone.0033693", "not fetched: cannot reach api.crossref.org"),
        ("doi:10.7717/peerj.4375", "not fetched: cannot reach api.crossref.org")]
    assert list(report.unreachable) == ["api.crossref.org"]
    assert report.fetched == ["nct:NCT00973089"]


@respx.mock
def test_base_url_comes_from_the_environment(run, monkeypatch):
    monkeypatch.setenv("KB_CTGOV_BASE_URL", "http://mirror.test/api/v2/")
    route = respx.get("http://mirror.test/api/v2/studies/NCT00973089").respond(
        200, content=body("ctgov/NCT00973089.json"))
    assert run(["NCT00973089"]).ok and route.called


# ---------------------------------------------------------------- manifest

@respx.mock
def test_a_manifest_line_cut_short_by_a_crash_means_that_id_is_fetched_again(run):
    a = respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    b = respx.get(f"{CTGOV}/studies/NCT05594173").respond(200, content=body("ctgov/NCT05594173.json"))
    run(["NCT00973089", "NCT05594173"])
    manifest = run.raw / ".kb-fetch.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text(lines[0] + "\n" + lines[1][:25], encoding="utf-8")
    report = run(["NCT00973089", "NCT05594173"])
    assert report.skipped == ["nct:NCT00973089"] and report.fetched == ["nct:NCT05594173"]
    assert a.call_count == 1 and b.call_count == 1          # the second answer came from the cache
    assert [json.loads(line)["id"] for line in lines] == ["nct:NCT00973089", "nct:NCT05594173"]
    assert run(["NCT00973089", "NCT05594173"]).skipped == ["nct:NCT00973089", "nct:NCT05594173"]
