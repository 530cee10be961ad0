"""Cheap gates in front of costly regexes, so a pattern runs only where it can match.

sre tries a case-insensitive pattern that starts with ``\\b`` at every position of the
text. Most of the time the words such a pattern needs are not in the text at all, and
a substring test (C speed) on a lower-cased copy says so. Every gate here is a necessary
condition for the pattern it guards: the pattern itself still decides, on the original
text, so what matches is exactly what matched before.

`fold` is that lower-cased copy: every character that ``re.IGNORECASE`` lets match an ASCII
letter becomes that letter (ASCII capitals, and the four non-ASCII characters that sre
also matches to one: U+0130 and U+0131 to "i", U+017F to "s", U+212A to "k"); every
other character is kept, so the copy has the same length and offsets carry over.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from kb.extract.lexicon import ascii_lower, trie_regex

_EXOTIC = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold(text: str) -> str:
    """`text` with every character that re.IGNORECASE matches to an ASCII letter as that
    lower-case letter; same length (see the module docstring)."""
    low = ascii_lower(text)
    # (Four substring tests, each a memchr-like scan: a pattern of the four characters is
    # tried at every character, some twenty times slower.)
    if not low.isascii() and ("\u0130" in low or "\u0131" in low or "\u017f" in low or "\u212a" in low):
        low = low.translate(_EXOTIC)
    return low


def has_any(folded: str, literals: tuple[str, ...]) -> bool:
    """Does the folded text contain one of the (lower-case) literals?"""
    for lit in literals:
        if lit in folded:
            return True
    return False


def gate_literals(literals, gates: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The literals grouped under the first of `gates` each contains (a literal with none is
    its own gate), for `present_literals`."""
    groups: dict[str, list[str]] = {}
    for lit in literals:
        gate = next((g for g in gates if g in lit), lit)
        groups.setdefault(gate, []).append(lit)
    return tuple((g, tuple(lits)) for g, lits in groups.items())


