"""What every ingester provides, and the helpers they share."""
from __future__ import annotations

import codecs
import re
from typing import Iterator, Protocol

from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from kb.errors import ParseError
from kb.models import ArticleRecord, Document

PARSER_VERSION = "1"


class Ingester(Protocol):
    format: str      # short name stored in documents.format
    priority: int    # higher is asked first; a generic fallback uses 0

    def sniff(self, head: bytes, doc: Document) -> bool:
        """True when the content (not the file name) looks like this format."""

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        """Yield the records in the document; raise ParseError when it is not readable."""


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(doc: Document) -> str:
    """Bytes to str: BOMs and UTF-8 first, then charset detection; refuse binary."""
    data = doc.data
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise ParseError(doc.name, "binary content, not text") from None
        text = str(best)
    if "\x00" in text:
        raise ParseError(doc.name, "contains NUL bytes, not a text document")
    return text


def strip_html(s: str | None) -> str | None:
    """Markup to plain text with whitespace collapsed; None stays None."""
    if s is None:
        return None
    if "<" in s and ">" in s:
        s = BeautifulSoup(s, "html.parser").get_text(" ")
    s = re.sub(r"\s+", " ", s).strip()
    return s or None


def normalise_doi(s: str | None) -> str | None:
    if not s:
        return None
    s = s.strip()
    s = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", s, flags=re.I)
    return s.lower() or None


def iso_date(s: str | None) -> str | None:
    """Keep YYYY, YYYY-MM or YYYY-MM-DD from a date string; anything else is None."""
    if not s:
        return None
    m = re.match(r"\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", s)
    if not m:
        return None
    parts = [m.group(1)] + [f"{int(g):02d}" for g in m.groups()[1:] if g]
    return "-".join(parts)


_CJK = re.compile(r"[\u3400-\u9fff]")


def guess_language(s: str | None) -> str | None:
    """Only what we can tell cheaply and surely: Chinese script, else English."""
    if not s:
        return None
    return "zh" if _CJK.search(s) else "en"
