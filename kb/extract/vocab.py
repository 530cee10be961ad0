"""Controlled vocabularies for therapies, endpoints and conditions (data/vocab/*.csv).

The CSV files are the single source of truth; this module only loads and indexes them.
See data/vocab/README.md for the file format. Everything here is pure (no network, no
database) and the loaded `Vocab` is cached per directory, so callers can ask for it freely.

Matching model
--------------
* A *surface form* is a canonical name or one of its synonyms, as written in the CSV.
* Lookups compare a *key*: lower case, Greek letters spelled out as Latin (α -> a),
  British spellings folded to American (tumour -> tumor), every run of spaces, hyphens,
  dashes or slashes removed, a trailing plural "s"/"es"/"ies" dropped.
  "IFN-α-2b", "IFN-a 2b" and "ifn-a-2bs" all share the key "ifna2b".
* A synonym written with a trailing "*" in the CSV is *ambiguous* (e.g. "MM*", which is
  both mucosal melanoma and multiple myeloma; "CT*", which is usually computed
  tomography). It is never matched on its own: document-level code accepts it only when
  the text defines it, "long form (ABBR)", with a long form of the same entry.
"""
from __future__ import annotations

import bisect
import csv
import functools
import itertools
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.extract import fastre
from kb.extract.lexicon import TermMatcher, trie_regex

from rapidfuzz import fuzz, process

from kb.errors import KbError

#: Fuzzy matching threshold (rapidfuzz ``fuzz.ratio``, 0-100) for near misses such as
#: "pembrolizumb" or "cisplatinum". 90 allows about one edit per ten characters, which
#: catches OCR slips and spelling variants, while look-alike drug names stay well below it
#: (vincristine/vinblastine 73, lenalidomide/pomalidomide 75, sorafenib/regorafenib 80).
FUZZY_THRESHOLD = 90
#: Keys shorter than this are never matched fuzzily: one edit turns one abbreviation into
#: another ("PD-1" -> "PD-L1", "ALL" -> "AML"), so short forms must match exactly.
FUZZY_MIN_KEY_LEN = 6

_GREEK = {"α": "a", "β": "b", "γ": "g", "δ": "d", "κ": "k", "λ": "l", "μ": "u", "ω": "w"}
#: British -> American spellings folded inside keys (and expanded when building patterns).
_SPELLING = (("leukaemi", "leukemi"), ("tumour", "tumor"), ("oesophag", "esophag"),
             ("haemat", "hemat"), ("haemo", "hemo"), ("anaemi", "anemi"), ("oestrogen", "estrogen"))
_SEP_RE = re.compile(r"[\s\-\u2010-\u2015\u2212/]+")
_NON_KEY_RE = re.compile(r"[^0-9a-z+.()'&]")
_UPPER = re.compile(r"[A-Z]")
_LOWER3 = re.compile(r"[a-z]{3,}")
_TRAILING_WORD = re.compile(r"[A-Za-z0-9]+$")


def fold(text: str) -> str:
    """Lower-case and fold Greek letters, accents and British spellings; keep separators."""
    if text.isascii():
        s = text.lower()   # ASCII: normalisation, Greek and accents change nothing
    else:
        s = unicodedata.normalize("NFKC", text)
        s = "".join(_GREEK.get(ch, ch) for ch in s)
        s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
        s = s.lower().replace("’", "'")
    for uk, us in _SPELLING:
        s = s.replace(uk, us)
    return s


def compact(text: str) -> str:
    """Case-preserving form without separators, Greek folded: "IFN-α-2b" -> "IFNa2b"."""
    if text.isascii():
        return _SEP_RE.sub("", text)
    s = "".join(_GREEK.get(ch, ch) for ch in unicodedata.normalize("NFKC", text))
    return _SEP_RE.sub("", s)


