"""What every source provides, and the helpers they share.

A source knows one API: how to ask for records by id or by query, and how to cut its answers
into one payload per record, each of which an ingester of kb reads as it is. It never writes
files or the store; `scrapers.fetch` does the saving and the bookkeeping.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterator, Protocol

import httpx
from lxml import etree

from scrapers.ids import RecordId


@dataclass
class Payload:
    """One record's raw bytes, to be saved as `<source>/<name>`."""
    id: RecordId | None     # the id it answers (for a search hit: the id it is filed under)
    name: str               # file name inside the source's folder
    data: bytes


@dataclass
class Failure:
    id: RecordId | None
    reason: str


@dataclass
class Note:
    """Not an error: e.g. a paper with no open-access full text."""
    id: RecordId
    message: str


Result = Payload | Failure | Note


class Source(Protocol):
    name: str                 # folder under the raw folder, and the --source name
    label: str                # for people: "Crossref"
    default_base_url: str
    payload_format: str       # the kb ingester format of the files it saves
    kinds: frozenset[str]     # id kinds it can fetch
    batch_size: int           # ids per request (1: one request per id)

    @property
    def base_url(self) -> str:
        """default_base_url, or KB_<NAME>_BASE_URL when set."""

    def rate(self) -> float:
        """Requests per second this source allows (may depend on an API key)."""

    def headers(self) -> dict[str, str]:
        """Headers every request carries (API keys)."""

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        """A result for every id (one batch of at most batch_size)."""

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        """Payloads of up to `limit` records matching `query`, page by page."""


class Malformed(Exception):
    """A 200 answer that is not what the API promises (an HTML error page, cut-off JSON...)."""


def base_url(source_name: str, default: str) -> str:
    """KB_<SOURCE>_BASE_URL overrides the API's address (a mirror, or a test server)."""
    return os.environ.get(f"KB_{source_name.upper()}_BASE_URL", default).rstrip("/")


def env(*names: str) -> str | None:
    for n in names:
        v = os.environ.get(n)
        if v:
            return v
    return None


def describe_status(response: httpx.Response) -> str:
    """`not found (HTTP 404)`, `rate limited (HTTP 429, retry after 600 s)`, ... one line."""
    code = response.status_code
    if code == 404:
        return "not found (HTTP 404)"
    if code == 429:
        after = response.headers.get("retry-after")
        return f"rate limited (HTTP 429{', retry after ' + after + ' s' if after else ''}); try later or use an API key"
    if code in (401, 403):
        return f"refused (HTTP {code}): check the API key"
    if code >= 500:
        return f"server error (HTTP {code}) after retries"
    return f"HTTP {code}: {first_line(response.text)}"


def first_line(text: str, limit: int = 120) -> str:
    line = " ".join(text.strip().split())[:limit]
    return line or "no message"


def load_json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise Malformed(f"not JSON (starts with {snippet(data)!r})") from None


def snippet(data: bytes, n: int = 40) -> str:
    return " ".join(data[:n * 2].decode("utf-8", "replace").split())[:n]


def dump_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes) -> etree._Element:
    """Parse an XML answer without resolving entities or fetching DTDs."""
    head = data.lstrip()[:512].lower()
    if not head.startswith(b"<"):
        raise Malformed(f"not XML (starts with {snippet(data)!r})")
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        raise Malformed("an HTML page, not XML (an error page?)")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise Malformed(f"broken XML ({e})") from None
    if root is None:
        raise Malformed("empty XML document")
    return root


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
