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
            # Terms are grouped by their exact key, so a candidate tries only the few terms
            # that share the first word it starts with.
            groups.setdefault(first[:_KEY], []).append(source)
        self._by_key = {k: re.compile(rf"(?:{'|'.join(srcs)})(?![0-9A-Za-z])", flags) for k, srcs in groups.items()}
        alts = ([trie_regex(literal_keys)] if literal_keys else []) + sorted(short_patterns, key=len, reverse=True)
        # Scanned over an ASCII-lower-cased copy of the text: sre's IGNORECASE is twice as slow.
        self._starts = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(alts) + ")") if alts else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """Non-overlapping leftmost matches, like re.finditer over the whole alternation."""
        if self._starts is None:
            return
        endpos = len(text) if endpos is None else min(endpos, len(text))
        by_key = self._by_key
        # Lower-case ASCII only: same length, so offsets in `low` are offsets in `text`.
        low = text.translate(_ASCII_LOWER) if self._fold else text
        taken = pos
        for w in self._starts.finditer(low, pos, endpos):
            i = w.start()
            if i < taken:
                continue
            word = _WORD.match(low, i, endpos).group(0)
            best = None
            # Every key that is a prefix of the word may start a term here; the longest
            # match wins, as it would in one alternation ordered longest first.
            for n in range(min(len(word), _KEY), 0, -1):
                pat = by_key.get(word[:n])
                if pat is not None:
                    m = pat.match(text, i, endpos)
                    if m and m.end() > i and (best is None or m.end() > best.end()):
                        best = m
            if best is not None:
                yield best
                taken = best.end()
