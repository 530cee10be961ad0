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
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


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


class TermMatcher:
    def __init__(self, terms: list[tuple[str, str]], flags: int = re.IGNORECASE):
        """terms: (the term's first word as written, regex source), longest term first."""
        self._fold = bool(flags & re.IGNORECASE)
        groups: dict[str, list[str]] = {}
        long_keys, short_keys = set(), set()
        for first, source in terms:
            p = (first.lower() if self._fold else first)[:_KEY]
            if not p:
                continue
            (long_keys if len(p) > 1 else short_keys).add(p)
            groups.setdefault(p[:2], []).append(source)
        self._by_head = {h: re.compile(rf"(?:{'|'.join(srcs)})(?![0-9A-Za-z])", flags) for h, srcs in groups.items()}
        # Where a term can start: a word beginning with one of the long prefixes, or a
        # one-character first word ("S-1", "Y-90") standing alone or before its digits.
        alts = []
        if long_keys:
            alts.append(trie_regex(long_keys))
        if short_keys:
            alts.append("[" + "".join(re.escape(k) for k in sorted(short_keys)) + "](?![a-z])")
        self._starts = re.compile(r"(?<![0-9a-z])(?:" + "|".join(alts) + ")") if alts else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """Non-overlapping leftmost matches, like re.finditer over the whole alternation."""
        if self._starts is None:
            return
        endpos = len(text) if endpos is None else min(endpos, len(text))
        # Lower-case ASCII only: same length, so offsets in `low` are offsets in `text`.
        low = text.translate(_ASCII_LOWER) if self._fold else text
        heads = self._by_head
        taken = pos
        for w in self._starts.finditer(low, pos, endpos):
            i = w.start()
            if i < taken:
                continue
            pat = heads.get(low[i:i + 2])
            m = pat.match(text, i, endpos) if pat else None
            if m is None and low[i:i + 1] in heads:
                m = heads[low[i:i + 1]].match(text, i, endpos)
            if m and m.end() > i:
                yield m
                taken = m.end()
