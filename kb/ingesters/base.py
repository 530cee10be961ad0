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
    """Bytes to str: BOMs, BOM-less UTF-16 and UTF-8 first, then charset detection; refuse
    binary, and refuse UTF-8 with broken bytes rather than read all of it as mojibake."""
    data = doc.data
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:   # a BOM followed by junk (issue 8: never a traceback)
                raise ParseError(doc.name, f"starts with a {enc} byte order mark but is not {enc} text") from None
    # Issue 8: UTF-16 without a BOM whose text is ASCII is also valid UTF-8 (one NUL after or
    # before every letter), so it has to be recognised before UTF-8 is tried.
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        # Issue 8: a UTF-8 file with a few broken bytes is not in a legacy encoding; detection
        # would read every accented letter of it as two wrong ones. Refuse and say where.
        if _mostly_utf8(data):
            raise ParseError(doc.name, f"invalid UTF-8 at byte {e.start} (the rest of the file is UTF-8)") from None
        text = _detected(data)
        if text is None:
            raise ParseError(doc.name, "binary content, not text") from None
    if "\x00" in text:
        raise ParseError(doc.name, "contains NUL bytes, not a text document")
    return text


# Single-byte Western code pages. charset detection cannot tell them from Central European or
# Baltic ones on a short text (all decode "Résumé" the same), and picks cp1250 or cp775 as
# often as not, which garbles ï, ’ and €; among equally good guesses, Western wins (issue 8).
_WESTERN = {"cp1252", "latin_1", "iso8859_15"}
_TIE = 0.02


def _detected(data: bytes) -> str | None:
    matches = list(from_bytes(data))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    if any(_WESTERN & {m.encoding, *m.could_be_from_charset} for m in matches if m.chaos <= best + _TIE):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:       # one of the five bytes cp1252 leaves undefined
            return data.decode("latin-1")
    return str(from_bytes(data).best())


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs fill (nearly) every other byte and no other."""
    enc = utf16_guess(data, len(data))
    if enc is None:
        return None
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    return enc if "\x00" not in text else None


def utf16_guess(head: bytes, size: int) -> str | None:
    """_bomless_utf16's guess from the first 4 KB and the size, before the whole is decoded."""
    sample = head[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 8 or size % 2:
        return None
    half = len(sample) // 2
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    return "utf-16-le" if odd >= 0.7 * half and even == 0 else "utf-16-be" if even >= 0.7 * half and odd == 0 else None


# Bytes that are not UTF-8 (as surrogateescape decodes them), and valid non-ASCII characters.
BAD_UTF8 = re.compile(r"[\udc80-\udcff]")
GOOD_NON_ASCII = re.compile(r"[^\x00-\x7f\udc80-\udcff]")


def _mostly_utf8(data: bytes) -> bool:
    """Valid multi-byte UTF-8 characters outnumber the invalid bytes two to one. Legacy
    encodings are mostly invalid as UTF-8 (Latin-1 all but never valid, GBK, Big5 and
    Shift-JIS about one valid pair in five); broken UTF-8 is the other way round."""
    text = data.decode("utf-8", "surrogateescape")
    bad = len(BAD_UTF8.findall(text))
    good = len(GOOD_NON_ASCII.findall(text))
    return good >= 2 * bad


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


def flatten(el) -> str:
    """Text of an XML element with inline markup (<i>, <sup>, MathML) flattened.

    Entity references (never resolved) and comments contribute nothing but their tails."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(flatten(child))
        parts.append(child.tail or "")
    return "".join(parts)


def tag_name(elem) -> str:
    """An element's local name ("{ns}record" -> "record"). Not etree.QName(): libxml2 hands a
    recovered tag such as ':' or 'a:' to the start event, and QName() raises ValueError on it
    (issue 8 fuzzing: parse() must raise only ParseError)."""
    return str(elem.tag).rsplit("}", 1)[-1]


def refuse_declared_entities(root, source: str, what: str, note: str = "") -> None:
    """XML that declares its own entities is refused before any content is read: literature
    files never need them, and entity expansion is how XML bombs and file leaks work."""
    dtd = root.getroottree().docinfo.internalDTD
    names = [e.name for e in dtd.iterentities()] if dtd is not None else []
    if names:
        raise ParseError(source, f"refusing {what} that declares entities ({', '.join(names[:5])})"
                         + (f"; {note}" if note else ""))
