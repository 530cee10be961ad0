"""Plain text of an article, typically extracted from a PDF: the generic fallback.

The record's text is the decoded file itself, so every quote is an exact substring of
the user's file. Sections, tables and sentences are found by the extract stage.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import decode_text, guess_language, normalise_doi
from kb.models import ArticleRecord, Document

DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)\]])")
PMID_RE = re.compile(r"\bPMID:?\s*(\d{6,9})\b")
# Above this share of letters-free content a file is not prose (a data dump, a binary).
MIN_LETTER_SHARE = 0.3
# Below this a "text" is an error message or a stub ("Resource not found."), not a paper;
# the shortest real abstracts run to several hundred letters.
MIN_LETTERS = 100
# A real article's longest line is a paragraph (tens of KB where a PDF tool writes a paragraph
# per line). A megabyte without a line break is a data dump, and extraction over it would run
# for minutes: issue 8, "a single 100 MB line", must fail fast instead.
MAX_LINE_CHARS = 1_000_000
# An article is prose: it has a sentence, here four or more words (three of them words of
# letters) ending in a full stop, or a CJK full stop. Word lists, file lists, sequences,
# alignments and program output have none; the shortest real abstract has several. Looked
# for in the first PROSE_WINDOW characters; at most 30 words before the stop, so that a long
# run without one fails fast.
_SENTENCE = re.compile(r"(?:\S+\s+){3,30}\S*[^\W_][)\]%]?[.!?](?=\s|$)|[\u3002\uff01\uff1f]")
_WORD = re.compile(r"(?<!\S)\(?[^\W\d_]{2,}[,;:)]?(?=\s)")
MIN_SENTENCES = 1
PROSE_WINDOW = 50_000


def guess_title(text: str) -> str | None:
    """The first line, when it stands before an Abstract heading and reads like a title."""
    lines = [ln.strip() for ln in text.split("\n")[:12]]
    labelled = re.match(r"TITLE:\s*(\S.{13,299})$", lines[0]) if lines else None
    if labelled:   # "TITLE: ..." (a full text rendered with its outline's path headings)
        return labelled.group(1).strip()
    for k, ln in enumerate(lines):
        if re.fullmatch(r"(?i)abstract|summary", ln):
            # (the first line that reads like a title: a page copied from the web starts with
            # its navigation, "Skip to main content", a journal logo, the citation line)
            for cand in lines[:k]:
                if not cand or _PAGE_CHROME.search(cand) or _CITATION_LINE.search(cand) or len(cand.split()) < 4:
                    continue
                if 15 <= len(cand) <= 300 and not cand.endswith(".") and not re.search(r"\d{4}|doi|©", cand, re.I):
                    return cand
                return None
            return None
    return None


# The citation line of a journal page: ". 2016 Apr 4;7(22):33408-33417. doi: 10.18632/..."
_CITATION_LINE = re.compile(r"(?i)\bdoi:\s*10\.|\b(?:19|20)\d\d\s+[A-Z][a-z]{2}(?:\s+\d{1,2})?;\s*\d+")
_PAGE_CHROME = re.compile(r"(?i)^(?:skip to|jump to|go to)\b|logo|\b(?:main content|sign in|log in|cookies?|advertisement|"
                          r"download pdf|view pdf|open access|menu)\b")


_PROLOG_ITEM = re.compile(r"\s*(?:<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE\s+([\w:.-]+)[^>]*>)", re.S | re.I)
_ROOT = re.compile(r"\s*<([A-Za-z][\w:.-]*)")


def _markup_root(text: str) -> str | None:
    """The root element name of an XML/HTML document, or None for plain text."""
    pos, doctype = 0, None
    while True:
        m = _PROLOG_ITEM.match(text, pos)
        if not m or m.end() == pos:
            break
        doctype = doctype or m.group(1)
        pos = m.end()
    m = _ROOT.match(text, pos)
    if m:
        return m.group(1)
    return doctype if pos else None


_JSON_START = re.compile(r'\s*(?:\{\s*"|\[\s*[\[{"\]])')


def has_sentences(text: str, n: int = MIN_SENTENCES) -> bool:
    found = 0
    for m in _SENTENCE.finditer(text):
        if m.group().endswith(("\u3002", "\uff01", "\uff1f")) or len(_WORD.findall(m.group())) >= 3:
            found += 1
        if found >= n:
            return True
    return False


def longest_line(text: str) -> int:
    longest, pos = 0, 0
    while True:
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        longest = max(longest, end - pos)
        if nl < 0:
            return longest
        pos = nl + 1


def refuse_markup_and_tables(path: str, text: str) -> None:
    """Plain text is the fallback format, so it must not swallow what merely failed to be
    recognised: an HTML error page, XML of another kind, a spreadsheet."""
    # Issue 8: JSON that no JSON ingester claimed (another API, a truncated or type-confused
    # record) is not an article either; no article text starts with {" or [{.
    if _JSON_START.match(text):
        raise ParseError(path, "JSON of a kind kb does not read (or broken JSON)")
    root = _markup_root(text[:8192])
    if root:
        if root.lower() == "html":
            raise ParseError(path, "an HTML page, not an article or a record kb can read")
        raise ParseError(path, f"XML of a kind kb does not read (root <{root}>)")
    rows = []
    try:
        for row in csv.reader(io.StringIO(text[:200_000])):
            rows.append(len(row))
            if len(rows) >= 20:
                break
    except csv.Error:
        return
    if len(rows) >= 3 and min(rows) >= 4 and len(set(rows)) == 1:
        raise ParseError(path, "a table (CSV) without the columns of a reference export (title, authors, ...)")


class TextArticleIngester:
    format = "text"
    priority = 0

    def sniff(self, head: bytes, doc: Document) -> bool:
        return True

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        text = decode_text(doc)
        # Markup first: XML of another kind that is mostly numbers (an E-utilities eLink
        # answer) is named as what it is, not as "too few letters".
        refuse_markup_and_tables(doc.path, text)
        letters = sum(ch.isalpha() for ch in text[:20000])
        if letters < MIN_LETTER_SHARE * min(len(text), 20000):
            raise ParseError(doc.path, "does not look like article text (too few letters)")
        if letters < MIN_LETTERS:
            raise ParseError(doc.path, f"too short to be an article ({letters} letters)")
        if not has_sentences(text[:PROSE_WINDOW]):
            raise ParseError(doc.path, "not article text: no sentences (a word list, table, sequence or "
                                       "program output?)")
        longest = longest_line(text)
        if longest > MAX_LINE_CHARS:
            raise ParseError(doc.path, f"a line of {longest / 1e6:.0f} million characters: a data dump, "
                                       "not article text")
        head = text[:5000]
        doi = DOI_RE.search(head)
        pmid = PMID_RE.search(head)
        yield ArticleRecord(
            source_format="text",
            text=text,
            title=guess_title(text),
            doi=normalise_doi(doi.group(1)) if doi else None,
            pmid=pmid.group(1) if pmid else None,
            language=guess_language(text[:5000]),
        )


@hookimpl
def register_ingesters():
    return [TextArticleIngester()]
