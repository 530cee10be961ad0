"""The text model: sections, tables, captions and sentences of PDF-extracted text.

Everything keeps offsets into the original text. Prose is read through a *clean view*:
tables, captions and page furniture cut out, words hyphenated across lines joined,
unicode dashes/minus, non-breaking spaces and ligatures normalised. `CleanText.span()`
maps a stretch of the clean view back to the original, so every quote stays an exact
substring of what the user gave us.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
_CAPTION_CONTINUES = re.compile(r"([/,-]|\b(of|and|or|with|the|in|to|for|by|a|an))\s*$")
_ROW_NUMBER = re.compile(r"(?<![\w.])[<>≤≥]?\s?\d+(?:[.,]\d+)?%?(?![\w])")


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


def heading_kind(line: str) -> str | None:
    s = re.sub(r"\s+", " ", _NUMBERED.sub("", line)).strip().rstrip(":").strip()
    return _HEADINGS.get(s.lower()) if 2 < len(s) < 60 else None


def _looks_like_table_row(s: str) -> bool:
    """Short lines, or lines whose numbers stand in cells rather than in sentences."""
    t = s.strip()
    if not t:
        return True
    nums = len(_ROW_NUMBER.findall(t))
    words = len(re.findall(r"[A-Za-z]{3,}", t))
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
    if len(t) > 25 and t[0].islower() and len(re.findall(r"[A-Za-z]{2,}", t)) >= 4:
        return True
    return len(t) > 45 and len(re.findall(r"[A-Za-z]{2,}", t)) >= 6 and not _looks_like_table_row(s)


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
        if _FURNITURE.match(ln.text) and ln.text.strip():
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
_SPECIAL = re.compile("[\n\r" + "".join(re.escape(c) for c in _CHAR_MAP) + "]| {2,}")


@dataclass
class CleanText:
    text: str          # the clean view
    index: list[int]   # clean position -> original position
    original: str
    breaks: list[int]  # clean positions where a new section or heading starts (hard sentence breaks)
    kinds: list[tuple[int, str]]  # (clean position, section kind) from there on

    def span(self, cs: int, ce: int) -> tuple[int, int]:
        """Original (start, end) for the clean stretch [cs, ce)."""
        ce = max(ce, cs + 1)
        return self.index[cs], self.index[min(ce, len(self.index)) - 1] + 1

    def quote(self, cs: int, ce: int) -> tuple[str, int, int]:
        s, e = self.span(cs, ce)
        return self.original[s:e], s, e


def clean_view(text: str, keep: list[tuple[int, int, str, bool]]) -> CleanText:
    """Concatenate the kept ranges of `text` into one normalised, offset-mapped string.

    A line break inside a word hyphenated across lines disappears with its hyphen;
    other line breaks become spaces; ranges are joined with a space.
    """
    out: list[str] = []
    idx: list[int] = []
    breaks: list[int] = []
    kinds: list[tuple[int, str]] = []

    def put(s: str, pos: int) -> None:
        for ch in s:
            out.append(ch)
            idx.append(pos)

    for r_start, r_end, kind, hard in keep:
        if out and out[-1] != " ":
            put(" ", r_start)
        if hard:
            breaks.append(len(out))
        if not kinds or kinds[-1][1] != kind:
            kinds.append((len(out), kind))
        i = r_start
        while i < r_end:
            # Copy the run of ordinary characters up to the next one that needs care.
            m = _SPECIAL.search(text, i, r_end)
            stop = m.start() if m else r_end
            if stop > i and text[i] == " " and out and out[-1] == " ":
                i += 1  # one space between words, however the run began
                continue
            if stop > i:
                out.extend(text[i:stop])
                idx.extend(range(i, stop))
                i = stop
                if i >= r_end:
                    break
            if m is not None and m.group(0).startswith("  "):
                if out and out[-1] != " ":
                    put(" ", i)
                i = m.end()
                continue
            ch = text[i]
            if ch == "\n" or ch == "\r":
                # Hyphenated word across a line break: "sur-\ngery" -> "surgery".
                if out and out[-1] == "-" and len(out) > 1 and out[-2].isalpha():
                    j = i + 1
                    while j < r_end and text[j] in " \r\n":
                        j += 1
                    if j < r_end and text[j].islower():
                        word = "".join(out[max(0, len(out) - 25):-1]).split(" ")[-1]
                        if not _KEEP_HYPHEN.search(word):
                            out.pop()
                            idx.pop()
                        i = j
                        continue
                if out and out[-1] == "/":
                    i += 1
                    while i < r_end and text[i] in " \r\n":
                        i += 1
                    continue
                if not out or out[-1] != " ":
                    put(" ", i)
                i += 1
                continue
            mapped = _CHAR_MAP.get(ch, ch)
            if mapped == " " and out and out[-1] == " ":
                i += 1
                continue
            put(mapped, i)
            i += 1
    return CleanText("".join(out), idx, text, breaks, kinds)


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
            if (k == 0 and s.title) or _is_subheading(lines, k):
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


_SENTENCE_EVENTS = re.compile(r"[()\[\].!?]")


def split_sentences(clean: str, breaks: list[int] = ()) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in the clean view.

    Breaks after . ! ? followed by space and an upper-case letter, digit or bracket,
    unless the dot ends a known abbreviation or sits inside parentheses; and at every
    hard break (section or sub-heading).
    """
    end = len(clean)
    out, s, depth = [], 0, 0
    # Visit only the characters that matter (brackets, sentence ends) and the hard breaks,
    # in order, instead of every character.
    events = [(m.start(), m.group(0)) for m in _SENTENCE_EVENTS.finditer(clean)]
    events += [(b, "") for b in breaks]
    for i, ch in sorted(events, key=lambda e: (e[0], e[1] != "")):
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
            if (nxt.isupper() or nxt.isdigit() or nxt in "(['\"") and not _ABBREV.search(clean[max(s, i - 8):i + 1]):
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
