"""PDF articles: the text layer, page by page, read with pypdf.

The record's text is the pages' text (pypdf's default, layout-insensitive extraction)
joined with a blank line, so sections, tables, sentences and figures are found exactly as
for a plain-text article, and every quote is a substring of that text.
`record.extra["pages"]` holds each page's (start, end) in it; `page_of` turns an offset
into a page number and `add_page_locators` writes "page N" onto extracted items.

Running heads and footers (a line repeated at the top or bottom of most pages, perhaps
with a different page number) stay in the text, so offsets stay true, and are marked as
furniture spans, so extraction reads past them.

Everything pypdf can raise on a hostile or broken file becomes a one-line ParseError.
"""
from __future__ import annotations

import io
import logging
import math
import os
import re
from contextlib import contextmanager
from typing import Iterator

from kb.errors import KbError, ParseError
from kb.extract.article import document_spans
from kb.extract.sections import CAPTION_START, TABLE_START, heading_kind, lines_of
from kb.hookspecs import hookimpl
from kb.ingesters.base import guess_language, normalise_doi
from kb.ingesters.text_article import DOI_RE, PMID_RE, MIN_LETTER_SHARE, guess_title
from kb.extract.pages import add_page_locators, page_of  # noqa: F401  (re-exported for callers)
from kb.models import ArticleRecord, Document, Span

# Between the texts of two pages in record.text: a blank line, as text tools print them.
PAGE_SEPARATOR = "\n\n"
# An article is tens of pages; a 500-page file is a book or a scan dump, and extracting
# it would take minutes. KB_MAX_PDF_PAGES overrides.
DEFAULT_MAX_PAGES = 500
# Acrobat accepts the %PDF- header anywhere in the first 1024 bytes (junk before it is
# common in files saved from mail or web servers).
MAGIC_WINDOW = 1024
_MAGIC = re.compile(rb"%PDF-")
_VERSIONED_MAGIC = re.compile(rb"%PDF-\d\.\d")
# A PDF's last %%EOF sits at the very end; writers may add a newline or a little padding.
EOF_WINDOW = 2048
_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
# Fewer letters than this outside furniture: no text layer to speak of (a scan, perhaps
# with a "Downloaded from" stamp). One abstract alone has well over a thousand.
MIN_LETTERS = 200
# Running heads and footers are looked for among this many lines at each end of a page.
EDGE_LINES = 3
# A line is furniture when it repeats (digits aside) on at least this share of the pages
# after the first: journals alternate two running heads, each on half the pages, and
# the first page usually carries neither.
FURNITURE_SHARE = 0.4
# Lines that differ only in their digits (page numbers, volume) count as the same line.
_DIGITS = re.compile(r"\d+")
# Control characters that would upset SQLite or the text model; replaced one for one so
# that offsets do not move. Surrogates (from broken font maps) cannot be stored as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
# A /Title that is a file name or a placeholder, not the article's title.
_BAD_TITLE = re.compile(r"(?i)^(microsoft (word|powerpoint)|untitled|document\d*$)|\.(pdf|docx?|tex|dvi|indd|qxd)$")
# Marks a pypdf warning about a stream that would not decode.
CONTENT_DAMAGE = "stream: "
# A title is set clearly larger than the body text; below 1.2 times the body size the
# largest run is more likely a bold heading or a journal banner than the title.
TITLE_SIZE_RATIO = 1.2


class PdfIngester:
    format = "pdf"
    # Magic bytes are the surest signal there is: asked before every text-based format.
    priority = 90

    def sniff(self, head: bytes, doc: Document) -> bool:
        # At the very start it is a PDF (or claims to be, and parse says it is not).
        if _MAGIC.match(head.lstrip()):
            return True
        # Further in, only a versioned header in a file that also ends like a PDF: a text
        # that merely mentions "%PDF-1.4" near its top stays text.
        return bool(_VERSIONED_MAGIC.search(head[:MAGIC_WINDOW])) and b"%%EOF" in doc.data[-EOF_WINDOW:]

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        yield parse_pdf(doc)


def max_pages() -> int:
    raw = os.environ.get("KB_MAX_PDF_PAGES", str(DEFAULT_MAX_PAGES))
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise KbError(f"KB_MAX_PDF_PAGES must be a whole number of pages above 0, not {raw!r}")
    return n


def _one_line(e: BaseException) -> str:
    msg = re.sub(r"\s+", " ", str(e)).strip()
    return (msg[:160] + "...") if len(msg) > 160 else (msg or type(e).__name__)


@contextmanager
def _quiet_pypdf(collected: list[str]):
    """pypdf logs what it repairs; keep it off the user's terminal, in the record instead.
    Messages of its stream decoders are marked, as they mean lost page content."""
    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(collected) < 20:
                msg = _one_line(Exception(record.getMessage()))
                collected.append(f"{CONTENT_DAMAGE}{msg}" if record.name == "pypdf.filters" else msg)

    log = logging.getLogger("pypdf")
    handler = Collect(logging.WARNING)
    saved = log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.propagate = saved