def _strip_plural(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "ses")) and not word.endswith("ases"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        return word[:-1]
    return word


def key(text: str) -> str:
    """The comparison key of a term: folded, separators removed, plural dropped."""
    s = fold(text).strip()
    parts = [p for p in _SEP_RE.split(s) if p]
    if not parts:
        return ""
    parts[-1] = _strip_plural(parts[-1])
    return _NON_KEY_RE.sub("", "".join(parts))


def is_abbreviation(surface: str) -> bool:
    """True for abbreviation-like forms ("IMRT", "IFN-a-2b", "mAbs", "5-FU").

    These are matched case-sensitively in documents so that "RT" does not match "rt"
    and "ALL" does not match "all". A form is abbreviation-like when it has at least one
    upper-case letter and no run of three or more lower-case letters.
    """
    return bool(_UPPER.search(surface)) and not _LOWER3.search(surface)


@dataclass(frozen=True)
class TherapyEntry:
    canonical: str
    therapy_class: str
    parents: tuple[str, ...]
    surfaces: tuple[str, ...]          # canonical + unambiguous synonyms
    ambiguous: tuple[str, ...] = ()    # synonyms marked "*" in the CSV (marker removed)


@dataclass(frozen=True)
class EndpointEntry:
    code: str
    name: str
    surfaces: tuple[str, ...]


@dataclass(frozen=True)
class ConditionEntry:
    canonical: str
    parents: tuple[str, ...]
    surfaces: tuple[str, ...]
    ambiguous: tuple[str, ...] = ()


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split("|") if p.strip()]


def _split_synonyms(cell: str | None) -> tuple[list[str], list[str]]:
    plain, ambiguous = [], []
    for s in _split(cell):
        (ambiguous if s.endswith("*") else plain).append(s.rstrip("*").strip())
    return plain, ambiguous


def _uniq(items) -> tuple[str, ...]:
    seen, out = set(), []
    for it in items:
        if it and it not in seen:
            seen.add(it)
            out.append(it)
    return tuple(out)


