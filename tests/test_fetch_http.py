"""The client factory (scrapers/http.py): retries, Retry-After, rate-limit spacing, cache,
User-Agent, failing fast when the host does not answer. Time is a fake clock; no test sleeps
and none touches the network (respx answers every request)."""
from __future__ import annotations

import json
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import respx

from scrapers.http import (HttpSettings, RateLimiter, ResponseCache, RetryPolicy, SourceUnreachable, make_client,
                           retry_after_seconds, user_agent)

FIX = Path(__file__).parent / "fixtures" / "fetch"
CROSSREF_WORK = (FIX / "crossref" / "test_works_with_one_id.json").read_bytes()
URL = "https://api.crossref.org/works/10.1371/journal.pone.0033693"


class FakeClock:
    """monotonic/time advance only when sleep is called; every sleep is recorded."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch):
    for var in ("KB_EMAIL", "NCBI_API_KEY", "OPENALEX_API_KEY", "SEMANTIC_SCHOLAR_API_KEY", "S2_API_KEY",
                "CROSSREF_PLUS_API_TOKEN"):
        monkeypatch.delenv(var, raising=False)


def settings(clock, tmp_path=None, **kw) -> HttpSettings:
    # rng() == 1.0: the jittered backoff is exactly base * 2^attempt, so waits can be asserted.
    policy = kw.pop("policy", RetryPolicy(rng=lambda: 1.0))
    return HttpSettings(clock=clock, policy=policy, cache_dir=tmp_path / "cache" if tmp_path else None, **kw)


def client(s: HttpSettings, rate: float = 1000.0) -> httpx.Client:
    return make_client("https://api.crossref.org", rate=rate, settings=s)


# ---------------------------------------------------------------- rate limits

def test_rate_limiter_spaces_requests_evenly():
    clock = FakeClock()
    limiter = RateLimiter(3, clock)
    for _ in range(4):
        limiter.acquire()
    assert clock.sleeps == [0.333333, 0.333333, 0.333333]


def test_rate_limiter_does_not_wait_after_an_idle_spell():
    clock = FakeClock()
    limiter = RateLimiter(2, clock)
    limiter.acquire()
    clock.now += 5
    limiter.acquire()
    limiter.acquire()
    assert clock.sleeps == [0.5]


@respx.mock
def test_requests_through_the_client_are_spaced_by_the_hosts_limit():
    route = respx.get(URL).respond(200, content=CROSSREF_WORK)
    clock = FakeClock()
    with client(settings(clock), rate=10) as c:
        for _ in range(3):
            assert c.get("/works/10.1371/journal.pone.0033693").status_code == 200
    assert route.call_count == 3
    assert clock.sleeps == [0.1, 0.1]


def test_two_clients_for_one_host_share_its_limiter():
    s = settings(FakeClock())
    a = make_client("https://eutils.ncbi.nlm.nih.gov/entrez/eutils", rate=3, settings=s)
    b = make_client("https://eutils.ncbi.nlm.nih.gov/other", rate=3, settings=s)
    assert a._transport.limiter is b._transport.limiter


# ---------------------------------------------------------------- retries

@respx.mock
def test_429_with_retry_after_seconds_waits_that_long_then_succeeds():
    route = respx.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "7"}),
                                             httpx.Response(200, content=CROSSREF_WORK)])
    clock = FakeClock()
    with client(settings(clock)) as c:
        r = c.get("/works/10.1371/journal.pone.0033693")
    assert r.status_code == 200 and r.json()["message"]["DOI"] == "10.1371/journal.pone.0033693"
    assert route.call_count == 2
    assert clock.sleeps == [7.0]


@respx.mock
def test_429_with_retry_after_http_date():
    clock = FakeClock(start=datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp())
    when = format_datetime(datetime(2025, 3, 1, 12, 0, 30, tzinfo=timezone.utc), usegmt=True)
    respx.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": when}),
                                     httpx.Response(200, content=CROSSREF_WORK)])
    with client(settings(clock)) as c:
        assert c.get("/works/10.1371/journal.pone.0033693").status_code == 200
    assert clock.sleeps == [30.0]


@respx.mock
def test_5xx_is_retried_with_exponential_backoff_then_returned():
    route = respx.get(URL).respond(503)
    clock = FakeClock()
    with client(settings(clock)) as c:
        r = c.get("/works/10.1371/journal.pone.0033693")
    assert r.status_code == 503
    assert route.call_count == 5
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_backoff_jitter_stays_between_half_and_all_of_the_base():
    low, high = RetryPolicy(rng=lambda: 0.0), RetryPolicy(rng=lambda: 1.0)
    assert [low.delay(a) for a in range(3)] == [0.25, 0.5, 1.0]
    assert [high.delay(a) for a in range(3)] == [0.5, 1.0, 2.0]
    assert RetryPolicy(rng=lambda: 1.0).delay(20) == 30.0          # capped


@respx.mock
def test_a_retry_after_beyond_the_cap_is_not_waited_for():
    route = respx.get(URL).respond(429, headers={"Retry-After": "3600"})
    clock = FakeClock()
    with client(settings(clock)) as c:
        assert c.get("/works/10.1371/journal.pone.0033693").status_code == 429
    assert route.call_count == 1 and clock.sleeps == []


@respx.mock
def test_404_is_not_retried():
    route = respx.get(URL).respond(404, text="Resource not found.")
    clock = FakeClock()
    with client(settings(clock)) as c:
        assert c.get("/works/10.1371/journal.pone.0033693").status_code == 404
    assert route.call_count == 1 and clock.sleeps == []


@respx.mock
def test_connection_error_is_retried_once_then_reported_as_unreachable():
    route = respx.get(URL).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    clock = FakeClock()
    with client(settings(clock)) as c, pytest.raises(SourceUnreachable) as e:
        c.get("/works/10.1371/journal.pone.0033693")
    assert route.call_count == 2 and clock.sleeps == [0.5]
    assert str(e.value).startswith("cannot reach api.crossref.org: connection refused")
    assert "\n" not in str(e.value)


@respx.mock
def test_a_transient_connection_error_then_success():
    respx.get(URL).mock(side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(200, content=CROSSREF_WORK)])
    clock = FakeClock()
    with client(settings(clock)) as c:
        assert c.get("/works/10.1371/journal.pone.0033693").status_code == 200
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize("value, expected", [("7", 7.0), ("0", 0.0), (None, None), ("", None), ("soon", None),
                                             ("Sat, 01 Mar 2025 11:59:00 GMT", 0.0)])
def test_retry_after_values(value, expected):
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()
    assert retry_after_seconds(value, now) == expected


# ---------------------------------------------------------------- cache

@respx.mock
def test_a_cached_answer_is_replayed_without_a_request(tmp_path):
    route = respx.get(URL).respond(200, content=CROSSREF_WORK, headers={"Content-Type": "application/json"})
    s = settings(FakeClock(), tmp_path)
    with client(s) as c:
        first = c.get("/works/10.1371/journal.pone.0033693", params={"mailto": "a@b.org"})
    with client(settings(FakeClock(), tmp_path)) as c:
        second = c.get("/works/10.1371/journal.pone.0033693", params={"mailto": "a@b.org"})
    assert route.call_count == 1
    assert second.content == first.content == CROSSREF_WORK
    assert second.headers["content-type"] == "application/json"
    assert second.extensions.get("kb_cache") == "hit"


@respx.mock
def test_refresh_bypasses_the_cache_and_renews_it(tmp_path):
    route = respx.get(URL).mock(side_effect=[httpx.Response(200, content=b'{"v": 1}'),
                                             httpx.Response(200, content=b'{"v": 2}')])
    with client(settings(FakeClock(), tmp_path)) as c:
        c.get("/works/10.1371/journal.pone.0033693")
    with client(settings(FakeClock(), tmp_path, refresh=True)) as c:
        assert c.get("/works/10.1371/journal.pone.0033693").json() == {"v": 2}
    with client(settings(FakeClock(), tmp_path)) as c:
        assert c.get("/works/10.1371/journal.pone.0033693").json() == {"v": 2}
    assert route.call_count == 2


@respx.mock
def test_cache_key_ignores_parameter_order_and_api_keys_and_stores_no_key(tmp_path):
    route = respx.get("https://eutils.ncbi.nlm.nih.gov/efetch.fcgi").respond(200, content=b"<PubmedArticleSet/>")
    s = settings(FakeClock(), tmp_path)
    c = make_client("https://eutils.ncbi.nlm.nih.gov", rate=1000, settings=s)
    c.get("/efetch.fcgi", params={"db": "pubmed", "id": "1", "api_key": "SECRET1"})
    c.get("/efetch.fcgi", params={"api_key": "SECRET2", "id": "1", "db": "pubmed"})
    c.get("/efetch.fcgi", params={"db": "pubmed", "id": "2"})
    assert route.call_count == 2
    stored = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / "cache").rglob("*.json"))
    assert "SECRET" not in stored and "efetch.fcgi?db=pubmed&id=1" in stored


@respx.mock
def test_errors_are_not_cached(tmp_path):
    route = respx.get(URL).respond(404)
    for _ in range(2):
        with client(settings(FakeClock(), tmp_path)) as c:
            c.get("/works/10.1371/journal.pone.0033693")
    assert route.call_count == 2


def test_a_cache_entry_cut_short_is_a_miss(tmp_path):
    cache = ResponseCache(tmp_path)
    req = httpx.Request("GET", URL)
    cache.put(req, httpx.Response(200, content=b"{}", request=req), now=0)
    assert cache.get(req, now=1).content == b"{}"
    next(tmp_path.rglob("*.json")).write_text("{", encoding="utf-8")
    assert cache.get(req, now=1) is None


@respx.mock
def test_a_cached_answer_older_than_a_week_is_asked_for_again(tmp_path):
    route = respx.get(URL).respond(200, content=CROSSREF_WORK)
    clock = FakeClock()
    with client(settings(clock, tmp_path)) as c:
        c.get("/works/10.1371/journal.pone.0033693")
        clock.now += 6 * 24 * 3600
        c.get("/works/10.1371/journal.pone.0033693")
        assert route.call_count == 1
        clock.now += 2 * 24 * 3600
        c.get("/works/10.1371/journal.pone.0033693")
        assert route.call_count == 2


# ---------------------------------------------------------------- identity

@respx.mock
def test_user_agent_names_kb_its_version_and_the_contact(monkeypatch):
    monkeypatch.setenv("KB_EMAIL", "reviewer@example.org")
    route = respx.get(URL).respond(200, content=CROSSREF_WORK)
    with client(HttpSettings(clock=FakeClock())) as c:
        c.get("/works/10.1371/journal.pone.0033693")
    ua = route.calls.last.request.headers["user-agent"]
    assert ua.startswith("kb/0.") and "mailto:reviewer@example.org" in ua
    assert user_agent(None) == ua.replace("; mailto:reviewer@example.org", "")


def test_timeouts_are_set():
    c = client(HttpSettings(clock=FakeClock()))
    assert c.timeout.connect == 5.0 and c.timeout.read == 60.0


def test_cache_files_are_json_with_status_and_public_url(tmp_path):
    cache = ResponseCache(tmp_path)
    req = httpx.Request("GET", "https://api.openalex.org/works/W1?api_key=K&mailto=a%40b.org")
    cache.put(req, httpx.Response(200, content=b"{}", headers={"Content-Type": "application/json",
                                                                 "Set-Cookie": "x=1"}, request=req), now=1234.5)
    meta = json.loads(next(tmp_path.rglob("*.json")).read_text(encoding="utf-8"))
    assert meta == {"status": 200, "headers": {"content-type": "application/json"}, "method": "GET",
                    "url": "https://api.openalex.org/works/W1?mailto=a%40b.org", "stored_at": 1234.5}
