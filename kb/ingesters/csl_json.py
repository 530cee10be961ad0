"""CSL-JSON (citeproc JSON): what Zotero, Mendeley, pandoc and Crossref's content negotiation write.

The file is one item object or a list of them. Per item: `title` (+ Crossref's `subtitle`),
`abstract` (JATS or HTML markup stripped), `author` with family/given (particles and suffix
kept) or `literal` (a group), `issued` date-parts (else `published-print`, `published-online`,
`published`, `created`, or a `raw`/`literal` date string), `container-title`, `ISSN`, `volume`,
`issue`, `page`, `DOI`, `PMID`, `PMCID`, `keyword`, `language`, `type`.

A list of items is streamed one item at a time with ijson (kb.ingesters.stream), decoded
as decode_text() would. A Crossref REST API envelope (`{"message-type": ...}`) is not
CSL-JSON and is not claimed.
"""
from __future__ import annotations

import json
import re
from typing import Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.pubmed_xml import iso_from_parts
from kb.ingesters.ris import clean, find_doi, find_issn, make_record, parse_date, parse_person, \
    split_keywords
from kb.ingesters.stream import JsonBroken, StreamJsonError, json_items, scan_json
from kb.models import ArticleRecord, Author, Document

FORMAT = "csl-json"
# Keys only CSL items carry (in the first 64 KB): a date object, a container, a CSL name list.
_CSL_KEYS = re.compile(rb'"(issued|container-title|citation-key|title-short|collection-title|'
                       rb'published-print|event-date)"\s*:|"family"\s*:\s*"')
_DATE_KEYS = ("issued", "published-print", "published-online", "published", "created")


class CslJsonIngester:
    format = FORMAT
    priority = 55      # above platform-json (50), whose records are also a JSON object first

    def sniff(self, head: bytes, doc: Document) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if start[:1] not in (b"{", b"["):
            return False
        if start[:1] == b"[" and start[1:].lstrip()[:1] not in (b"{", b"]"):
            return False
        return bool(_CSL_KEYS.search(head)) and b'"message-type"' not in head[:4096]

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        try:
            scan = scan_json(doc, [()], text=True)
        except JsonBroken as b:
            e = b.error
            if isinstance(e, json.JSONDecodeError):
                raise ParseError(doc.path, f"malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
            if isinstance(e, StreamJsonError):
                raise ParseError(doc.path, f"malformed JSON: {e.msg}") from None
            raise e from None
        data = scan.root
        items = (item for _, item in json_items(doc, scan, data)) if isinstance(data, list) else [data]
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise ParseError(doc.path, f"item {i} is a {type(item).__name__}, not a CSL-JSON object")
            if not any(item.get(k) for k in ("title", "DOI", "PMID", "container-title", "author")):
                raise ParseError(doc.path, f"item {i} has no title, DOI, PMID, container-title or author: "
                                           "not a CSL-JSON item")
            try:
                yield build_record(item)
            except (ValueError, TypeError, AttributeError) as e:
                raise ParseError(doc.path, f"item {i}: {e}") from None


def _text(v) -> str | None:
    """A CSL text field: a string or number, or Crossref's one-element list."""
    if isinstance(v, list):
        v = next((x for x in v if isinstance(x, (str, int, float)) and str(x).strip()), None)
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        return None
    return clean(v)


def parse_csl_date(value) -> str | None:
    if not isinstance(value, dict):
        return parse_date(_text(value))
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        p = [str(x).strip() for x in parts[0][:3]]
        month = int(p[1]) if len(p) > 1 and p[1].isdigit() and 1 <= int(p[1]) <= 12 else None
        iso = iso_from_parts(p[0], month, p[2] if len(p) > 2 and month else None)
        if iso:
            return iso
    return parse_date(_text(value.get("raw")) or _text(value.get("literal")))


def parse_csl_name(name) -> Author | None:
    if isinstance(name, str):
        return parse_person(name)
    if not isinstance(name, dict):
        return None
    literal = _text(name.get("literal"))
    if literal:
        return Author(name=literal, collective=True)
    family = " ".join(x for x in (_text(name.get("non-dropping-particle")), _text(name.get("family"))) if x) or None
    given = " ".join(x for x in (_text(name.get("given")), _text(name.get("dropping-particle"))) if x) or None
    suffix = _text(name.get("suffix"))
    if not family and not given:
        return None
    return Author(name=" ".join(x for x in (given, family, suffix) if x), family=family, given=given)


def parse_title(item: dict) -> str | None:
    title = _text(item.get("title"))
    subtitle = _text(item.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        return f"{title}: {subtitle}"
    return title or subtitle


def parse_pub_date(item: dict) -> str | None:
    for key in _DATE_KEYS:
        if item.get(key):
            d = parse_csl_date(item[key])
            if d:
                return d
    return None


def build_record(item: dict) -> ArticleRecord:
    authors = item.get("author") if isinstance(item.get("author"), list) else []
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        keywords = split_keywords(keywords)
    elif not isinstance(keywords, list):
        keywords = []
    issn = item.get("ISSN")
    pages = _text(item.get("page"))
    pmid = _text(item.get("PMID"))
    return make_record(
        FORMAT,
        title=parse_title(item),
        abstract=_text(item.get("abstract")),
        authors=[a for a in map(parse_csl_name, authors) if a],
        journal_name=_text(item.get("container-title")) or _text(item.get("container-title-short")),
        issn=find_issn(" ".join(map(str, issn)) if isinstance(issn, list) else _text(issn)),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=re.sub(r"\s*[\u2013\u2014-]+\s*", "-", pages) if pages else None,
        pub_date=parse_pub_date(item),
        doi=find_doi(_text(item.get("DOI"))),
        pmid=pmid,
        pmcid=_text(item.get("PMCID")),
        keywords=[k for k in keywords if isinstance(k, str)],
        publication_types=[t for t in [_text(item.get("type"))] if t],
        language=_text(item.get("language")),
        oa_url=None,
        extra={"csl_id": _text(item.get("id")), "url": _text(item.get("URL")),
               "publisher": _text(item.get("publisher"))},
    )


@hookimpl
def register_ingesters():
    return [CslJsonIngester()]