@dataclass
class Vocab:
    therapies: dict[str, TherapyEntry]
    endpoints: dict[str, EndpointEntry]
    conditions: dict[str, ConditionEntry]
    # adverse-event term -> its category (adverse_events.csv; optional in a vocabulary directory)
    adverse_events: dict[str, str] = field(default_factory=dict)
    # derived indexes (built in __post_init__)
    _therapy_by_key: dict[str, str] = field(default_factory=dict, repr=False)
    _therapy_ambiguous: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _therapy_children: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _classes: dict[str, str] = field(default_factory=dict, repr=False)
    _endpoint_by_key: dict[str, str] = field(default_factory=dict, repr=False)
    _condition_by_key: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _condition_ambiguous: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _therapy_case_forms: dict[str, set[str] | None] = field(default_factory=dict, repr=False)
    _fuzzy_therapy_keys: list[str] = field(default_factory=list, repr=False)
    _fuzzy_condition_keys: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for entry in self.therapies.values():
            self._classes.setdefault(key(entry.therapy_class), entry.therapy_class)
            for parent in entry.parents:
                self._therapy_children.setdefault(parent, set()).add(entry.canonical)
            for s in entry.surfaces:
                k = key(s)
                # The canonical's own key wins over another entry's synonym.
                if k not in self._therapy_by_key or s == entry.canonical:
                    self._therapy_by_key[k] = entry.canonical
                if not is_abbreviation(s):
                    self._therapy_case_forms[k] = None
                elif self._therapy_case_forms.get(k, set()) is not None:
                    self._therapy_case_forms.setdefault(k, set()).add(compact(s))
            for s in entry.ambiguous:
                self._therapy_ambiguous.setdefault(key(s), set()).add(entry.canonical)
        self._fuzzy_therapy_keys = [k for k in self._therapy_by_key if len(k) >= FUZZY_MIN_KEY_LEN]
        for e in self.endpoints.values():
            for s in (e.code, e.name, *e.surfaces):
                self._endpoint_by_key.setdefault(key(s), e.code)
        for c in self.conditions.values():
            for s in c.surfaces:
                self._condition_by_key.setdefault(key(s), set()).add(c.canonical)
            for s in c.ambiguous:
                self._condition_ambiguous.setdefault(key(s), set()).add(c.canonical)
        self._fuzzy_condition_keys = [k for k, v in self._condition_by_key.items()
                                      if len(k) >= FUZZY_MIN_KEY_LEN and len(v) == 1]

    # ------------------------------------------------------------------ therapies
    def therapy(self, canonical: str) -> TherapyEntry | None:
        return self.therapies.get(canonical)

    def match_therapy(self, mention: str) -> tuple[str, str] | None:
        """(canonical, class) for a therapy mention, or None.

        Exact key lookup first (case, hyphens, dashes, whitespace and plural "s" do not
        matter); then a fuzzy match at FUZZY_THRESHOLD for mentions of FUZZY_MIN_KEY_LEN
        characters or more. Ambiguous abbreviations ("CT") return None here.
        """
        k = key(mention)
        if not k:
            return None
        canonical = self._therapy_by_key.get(k)
        if canonical is None and len(k) >= FUZZY_MIN_KEY_LEN:
            hit = process.extractOne(k, self._fuzzy_therapy_keys, scorer=fuzz.ratio,
                                     score_cutoff=FUZZY_THRESHOLD)
            if hit is not None:
                canonical = self._therapy_by_key[hit[0]]
        if canonical is None:
            return None
        return canonical, self.therapies[canonical].therapy_class

    def therapy_for_surface(self, surface: str) -> str | None:
        """The canonical for text the therapy pattern matched, checking abbreviation case.

        The pattern is case-insensitive; abbreviation-only keys ("RT", "IL-2") must also
        match case-sensitively here, so "rt" or "Il-2" in running text are rejected.
        """
        k = key(surface)
        canonical = self._therapy_by_key.get(k)
        if canonical is None:
            return None
        forms = self._therapy_case_forms.get(k)
        if forms is None:
            return canonical
        c = compact(surface)
        if any(c == f or c == f + "s" or c == f + "es" for f in forms):
            return canonical
        return None

    def therapy_descendants(self, canonical: str) -> set[str]:
        """The canonical itself plus everything below it through `parent` links."""
        out, stack = set(), [canonical]
        while stack:
            node = stack.pop()
            if node in out:
                continue
            out.add(node)
            stack.extend(self._therapy_children.get(node, ()))
        return out

    def therapy_terms(self, query: str) -> set[str]:
        """All canonical therapy names a user query covers.

        The query may name a canonical, a synonym or a class; the answer holds every
        matching canonical, every canonical of that class, and all their descendants.
        "immunotherapy" thus covers "immunologic/targeted therapy", "nivolumab" and
        "interleukin-2"; "targeted therapy" covers "proteasome inhibitor" and "bortezomib".
        """
        k = key(query)
        roots: set[str] = set()
        cls = self._classes.get(k)
        if cls is not None:
            roots |= {e.canonical for e in self.therapies.values() if e.therapy_class == cls}
        hit = self.match_therapy(query)
        if hit is not None:
            roots.add(hit[0])
        out: set[str] = set()
        for r in roots:
            out |= self.therapy_descendants(r)
        return out

    def therapy_classes(self, query: str) -> set[str]:
        """The therapy classes a query covers (the classes of `therapy_terms`)."""
        return {self.therapies[c].therapy_class for c in self.therapy_terms(query)}

    def ambiguous_therapy(self, abbreviation: str) -> set[str]:
        """Canonicals an ambiguous ("*") abbreviation may stand for."""
        return set(self._therapy_ambiguous.get(key(abbreviation), ()))

    # ------------------------------------------------------------------ endpoints
    def endpoint_code(self, text: str) -> str | None:
        """The endpoint code for a name or abbreviation ("overall survival" -> "OS").

        Word endpoints map to their name ("local relapse" -> "local recurrence").
        A leading time point ("5-year") and a trailing "rate"/"probability" are ignored.
        """
        if not text or not text.strip():
            return None
        s = re.sub(r"^\s*\d+(?:\.\d+)?[\s\-\u2010-\u2015]*(?:year|yr|month|mo)s?\b", "", text.strip(),
                   flags=re.I)
        candidates = [s, re.sub(r"\s+(?:rates?|probabilit(?:y|ies))\s*$", "", s, flags=re.I)]
        for c in candidates:
            code = self._endpoint_by_key.get(key(c))
            if code is not None:
                return code
        k = key(candidates[-1])
        if len(k) >= 12:
            # Long names only: "distant metastasis free survivl" -> DMFS. Codes never fuzzily.
            keys = [x for x in self._endpoint_by_key if len(x) >= 12]
            hit = process.extractOne(k, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
            if hit is not None:
                return self._endpoint_by_key[hit[0]]
        return None

    def endpoint_terms(self, query: str) -> set[str]:
        """Endpoint codes and names a query covers ("OS" -> {"OS", "overall survival"}).

        A query that is not itself an endpoint but a word of endpoint names ("survival",
        "recurrence") covers every endpoint whose name or synonyms contain it as a word.
        """
        code = self.endpoint_code(query)
        hits: list[EndpointEntry] = []
        if code is not None:
            hits.append(self.endpoints[code])
        if code is None or code == self.endpoints[code].name:
            # A word ("survival", "recurrence"): every endpoint whose name contains it.
            words = [_strip_plural(w) for w in re.split(r"[\s\-/]+", fold(query)) if w]
            if words:
                for e in self.endpoints.values():
                    name = fold(e.name)
                    if all(re.search(rf"\b{re.escape(w)}", name) for w in words):
                        hits.append(e)
        out: set[str] = set()
        for e in hits:
            out |= {e.code, e.name}
        return out

    # ------------------------------------------------------------------ conditions
    def match_condition(self, text: str) -> str | None:
        """The canonical condition for a name, or None (ambiguous abbreviations: None)."""
        k = key(text)
        if not k:
            return None
        hits = self._condition_by_key.get(k)
        if hits and len(hits) == 1:
            return next(iter(hits))
        if hits:
            return None
        if len(k) >= FUZZY_MIN_KEY_LEN:
            hit = process.extractOne(k, self._fuzzy_condition_keys, scorer=fuzz.ratio,
                                     score_cutoff=FUZZY_THRESHOLD)
            if hit is not None:
                return next(iter(self._condition_by_key[hit[0]]))
        return None

    def condition_ancestors(self, canonical: str) -> set[str]:
        out, stack = set(), [canonical]
        while stack:
            node = stack.pop()
            if node in out or node not in self.conditions:
                continue
            out.add(node)
            stack.extend(self.conditions[node].parents)
        return out

    def find_condition(self, text: str) -> str | None:
        """The disease a document studies, as the paper names it, from its title/abstract text.

        Looks at the title (the first line that is neither a JSON record nor a bare
        heading), then the first sentences after it, then the rest of the opening; in the
        first of these that names a condition, the longest match wins. The answer is the
        paper's own wording, widened left over qualifiers ("relapsed/refractory",
        "locally advanced") and followed by its abbreviation when one is defined right
        after it: "head and neck mucosal melanoma (MMHN)".
        """
        return _find_condition(self, text)

    # ------------------------------------------------------------------ patterns
    @functools.cached_property
    def therapy_pattern(self) -> TermMatcher:
        """One compiled alternation of every unambiguous therapy surface form, longest first."""
        surfaces = {s for e in self.therapies.values() for s in e.surfaces}
        return compile_terms(surfaces)

    @functools.cached_property
    def condition_pattern(self) -> TermMatcher:
        surfaces = {s for c in self.conditions.values() for s in c.surfaces}
        return compile_terms(surfaces)

    @functools.cached_property
    def adverse_event_patterns(self) -> tuple[re.Pattern | None, re.Pattern | None, dict[str, str]]:
        """The adverse-event terms as a trie-shaped pattern over ASCII-lower-cased text (a space
        or hyphen between words either way, a plural s), the all-capital ones (CRS, ICANS) as one
        over the text itself; and each lower-cased surface's category."""
        words, caps, category = set(), set(), {}
        for term, cat in self.adverse_events.items():
            if term.isupper():
                caps.add(term)
                category[term.lower()] = cat
                continue
            low = term.lower()
            for v in {low, low.replace("-", " "), low.replace(" ", "-")}:
                words.add(v)
                category[v] = cat
        low_pat = re.compile(r"(?<![a-z0-9])(?:" + trie_regex(words) + r")s?(?![a-z0-9])") if words else None
        cap_pat = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, caps), key=len, reverse=True)) + r")\b") \
            if caps else None
        return low_pat, cap_pat, category


