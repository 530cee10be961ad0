"""`kb fetch` and `kb search` from the command line down to rows in the store.

The end-to-end tests start a local HTTP server (127.0.0.1, a free port) serving real
response bodies and point every source at it through KB_<SOURCE>_BASE_URL; the others mock
the network with respx. Nothing reaches the internet; rate-limit waits are skipped."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import respx

import kb.cli.fetch  # noqa: F401  (registers fetch and search until kb/cli/__init__.py imports it)
from scrapers import fetch as fetcher
from scrapers.http import HttpSettings, SystemClock

FIX = Path(__file__).parent / "fixtures" / "fetch"
CROSSREF = "https://api.crossref.org"
CTGOV = "https://clinicaltrials.gov/api/v2"
EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
EPMC = "https://www.ebi.ac.uk/europepmc/webservices/rest"
DOI = "10.1371/journal.pone.0033693"


def body(rel: str) -> bytes:
    return (FIX / rel).read_bytes()


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for var in ("KB_EMAIL", "NCBI_API_KEY", "OPENALEX_API_KEY", "SEMANTIC_SCHOLAR_API_KEY", "S2_API_KEY",
                "CROSSREF_PLUS_API_TOKEN", "KB_RAW_DIR", *(f"KB_{s.upper()}_BASE_URL" for s in fetcher.SOURCES)):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def no_waits(monkeypatch):
    """Rate limits and backoff still run their arithmetic, but no test waits for real."""
    waits: list[float] = []
    monkeypatch.setattr(SystemClock, "sleep", lambda self, s: waits.append(s))
    return waits


def studies(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(
            "SELECT doi, pmid, pmcid, nct_id, title FROM studies ORDER BY coalesce(doi, pmid, nct_id)")]
    finally:
        conn.close()


# ---------------------------------------------------------------- a local server

class RealBodies(BaseHTTPRequestHandler):
    """Serves the fixtures at the paths each API uses, under one prefix per source."""
    routes = {
        f"/crossref/works/{DOI}": ("crossref/test_works_with_one_id.json", "application/json"),
        "/crossref/works/10.3892/ijo_00000353": ("crossref/test_works_with_many_ids__4.json", "application/json"),
        "/ctgov/studies/NCT00973089": ("ctgov/NCT00973089.json", "application/json"),
        "/ctgov/studies/NCT00000001": ("../pubmed/Invalid-nct-id.html", "text/html"),
        "/epmc/PMC3363814/fullTextXML": ("europepmc/cc11003.nxml", "application/xml"),
    }
    log: list[tuple[str, str, dict]] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        type(self).log.append((parts.path, parts.query, dict(self.headers)))
        if parts.path == "/eutils/efetch.fcgi" and query.get("id") == "23657305":
            return self._send(200, body("pubmed/23657305.xml"), "text/xml")
        if parts.path in self.routes:
            rel, ctype = self.routes[parts.path]
            return self._send(200, body(rel), ctype)
        if parts.path.startswith("/crossref/"):
            return self._send(404, body("crossref/test_works_mixed_ids_warn__1.txt"), "text/plain")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status, data, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    RealBodies.log = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RealBodies)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    for source, prefix in (("crossref", "crossref"), ("ctgov", "ctgov"), ("pubmed", "eutils"),
                           ("europepmc", "epmc"), ("openalex", "openalex"), ("semanticscholar", "s2")):
        monkeypatch.setenv(f"KB_{source.upper()}_BASE_URL", f"{base}/{prefix}")
    yield RealBodies.log
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_fetch_doi_pmid_nct_pmcid_against_a_local_server_goes_to_rows(kb_main, server, tmp_path, no_waits,
                                                                       monkeypatch):
    monkeypatch.setenv("KB_EMAIL", "reviewer@example.org")
    db, raw = tmp_path / "kb.db", tmp_path / "raw"
    result = kb_main(["fetch", f"doi:{DOI}", "pmid:23657305", "nct:NCT00973089", "pmcid:PMC3363814",
                      "--raw", raw, "--db", db])
    assert result.exit_code == 0, result.stderr
    assert "4 fetched, 0 already fetched, 0 failed; 4 ingested (4 studies" in result.stderr
    rows = studies(db)
    assert [(r["doi"], r["pmid"], r["pmcid"], r["nct_id"]) for r in rows] == [
        ("10.1186/cc11003", None, "PMC3363814", None),                    # Europe PMC JATS full text
        (DOI, None, None, None),                                          # Crossref
        ("10.1590/s0004-28032013000100008", "23657305", None, None),      # PubMed
        (None, None, None, "NCT00973089"),                                # ClinicalTrials.gov
    ]
    paths = sorted(p for p, _, _ in server)
    assert paths == ["/crossref/works/10.1371/journal.pone.0033693", "/ctgov/studies/NCT00973089",
                     "/epmc/PMC3363814/fullTextXML", "/eutils/efetch.fcgi"]
    efetch_query = next(q for p, q, _ in server if p == "/eutils/efetch.fcgi")
    assert efetch_query == "db=pubmed&id=23657305&retmode=xml&tool=kb&email=reviewer%40example.org"
    crossref_query = next(q for p, q, _ in server if p.startswith("/crossref"))
    assert crossref_query == "mailto=reviewer%40example.org"
    assert all(h["User-Agent"].startswith("kb/") and "mailto:reviewer@example.org" in h["User-Agent"]
               for _, _, h in server)
    assert sorted(str(p.relative_to(raw)) for p in raw.rglob("*") if p.is_file() and ".cache" not in p.parts) == [
        ".kb-fetch.jsonl", "crossref/10.1371%2Fjournal.pone.0033693.json", "ctgov/NCT00973089.json",
        "europepmc/PMC3363814.xml", "pubmed/23657305.xml"]

    # Run again: every id is skipped, no request is made, the store is unchanged.
    server.clear()
    again = kb_main(["fetch", f"doi:{DOI}", "pmid:23657305", "nct:NCT00973089", "pmcid:PMC3363814",
                     "--raw", raw, "--db", db])
    assert again.exit_code == 0, again.stderr
    assert "0 fetched, 4 already fetched, 0 failed; 0 ingested (0 studies, 0 figures), 4 unchanged" in again.stderr
    assert server == [] and len(studies(db)) == 4

    # Offline replay: the raw folder alone rebuilds the same studies.
    replay_db = tmp_path / "replay.db"
    replay = kb_main(["ingest", raw, "--db", replay_db])
    assert replay.exit_code == 0, replay.stderr
    assert studies(replay_db) == studies(db)


def test_a_404_and_a_malformed_answer_are_reported_per_id_and_the_rest_is_stored(kb_main, server, tmp_path,
                                                                                no_waits):
    db, raw = tmp_path / "kb.db", tmp_path / "raw"
    result = kb_main(["fetch", "doi:10.1371/notarealdoi", f"doi:{DOI}", "NCT00000001", "10.3892/ijo_00000353",
                      "--raw", raw, "--db", db])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: doi:10.1371/notarealdoi (crossref): not found (HTTP 404)",
                      "error: nct:NCT00000001 (ctgov): malformed answer: not JSON (starts with '<!DOCTYPE html> "
                      "<!-- saved from url=(006')"]
    assert "Traceback" not in result.stderr
    assert sorted(r["doi"] for r in studies(db)) == [DOI, "10.3892/ijo_00000353"]
    assert not (raw / "ctgov").exists()
    manifest = [json.loads(line)["id"] for line in (raw / ".kb-fetch.jsonl").read_text().splitlines()]
    assert manifest == [f"doi:{DOI}", "doi:10.3892/ijo_00000353"]


def test_offline_fails_in_seconds_with_one_line(kb_main, tmp_path, monkeypatch):
    """A closed local port stands for no network: refused at once, retried once, given up."""
    monkeypatch.setenv("KB_CROSSREF_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("KB_PUBMED_BASE_URL", "http://127.0.0.1:9/eutils")
    start = time.monotonic()
    result = kb_main(["fetch", f"doi:{DOI}", "10.7717/peerj.4375", "pmid:23657305", "--raw", tmp_path / "raw",
                      "--db", tmp_path / "kb.db"])
    elapsed = time.monotonic() - start
    assert result.exit_code == 1
    assert elapsed < 10
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors[-1].startswith("error: cannot reach 127.0.0.1: connection refused (offline?")
    assert sum(line.startswith("error:") for line in errors) == 1
    assert "Traceback" not in result.stderr and "0 fetched, 0 already fetched, 3 failed" in result.stderr


# ---------------------------------------------------------------- respx-mocked CLI runs

@respx.mock
def test_no_ingest_only_saves(kb, tmp_path, no_waits):
    respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    result = kb(["fetch", "NCT00973089", "--no-ingest", "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "raw" / "ctgov" / "NCT00973089.json").read_bytes() == body("ctgov/NCT00973089.json")
    assert not (tmp_path / "kb.db").exists()


@respx.mock
def test_ids_from_a_file(kb, tmp_path, no_waits):
    a = respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    b = respx.get(f"{CROSSREF}/works/{DOI}").respond(200, content=body("crossref/test_works_with_one_id.json"))
    ids = tmp_path / "ids.txt"
    ids.write_text(f"# my review\nNCT00973089\n\n{DOI}   # the mouse paper\n", encoding="utf-8")
    result = kb(["fetch", "--from", ids, "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 0, result.output
    assert a.call_count == b.call_count == 1 and len(studies(tmp_path / "kb.db")) == 2


@respx.mock
def test_resumes_after_an_interruption(kb, tmp_path, no_waits):
    raw, db = tmp_path / "raw", tmp_path / "kb.db"
    first = respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))

    def interrupt(request):
        raise KeyboardInterrupt

    second = respx.get(f"{CTGOV}/studies/NCT05594173").mock(side_effect=interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetcher.fetch_ids(["NCT00973089", "NCT05594173"], raw, settings=HttpSettings(cache_dir=raw / ".cache"))
    assert (raw / "ctgov" / "NCT00973089.json").exists()
    assert not list((raw / "ctgov").glob(".*"))                   # no temporary file left behind
    second.mock(side_effect=None).respond(200, content=body("ctgov/NCT05594173.json"))
    result = kb(["fetch", "NCT00973089", "NCT05594173", "--raw", raw, "--db", db])
    assert result.exit_code == 0, result.output
    assert "1 fetched, 1 already fetched, 0 failed; 2 ingested" in result.output
    assert first.call_count == 1 and second.called          # the finished id was not asked again
    assert sorted(r["nct_id"] for r in studies(db)) == ["NCT00973089", "NCT05594173"]


@respx.mock
def test_refresh_fetches_again_past_the_manifest_and_the_cache(kb, tmp_path, no_waits):
    route = respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    args = ["fetch", "NCT00973089", "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"]
    kb(args)
    kb(args)
    assert route.call_count == 1
    result = kb([*args, "--refresh"])
    assert result.exit_code == 0 and route.call_count == 2
    assert "1 fetched, 0 already fetched" in result.output and len(studies(tmp_path / "kb.db")) == 1


@respx.mock
def test_a_deleted_payload_is_fetched_again_from_the_cache(kb, tmp_path, no_waits):
    route = respx.get(f"{CTGOV}/studies/NCT00973089").respond(200, content=body("ctgov/NCT00973089.json"))
    args = ["fetch", "NCT00973089", "--no-ingest", "--raw", tmp_path / "raw"]
    kb(args)
    (tmp_path / "raw" / "ctgov" / "NCT00973089.json").unlink()
    result = kb(args)
    assert "1 fetched" in result.output and route.call_count == 1
    assert (tmp_path / "raw" / "ctgov" / "NCT00973089.json").exists()


@respx.mock
def test_search_command_saves_and_ingests(kb, tmp_path, no_waits):
    route = respx.get(f"{EPMC}/search").respond(200, content=body("europepmc/search_cancer.json"))
    result = kb(["search", "cancer", "--source", "europepmc", "--limit", "3", "--raw", tmp_path / "raw",
                 "--db", tmp_path / "kb.db"])
    assert result.exit_code == 0, result.output
    assert dict(route.calls.last.request.url.params) == {"query": "cancer", "resultType": "core", "format": "json",
                                                         "pageSize": "3", "cursorMark": "*"}
    assert "3 records saved from europepmc, 0 failed; 3 ingested (3 studies" in result.output
    assert sorted(r["pmid"] for r in studies(tmp_path / "kb.db")) == ["39709208", "39709209", "40468710"]


@respx.mock
def test_full_text_option(kb, tmp_path, no_waits):
    lite = json.loads(body("europepmc/search_cancer.json"))
    oa = next(r for r in lite["resultList"]["result"] if r["id"] == "40437959")
    respx.get(f"{EUTILS}/efetch.fcgi").respond(200, content=body("pubmed/23657305.xml"))
    respx.get(f"{EPMC}/search").respond(200, json={**lite, "hitCount": 1, "resultList": {"result": [oa]}})
    respx.get(f"{EPMC}/PMC12120539/fullTextXML").respond(200, content=body("europepmc/cc11003.nxml"))
    result = kb(["fetch", "23657305", "--full-text", "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 0, result.output
    assert "1 fetched, 0 already fetched, 1 open-access full texts, 0 failed; 2 ingested (2 studies" in result.output
    assert (tmp_path / "raw" / "europepmc" / "PMC12120539.xml").exists()


def test_no_ids_is_a_one_line_error(kb_main, tmp_path):
    result = kb_main(["fetch", "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no ids: give ids (doi:..., pmid:..., nct:...) or --from FILE"


def test_unknown_source_is_a_one_line_error(kb_main, tmp_path):
    result = kb_main(["search", "x", "--source", "scopus", "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: unknown source 'scopus': use one of pubmed, europepmc")


def test_a_bad_id_is_reported_and_nothing_is_requested(kb_main, tmp_path):
    with respx.mock(assert_all_mocked=True):
        result = kb_main(["fetch", "not-an-id", "--raw", tmp_path / "raw", "--db", tmp_path / "kb.db"])
    assert result.exit_code == 1
    assert "error: not-an-id (-): 'not-an-id' is not a DOI, PMID, PMCID, NCT number or OpenAlex id" in result.stderr


@pytest.mark.parametrize("command", ["fetch", "search"])
def test_fetch_commands_have_help(kb, command):
    result = kb([command, "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--raw", "--no-ingest", "--refresh"):
        assert option in result.stdout
