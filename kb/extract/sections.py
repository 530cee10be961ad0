"""The text model: sections, tables, captions and sentences of PDF-extracted text.

Everything keeps offsets into the original text. Prose is read through a *clean view*:
tables, captions and page furniture cut out, words hyphenated across lines joined,
unicode dashes/minus, non-breaking spaces and ligatures normalised. `CleanText.span()`
maps a stretch of the clean view back to the original, so every quote stays an exact
substring of what the user gave us.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from kb.models import Span

# Section headings as they stand alone on a line in PDF text.
_HEADINGS = {
    "abstract": "abstract", "summary": "abstract",
    "background": "introduction", "introduction": "introduction",
    "methods": "methods", "materials and methods": "methods", "patients and methods": "methods",
    "material and methods": "methods", "methods and materials": "methods", "study design": "methods",
    "experimental procedures": "methods", "statistical analysis": "methods",
    "results": "results", "findings": "results", "results and discussion": "results",
    "outcomes": "results", "case presentation": "results", "case report": "results", "case reports": "results",
    "subjects and methods": "methods", "methodology": "methods",
    "study population": "methods", "statistical methods": "methods",
    "introduction and background": "introduction", "rationale": "introduction",
    "concluding remarks": "conclusions", "summary and conclusions": "conclusions",
    "discussion": "discussion", "comment": "discussion",
    "conclusion": "conclusions", "conclusions": "conclusions",
    "references": "references", "bibliography": "references", "literature cited": "references",
    "acknowledgements": "other", "acknowledgments": "other", "funding": "other",
    "abbreviations": "other", "declarations": "other", "competing interests": "other",
    "conflict of interest": "other", "conflicts of interest": "other", "author contributions": "other",
    "authors' contributions": "other", "supplementary information": "other",
    "availability of data and materials": "other", "ethics approval and consent to participate": "other",
}
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+")
TABLE_START = re.compile(r"^\s*(Table|TABLE)\s+(\d+|[IVX]+)\b(.*)$")
CAPTION_START = re.compile(r"^\s*(Fig\.?|Figure|FIGURE|Supplementary\s+(?:Fig|Table))\s*\d+[A-Za-z]?\b")
_FURNITURE = re.compile(
    r"^\s*(Page \d+ of \d+|\d{1,4}|©.*|.*\bet al\. [A-Z][\w .&-]+ \(\d{4}\) \d+:\d+.*|"
    r"(https?://)?(dx\.)?doi\.org/\S+|Downloaded from .*|.*All rights reserved\.?)\s*$")
# What a line _FURNITURE matches starts with (after its indent) or contains: most lines
# have none of these, and the pattern's ".*" branches would walk all of them.
_FURNITURE_STARTS = ("Page ", "©", "http", "dx.", "doi.org/", "Downloaded from ")


def _furniture(line: str) -> re.Match | None:
    """_FURNITURE.match(line), tried only on lines it can match."""
    t = line.lstrip()
    if not (t.startswith(_FURNITURE_STARTS) or t[:1].isdigit() or "et al. " in line or "All rights reserved" in line):
        return None
    return _FURNITURE.match(line)


_CAPTION_CONTINUES = re.compile(r"([/,-]|\b(of|and|or|with|the|in|to|for|by|a|an))\s*$")
_ROW_NUMBER = re.compile(r"(?<![\w.])[<>≤≥]?\s?\d+(?:[.,]\d+)?%?(?![\w])")
_WS = re.compile(r"\s+")
_WORD2 = re.compile(r"[A-Za-z]{2,}")
_WORD3 = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Line:
    start: int
    end: int     # end of the line's text, before its newline
    text: str


def lines_of(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


@lru_cache(maxsize=8192)
def heading_kind(line: str) -> str | None:
    """Cached: the span detector asks about the same lines more than once."""
    # _NUMBERED is anchored at the start: its one possible match is cut off; str.split()
    # splits at exactly the characters \s matches, so the join is re.sub(r"\s+", " ", ...).strip().
    m = _NUMBERED.match(line)
    s = " ".join((line[m.end():] if m else line).split()).rstrip(":").strip()
    return _HEADINGS.get(s.lower()) if 2 < len(s) < 60 else None


# A heading written as its path in the document's outline, upper-cased, alone on its line or
# before the paragraph it heads: "BODY.RESULTS:", "BODY.METHODS.STATISTICAL ANALYSIS: We ...",
# "ABSTRACT.SUMMARY.FINDINGS: ...", "BODY.3. RESULTS.3.1. PATIENTS:", "TITLE: ..." (how PMC full texts are commonly rendered
# as plain text, e.g. in the Evidence Inference corpus).
_PATH_HEADING = re.compile(r"[ \t]*(?P<path>(?:TITLE|ABSTRACT|BODY)(?:\. ?[A-Z0-9][A-Z0-9 ,&'()/+\-]{0,80})*)[ \t]*:(?=\s|$)")
_PATH_WORDS = (("method", "methods"), ("result", "results"), ("discussion", "discussion"), ("conclusion", "conclusions"),
               ("introduction", "introduction"), ("background", "introduction"))


def path_heading(line: str) -> tuple[str | None, int] | None:
    """(kind, end of the heading) of a line that opens with an outline-path heading, else None.
    The kind is the deepest part of the path that names a section ("BODY.RESULTS.SURVIVAL" is
    results); None when no part does (the section goes on)."""
    if not line.lstrip()[:1] in "TAB" or not line.lstrip().startswith(("TITLE", "ABSTRACT", "BODY")):
        return None
    m = _PATH_HEADING.match(line)
    if not m:
        return None
    parts = m.group("path").split(".")
    if parts[0] == "TITLE":
        return "title", m.end()
    if parts[0] == "ABSTRACT":
        return "abstract", m.end()
    for part in reversed(parts[1:]):
        low = " ".join(part.lower().split())
        kind = _HEADINGS.get(low) or next((k for w, k in _PATH_WORDS if w in low), None)
        if kind:
            return kind, m.end()
    # "BODY:" alone opens the paper's body, which starts with its introduction.
    return ("introduction" if len(parts) == 1 else None), m.end()


def clear_caches() -> None:
    heading_kind.cache_clear()


def _looks_like_table_row(s: str) -> bool:
    """Short lines, or lines whose numbers stand in cells rather than in sentences."""
    t = s.strip()
    if not t:
        return True
    nums = len(_ROW_NUMBER.findall(t))
    words = len(_WORD3.findall(t))
    if t.endswith(".") and words > 6:
        return False
    if nums and words <= 6:
        return True
    return len(t) <= 40 and not t[0].islower()


_FOOTNOTE = re.compile(r"^\s*([a-z*†‡§¶]\s+[A-Z*]|[*†‡§¶]|[A-Z][A-Za-z0-9-]{0,8}[,:] [a-z][^;]{2,60};)")


_ABBREV_DEF = re.compile(r"\b[A-Z][A-Za-z0-9-]{1,8}[,:] [a-z]")


def _looks_like_prose(s: str) -> bool:
    """A line of running text: long and wordy, or a sentence resuming in lower case."""
    t = s.strip()
    if _FOOTNOTE.match(s) or len(_ABBREV_DEF.findall(t)) >= 2:
        return False
    if len(t) > 25 and t[0].islower() and len(_WORD2.findall(t)) >= 4:
        return True
    return len(t) > 45 and len(_WORD2.findall(t)) >= 6 and not _looks_like_table_row(s)


def detect_spans(text: str) -> list[Span]:
    """Sections, tables, captions and furniture of a PDF-like text, in document order.

    Section spans cover the prose of each section; table, caption and furniture spans
    are laid over them (a table inside the results stays a table).
    """
    lines = lines_of(text)
    spans: list[Span] = []
    current, cur_start, cur_title = "front", 0, None
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        kind = heading_kind(ln.text)
        if kind is None and ln.text[:1] in "TAB \t":
            ph = path_heading(ln.text)
            if ph:
                kind = ph[0] or current
        if kind:
            if ln.start > cur_start:
                spans.append(Span(current, cur_start, ln.start, cur_title))
            current, cur_start, cur_title = kind, ln.start, ln.text.strip()
            i += 1
            continue
        m = TABLE_START.match(ln.text)
        if m and not ln.text.strip().endswith(".") or (m and len(ln.text) < 120):
            j = i + 1
            # A caption may wrap onto a second line; then rows until prose resumes.
            while j < n and not _looks_like_prose(lines[j].text) and not heading_kind(lines[j].text) \
                    and not CAPTION_START.match(lines[j].text) and not (
                        TABLE_START.match(lines[j].text) and j > i + 1 and lines[j - 1].text.strip() == ""
                        and not re.search(r"continued", lines[j].text, re.I)):
                j += 1
            while j > i + 1 and not lines[j - 1].text.strip():
                j -= 1
            spans.append(Span("table", ln.start, lines[j - 1].end, ln.text.strip()))
            i = j
            continue
        if CAPTION_START.match(ln.text):
            j = i + 1
            # A caption wraps onto the next line only when its line stops mid-phrase;
            # a line starting with a space is a new text block (the interrupted prose).
            while j < n and j < i + 3 and _CAPTION_CONTINUES.search(lines[j - 1].text) \
                    and lines[j].text.strip() and not lines[j].text[:1].isspace():
                j += 1
            spans.append(Span("caption", ln.start, lines[j - 1].end, ln.text.strip()))
            i = j
            continue
        if _furniture(ln.text) and ln.text.strip():
            spans.append(Span("furniture", ln.start, ln.end))
        i += 1
    spans.append(Span(current, cur_start, len(text), cur_title))
    return sorted(spans, key=lambda s: (s.start, s.kind in ("table", "caption", "furniture")))




def section_at(spans: list[Span], pos: int) -> str | None:
    """The innermost span kind at a position: overlays (tables, captions) win over sections."""
    best = None
    for s in spans:
        if s.start <= pos < s.end:
            if best is None or s.kind in ("table", "caption", "furniture") or (s.end - s.start) < (best.end - best.start):
                best = s
    return best.kind if best else None


# --- the clean view -----------------------------------------------------------------

_CHAR_MAP = {
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u00ad": "",
    "\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl",
    "\u00b7": ".", "\u2027": ".",  # the Lancet's decimal point (0·36) and its look-alike
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\t": " ",
}
# Compounds whose hyphen is real even when it falls at a line break.
_KEEP_HYPHEN = re.compile(
    r"(?:^|[^A-Za-z])(follow|long|short|well|non|self|high|low|first|second|third|two|three|"
    r"four|five|ten|one|multi|single|double|post|pre|anti|co|semi|sub|small|large|wide|open|"
    r"dose|time|event|disease|progression|recurrence|relapse|metastasis|failure|treatment|"
    r"intensity|age|sex|cause|year|month|day|placebo|case|cross|all)$", re.I)


# What the copy loop must look at: line breaks, runs of spaces, characters to normalise.
# Characters replaced one for one by a character that is not a space: they need no care
# beyond the replacement, which is made in one pass before the copy (same length, so the
# copy's offsets are the original's).
_SIMPLE_MAP = {c: r for c, r in _CHAR_MAP.items() if len(r) == 1 and r != " "}
_SIMPLE = re.compile("[" + "".join(re.escape(c) for c in _SIMPLE_MAP) + "]")
_SPECIAL_CHARS = "\n\r" + "".join(re.escape(c) for c in _CHAR_MAP if c not in _SIMPLE_MAP)
# What needs care is "[specials]| {2,}": a special character, found with this class (sre skips
# ahead to it), or a run of two or more spaces, found with str.find("  ").
_SPECIAL_CHAR = re.compile(f"[{_SPECIAL_CHARS}]")


class CleanText:
    """The clean view: `text`, and for each of its characters the original position
    (`index`), kept as segments: a run copied from the original, or characters the view put
    in for one original position (a space for a line break, "fi" for a ligature)."""
    __slots__ = ("_index", "_seg_clean", "_seg_orig", "_seg_step", "_size", "breaks", "kinds", "original", "text")

    def __init__(self, text: str, segments: tuple[list[int], list[int], list[int], int], original: str,
                 breaks: list[int], kinds: list[tuple[int, str]]):
        self.text = text               # the clean view
        self.original = original
        self.breaks = breaks           # clean positions where a new section or heading starts (hard sentence breaks)
        self.kinds = kinds             # (clean position, section kind) from there on
        # Entry c of the index is in segment k when _seg_clean[k] <= c < _seg_clean[k + 1];
        # it is _seg_orig[k] + (c - _seg_clean[k]) * _seg_step[k] (step 1: copied; 0: all at
        # one position). _size entries in all (len(text), unless a kept range ran past the
        # end of the text: its positions are listed all the same).
        self._seg_clean, self._seg_orig, self._seg_step, self._size = segments
        self._index: list[int] | None = None

    @property
    def index(self) -> list[int]:
        """Clean position -> original position, for every character of the clean view."""
        if self._index is None:
            self._index = [self._orig(c) for c in range(self._size)]
        return self._index

    def _orig(self, c: int) -> int:
        if c < 0:
            c += self._size     # as a list of the positions would index
        if not 0 <= c < self._size:
            raise IndexError("clean position out of range")
        k = bisect.bisect_right(self._seg_clean, c) - 1
        return self._seg_orig[k] + (c - self._seg_clean[k]) * self._seg_step[k]

    def span(self, cs: int, ce: int) -> tuple[int, int]:
        """Original (start, end) for the clean stretch [cs, ce)."""
        ce = max(ce, cs + 1)
        return self._orig(cs), self._orig(min(ce, self._size) - 1) + 1

    def quote(self, cs: int, ce: int) -> tuple[str, int, int]:
        s, e = self.span(cs, ce)
        return self.original[s:e], s, e

    def spans(self, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """[self.span(cs, ce) for cs, ce in pairs], walking the segments once when the
        stretches come in order (sentences do)."""
        out = []
        seg_clean, seg_orig, seg_step, size = self._seg_clean, self._seg_orig, self._seg_step, self._size
        k, last = 0, 0
        for cs, ce in pairs:
            e = min(max(ce, cs + 1), size) - 1
            if not last <= cs <= e < size:
                return [self.span(a, b) for a, b in pairs]     # out of order or out of range
            last = e
            while k + 1 < len(seg_clean) and seg_clean[k + 1] <= cs:
                k += 1
            a = seg_orig[k] + (cs - seg_clean[k]) * seg_step[k]
            while k + 1 < len(seg_clean) and seg_clean[k + 1] <= e:
                k += 1
            out.append((a, seg_orig[k] + (e - seg_clean[k]) * seg_step[k] + 1))
        return out


class _Builder:
    """The clean view being written: its text in pieces, its index in segments."""
    __slots__ = ("n", "pieces", "seg_clean", "seg_orig", "seg_step", "size")

    def __init__(self) -> None:
        self.pieces: list[str] = []   # never an empty piece
        self.n = 0                    # characters written
        self.seg_clean: list[int] = []
        self.seg_orig: list[int] = []
        self.seg_step: list[int] = []
        self.size = 0                 # index entries written

    def _segment(self, orig: int, step: int, count: int) -> None:
        self.seg_clean.append(self.size)
        self.seg_orig.append(orig)
        self.seg_step.append(step)
        self.size += count

    def put(self, s: str, pos: int) -> None:
        """Characters that all stand for the original position pos."""
        if s:
            self.pieces.append(s)
            self.n += len(s)
            self._segment(pos, 0, len(s))

    def copy(self, text: str, i: int, j: int) -> None:
        """text[i:j], copied as it stands (positions i..j-1 indexed, even past the end)."""
        piece = text[i:j]
        if piece:
            self.pieces.append(piece)
            self.n += len(piece)
        if j > i:
            self._segment(i, 1, j - i)

    def last(self, k: int = 1) -> str:
        """The k-th character from the end (k >= 1); there must be at least k."""
        for p in reversed(self.pieces):
            if k <= len(p):
                return p[-k]
            k -= len(p)
        raise IndexError(k)

    def tail(self, size: int) -> str:
        """The last `size` characters (fewer when the view is shorter)."""
        parts, got = [], 0
        for p in reversed(self.pieces):
            parts.append(p)
            got += len(p)
            if got >= size:
                break
        return "".join(reversed(parts))[-size:]

    def pop(self) -> None:
        """Drop the last character and the last index entry."""
        p = self.pieces[-1]
        if len(p) == 1:
            self.pieces.pop()
        else:
            self.pieces[-1] = p[:-1]
        self.n -= 1
        self.size -= 1
        if self.seg_clean[-1] == self.size:
            self.seg_clean.pop()
            self.seg_orig.pop()
            self.seg_step.pop()


def clean_view(text: str, keep: list[tuple[int, int, str, bool]]) -> CleanText:
    """Concatenate the kept ranges of `text` into one normalised, offset-mapped string.

    A line break inside a word hyphenated across lines disappears with its hyphen;
    other line breaks become spaces; ranges are joined with a space.
    """
    out = _Builder()
    breaks: list[int] = []
    kinds: list[tuple[int, str]] = []
    original = text
    ascii_text = text.isascii()
    if not ascii_text:
        text = _SIMPLE.sub(lambda m: _SIMPLE_MAP[m.group()], text)

    for r_start, r_end, kind, hard in keep:
        if out.n and out.last() != " ":
            out.put(" ", r_start)
        if hard:
            breaks.append(out.n)
        if not kinds or kinds[-1][1] != kind:
            kinds.append((out.n, kind))
        i = r_start
        next_char = next_double = -2     # where the next special character / double space is, from i on
        # In ASCII text the special characters are the line breaks and the tab: each is
        # found with str.find (memchr), not by testing a set of characters at every character.
        next_nl = next_cr = next_tab = -2
        while i < r_end:
            # Copy the run of ordinary characters up to the next one that needs care.
            if next_char != -1 and next_char < i:
                if ascii_text:
                    if next_nl != -1 and next_nl < i:
                        next_nl = text.find("\n", i, r_end)
                    if next_cr != -1 and next_cr < i:
                        next_cr = text.find("\r", i, r_end)
                    if next_tab != -1 and next_tab < i:
                        next_tab = text.find("\t", i, r_end)
                    next_char = -1
                    for k in (next_nl, next_cr, next_tab):
                        if k != -1 and (next_char == -1 or k < next_char):
                            next_char = k
                else:
                    found = _SPECIAL_CHAR.search(text, i, r_end)
                    next_char = found.start() if found else -1
            if next_double != -1 and next_double < i:
                next_double = text.find("  ", i, r_end)
            if next_char == -1 and next_double == -1:
                stop, double_end = r_end, None        # nothing needs care to the range's end
            elif next_double == -1 or (next_char != -1 and next_char < next_double):
                stop, double_end = next_char, None
            else:
                stop = double_end = next_double       # the run of spaces that starts there
                while double_end < r_end and text[double_end] == " ":
                    double_end += 1
            if stop > i and text[i] == " " and out.n and out.last() == " ":
                i += 1  # one space between words, however the run began
                continue
            if stop > i:
                out.copy(text, i, stop)
                i = stop
                if i >= r_end:
                    break
            if double_end is not None:
                if out.n and out.last() != " ":
                    out.put(" ", i)
                i = double_end
                continue
            ch = text[i]
            if ch == "\n" or ch == "\r":
                # Hyphenated word across a line break: "sur-\ngery" -> "surgery".
                if out.n and out.last() == "-" and out.n > 1 and out.last(2).isalpha():
                    j = i + 1
                    while j < r_end and text[j] in " \r\n":
                        j += 1
                    if j < r_end and text[j].islower():
                        word = out.tail(25)[:-1].split(" ")[-1]
                        if not _KEEP_HYPHEN.search(word):
                            out.pop()
                        i = j
                        continue
                if out.n and out.last() == "/":
                    i += 1
                    while i < r_end and text[i] in " \r\n":
                        i += 1
                    continue
                if not out.n or out.last() != " ":
                    out.put(" ", i)
                i += 1
                continue
            mapped = _CHAR_MAP.get(ch, ch)
            if mapped == " " and out.n and out.last() == " ":
                i += 1
                continue
            out.put(mapped, i)
            i += 1
    return CleanText("".join(out.pieces), (out.seg_clean, out.seg_orig, out.seg_step, out.size), original, breaks, kinds)


def _is_subheading(lines: list[Line], k: int) -> bool:
    """A short title line between paragraphs ("Overall failure and survival")."""
    t = lines[k].text.strip()
    if not t or len(t) > 70 or not t[0].isupper() or t[-1] in ".,;:%)" or _ROW_NUMBER.search(t):
        return False
    prev = next((lines[j].text.strip() for j in range(k - 1, -1, -1) if lines[j].text.strip()), "")
    nxt = next((lines[j].text.strip() for j in range(k + 1, len(lines)) if lines[j].text.strip()), "")
    return (not prev or prev[-1] in ".!?:" or heading_kind(prev) is not None) and bool(nxt) and nxt[0].isupper()


def prose_ranges(text: str, spans: list[Span], kinds: set[str]) -> list[tuple[int, int, str, bool]]:
    """Ranges of prose in sections of the given kinds: tables, captions, furniture, the
    heading line and sub-heading lines cut out. The flag marks a hard sentence break
    before the range (a new section or sub-heading), as opposed to a sentence merely
    interrupted by a table or a page break."""
    overlays = sorted((s.start, s.end) for s in spans if s.kind in ("table", "caption", "furniture"))
    out = []
    for s in spans:
        if s.kind not in kinds:
            continue
        cuts = list(overlays)
        lines = [ln for ln in lines_of(text[s.start:s.end])]
        for k, ln in enumerate(lines):
            if k == 0 and s.title:
                ph = path_heading(ln.text)
                # (a path heading may head its paragraph on the same line: only the heading is cut)
                cuts.append((s.start + ln.start, s.start + (ln.start + ph[1] if ph else ln.end)))
            elif _is_subheading(lines, k):
                cuts.append((s.start + ln.start, s.start + ln.end))
        heads = {c for c in cuts if c not in overlays}
        pos, hard = s.start, True
        for o_start, o_end in sorted(cuts):
            if o_end <= pos or o_start >= s.end:
                continue
            if o_start > pos and text[pos:o_start].strip():
                out.append((pos, o_start, s.kind, hard))
                hard = False
            if (o_start, o_end) in heads:
                hard = True
            pos = max(pos, o_end)
        if pos < s.end and text[pos:s.end].strip():
            out.append((pos, s.end, s.kind, hard))
    return sorted(out)


# --- sentences ------------------------------------------------------------------------

_ABBREV = re.compile(
    r"(?:\b(?:et al|e\.g|i\.e|vs|Fig|Figs|No|no|approx|ref|Ref|Dr|Mr|Mrs|Ms|St|cf|ca|resp|incl|"
    r"Tab|Eq|vol|Vol|pp|Suppl|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|min|max)|\b[A-Z])\.$")
# _ABBREV's words, by their last character.
_ABBREV_WORDS: dict[str, tuple[str, ...]] = {}
for _w in ("et al", "e.g", "i.e", "vs", "Fig", "Figs", "No", "no", "approx", "ref", "Ref", "Dr", "Mr", "Mrs", "Ms", "St",
           "cf", "ca", "resp", "incl", "Tab", "Eq", "vol", "Vol", "pp", "Suppl", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
           "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "min", "max"):
    _ABBREV_WORDS[_w[-1]] = _ABBREV_WORDS.get(_w[-1], ()) + (_w,)
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _ends_abbreviation(window: str) -> bool:
    """_ABBREV.search(window) is not None, for a window that ends with its "." : a word of
    _ABBREV, or a capital, just before the dot, with no word character (\\w) before it."""
    body = window[:-1]
    last = body[-1:]
    for word in _ABBREV_WORDS.get(last, ()):
        if body.endswith(word):
            p = len(body) - len(word)
            if p == 0 or not (window[p - 1].isalnum() or window[p - 1] == "_"):
                return True
    if last in _CAPITALS:
        p = len(body) - 1
        return p == 0 or not (window[p - 1].isalnum() or window[p - 1] == "_")
    return False


# Brackets, and sentence-end marks followed by a space (a mark followed by anything else ends
# no sentence, so it is no event). One class first: sre skips ahead to its characters.
_SENTENCE_EVENTS = re.compile(r"[()\[\].!?](?:(?<=[()\[\]])|(?= ))")
# The same events found faster: sre tests a set of characters at every character, but finds
# a literal with a fast search. So the text is looked at as ASCII bytes ("?" for any other
# character: offsets carry over) with every bracket \x01, every end mark \x02 and every other
# character but the space "x"; the events are the \x01 and the \x02 before a space.
def _event_bytes(ends: str) -> bytes:
    return bytes(1 if chr(b) in "()[]" else 2 if chr(b) in ends else 32 if b == 32 else 120 for b in range(256))


_EVENT_BYTES = _event_bytes(".!?")
# (For text with other characters and no "?": the "?" that stand for them are no events.)
_EVENT_BYTES_NO_QMARK = _event_bytes(".!")
_BRACKET_MARK = re.compile(b"\x01")
_END_MARK = re.compile(b"\x02 ")


def _sentence_events(clean: str) -> list[int]:
    """The start of every match of _SENTENCE_EVENTS in `clean`, ascending."""
    if clean.isascii():
        marked = clean.encode("ascii").translate(_EVENT_BYTES)
    elif "?" not in clean:
        marked = clean.encode("ascii", "replace").translate(_EVENT_BYTES_NO_QMARK)
    else:
        return [m.start() for m in _SENTENCE_EVENTS.finditer(clean)]
    found = [m.start() for m in _BRACKET_MARK.finditer(marked)]
    ends = [m.start() for m in _END_MARK.finditer(marked)]
    if found and ends:
        found += ends
        found.sort()
        return found
    return found or ends


def split_sentences(clean: str, breaks: list[int] = ()) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in the clean view.

    Breaks after . ! ? followed by space and an upper-case letter, digit or bracket (or a
    code such as "cT3" or "p16"),
    unless the dot ends a known abbreviation or sits inside parentheses; and at every
    hard break (section or sub-heading).
    """
    end = len(clean)
    out, s, depth = [], 0, 0
    # Visit only the characters that matter (brackets, sentence ends) and the hard breaks,
    # in order, instead of every character.
    # In position order, a hard break before a character at the same position (the events
    # come in order; the breaks are merged in).
    bks = sorted(breaks) if breaks else ()
    events = []
    k, nb = 0, len(bks)
    for i in _sentence_events(clean):
        while k < nb and bks[k] <= i:
            events.append((bks[k], ""))
            k += 1
        events.append((i, clean[i]))
    events.extend((b, "") for b in bks[k:])
    for i, ch in events:
        if ch == "":
            if i > s:
                out.append((s, i))
                s, depth = i, 0
            continue
        if i < s:
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and i + 2 < end and clean[i + 1] == " ":
            nxt = clean[i + 2]
            # (or a lower-case letter starting a code: "cT3 and cT2 tumours ...", "p16 status ...")
            if (nxt.isupper() or nxt.isdigit() or nxt in "(['\""
                    or (nxt.islower() and i + 3 < end and (clean[i + 3].isupper() or clean[i + 3].isdigit()))) \
                    and not (ch == "." and _ends_abbreviation(clean[max(s, i - 8):i + 1])):
                out.append((s, i + 1))
                s = i + 2
    if s < end and clean[s:end].strip():
        out.append((s, end))
    # Trim leading spaces.
    res = []
    for a, b in out:
        while a < b and clean[a] == " ":
            a += 1
        if a < b:
            res.append((a, b))
    return res