# ---------------------------------------------------------------------- patterns

#: Between the words of a term the text may have spaces, a line break, a hyphen, a dash
#: or a slash, or nothing ("PD-1", "PD 1", "PD1").
_SEP_PATTERN = r"[\s\-/]*"


def _variants(surface: str) -> set[str]:
    """Surface plus its British/American spelling twins."""
    out = {surface}
    low = surface
    for uk, us in _SPELLING:
        if us in low:
            out.add(low.replace(us, uk))
        if uk in low:
            out.add(low.replace(uk, us))
    return out


def term_regex(surface: str) -> str:
    """Regex source for one surface form, matched against `match_text` (folded Greek)."""
    s = "".join(_GREEK.get(ch, ch) for ch in unicodedata.normalize("NFKC", surface))
    s = s.replace("’", "'")
    chunks = [c for c in _SEP_RE.split(s.strip()) if c]
    parts = []
    for i, chunk in enumerate(chunks):
        esc = re.escape(chunk).replace("'", "'?")
        if i == len(chunks) - 1:
            if re.search(r"[^aeiou]y$", chunk, re.I):
                esc = re.escape(chunk[:-1]) + "(?:y|ies)"
            elif re.search(r"(?:s|x|ch|sh)$", chunk, re.I):
                esc += "(?:es)?"
            elif re.search(r"[A-Za-z0-9]$", chunk):
                esc += "s?"
        parts.append(esc)
    return _SEP_PATTERN.join(parts)


