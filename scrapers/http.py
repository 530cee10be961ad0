"""The one HTTP client factory every source uses: timeouts, retries, rate limits, cache.

`make_client` returns an `httpx.Client` whose transport does, for each request:

1. answer from the on-disk cache when the same GET was made before (unless `refresh`);
2. wait for the source's rate limiter (requests per second, one limiter per source host);
3. send, retrying connection errors and timeouts, 429 and 5xx with exponential backoff and
   jitter, honouring `Retry-After` (seconds or an HTTP date);
4. store a 200 answer in the cache.

Time is read and spent through a `Clock`, so tests drive rate limits and backoff with a fake
clock and never sleep. Nothing here knows any API: the sources (one module each) build the
requests and read the answers.
"""
from __future__ import annotations

import email.utils
import hashlib
import importlib.metadata
import json
import os
import random
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol
from urllib.parse import urlsplit

import httpx

from kb.errors import KbError

# Statuses worth a second try: rate limited, or the server's fault and maybe passing.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Query parameters that are credentials: never part of a cache key, a cache file or a report.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token"})
# Headers a cached answer keeps (the rest describe one transfer, not the content).
CACHED_HEADERS = ("content-type",)

# Connect fast (an offline machine must fail in seconds), read patiently (a 200-record
# efetch batch can take a while to come).
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=5.0)


class FetchError(KbError):
    """A fetch that cannot go on; the CLI prints it as one line."""


class SourceUnreachable(FetchError):
    """The host did not answer at all (no network, DNS failure, refused, timed out)."""

    def __init__(self, host: str, reason: str):
        self.host = host
        self.reason = reason
        super().__init__(f"cannot reach {host}: {reason} (offline? already-fetched ids are kept; "
                         f"run the command again to resume)")


# ---------------------------------------------------------------- time

class Clock(Protocol):
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def time(self) -> float: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def time(self) -> float:
        return time.time()


SYSTEM_CLOCK = SystemClock()


class RateLimiter:
    """At most `rate` requests per second, evenly spaced (no bursts): the polite reading of
    "3 requests per second" is one request every 1/3 s."""

    def __init__(self, rate: float, clock: Clock = SYSTEM_CLOCK):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.clock = clock
        self._next: float | None = None

    def acquire(self) -> None:
        now = self.clock.monotonic()
        if self._next is not None and now < self._next:
            self.clock.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


# ---------------------------------------------------------------- cache

def cache_key(request: httpx.Request) -> str:
    """method + URL with sorted parameters (credentials left out) + body."""
    url = request.url
    params = sorted((k, v) for k, v in url.params.multi_items() if k.lower() not in SECRET_PARAMS)
    base = str(url.copy_with(query=None))
    h = hashlib.sha256()
    h.update(request.method.encode())
    h.update(b"\0" + base.encode())
    h.update(b"\0" + json.dumps(params).encode())
    h.update(b"\0" + (request.content or b""))
    return h.hexdigest()


def public_url(url: httpx.URL) -> str:
    """The URL as it may be shown or stored: credentials in the query removed."""
    params = [(k, v) for k, v in url.params.multi_items() if k.lower() not in SECRET_PARAMS]
    return str(url.copy_with(params=params)) if params else str(url.copy_with(query=None))


# Cached answers older than this are asked for again: a search repeated next month should
# see next month's papers. Records fetched by id are skipped through the manifest anyway.
DEFAULT_CACHE_MAX_AGE = 7 * 24 * 3600.0


