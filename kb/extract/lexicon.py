"""Fast matching of a large vocabulary of term regexes.

Python's `re` tries every branch of an alternation at every position, so one pattern of
~2,000 therapy names costs milliseconds per sentence. `TermMatcher` groups the terms by
their first character and tries, at each word start only, the group for that character:
the same matches as the single alternation, an order of magnitude faster.
"""
from __future__ import annotations

import re
from typing import Iterator

_WORD = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{1,2}")


class TermMatcher:
    def __init__(self, terms: list[tuple[str, str]], flags: int = re.IGNORECASE):
        """terms: (the term's leading characters, regex source), longest term first."""
        groups: dict[str, list[str]] = {}
        fold = bool(flags & re.IGNORECASE)
        # Prefilter: the first one or two characters a term can start with, so the
        # per-character pattern is tried only where a term could begin.
        self._starts1: set[str] = set()
        self._starts2: set[str] = set()
        for prefix, source in terms:
            p = prefix.lower() if fold else prefix
            groups.setdefault(p[:1], []).append(source)
            if len(p) >= 2 and p[1].isascii() and p[1].isalnum():
                self._starts2.add(p[:2])
            else:
                self._starts1.add(p[:1])
        self._fold = fold
        self._by_char = {c: re.compile(rf"(?:{'|'.join(srcs)})(?![0-9A-Za-z])", flags) for c, srcs in groups.items()}

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """Non-overlapping leftmost matches, like re.finditer over the whole alternation."""
        endpos = len(text) if endpos is None else min(endpos, len(text))
        taken = pos
        for w in _WORD.finditer(text, pos, endpos):
            i = w.start()
            if i < taken:
                continue
            head = w.group(0).lower() if self._fold else w.group(0)
            if head not in self._starts2 and head[:1] not in self._starts1:
                continue
            m = self._by_char[head[:1]].match(text, i, endpos)
            if m and m.end() > i:
                yield m
                taken = m.end()