def compile_terms(surfaces) -> TermMatcher:
    """Case-insensitive matcher of every surface, longest first, bounded by non-word chars."""
    forms = {v for s in surfaces for v in _variants(s)}
    ordered = sorted(forms, key=lambda s: (-len(key(s)), -len(s), s))
    return TermMatcher([(_leading(s), term_regex(s)) for s in ordered])


def _leading(surface: str) -> str:
    """What every match of the surface's regex starts with (TermMatcher indexes it): its
    first word, less a final 'y' that term_regex lets become 'ies', cut at an apostrophe
    (which term_regex makes optional); a first word of one or two characters comes with the
    start of the next word ("il 2", "re ir"), since alone it would start half the words."""
    chunks = [c for c in _SEP_RE.split(match_text(surface.strip())) if c]
    if not chunks:
        return ""
    first = chunks[0].split("'")[0].split("’")[0]
    if len(chunks) == 1 and first[-1:].lower() == "y":
        first = first[:-1]
    if len(first) <= 2 and len(chunks) > 1 and first == chunks[0]:
        nxt = chunks[1].split("'")[0][:2]
        if nxt and not (len(chunks) == 2 and nxt[-1:].lower() == "y" and len(chunks[1]) <= 2):
            return f"{first} {nxt}"
    return first


def _match_table() -> dict[int, str]:
    table = {ord(ch): "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
    table.update({ord(g): l for g, l in _GREEK.items()})
    table.update({ord(g.upper()): l.upper() for g, l in _GREEK.items()})
    table[ord("’")] = "'"
    return table


_MATCH_TABLE = _match_table()
_MATCH_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_MATCH_TABLE)) + "]")


def match_text(text: str) -> str:
    """A same-length copy of `text` for matching: dashes -> "-", Greek -> Latin letters."""
    # Most texts hold few or none of these characters: find them instead of translating
    # every character (str.translate is slow on text that is not pure ASCII).
    if text.isascii() or _MATCH_CHARS.search(text) is None:
        return text
    return _MATCH_CHARS.sub(lambda m: _MATCH_TABLE[ord(m.group())], text)


# ---------------------------------------------------------------------- document text

# The letter before the hyphen is looked behind at, not matched: the pattern then starts
# with the hyphen, which `re` skips ahead to (a letter-first pattern is tried at every letter).
# `.` in the look-behind is the hyphen itself.
_LINEBREAK_HYPHEN = re.compile(r"[-\u00ad\u2010\u2011](?<=[0-9A-Za-z].)[ \t]*\r?\n[ \t]*(?=[0-9A-Za-z])")
# The same for ASCII text, where the hyphen can only be "-": a literal, which sre finds fastest.
_LINEBREAK_HYPHEN_ASCII = re.compile(r"-(?<=[0-9A-Za-z].)[ \t]*\r?\n[ \t]*(?=[0-9A-Za-z])")