def parse_pdf(doc: Document) -> ArticleRecord:
    """Document -> ArticleRecord with the text layer; ParseError for anything unreadable."""
    data = doc.data
    if not _OBJECT.search(data):
        raise ParseError(doc.path, "not a valid PDF")
    if b"%%EOF" not in data.rstrip()[-EOF_WINDOW:]:
        # pypdf would rebuild what it can, and half an article would pass for a whole one.
        raise ParseError(doc.path, "damaged PDF: truncated (no %%EOF marker at the end)")
    warnings: list[str] = []
    with _quiet_pypdf(warnings):
        try:
            reader = _open(doc)
            limit = max_pages()
            try:
                n_pages = len(reader.pages)
            except Exception as e:  # noqa: BLE001 - pypdf raises many kinds on broken files
                raise ParseError(doc.path, f"damaged PDF: page tree unreadable ({_one_line(e)})") from None
            if n_pages == 0:
                raise ParseError(doc.path, "damaged PDF: no pages")
            if n_pages > limit:
                raise ParseError(doc.path, f"{n_pages} pages, more than the {limit}-page limit (KB_MAX_PDF_PAGES)")
            texts, sizes = _page_texts(doc, reader, n_pages)
            meta_title = _metadata_title(reader)
        except KbError:
            raise
        except RecursionError:
            raise ParseError(doc.path, "damaged PDF: objects nested too deeply") from None
        except MemoryError:
            raise ParseError(doc.path, "damaged PDF: too large to decompress") from None
        except Exception as e:  # noqa: BLE001 - whatever else pypdf raises is a damaged file
            raise ParseError(doc.path, f"damaged PDF: {_one_line(e)}") from None

    text, pages = join_pages(texts)
    furniture = find_furniture(text, pages)
    body = _outside(text, furniture)
    letters = sum(ch.isalpha() for ch in body)
    if letters < MIN_LETTERS:
        damage = next((w for w in warnings if w.startswith(CONTENT_DAMAGE)), None)
        if damage:
            raise ParseError(doc.path, f"damaged PDF: page content unreadable ({damage[len(CONTENT_DAMAGE):]})")
        raise ParseError(doc.path, "no text layer (scanned PDF?)")
    shown = sum(not ch.isspace() for ch in body)
    if letters < MIN_LETTER_SHARE * shown:
        raise ParseError(doc.path, "text layer unreadable (fonts without a Unicode map?)")

    first = text[: pages[min(1, len(pages) - 1)][1]]   # the first two pages
    page1 = _outside(text[: pages[0][1]], [s for s in furniture if s.end <= pages[0][1]], keep_lines=True)
    doi = DOI_RE.search(first)
    pmid = PMID_RE.search(first)
    record = ArticleRecord(
        source_format="pdf",
        text=text,
        title=meta_title or _title_by_size(sizes, page1) or guess_title(page1),
        doi=normalise_doi(doi.group(1)) if doi else None,
        pmid=pmid.group(1) if pmid else None,
        language=guess_language(text[:5000]),
        extra={"pages": pages},
    )
    if warnings:
        record.extra["pdf_warnings"] = warnings
    # Sections and tables are found in the text with the furniture blanked out (same
    # length, so the same offsets): a running head must not end a table that runs on
    # over a page break, nor pass for a paragraph.
    masked = ArticleRecord(source_format="pdf", text=mask(text, furniture))
    record.spans = _merge_spans(document_spans(masked), furniture)
    return record


def _open(doc: Document):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(doc.data), strict=False)
    except RecursionError:
        raise
    except Exception as e:  # noqa: BLE001
        raise ParseError(doc.path, f"damaged PDF: {_one_line(e)}") from None
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except DependencyError:
            raise ParseError(doc.path, "encrypted PDF (AES; needs the 'cryptography' package to decrypt)") from None
        except Exception as e:  # noqa: BLE001
            raise ParseError(doc.path, f"damaged PDF: encryption dictionary unreadable ({_one_line(e)})") from None
        if not ok:
            raise ParseError(doc.path, "encrypted PDF")
    return reader


