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
        """terms: (leading, regex source), longest term first. `leading` is what every match
        of the term starts with: its first word, or for a first word of one or two characters
        ("IL-2", "re-irradiation") that word, a space, and the start of the next word."""
        self._fold = bool(flags & re.IGNORECASE)
        groups: dict[str, list[str]] = {}
        literal_keys, short_patterns = set(), set()
        for leading, source in terms:
            lead = leading.lower() if self._fold else leading
            if not lead.strip():
                continue
            first, _, nxt = lead.partition(" ")
            if nxt:
                # A short first word: the next word's start (separators optional between them).
                short_patterns.add(re.escape(first) + r"[\s\-/]*" + re.escape(nxt))
            elif len(first) == 1:
                short_patterns.add(re.escape(first) + r"(?![A-Za-z])")
            else:
                literal_keys.add(first[:_KEY])
            groups.setdefault(first[:2], []).append(source)
        self._by_head = {h: re.compile(rf"(?:{'|'.join(srcs)})(?![0-9A-Za-z])", flags) for h, srcs in groups.items()}
        alts = ([trie_regex(literal_keys)] if literal_keys else []) + sorted(short_patterns, key=len, reverse=True)
        # Case-folded by the regex engine itself: no lower-cased copy of the text is made.
        self._starts = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(alts) + ")",
                                  re.IGNORECASE if self._fold else 0) if alts else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """Non-overlapping leftmost matches, like re.finditer over the whole alternation."""
        if self._starts is None:
            return
        endpos = len(text) if endpos is None else min(endpos, len(text))
        heads = self._by_head
        fold = self._fold
        taken = pos
        for w in self._starts.finditer(text, pos, endpos):
            i = w.start()
            if i < taken:
                continue
            head = text[i:i + 2].lower() if fold else text[i:i + 2]
            pat = heads.get(head)
            m = pat.match(text, i, endpos) if pat else None
            if m is None and head[:1] in heads:
                m = heads[head[:1]].match(text, i, endpos)
            if m and m.end() > i:
                yield m
                taken = m.end()