class JoinedText:
    """Document text with words hyphenated across line breaks joined again.

    `text` keeps the document's own characters ("chemo-\ntherapy" -> "chemotherapy",
    "IFN-a-\n2b" -> "IFN-a-2b"); `match` is the same length with dashes and Greek letters
    folded for matching; `offsets[i]` is the index in the original text of `text[i]`.
    The offsets are kept as runs (joined start, original start) of characters copied in
    one piece: most texts have no join at all, and a list of every offset is long.
    """
    __slots__ = ("_run_origins", "_run_starts", "match", "text")

    def __init__(self, text: str, match: str, runs: list[tuple[int, int]]):
        self.text = text
        self.match = match
        self._run_starts = [a for a, _ in runs]
        self._run_origins = [b for _, b in runs]

    def _offset(self, i: int) -> int:
        n = len(self.text) + 1
        if i < 0:
            i += n   # as a tuple of n offsets would index
        if not 0 <= i < n:
            raise IndexError("JoinedText offset out of range")
        k = bisect.bisect_right(self._run_starts, i) - 1
        return self._run_origins[k] + (i - self._run_starts[k])

    @property
    def offsets(self) -> tuple[int, ...]:
        return tuple(self._offset(i) for i in range(len(self.text) + 1))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) offsets of text[start:end]."""
        if end <= start:
            return self._offset(start), self._offset(start)
        return self._offset(start), self._offset(end - 1) + 1


def _keep_hyphen(before: str, after: str) -> bool:
    """Whether a hyphen at a line break belongs to the word ("PD-1", "IFN-a-2b").

    Dropped only between two lower-case letters after a fragment of two or more letters
    ("chemo-/therapy", "Immu-/nologic"); kept next to digits, capitals, one-letter parts.
    """
    m = _TRAILING_WORD.search(before)
    fragment = m.group(0) if m else ""
    if not (before[-1:].islower() and after[:1].islower()):
        return True
    return len(fragment) < 2


def join_line_breaks(text: str) -> JoinedText:
    if "\n" not in text:
        return JoinedText(text, match_text(text), [(0, 0)])
    pieces: list[str] = []
    runs: list[tuple[int, int]] = []   # (joined start, original start) of each piece copied whole
    last = 0
    size = 0
    for m in (_LINEBREAK_HYPHEN_ASCII if text.isascii() else _LINEBREAK_HYPHEN).finditer(text):
        cut = m.start()                            # just after the letter before the hyphen
        piece = text[last:cut]
        if _keep_hyphen(text[max(0, cut - 20):cut], text[m.end():m.end() + 1]):
            piece += "-"                           # the hyphen itself, at offset cut
        runs.append((size, last))
        pieces.append(piece)
        size += len(piece)
        last = m.end()
    runs.append((size, last))
    pieces.append(text[last:])
    joined = "".join(pieces)
    return JoinedText(joined, match_text(joined), runs)


_ABBREVIATIONS = ("et al", "e.g", "i.e", "vs", "fig", "figs", "no", "ref", "approx", "cf", "dr", "al")


# r"[.!?](?=\s+[\[(\"'A-Z0-9])|\n[ \t]*\n", written to start with one class (sre skips ahead to it).
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])(?=\s+[\[(\"'A-Z0-9])|(?<=\n)[ \t]*\n)")
_WORD_DOT = re.compile(r"([A-Za-z.]+)\.$")
_DIGIT_DOT = re.compile(r"\d\.$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence bounds: end punctuation before a capital/bracket, or a blank line.

    Used only when the caller passes no sentences. Never splits after "et al.", "vs.",
    "Fig." and the like, so a citation stays in the sentence it belongs to.
    """
    return list(_sentence_bounds(text))


