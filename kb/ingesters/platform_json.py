"""Literature-platform records: one JSON object on the first line, then plain lines.

The object may nest an English version of itself as a JSON *string* in `resultStr`
(the top level then holds a translated title). After the JSON line come the English
title, the abstract, and optionally a journal description after a `期刊介绍:` line.

A file is one record whose `text` is the whole file, so parse() decodes it whole (within
KB_MAX_FILE_MB); sniff() reads no more of it than it needs to find the first line end.
"""
from __future__ import annotations

import json
import re
from typing import Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import decode_text, guess_language, iso_date, normalise_doi, strip_html
from kb.ingesters.stream import CHUNK
from kb.models import ArticleRecord, Author, Document, Journal, Span

JOURNAL_INTRO = re.compile(r"^\s*(期刊介绍|Journal introduction)\s*[:：]", re.M)
_KEYS = {"doi", "abstract", "authors", "resultStr", "journal", "publicationDate"}


def _first_line_object(text: str) -> dict | None:
    line = text.split("\n", 1)[0].strip()
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) and "title" in obj and _KEYS & obj.keys() else None


class PlatformJsonIngester:
    format = "platform-json"
    priority = 50

    def sniff(self, head: bytes, doc: Document) -> bool:
        # The JSON line can be long; decide on its start and let parse() confirm.
        return head.lstrip()[:1] == b"{" and b'"title"' in head[:4096] and _has_line_end(head, doc)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        text = decode_text(doc)
        obj = _first_line_object(text)
        if obj is None:
            raise ParseError(doc.path, "JSON of a kind kb does not read: a literature-platform record's first line "
                                       "is one JSON object with a title and a DOI, abstract, authors or journal")
        yield build_record(obj, text, doc.name)


def _has_line_end(head: bytes, doc: Document) -> bool:
    """Whether the file holds a LF anywhere, reading only as far as the first one."""
    if b"\n" in head:
        return True
    with doc.open() as fh:
        while chunk := fh.read(CHUNK):
            if b"\n" in chunk:
                return True
    return False


def _text(v) -> str | None:
    """A field that should be text: numbers become text, structures and blanks None."""
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        return None
    s = str(v).strip()
    return s or None


def _english(obj: dict, source: str) -> dict:
    nested = obj.get("resultStr")
    if isinstance(nested, str) and nested.strip():
        try:
            inner = json.loads(nested)
        except json.JSONDecodeError:
            raise ParseError(source, "resultStr is not valid JSON") from None
        if isinstance(inner, dict):
            return inner
    return obj


def _authors(value) -> list[Author]:
    if isinstance(value, list):
        names = [_text(a.get("name")) if isinstance(a, dict) else _text(a) for a in value]
    elif isinstance(value, str):
        names = re.split(r"\s*[,;]\s*", value)
    else:
        names = []
    out = []
    for n in names:
        n = (n or "").strip()
        if not n:
            continue
        parts = n.rsplit(" ", 1)
        out.append(Author(name=n, given=parts[0] if len(parts) == 2 else None,
                          family=parts[-1]))
    return out


def _float(v) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def build_record(obj: dict, text: str, source: str) -> ArticleRecord:
    en = _english(obj, source)
    top_title = strip_html(_text(obj.get("title")))
    title = strip_html(_text(en.get("title"))) or top_title
    original = top_title if top_title and top_title != title else None
    j = en.get("journal") if isinstance(en.get("journal"), dict) else {}
    jname = _text(j.get("name")) or _text(en.get("PeriodicalName")) or _text(obj.get("PeriodicalName"))
    vol = (_text(j.get("volume")) or "").split()
    journal = Journal(
        name=jname, volume=vol[0] if vol else None, issue=vol[1] if len(vol) > 1 else None,
        pages=_text(j.get("pages")), impact_factor=_float(en.get("PeriodicalIF")),
        quartile=_text(en.get("JCR")), category=_text(en.get("JCRName")),
    ) if jname else None
    date = iso_date(_text(en.get("publicationDate")) or _text(en.get("EPubDate")))

    # Spans: the JSON line is front matter; the plain lines are title and abstract;
    # a journal description is not about the study and is kept out of extraction.
    first_nl = text.find("\n")
    body_start = len(text) if first_nl < 0 else first_nl + 1
    intro = JOURNAL_INTRO.search(text, body_start)
    body_end = intro.start() if intro else len(text)
    spans = [Span("front", 0, body_start)]
    body = text[body_start:body_end]
    lines = body.split("\n", 1)
    if title and lines[0].strip().rstrip(".") == title.rstrip("."):
        t_end = body_start + len(lines[0])
        spans.append(Span("title", body_start, t_end))
        spans.append(Span("abstract", t_end, body_end))
        abstract_text = body[len(lines[0]):].strip()
    else:
        spans.append(Span("abstract", body_start, body_end))
        abstract_text = body.strip()
    if intro:
        spans.append(Span("other", intro.start(), len(text), title="journal description"))

    types = en.get("publicationTypes")
    return ArticleRecord(
        source_format="platform-json",
        text=text,
        title=title,
        title_original=original,
        title_language=guess_language(original) if original else guess_language(title),
        abstract=abstract_text or strip_html(_text(en.get("abstract"))),
        doi=normalise_doi(_text(en.get("doi")) or _text(obj.get("doi"))),
        pmcid=_text(en.get("PMCID")),
        pub_date=date,
        year=int(date[:4]) if date else None,
        journal=journal,
        authors=_authors(en.get("authors")),
        publication_types=[t.strip() for t in types.split(",")] if isinstance(types, str) and types else [],
        language=guess_language(abstract_text or title),
        oa_url=_text(en.get("openAccessPdf")),
        spans=spans,
        extra={"platform": en.get("platform"), "citation_count": en.get("citationCount")},
    )


@hookimpl
def register_ingesters():
    return [PlatformJsonIngester()]
