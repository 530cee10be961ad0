"""JSON Lines: one JSON object per line, each a record.

ASReview writes its datasets this way ({"title", "abstract", ...} per line), OpenAlex and
Semantic Scholar publish their bulk snapshots this way, and `jq -c '.results[]'` turns an API
page into it. Such a file is not one JSON document, so the API ingesters do not read it, and
the literature-platform ingester (one JSON line, then text lines) took its first line for a
record and the other records for that record's text.

Each line is built by the ingester of what it is: an OpenAlex work, a Semantic Scholar
paper, a Crossref work; any other object through the columns the CSV ingester knows (`title`,
`abstract`, `authors`, `doi`, `year`, `journal`, ...), matched the same way. The file is
decoded and read line by line (kb.ingesters.stream): memory stays flat whatever the size. A
line that is not a JSON object is a broken file: ParseError naming the line. A record with no
title, abstract or identifier is skipped (ris.has_content).
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters import crossref, csv_export, openalex, semantic_scholar
from kb.ingesters.ris import has_content
from kb.ingesters.stream import text_lines
from kb.models import ArticleRecord, Document

FORMAT = "jsonl"
# Above the API ingesters (70): a file of JSON lines is no JSON document, and their sniff
# takes a broken document that names their API for theirs.
PRIORITY = 75
# Keys of which an object needs one to be a record (sniff: not a log or a config file).
RECORD_KEYS = frozenset({"title", "display_name", "abstract", "doi", "DOI", "paperId", "pmid", "PMID"})


class JsonLinesIngester:
    format = FORMAT
    priority = PRIORITY

    def sniff(self, head: bytes, doc: Document) -> bool:
        """The first two lines each a JSON object, one of them with a key of a record. (A
        broken line further on is for parse() to name.)"""
        if head.lstrip()[:1] != b"{":
            return False
        parts = head.split(b"\n")
        if doc.size > len(head):
            parts = parts[:-1]          # the last part may be a line cut by the head's end
        lines = [p.strip() for p in parts if p.strip()][:2]
        if len(lines) < 2:
            return False
        objs = []
        for line in lines:
            try:
                obj = json.loads(line.decode("utf-8-sig", "replace"))
            except (json.JSONDecodeError, RecursionError):
                return False
            if not isinstance(obj, dict):
                return False
            objs.append(obj)
        return any(RECORD_KEYS & o.keys() for o in objs)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        for no, line in text_lines(doc):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise ParseError(doc.path, f"line {no}: not a JSON object ({e.msg} at column {e.colno})") from None
            except RecursionError:
                raise ParseError(doc.path, f"line {no}: JSON nested too deeply") from None
            if not isinstance(obj, dict):
                raise ParseError(doc.path, f"line {no}: a JSON {type(obj).__name__}, not an object")
            try:
                rec = build_record(obj)
            except ValueError as e:
                raise ParseError(doc.path, f"line {no}: {e}") from None
            except (TypeError, AttributeError, KeyError) as e:   # a field of a type its builder does not take
                raise ParseError(doc.path, f"line {no}: unexpected content ({type(e).__name__}: {e})") from None
            if rec is not None and has_content(rec):
                yield rec


def build_record(obj: dict) -> ArticleRecord | None:
    """The record of one line, by the ingester of what the object is."""
    if openalex.is_work(obj):
        rec = openalex.build_record(obj)
    elif semantic_scholar.is_paper(obj):
        rec = semantic_scholar.build_record(obj)
    elif crossref.is_work(obj):
        rec = crossref.build_record(obj)
    else:
        rec = build_generic(obj)
    return dataclasses.replace(rec, source_format=FORMAT) if rec is not None else None


def _cell(value: Any) -> str | None:
    """A JSON value as the text of a table cell: lists of names or keywords joined by '; '."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return "; ".join(str(v) for v in value)
    return None


def build_generic(obj: dict) -> ArticleRecord:
    """An object of plain fields, read as a row whose header is the object's keys."""
    keys = list(obj)
    columns = csv_export.column_map(keys)
    row = {field: _cell(obj[keys[i]]) for field, i in columns.items()}
    rec = csv_export.build_record({f: v for f, v in row.items() if v is not None})
    # OpenAlex's open_access block, as ASReview keeps it beside title and abstract
    oa = obj.get("open_access")
    oa_url = oa.get("oa_url") if isinstance(oa, dict) else obj.get("oa_url")
    return dataclasses.replace(rec, oa_url=oa_url) if isinstance(oa_url, str) and oa_url.strip() else rec


@hookimpl
def register_ingesters():
    return [JsonLinesIngester()]