def _sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    """split_sentences, one sentence at a time (a caller that needs the first few stops early)."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[m.start()] == ".":
            word = _WORD_DOT.search(text[max(start, m.start() - 12):m.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            if _DIGIT_DOT.search(text[m.start() - 1:m.start() + 1]) and text[end:end + 2].strip()[:1].isdigit():
                continue
        if text[start:end].strip():
            yield start, end
        start = end
    if text[start:].strip():
        yield start, len(text)


def is_json_line(line: str) -> bool:
    """A raw JSON record embedded in a text export (a platform's metadata line)."""
    s = line.lstrip()
    return s.startswith(("{", "[")) and '":' in s


_BARE_HEADING = re.compile(r"^\s*(?:abstract|summary|background|introduction|objectives?|title|"
                           r"purpose|aims?|keywords?)\s*[:.]?\s*$", re.I)
_QUALIFIER = (r"(?:(?:locally|regionally)\s+advanced|advanced|metastatic|recurrent|relapsed\s*(?:/|or|and)\s*"
              r"refractory|relapsed|refractory|newly[\s-]+diagnosed|early[\s-]+stage|resectable|unresectable|"
              r"high[\s-]+risk|previously\s+(?:un)?treated|primary)")
_LEFT_QUALIFIERS = re.compile(rf"(?:{_QUALIFIER}[\s,]+(?:(?:and|or)\s+)?)+$", re.I)
# The first words of the qualifiers (lower case).
_QUALIFIER_WORDS = ("locally", "regionally", "advanced", "metastatic", "recurrent", "relapsed", "refractory", "newly",
                    "early", "resectable", "unresectable", "high", "previously", "primary")
_ABBR_AFTER = re.compile(r"\s*\(\s*([A-Za-z][A-Za-z0-9\-/&+]{0,11})\s*\)")


def abbreviation_fits(abbr: str, long_form: str) -> bool:
    """Schwartz-Hearst style check: ABBR's letters occur in order in the long form and
    its first letter starts a word of it ("IMRT" / "intensity-modulated radiotherapy")."""
    letters = [c for c in fold(abbr) if c.isalnum()]
    long_low = fold(long_form)
    if len(letters) < 2 or not re.search(r"[A-Z0-9]", abbr) or abbr.isdigit():
        return False
    initials = [w[0] for w in re.findall(r"[a-z0-9]+", long_low)]
    if all(initials.count(ch) >= letters.count(ch) for ch in set(letters)):
        return True                        # reordered initials: "MMHN" / "head and neck mucosal melanoma"
    for start in (m.start(1) for m in re.finditer(rf"(?:^|[^a-z0-9])({re.escape(letters[0])})", long_low)):
        i = start
        for ch in letters[1:]:
            i = long_low.find(ch, i + 1)
            if i < 0:
                break
        else:
            return True
    return False


def _find_condition(vocab: Vocab, text: str) -> str | None:
    if not text or not text.strip():
        return None
    joined = join_line_breaks(text)
    t, mt = joined.text, joined.match
    pos, title = 0, None
    for line in t.splitlines(keepends=True):
        if line.strip() and not is_json_line(line) and not _BARE_HEADING.match(line):
            title = (pos, pos + len(line))
            break
        pos += len(line)
    if title is None:
        return None
    window_end = min(len(t), title[1] + 4000)
    # Only the first three sentences are looked at.
    sents = [(a + title[1], b + title[1]) for a, b in itertools.islice(_sentence_bounds(t[title[1]:window_end]), 3)]
    # JSON lines inside the window are metadata, not prose.
    segments = [title]
    if sents:
        cut = sents[min(2, len(sents) - 1)][1]
        segments += [(title[1], cut), (cut, window_end)]
    for a, b in segments:
        best = None
        for m in vocab.condition_pattern.finditer(mt, a, b):
            line_start = t.rfind("\n", 0, m.start()) + 1
            if is_json_line(t[line_start:m.start() + 1]):
                continue
            hits = vocab._condition_by_key.get(key(m.group(0)), set())
            if not hits or hits <= {"cancer"}:
                continue
            if best is None or (m.end() - m.start()) > (best[1] - best[0]):
                best = (m.start(), m.end())
        if best is None:
            continue
        start, end = best
        before = t[max(0, start - 80):start]
        # _LEFT_QUALIFIERS.search(before): its matches end with a space or a comma at the end,
        # and start with a qualifier's first word; it is tried only there.
        q = fastre.search_at_literals(_LEFT_QUALIFIERS, before, fastre.fold(before), _QUALIFIER_WORDS) \
            if before[-1:].isspace() or before[-1:] == "," else None
        if q:
            start -= len(q.group(0))
        ab = _ABBR_AFTER.match(t, end)
        if ab and abbreviation_fits(ab.group(1), t[start:end]):
            end = ab.end()
        return re.sub(r"\s+", " ", t[start:end]).strip()
    return None


# ---------------------------------------------------------------------- loading

def vocab_dir() -> Path:
    """data/vocab beside the kb package, or $KB_VOCAB_DIR when set."""
    env = os.environ.get("KB_VOCAB_DIR")
    if env:
        return Path(env)
    return _default_vocab_dir()


@functools.cache
def _default_vocab_dir() -> Path:
    # Resolved once: extraction asks for it per sentence.
    return Path(__file__).resolve().parents[2] / "data" / "vocab"


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise KbError(f"{path}: missing columns {', '.join(sorted(missing))}")
            return [row for row in reader if (row.get(columns[0]) or "").strip()]
    except FileNotFoundError:
        raise KbError(f"vocabulary file not found: {path}") from None


def parse_therapies(rows: list[dict[str, str]]) -> dict[str, TherapyEntry]:
    out: dict[str, TherapyEntry] = {}
    for row in rows:
        canonical = row["canonical"].strip()
        plain, ambiguous = _split_synonyms(row.get("synonyms"))
        out[canonical] = TherapyEntry(
            canonical=canonical,
            therapy_class=(row.get("class") or "").strip() or "other",
            parents=tuple(_split(row.get("parent"))),
            surfaces=_uniq([canonical, *plain]),
            ambiguous=_uniq(ambiguous),
        )
    return out


def parse_endpoints(rows: list[dict[str, str]]) -> dict[str, EndpointEntry]:
    out: dict[str, EndpointEntry] = {}
    for row in rows:
        code = row["code"].strip()
        name = (row.get("name") or "").strip() or code
        out[code] = EndpointEntry(code=code, name=name, surfaces=_uniq(_split(row.get("synonyms"))))
    return out


def parse_conditions(rows: list[dict[str, str]]) -> dict[str, ConditionEntry]:
    out: dict[str, ConditionEntry] = {}
    for row in rows:
        canonical = row["canonical"].strip()
        plain, ambiguous = _split_synonyms(row.get("synonyms"))
        out[canonical] = ConditionEntry(
            canonical=canonical,
            parents=tuple(_split(row.get("parent"))),
            surfaces=_uniq([canonical, *plain]),
            ambiguous=_uniq(ambiguous),
        )
    return out


def parse_adverse_events(rows: list[dict[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in rows:
        category = (row.get("category") or "").strip() or "other"
        for surface in _uniq([row["term"].strip(), *_split(row.get("synonyms"))]):
            out.setdefault(surface, category)
    return out


@functools.cache
def _load(directory: str) -> Vocab:
    d = Path(directory)
    return Vocab(
        therapies=parse_therapies(_read(d / "therapies.csv", ("canonical", "class", "parent", "synonyms"))),
        endpoints=parse_endpoints(_read(d / "endpoints.csv", ("code", "name", "synonyms"))),
        conditions=parse_conditions(_read(d / "conditions.csv", ("canonical", "parent", "synonyms"))),
        adverse_events=parse_adverse_events(_read(d / "adverse_events.csv", ("term", "category", "synonyms"))
                                            if (d / "adverse_events.csv").exists() else []),
    )


def load_vocab(directory: str | Path | None = None) -> Vocab:
    """The vocabulary in `directory` (default: `vocab_dir()`), loaded once per directory."""
    if not directory and not os.environ.get("KB_VOCAB_DIR"):
        return _load(_default_vocab_dir_str())   # extraction asks for it many times per record
    return _load(str(Path(directory) if directory else vocab_dir()))


@functools.cache
def _default_vocab_dir_str() -> str:
    return str(_default_vocab_dir())


# Module-level conveniences over the default vocabulary.
def match_therapy(mention: str) -> tuple[str, str] | None:
    return load_vocab().match_therapy(mention)


def therapy_terms(query: str) -> set[str]:
    return load_vocab().therapy_terms(query)


def therapy_classes(query: str) -> set[str]:
    return load_vocab().therapy_classes(query)


def endpoint_code(text: str) -> str | None:
    return load_vocab().endpoint_code(text)


def endpoint_terms(query: str) -> set[str]:
    return load_vocab().endpoint_terms(query)


def match_condition(text: str) -> str | None:
    return load_vocab().match_condition(text)


def find_condition(text: str) -> str | None:
    return load_vocab().find_condition(text)
