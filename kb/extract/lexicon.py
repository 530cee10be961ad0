"""Fast matching of a large vocabulary of term regexes.

Python's `re` tries every branch of an alternation at every position, so one pattern of
~2,000 therapy names costs milliseconds per sentence. `TermMatcher` indexes the terms by
the first characters of their first word and compiles those prefixes into one trie-shaped
regex, which `re` scans fast; only where a prefix matches does it try the (small) pattern
of the terms sharing it. Same matches as the single alternation, longest term first.
"""
from __future__ import annotations

import re
from typing import Iterator

_KEY = 12  # index terms by up to this many leading characters
_WORD = re.compile(r"[0-9A-Za-z]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MEMO_MAX = 100_000  # word prefixes remembered per matcher (which term patterns a word may start)


def ascii_lower(text: str) -> str:
    """`text` with ASCII letters lower-cased and every other character kept: same length, so
    offsets carry over (what text.translate(_ASCII_LOWER) gives, without its slow per-character
    path on non-ASCII text: UTF-8 bytes of non-ASCII characters are never ASCII letters)."""
    if text.isascii():
        return text.lower()
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def trie_regex(words: set[str]) -> str:
    """One regex for a set of literal strings, shaped as their trie: 'ab|ac' -> 'a(?:b|c)'."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _presence_regex(alternatives: list[tuple[str, str]]) -> str:
    """A regex that matches wherever one of the (literal head, regex tail) alternatives does,
    shaped as the trie of the heads, so at each position `re` follows one path instead of
    trying every alternative in turn. Only *whether* it matches is meaningful, not where the
    match ends (a head that is a whole key ends the path at once)."""
    trie: dict = {}
    for head, tail in alternatives:
        node = trie
        for ch in head:
            node = node.setdefault(ch, {})
        node.setdefault("", set()).add(tail)

    def emit(node: dict) -> str:
        tails = node.get("", set())
        if "" in tails:
            return ""  # a whole key ends here: the position matches
        alts = [re.escape(ch) + emit(child) for ch, child in sorted((k, v) for k, v in node.items() if k)]
        alts += sorted(tails)
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)


class _LazyPatterns:
    """key -> compiled pattern of the terms sharing it, compiled when first asked for: a run
    over abstracts needs a few hundred of the therapy vocabulary's ~1,200 keys, and compiling
    all of them was most of the cost of loading the vocabulary."""
    __slots__ = ("_done", "_flags", "_sources")

    def __init__(self, sources: dict[str, str], flags: int):
        self._sources = sources
        self._flags = flags
        self._done: dict[str, re.Pattern] = {}

    def get(self, key: str, default=None):
        p = self._done.get(key)
        if p is None:
            src = self._sources.get(key)
            if src is None:
                return default
            p = self._done[key] = re.compile(src, self._flags)
        return p

    def __getitem__(self, key: str) -> re.Pattern:
        p = self.get(key)
        if p is None:
            raise KeyError(key)
        return p

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self):
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


class TermMatcher:
    def __init__(self, terms: list[tuple[str, str]], flags: int = re.IGNORECASE):
        """terms: (leading, regex source), longest term first. `leading` is what every match
        of the term starts with: its first word, or for a first word of one or two characters
        ("IL-2", "re-irradiation") that word, a space, and the start of the next word."""
        self._fold = bool(flags & re.IGNORECASE)
        groups: dict[str, list[str]] = {}
        literal_keys, short_patterns = set(), set()
        heads: list[tuple[str, str]] = []   # the same alternatives as (literal head, tail)
        for leading, source in terms:
            lead = leading.lower() if self._fold else leading
            if not lead.strip():
                continue
            first, _, nxt = lead.partition(" ")
            if nxt:
                # A short first word: the next word's start (separators optional between them).
                short_patterns.add(re.escape(first) + r"[\s\-/]*" + re.escape(nxt))
                heads.append((first, r"[\s\-/]*" + re.escape(nxt)))
            elif len(first) == 1:
                short_patterns.add(re.escape(first) + r"(?![A-Za-z])")
                heads.append((first, r"(?![A-Za-z])"))
            else:
                literal_keys.add(first[:_KEY])
                heads.append((first[:_KEY], ""))
            # Terms are grouped by their exact key, so a candidate tries only the few terms
            # that share the first word it starts with.
            groups.setdefault(first[:_KEY], []).append(source)
        self._by_key = _LazyPatterns({k: rf"(?:{'|'.join(srcs)})(?![0-9A-Za-z])" for k, srcs in groups.items()}, flags)
        alts = ([trie_regex(literal_keys)] if literal_keys else []) + sorted(short_patterns, key=len, reverse=True)
        # Scanned over an ASCII-lower-cased copy of the text: sre's IGNORECASE is twice as slow.
        # `_starts` defines the candidates (where a term may start, and where the next
        # candidate may begin); `_scan` and `_at` only find them faster: `_scan` begins with
        # the character before a word, a class `re` skips ahead to without trying a match at
        # every letter, and follows one trie path instead of trying every alternative.
        self._starts = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(alts) + ")") if alts else None
        presence = _presence_regex(heads) if alts else ""
        # Both also capture the word (letters and digits) the candidate starts.
        self._scan = re.compile(r"[^0-9A-Za-z](?=(?:" + presence + "))([0-9A-Za-z]*)") if alts else None
        self._at = re.compile(r"(?<![0-9A-Za-z])(?=(?:" + presence + "))([0-9A-Za-z]*)") if alts else None
        self._memo: dict[str, tuple[tuple[re.Pattern, ...], bool]] = {}
        # The words at which an alternative of `_starts` may match past the word's end.
        # A key of letters and digits ends inside the word; a key with another character
        # ("7+3") matches only where the word is its leading letters and digits ("7"), and
        # goes on past it; a short pattern ("il[\s\-/]*2") goes past the word only when the
        # word is its first word ("il") -- else its separators are empty and it ends inside.
        # (A first word that is not all letters and digits: any word starting as it does.)
        self._open_words: set[str] = set()
        self._open_prefixes: set[str] = set()
        for h, tail in heads:
            lead = _WORD.match(h)
            lead = lead.group(0) if lead else ""
            if tail == "":
                if not _WORD.fullmatch(h):
                    self._open_words.add(lead)
            elif tail != r"(?![A-Za-z])":             # (a one-character key ends at once)
                (self._open_words if _WORD.fullmatch(h) else self._open_prefixes).add(h if lead == h else lead)

    def _patterns_for(self, word: str) -> tuple[tuple[re.Pattern, ...], bool]:
        """The term patterns of every key that prefixes `word` (its first _KEY characters),
        longest key first; and whether every alternative of `_starts` that can match at the
        word's start is a key of letters and digits (so its match ends inside the word)."""
        found = self._memo.get(word)
        if found is None:
            by_key = self._by_key
            pats = tuple(p for p in (by_key.get(word[:n]) for n in range(len(word), 0, -1)) if p is not None)
            contained = bool(word) and word not in self._open_words \
                and not any(word.startswith(h) for h in self._open_prefixes)
            found = (pats, contained)
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            self._memo[word] = found
        return found

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """Non-overlapping leftmost matches, like re.finditer over the whole alternation."""
        if self._starts is None:
            return
        endpos = len(text) if endpos is None else min(endpos, len(text))
        # Lower-case ASCII only: same length, so offsets in `low` are offsets in `text`.
        low = ascii_lower(text) if self._fold else text
        starts, scan, at, word_re, memo = self._starts, self._scan, self._at, _WORD, self._memo
        taken = pos
        p = pos
        after_word = False   # p is just after a word: no candidate can start there
        # The candidates are the matches of `starts.finditer(low, pos, endpos)`: the leftmost
        # position from p where `starts` matches (found with `at` and `scan`, which match
        # wherever it does), then on from the end of its match.
        while p < endpos:
            f = None if after_word else at.match(low, p, endpos)
            if f is not None:
                i = p
            else:
                f = scan.search(low, p, endpos)
                if f is None:
                    return
                i = f.start() + 1
            word = f.group(1)
            word_end = f.end(1)
            found = memo.get(word[:_KEY])
            pats, contained = found if found is not None else self._patterns_for(word[:_KEY])
            after_word = False
            if contained and word_end > i:
                # Every alternative of `starts` that can match here is a key made of letters
                # and digits, a prefix of the word: its match ends inside the word, where no
                # candidate can start, so the next one is looked for from the word's end.
                p = word_end
                after_word = True
            else:
                w = starts.match(low, i, endpos)
                if w is None:       # not a candidate after all (the presence regex is only a filter)
                    p = i + 1
                    continue
                p = w.end() if w.end() > i else i + 1
            if i < taken:
                continue
            if not word:
                word_re.match(low, i, endpos).group(0)   # (as before: a candidate is a word)
            best = None
            # Every key that is a prefix of the word may start a term here; the longest
            # match wins, as it would in one alternation ordered longest first.
            for pat in pats:
                m = pat.match(text, i, endpos)
                if m and m.end() > i and (best is None or m.end() > best.end()):
                    best = m
            if best is not None:
                yield best
                taken = best.end()
