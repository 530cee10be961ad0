"""The number grammar: how papers write values, intervals, p-values and timepoints.

Works on the clean view (dashes and minus already normalised to "-", en dash kept as a
range mark). Every parser returns plain values plus the clean offsets it consumed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.extract import fastre

# A number as printed: 0.733, .02, 1,593 (thousands), 28,5 (decimal comma typo before %).
NUM = r"(?:\d+(?:[.,]\d+)?|\.\d+)"

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_WORD_BELOW_100 = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|"
                   r"seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                   r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)")
# "twelve", "twenty-two", "one hundred thirty-two", "two hundred and five"
_WORD_NUM = rf"(?:(?:one|two|three|four|five|six|seven|eight|nine)\s+hundred(?:\s+(?:and\s+)?{_WORD_BELOW_100})?|{_WORD_BELOW_100})"
WORD_NUM_RE = re.compile(rf"\b{_WORD_NUM}\b", re.I)


def to_float(s: str, *, percent: bool = False) -> float | None:
    """Parse one printed number. A comma is a thousands mark before exactly three digits
    (1,593), otherwise a decimal comma (the "28,5%" typo)."""
    s = s.strip()
    if not s:
        return None
    if "," in s:
        head, _, tail = s.partition(",")
        s = head + tail if len(tail) == 3 and not percent else head + "." + tail
    try:
        return float(s)
    except ValueError:
        return None


def word_to_int(s: str) -> int | None:
    s = s.lower().replace("-", " ").strip()
    if s.isdecimal():
        return int(s)  # isdecimal, not isdigit: "²" is a digit but no number to int()
    parts = [p for p in s.split() if p != "and"]
    if not parts or any(p not in WORD_NUMBERS and p != "hundred" for p in parts):
        return None
    if "hundred" in parts:
        k = parts.index("hundred")
        if k != 1:
            return None
        return WORD_NUMBERS[parts[0]] * 100 + sum(WORD_NUMBERS[p] for p in parts[2:])
    return sum(WORD_NUMBERS[p] for p in parts)


# --- intervals ----------------------------------------------------------------------

_SEP = r"\s*(?:-|–|—|to|,|;|~)\s*"
CI_LABELLED = re.compile(
    rf"(?:\d{{2}}\s?%\s*)?(?:CI|confidence interval)s?(?:\s*[\[(]CIs?[\])])?\s*(?:[:=,]|of|was|is)?\s*[\[(]?\s*(-?{NUM})(?:\s?%)?{_SEP}(-?{NUM})(?:\s?%)?\s*[\])]?",
    re.I)
# A bracket of two numbers after a value; with percent signs ("64% [61%; 68%]", "(31%-54%)")
# only when both bounds carry one and no comma separates them ("(45%, 30%)" lists two values).
CI_BARE = re.compile(rf"^\s*[\[(]\s*(?:(-?{NUM}){_SEP}(-?{NUM})|(-?{NUM})\s?%\s*(?:-|–|—|to|;)\s*(-?{NUM})\s?%)\s*[\])]")

# ... or the sign printed once, after a range: "5.4% (3.2–8.9%)" (not after a comma: "(12, 40%)").
CI_BARE_SIGN_AFTER = re.compile(rf"^\s*[\[(]\s*(-?{NUM})\s*(?:-|–|—|to)\s*(-?{NUM})\s?%\s*[\])]")


@dataclass
class Interval:
    low: float
    high: float
    start: int
    end: int


_UNIT_CLOSE = re.compile(r"\s*(?:months?|years?|weeks?|days?|mo)\s*[)\]]")


def find_ci(s: str, pos: int = 0, bare_ok: bool = False, limit: int = 60) -> Interval | None:
    """A confidence interval starting within `limit` characters of pos."""
    window = s[pos:pos + limit]
    m = CI_LABELLED.search(window)
    if m:
        lo, hi = to_float(m.group(1)), to_float(m.group(2))
        if lo is not None and hi is not None and lo <= hi:
            end = m.end()
            if not window[:end].endswith((")", "]")):
                # "(95% CI = 3.0 to 5.9 years)": the bound's unit, then the bracket, are the interval's
                u = _UNIT_CLOSE.match(s, pos + end)
                end = u.end() - pos if u else end
            return Interval(lo, hi, pos + m.start(), pos + end)
    if bare_ok:
        m = CI_BARE.match(window) or CI_BARE_SIGN_AFTER.match(window)
        if m:
            lo, hi = (to_float(m.group(1)), to_float(m.group(2))) if m.group(1) else (to_float(m.group(3)), to_float(m.group(4)))
            if lo is not None and hi is not None and lo <= hi:
                return Interval(lo, hi, pos + m.start(), pos + m.end())
    return None


# --- p-values -----------------------------------------------------------------------

P_RE = re.compile(rf"\b[Pp](?:\s*-?\s*values?)?\s*(=|<|>|≤|≥|<=|=<|>=)\s*({NUM})(?:\s*[x×]\s*10\s*[-−]\s*(\d+))?")
P_BARE_RE = re.compile(rf"^\s*(<|≤|>)?\s*({NUM})\s*$")


@dataclass
class PValue:
    value: float
    op: str
    start: int
    end: int


def _p_op(op: str) -> str:
    return "<" if op in ("<", "≤", "<=", "=<") else (">" if op in (">", "≥", ">=") else "=")


def find_p(s: str, pos: int = 0, limit: int = 80) -> PValue | None:
    m = P_RE.search(s, pos, pos + limit)
    if not m:
        return None
    if m.end() == pos + limit:
        # The window may end inside the number ("p<0.001" read as "p<0.0"): read it whole.
        m = P_RE.match(s, m.start()) or m
    v = to_float(m.group(2))
    if v is None:
        return None
    if m.group(3):
        v = v * 10 ** -int(m.group(3))
    if v > 1:
        return None
    return PValue(v, _p_op(m.group(1)), m.start(), m.end())


def parse_p_cell(s: str) -> tuple[float, str] | None:
    """A table p cell: "0.029", "< 0.001", "<.001"."""
    m = P_BARE_RE.match(s)
    if not m:
        return None
    v = to_float(m.group(2))
    if v is None or v > 1:
        return None
    return v, _p_op(m.group(1) or "=")


# --- timepoints ---------------------------------------------------------------------

_TP_UNIT = {"year": 12.0, "yr": 12.0, "y": 12.0, "month": 1.0, "mo": 1.0, "week": 12 / 52, "wk": 12 / 52, "day": 12 / 365}
# "5-year", "five-year", "3-yr", or "5 year" when a survival word follows ("5 year OS");
# never "57 years old".
TIMEPOINT_RE = re.compile(
    rf"\b(\d+(?:\.\d+)?|{_WORD_NUM})\s*(?:-\s*(years?|yrs?|y|months?|mos?|weeks?|wks?|"
    # "30-day mortality", "100-day non-relapse mortality": days only for deaths or survival
    # ("21-day cycles" is a schedule)
    rf"days?(?=\s+(?:[\w-]+\s+)?(?:mortality|survival|death|NRM|TRM)\b))\b|"
    # ("3y OS 69%": the unit written right after the number)
    rf"(?:\s|(?=yr?s?\s))(years?|yrs?|y|months?)\s+(?=(?:\w+\s+){{0,2}}(?:(?-i:[A-Z]{{2,5}})\b|survival|overall|rates?|probabilit|cumulative)))", re.I)
AT_TIMEPOINT_RE = re.compile(rf"\bat\s+(\d+(?:\.\d+)?|{_WORD_NUM})\s*(years?|yrs?|months?|mos?|weeks?)\b", re.I)
# Enumerated timepoints: "the 1-, 3- and 5-year OS rates", "1-, 2-, and 3-year", "1, 5, and
# 10-year" (a number before the last without its hyphen is short: "2010 and 5-year" is no list,
# nor is "stage 2 and 3-year").
_TP_LIST_ITEM = r"(?:\d+(?:\.\d+)?\s*-|\d{1,2}(?:\.\d+)?(?![\d.]))"
TIMEPOINT_LIST_RE = re.compile(
    rf"(?<!stage )(?<!grade )(?<!stages )(?<!grades )(?<!type )\b((?:{_TP_LIST_ITEM}\s*,\s*)*{_TP_LIST_ITEM}\s*,?\s*(?:and|or)\s+)(\d+(?:\.\d+)?)\s*-\s*(years?|yrs?|months?)\b",
    re.I)


def timepoint_months(number: str, unit: str) -> float | None:
    n = word_to_int(number) if not number[0].isdigit() else float(number)
    if n is None:
        return None
    u = unit.lower().rstrip("s")
    factor = _TP_UNIT.get(u) or _TP_UNIT.get(u[:2]) or _TP_UNIT.get(u[:1])
    return round(n * factor, 2) if factor else None


# Each timepoint with its unit: "1-year, 2-year, and 3-year", "6-month and 1-year".
_TP_ITEM = r"\d+(?:\.\d+)?\s*-\s*(?:years?|yrs?|months?)"
TIMEPOINT_UNIT_LIST_RE = re.compile(rf"\b(?:{_TP_ITEM}\s*,\s*)*{_TP_ITEM}\s*,?\s*(?:and|or)\s+{_TP_ITEM}\b", re.I)
_TP_ITEM_RE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(years?|yrs?|months?)", re.I)


# "at 1, 2 and 5 years"
# ("at one, five, and ten years": in words too)
_LIST_NUM = rf"(?:\d+(?:\.\d+)?|{_WORD_NUM})"
AT_TIMEPOINT_LIST_RE = re.compile(
    rf"\bat\s+((?:{_LIST_NUM}\s*,\s*)*{_LIST_NUM}\s*,?\s*(?:and|or)\s+)({_LIST_NUM})\s*(years?|yrs?|months?)\b", re.I)
_LIST_NUM_RE = re.compile(rf"\d+(?:\.\d+)?|\b{_WORD_NUM}\b", re.I)


# The timepoint patterns start with "\b" and are case-insensitive: sre would try them at
# every position. They are tried only where a match can start (a number, or "at"), and only
# when the words every match has are there (fastre's tests over the folded text); what they
# find is what searching the whole text finds.

def _timepoints(s: str, folded: str) -> list[re.Match]:
    """TIMEPOINT_RE.finditer(s) as a list."""
    if not (fastre.has_any(folded, fastre.TIMEPOINT_UNITS) or ("-" in folded and fastre.HYPHEN_UNIT.search(folded))
            or ("y " in folded and fastre.DIGIT_YEAR.search(folded))):
        return []
    return list(fastre.finditer_at(TIMEPOINT_RE, s, fastre.number_starts(s, folded)))


def _at_timepoints(s: str, folded: str) -> list[re.Match]:
    """AT_TIMEPOINT_RE.finditer(s) as a list."""
    if "at" not in folded or not fastre.has_any(folded, fastre.AT_UNITS):
        return []
    return list(fastre.finditer_at(AT_TIMEPOINT_RE, s, fastre.literal_starts(folded, "at")))


def find_timepoint_list(s: str) -> tuple[list[float], int, int] | None:
    folded = fastre.fold(s)
    m = None
    if fastre.has_any(folded, fastre.TIMEPOINT_UNITS) and ("and" in folded or "or" in folded):
        if "-" in folded:
            m = next(fastre.finditer_at(TIMEPOINT_LIST_RE, s, fastre.digit_run_starts(s)), None)
            if m is None:
                u = next(fastre.finditer_at(TIMEPOINT_UNIT_LIST_RE, s, fastre.digit_run_starts(s)), None)
                if u is not None:
                    return [timepoint_months(n, unit) for n, unit in _TP_ITEM_RE.findall(u.group(0))], u.start(), u.end()
        if m is None and "at" in folded:
            m = next(fastre.finditer_at(AT_TIMEPOINT_LIST_RE, s, fastre.literal_starts(folded, "at")), None)
    if not m:
        return None
    nums = _LIST_NUM_RE.findall(m.group(1)) + [m.group(2)]
    unit = m.group(3)
    return [timepoint_months(n, unit) for n in nums], m.start(), m.end()


def find_last_timepoint(s: str) -> float | None:
    """The timepoint closest to the end of a phrase: the one the values after it belong to."""
    last = None
    folded = fastre.fold(s)
    for rx, found in ((TIMEPOINT_RE, _timepoints(s, folded)), (AT_TIMEPOINT_RE, _at_timepoints(s, folded))):
        for m in found:
            if last is None or m.start() > last[0]:
                unit = m.group(2) if rx is AT_TIMEPOINT_RE else (m.group(2) or m.group(3))
                last = (m.start(), timepoint_months(m.group(1), unit))
    return last[1] if last else None


def find_timepoint(s: str) -> float | None:
    """The first survival timepoint in a phrase ("5-year", "five-year", "3-yr", "at 24 months")."""
    folded = fastre.fold(s)
    found = _timepoints(s, folded)
    if found:
        m = found[0]
        return timepoint_months(m.group(1), m.group(2) or m.group(3))
    found = _at_timepoints(s, folded)
    if found:
        m = found[0]
        return timepoint_months(m.group(1), m.group(2))
    return None


# --- percentages --------------------------------------------------------------------

PERCENT_RE = re.compile(rf"(?<![\w.]){NUM}\s?%")


def percent_value(s: str) -> float | None:
    return to_float(s.replace("%", "").strip(), percent=True)