class ResponseCache:
    """One file pair per answer under `folder`: `<key>.body` and `<key>.json` (status, headers,
    URL, when stored). Written body first, then the metadata, each atomically, so a crash
    leaves no entry that reads as whole but is not. `max_age` None keeps answers forever."""

    def __init__(self, folder: Path | str, max_age: float | None = DEFAULT_CACHE_MAX_AGE):
        self.folder = Path(folder)
        self.max_age = max_age

    def _paths(self, key: str) -> tuple[Path, Path]:
        d = self.folder / key[:2]
        return d / f"{key}.body", d / f"{key}.json"

    def get(self, request: httpx.Request, now: float) -> httpx.Response | None:
        body_path, meta_path = self._paths(cache_key(request))
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if self.max_age is not None and now - float(meta["stored_at"]) > self.max_age:
                return None
            body = body_path.read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return httpx.Response(meta["status"], headers=meta.get("headers", {}), content=body,
                              request=request, extensions={"kb_cache": "hit"})

    def put(self, request: httpx.Request, response: httpx.Response, now: float) -> None:
        body_path, meta_path = self._paths(cache_key(request))
        body_path.parent.mkdir(parents=True, exist_ok=True)
        headers = {k: response.headers[k] for k in CACHED_HEADERS if k in response.headers}
        meta = {"status": response.status_code, "headers": headers, "method": request.method,
                "url": public_url(request.url), "stored_at": round(now, 3)}
        write_atomic(body_path, response.content)
        write_atomic(meta_path, json.dumps(meta, indent=1).encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a hidden temporary file beside `path`, then rename: never a half file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# ---------------------------------------------------------------- retries

@dataclass
class RetryPolicy:
    attempts: int = 5               # tries in all for 429 and 5xx
    connect_attempts: int = 2       # tries in all when the host does not answer: fail fast offline
    backoff: float = 0.5            # first wait; doubles each time
    max_backoff: float = 30.0
    max_retry_after: float = 300.0  # a longer Retry-After is given up on and reported
    rng: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of base * 2^attempt."""
        base = min(self.max_backoff, self.backoff * (2 ** attempt))
        return base * (0.5 + 0.5 * self.rng())


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent/garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


class PoliteTransport(httpx.BaseTransport):
    """Cache, rate limit and retries around a real (or mocked) transport."""

    def __init__(self, inner: httpx.BaseTransport, *, limiter: RateLimiter, policy: RetryPolicy,
                 clock: Clock, cache: ResponseCache | None = None, refresh: bool = False):
        self.inner = inner
        self.limiter = limiter
        self.policy = policy
        self.clock = clock
        self.cache = cache
        self.refresh = refresh

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        cacheable = self.cache is not None and request.method in ("GET", "POST")
        if cacheable and not self.refresh:
            hit = self.cache.get(request, self.clock.time())
            if hit is not None:
                return hit
        response = self._send(request)
        if cacheable and response.status_code == 200:
            self.cache.put(request, response, self.clock.time())
        return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        failures = 0        # connection-level failures so far
        status_tries = 0    # answers with a retryable status so far
        while True:
            self.limiter.acquire()
            try:
                response = self.inner.handle_request(request)
                response.read()
            except httpx.TransportError as e:
                failures += 1
                if failures >= self.policy.connect_attempts:
                    raise SourceUnreachable(host, describe_transport_error(e)) from None
                self.clock.sleep(self.policy.delay(failures - 1))
                continue
            if response.status_code not in RETRY_STATUSES:
                return response
            status_tries += 1
            if status_tries >= self.policy.attempts:
                return response
            wait = retry_after_seconds(response.headers.get("retry-after"), self.clock.time())
            if wait is None:
                wait = self.policy.delay(status_tries - 1)
            elif wait > self.policy.max_retry_after:
                return response      # reported as rate limited, with the wait asked for
            response.close()
            self.clock.sleep(wait)

    def close(self) -> None:
        self.inner.close()


def describe_transport_error(e: httpx.TransportError) -> str:
    if isinstance(e, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(e, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(e, httpx.ConnectError):
        text = str(e).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "resolution" in text:
            return "host name not found"
        return "connection failed"
    return f"network error ({type(e).__name__})"


# ---------------------------------------------------------------- the factory

def kb_version() -> str:
    try:
        return importlib.metadata.version("kb")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def user_agent(email_address: str | None = None) -> str:
    """`kb/0.1.0 (+https://...; mailto:you@example.org)`: names kb, its version and who to
    contact; the mailto puts kb in Crossref's and OpenAlex's polite pools."""
    contact = f"; mailto:{email_address}" if email_address else ""
    return f"kb/{kb_version()} (literature knowledge base{contact})"


@dataclass
class HttpSettings:
    """What every client shares: the cache, the clock, retry policy, and one rate limiter
    per host (two sources on one host share it)."""
    cache_dir: Path | None = None
    cache_max_age: float | None = DEFAULT_CACHE_MAX_AGE
    refresh: bool = False
    clock: Clock = SYSTEM_CLOCK
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    email: str | None = field(default_factory=lambda: os.environ.get("KB_EMAIL") or None)
    # Tests may pass a transport (e.g. httpx.MockTransport); by default httpx's own.
    transport_factory: Callable[[str], httpx.BaseTransport] | None = None
    limiters: dict[str, RateLimiter] = field(default_factory=dict)

    def limiter(self, key: str, rate: float) -> RateLimiter:
        if key not in self.limiters:
            self.limiters[key] = RateLimiter(rate, self.clock)
        return self.limiters[key]


def make_client(base_url: str, *, rate: float, settings: HttpSettings, limiter_key: str | None = None,
                headers: dict[str, str] | None = None) -> httpx.Client:
    """An httpx.Client for one API: base URL, kb's User-Agent, the API's own headers, and the
    polite transport. `limiter_key` defaults to the host of `base_url`."""
    key = limiter_key or (urlsplit(base_url).netloc or base_url)
    inner = settings.transport_factory(base_url) if settings.transport_factory else default_transport(base_url)
    cache = ResponseCache(settings.cache_dir, settings.cache_max_age) if settings.cache_dir else None
    transport = PoliteTransport(inner, limiter=settings.limiter(key, rate), policy=settings.policy,
                                clock=settings.clock, cache=cache, refresh=settings.refresh)
    all_headers = {"User-Agent": user_agent(settings.email), **(headers or {})}
    # trust_env=False: httpx would otherwise mount proxy transports from the environment
    # *around* ours; default_transport applies the environment's proxy itself.
    return httpx.Client(base_url=base_url, headers=all_headers, transport=transport, timeout=settings.timeout,
                        follow_redirects=True, trust_env=False)


def default_transport(base_url: str) -> httpx.BaseTransport:
    """httpx's transport, through the proxy the environment names for this URL, if any."""
    parts = urlsplit(base_url)
    proxy = None
    if parts.hostname and not urllib.request.proxy_bypass(parts.hostname):
        proxy = urllib.request.getproxies().get(parts.scheme)
    return httpx.HTTPTransport(proxy=proxy, trust_env=True)