def present_literals(folded: str, gated: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """The literals of `gated` (from gate_literals) that the folded text contains: a group's
    literals are looked for only when its gate, which each of them contains, is there."""
    out: list[str] = []
    for gate, lits in gated:
        if gate in folded:
            if len(lits) == 1 and lits[0] == gate:
                out.append(gate)
            else:
                out.extend(lit for lit in lits if lit in folded)
    return tuple(out)


def search_at_literals(pattern: re.Pattern, text: str, folded: str, literals: tuple[str, ...],
                       pos: int = 0, line_starts: bool = False) -> re.Match | None:
    """`pattern.search(text, pos)` for a pattern whose every match starts where one of the
    lower-case `literals` stands in `folded` (the fold of `text`), or with `line_starts` at
    the start of a line (after "\n", as re.MULTILINE's "^"): the pattern is tried only at
    those positions, leftmost first, which is where search would find it."""
    starts = set()
    if line_starts:
        starts.add(pos)  # "^" matches at 0 or after "\n", both among these or later ones
        i = text.find("\n", pos)
        while i >= 0:
            starts.add(i + 1)
            i = text.find("\n", i + 1)
    for lit in literals:
        i = folded.find(lit, pos)
        while i >= 0:
            starts.add(i)
            i = folded.find(lit, i + 1)
    for i in sorted(starts):
        m = pattern.match(text, i)
        if m is not None:
            return m
    return None


def word_start(pattern: str) -> str:
    """`\\b` before a word that starts with a letter, moved after that letter: 'm(?<!\\w\\w)o'
    is '\\bmo'. The pattern then starts with a literal, which sre skips ahead to."""
    return pattern[0] + r"(?<!\w\w)" + pattern[1:]


# figures._TIME_WORD (case-insensitive) as the same test over the folded text.
TIME_WORD = re.compile(r"month|year|week|" + word_start(r"mo\b") + "|" + word_start(r"yrs?\b") + r"|days?\b")


def finditer_at(pattern: re.Pattern, text: str, starts) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that never matches empty and whose every match
    starts at one of `starts` (ascending): the pattern is tried only there."""
    pos = 0
    for i in starts:
        if i < pos:
            continue
        m = pattern.match(text, i)
        if m is not None:
            yield m
            pos = m.end()


_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
                 "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred")
# Over the folded text: where a number word may start (a superset: inside words too).
NUMBER_WORD = re.compile(trie_regex(set(_NUMBER_WORDS)))
DIGIT = re.compile(r"\d")


# sre tries a pattern that starts with a set of characters ([0-9]) by testing the set at every
# character, about ten times slower than it finds a literal. So ASCII text is looked at as
# bytes in which every digit is "1" and every other character a space (bytes.translate, at C
# speed): its runs of digits are the runs of "1", which sre skips ahead to.
_DIGIT_MARKS = bytes(0x31 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_MARKED_RUNS = re.compile(rb"11*")


def has_digit(text: str) -> bool:
    """DIGIT.search(text) is not None."""
    if text.isascii():
        for d in "0123456789":     # (one memchr each: faster than any pattern)
            if d in text:
                return True
        return False
    return DIGIT.search(text) is not None


def digit_run_starts(text: str) -> list[int]:
    """Where each run of digits (as \\d matches them) starts, ascending."""
    if text.isascii():
        for d in "0123456789":
            if d in text:
                return [m.start() for m in _MARKED_RUNS.finditer(text.encode("ascii").translate(_DIGIT_MARKS))]
        return []          # (most sentences have no digit: has_digit's test, before the copy)
    marks = digit_marks(text)   # (a search for \\d would test every character)
    return [m.start() for m in _MARKED_RUNS.finditer(marks)] if b"1" in marks else []


def digit_marks(text: str) -> bytes:
    """`text` as bytes of the same length: b"1" where \\d matches its character, b" " elsewhere.
    Whether a stretch of the text holds a digit is then one bytes.find (memchr), where a
    search for \\d tests every character."""
    if text.isascii():
        return text.encode("ascii").translate(_DIGIT_MARKS)
    # Every character past ASCII becomes one "?" (so offsets carry over), which is no digit;
    # \d also matches the decimal digits of other scripts, marked one by one.
    raw = text.encode("ascii", "replace")
    marks = raw.translate(_DIGIT_MARKS)
    others = raw.count(b"?") - text.count("?")
    if others > 64:   # (many characters past ASCII: the pattern finds the digits among them)
        found = [m.start() for m in _NON_ASCII_DIGIT.finditer(text)]
    else:
        found = []
        i = raw.find(b"?")
        while i >= 0:
            if text[i] != "?" and text[i].isdecimal():   # (what \d matches: sre asks isdecimal)
                found.append(i)
            i = raw.find(b"?", i + 1)
    if not found:
        return marks
    out = bytearray(marks)
    for i in found:
        out[i] = 0x31
    return bytes(out)


_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f](?<=\d)")


def any_literal_starts(folded: str, literals: tuple[str, ...]) -> list[int]:
    """Every position where one of `literals` stands in `folded`, ascending, once each."""
    found: set[int] = set()
    for lit in literals:
        i = folded.find(lit)
        while i >= 0:
            found.add(i)
            i = folded.find(lit, i + 1)
    return sorted(found)


def literal_starts(folded: str, literal: str) -> list[int]:
    """Every position of `literal` in `folded`, ascending (overlapping ones too)."""
    out = []
    i = folded.find(literal)
    while i >= 0:
        out.append(i)
        i = folded.find(literal, i + 1)
    return out


def number_starts(text: str, folded: str, digit_runs: list[int] | None = None) -> list[int]:
    """Every position where a number, in digits or in words, may start: the start of each run
    of digits and of each number word (found in `folded`, the fold of `text`), ascending.
    `digit_runs`: digit_run_starts(text), when the caller has it."""
    starts = digit_run_starts(text) if digit_runs is None else digit_runs
    if NUMBER_WORD.search(folded) is not None:
        starts = sorted(set(starts) | {m.start() for m in NUMBER_WORD.finditer(folded)})
    return starts


def branches(pattern: re.Pattern) -> list[re.Pattern]:
    """The top-level alternatives of a pattern, each compiled alone with the pattern's flags:
    the pattern matches somewhere exactly when one of them does. (A pattern without group
    references across branches, as all here are.)"""
    src, parts, depth, cls, cur, i = pattern.pattern, [], 0, False, [], 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            cur.append(src[i:i + 2])
            i += 2
            continue
        if cls:
            cls = ch != "]" or (cur and cur[-1] in ("[", "[^"))
        elif ch == "[":
            cls = True
            if src[i + 1:i + 2] == "^":
                cur.append("[^")
                i += 2
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    assert "|".join(parts) == src
    return [re.compile(p, pattern.flags) for p in parts]


def any_branch(text: str, folded: str, checks: list[tuple[re.Pattern, object]]) -> bool:
    """Does one of the (branch, test) pairs match: the branch searched in `text` only when its
    test passes on `folded` (a tuple of words one of which every match contains, or a
    pattern every match's folded text contains a match of)."""
    for branch, test in checks:
        if isinstance(test, tuple):
            if not has_any(folded, test):
                continue
        elif test.search(folded) is None:
            continue
        if branch.search(text) is not None:
            return True
    return False


# Tests over folded text that every match of a numbers.py timepoint pattern passes.
# TIMEPOINT_RE: a unit after "-" (y..., mo..., w...), or "year", "yr", "month" after a space.
TIMEPOINT_UNITS = ("year", "yr", "month")
HYPHEN_UNIT = re.compile(r"-\s*(?:y|mo|w|d)")
DIGIT_YEAR = re.compile(r"\dy\s")   # "3y OS"
# AT_TIMEPOINT_RE's units.
AT_UNITS = ("year", "yr", "month", "mo", "week")


def number_token_starts(text: str) -> list[int]:
    """Where a printed number (numbers.NUM: digits, or "." then digits) may start: each run
    of digits and each ".", ascending. A pattern that starts with NUM and has no look-behind
    before it finds its leftmost match at one of these (one starting inside a run of digits
    also starts at the run's start)."""
    starts = digit_run_starts(text)
    if "." in text:
        dots = literal_starts(text, ".")
        # (a "." is no digit: the two lists never share a position, so no set is needed)
        starts = sorted(starts + dots) if starts else dots
    return starts