def _page_texts(doc: Document, reader, n_pages: int) -> tuple[list[str], list[tuple[float, str]]]:
    """Each page's text; for page 1 also (font size, text) of every text run, for the title."""
    texts: list[str] = []
    sizes: list[tuple[float, str]] = []

    def visit(s, cm, tm, font_dict, font_size):
        if s and s.strip() and font_size:
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes.append((round(float(font_size) * math.sqrt(abs(a * d - b * c)), 1), s))

    for k in range(n_pages):
        page = reader.pages[k]
        try:
            t = page.extract_text(visitor_text=visit) if k == 0 else page.extract_text()
        except (RecursionError, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001
            raise ParseError(doc.path, f"damaged PDF: page {k + 1} unreadable ({_one_line(e)})") from None
        texts.append(normalise_page_text(t or ""))
    return texts, sizes


def normalise_page_text(t: str) -> str:
    """Line ends to \\n; control characters and stray surrogates to a space, one for one."""
    t = t.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", t).rstrip()


def join_pages(texts: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Pages joined with PAGE_SEPARATOR, and each page's (start, end) in the result."""
    pages, pos = [], 0
    for t in texts:
        pages.append((pos, pos + len(t)))
        pos += len(t) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(texts), pages


# --- furniture ----------------------------------------------------------------------------

def _furniture_key(line: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", " ", line).strip()).lower()


def _could_be_furniture(line: str) -> bool:
    """Headings, table titles and captions repeat too ("Table 2 (continued)"): never furniture."""
    s = line.strip()
    return bool(s) and not heading_kind(s) and not TABLE_START.match(s) and not CAPTION_START.match(s)


def find_furniture(text: str, pages: list[tuple[int, int]]) -> list[Span]:
    """Running heads and footers: among the first and last EDGE_LINES lines of each page,
    those that repeat (digits aside) on at least FURNITURE_SHARE of the pages after the
    first, and on two pages at least."""
    if len(pages) < 2:
        return []
    edges: list[list[tuple[int, int, str]]] = []
    for start, end in pages:
        lines = [ln for ln in lines_of(text[start:end]) if ln.text.strip()]
        picked = lines[:EDGE_LINES] + lines[max(EDGE_LINES, len(lines) - EDGE_LINES):]
        edges.append([(start + ln.start, start + ln.end, _furniture_key(ln.text))
                      for ln in picked if _could_be_furniture(ln.text)])
    seen: dict[str, int] = {}
    for page in edges:
        for key in {k for _, _, k in page}:
            seen[key] = seen.get(key, 0) + 1
    need = max(2, math.ceil(FURNITURE_SHARE * (len(pages) - 1)))
    return [Span("furniture", s, e) for page in edges for s, e, k in page if seen[k] >= need]


def mask(text: str, spans: list[Span]) -> str:
    """The text with each span's characters turned into spaces (newlines kept)."""
    chars = list(text)
    for s in spans:
        for k in range(s.start, s.end):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def _merge_spans(spans: list[Span], furniture: list[Span]) -> list[Span]:
    have = {(s.start, s.end) for s in spans if s.kind == "furniture"}
    merged = spans + [f for f in furniture if (f.start, f.end) not in have]
    return sorted(merged, key=lambda s: (s.start, s.kind in ("table", "caption", "furniture")))


def _outside(text: str, spans: list[Span], keep_lines: bool = False) -> str:
    """The text with the given spans cut out (their lines dropped when keep_lines)."""
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos:s.start])
        pos = max(pos, s.end + (1 if keep_lines and text[s.end:s.end + 1] == "\n" else 0))
    out.append(text[pos:])
    return "".join(out)


# --- metadata -----------------------------------------------------------------------------

def _plausible_title(s: str | None) -> str | None:
    if not s:
        return None
    s = re.sub(r"\s+", " ", str(s)).strip()
    if not 15 <= len(s) <= 300 or len(s.split()) < 3 or _BAD_TITLE.search(s):
        return None
    if sum(ch.isalpha() for ch in s) < 0.6 * len(s):
        return None
    return s


def _metadata_title(reader) -> str | None:
    try:
        meta = reader.metadata
        return _plausible_title(meta.title if meta else None)
    except Exception:  # noqa: BLE001 - a broken info dictionary only costs the title
        return None


def _title_by_size(sizes: list[tuple[float, str]], page1: str) -> str | None:
    """The run(s) of the largest type on page 1, when clearly larger than the body text and
    standing before the Abstract heading."""
    if not sizes:
        return None
    by_size: dict[float, int] = {}
    for size, s in sizes:
        by_size[size] = by_size.get(size, 0) + len(s)
    body = max(by_size, key=by_size.get)
    top = max(by_size)
    if top < TITLE_SIZE_RATIO * body:
        return None
    title = _plausible_title(" ".join(s for size, s in sizes if size == top))
    if not title:
        return None
    m = re.search(r"(?im)^\s*(abstract|summary)\s*:?\s*$", page1)
    first_words = " ".join(title.split()[:4])
    at = re.sub(r"\s+", " ", page1).find(first_words)
    if at < 0 or (m and at > len(re.sub(r"\s+", " ", page1[: m.start()]))):
        return None
    return title


@hookimpl
def register_ingesters():
    return [PdfIngester()]
