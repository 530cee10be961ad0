"""Crossref REST API works: `{"message-type": "work", "message": {...}}`, a work list
(`{"message-type": "work-list", "message": {"items": [...]}}`) or a bare work object.

The abstract is JATS (`<jats:title>Abstract</jats:title><jats:p>...`): it becomes plain
paragraphs, section titles as "Label: ..." like the PubMed ingester. `issued` is the date
(Crossref's earliest of print and online), then `published`; a `[[null]]` date is no date.

Another Crossref response (a member or journal list) or an error body
(`{"status": "failed", "message": [...]}`) is claimed and refused with Crossref's message,
so it never falls through to the plain-text ingester. A work without a title and without an
abstract is skipped. A work list (or an array of works) is streamed one work at a time.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.europepmc import (
    PRIORITY, as_list, build_text, date_from_parts, dedupe, get_path, inline_text, load_json,
    markup_to_text, shift_sections, sniff_json, strings, text_value,
)
from kb.ingesters.base import normalise_doi
from kb.ingesters.stream import JsonScan, Streamed, json_items
from kb.models import ArticleRecord, Author, Document, Journal

FORMAT = "crossref-json"
# Keys only a Crossref work has (a bare work must have DOI, a title list and one of these).
_WORK_KEYS = {"prefix", "member", "container-title", "issued", "reference-count", "indexed", "deposited",
              "created", "is-referenced-by-count", "published-print", "published-online"}


class CrossrefIngester:
    format = FORMAT
    priority = PRIORITY

    def sniff(self, head: bytes, doc: Document) -> bool:
        return sniff_json(head, doc, is_crossref, (b'"message-type"', b'"DOI"'),
                          broken=((b'"message-type"', b'"status"'), (b'"DOI"', b'"prefix"', b'"member"')),
                          stream_at=STREAM_AT, check=check_item)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        scan = load_json(doc, "Crossref", is_crossref, STREAM_AT, check_item)
        for work in works(scan, doc):
            rec = build_record(work)
            if rec is not None:
                yield rec


# Streamed one work at a time: a JSON array of works, and a work list's items.
STREAM_AT = ((), ("message", "items"))


def check_item(path: tuple, item: Any) -> bool:
    """What the scan notes of each streamed item: whether it is a work (or null)."""
    return item is None or is_work(item)


def is_work(obj: Any) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("DOI"), str) and isinstance(obj.get("title", []), list)
            and bool(_WORK_KEYS & obj.keys()))


def is_response(obj: Any) -> bool:
    return isinstance(obj, dict) and "message-type" in obj and "status" in obj and "message" in obj


def is_crossref(obj: Any) -> bool:
    """An API response envelope, a bare work, or a JSON array of works (a scanned document:
    the array is a Streamed, whose tags say whether every item was a work or null)."""
    if is_response(obj) or is_work(obj):
        return True
    return isinstance(obj, Streamed) and obj.count > 0 and False not in obj.tags


def works(scan: JsonScan, doc: Document) -> Iterable[dict]:
    obj, source = scan.root, doc.path
    if isinstance(obj, list):
        return _dicts(doc, scan, obj)
    if not is_response(obj):
        if not is_work(obj):   # a JSON string, number or foreign object parse() was handed (issue 8 fuzzing)
            raise ParseError(source, "not a Crossref work or API response")
        return [obj]
    kind, message = obj.get("message-type"), obj.get("message")
    if obj.get("status") != "ok":
        raise ParseError(source, f"Crossref error response ({kind}): {error_text(message)}")
    if kind == "work" and isinstance(message, dict):
        return [message]
    if kind == "work-list" and isinstance(message, dict) and isinstance(message.get("items"), list):
        return _dicts(doc, scan, message["items"])
    raise ParseError(source, f"Crossref {kind} response, not works: nothing to ingest")


def _dicts(doc: Document, scan: JsonScan, lst: list) -> Iterator[dict]:
    return (w for _, w in json_items(doc, scan, lst) if isinstance(w, dict))


def error_text(message: Any) -> str:
    if isinstance(message, list):
        texts = [text_value(m.get("message")) or text_value(m.get("value")) for m in message if isinstance(m, dict)]
        return "; ".join(t for t in texts if t) or "no message"
    return text_value(message) or "no message"


def first(v: Any) -> str | None:
    """The first non-blank string of a Crossref list field (or the field itself)."""
    return next(iter(strings(v)), None)


def parse_author(a: dict) -> Author | None:
    family, given = text_value(a.get("family")), text_value(a.get("given"))
    if family or given:
        suffix = text_value(a.get("suffix"))
        return Author(name=" ".join(x for x in (given, family, suffix) if x), family=family, given=given)
    name = text_value(a.get("name"))
    return Author(name=name, collective=True) if name else None


def parse_date(w: dict) -> str | None:
    for key in ("issued", "published", "published-print", "published-online"):
        parts = as_list(get_path(w, key, "date-parts"))
        date = date_from_parts(parts[0]) if parts and isinstance(parts[0], list) else None
        if date:
            return date
    return None


def parse_journal(w: dict) -> Journal | None:
    name = inline_text(first(w.get("container-title"))) or inline_text(first(w.get("short-container-title")))
    if not name:
        return None
    return Journal(name=name, issn=first(w.get("ISSN")), volume=text_value(w.get("volume")),
                   issue=text_value(w.get("issue")) or text_value(get_path(w, "journal-issue", "issue")),
                   pages=text_value(w.get("page")) or text_value(w.get("article-number")))


def build_record(w: dict) -> ArticleRecord | None:
    title = inline_text(first(w.get("title")))
    abstract, sections = markup_to_text(text_value(w.get("abstract")))
    if not title and not abstract:
        return None
    original = inline_text(first(w.get("original-title")))
    pub_date = parse_date(w)
    text, spans, abstract_start = build_text(title, abstract)
    extra: dict[str, Any] = {k: w[k] for k in ("publisher", "type", "is-referenced-by-count") if w.get(k) is not None}
    subtitle = inline_text(first(w.get("subtitle")))
    if subtitle:
        extra["subtitle"] = subtitle
    if strings(w.get("ISBN")):
        extra["isbn"] = strings(w.get("ISBN"))
    if sections:
        extra["abstract_sections"] = shift_sections(sections, abstract_start)
    return ArticleRecord(
        source_format=FORMAT,
        text=text,
        title=title,
        title_original=original if original and original != title else None,
        abstract=abstract,
        doi=normalise_doi(text_value(w.get("DOI"))),
        pub_date=pub_date,
        year=int(pub_date[:4]) if pub_date else None,
        journal=parse_journal(w),
        authors=[a for a in (parse_author(x) for x in as_list(w.get("author")) if isinstance(x, dict)) if a],
        keywords=dedupe(strings(w.get("subject"))),
        publication_types=strings(w.get("type")),
        language=text_value(w.get("language")),
        spans=spans,
        extra=extra,
    )


@hookimpl
def register_ingesters():
    return [CrossrefIngester()]
