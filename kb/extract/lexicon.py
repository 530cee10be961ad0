"""Fast matching of a large vocabulary of term regexes.

Python's `re` tries every branch of an alternation at every position, so one pattern of
~2,000 therapy names costs milliseconds per sentence. `TermMatcher` indexes the terms by
the first characters of their first word: at each word start of the text it looks the
word's first characters up, and only where a term can begin does it try the (small)
pattern of the terms sharing those characters. Same matches as the single alternation,
longest term first, an order of magnitude faster.
"""
from __future__ import annotations

import re
from typing import Iterator

_WORD = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]+")
_KEY = 4  # index terms by up to this many leading characters
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TermMatcher:
    def __init__(self, terms: list[tuple[str, str]], flags: int = re.IGNORECASE):
        """terms: (the term's first word as written, regex source), longest term first."""
        self._fold = bool(flags & re.IGNORECASE)
        # prefixes[k]: keys of length k (k < _KEY only for first words shorter than _KEY)
        self._prefixes: dict[int, set[str]] = {}
        groups: dict[str, list[str]] = {}
        for first, source in terms:
            p = (first.lower() if self._fold else first)[:_KEY]
            if not p:
                continue
            self._prefixes.setdefault(len(p), set()).add(p)
            groups.setdefault(p[:2], []).append(source)
        self._by_head = {h: re.compile(rf"(?:{'|'.join(srcs)})(?![0-9A-Za-z])", flags) for h, srcs in groups.items()}
        self._lengths = sorted(self._prefixes, reverse=True)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        """Non-overlapping leftmost matches, like re.finditer over the whole alternation."""
        endpos = len(text) if endpos is None else min(endpos, len(text))
        # Lower-case ASCII only: same length, so offsets in `low` are offsets in `text`.
        low = text.translate(_ASCII_LOWER) if self._fold else text
        get = self._prefixes.get
        p4, p3, p2, p1 = (get(4, set()), get(3, set()), get(2, set()), get(1, set()))
        heads = self._by_head
        taken = pos
        for w in _WORD.finditer(low, pos, endpos):
            word = w.group(0)
            # A one-character first word ("S-1", "Y-90") stands alone or before its digits.
            if not (word[:4] in p4 or word[:3] in p3 or word[:2] in p2
                    or (word[:1] in p1 and (len(word) == 1 or word[1].isdigit()))):
                continue
            i = w.start()
            if i < taken:
                continue
            pat = heads.get(word[:2])
            m = pat.match(text, i, endpos) if pat else None
            if m is None and len(word) >= 2 and word[:1] in heads:
                m = heads[word[:1]].match(text, i, endpos)
            if m and m.end() > i:
                yield m
                taken = m.end()
