"""Study-level facts: design, number of patients, median follow-up."""
from __future__ import annotations

import re

from kb.extract.numbers import NUM, WORD_NUM_RE, to_float, word_to_int

# Design cues in order of precedence; the first that fires in title+abstract wins, then methods.
_DESIGNS = [
    (r"\bmeta-?analys[ie]s\b", "meta-analysis"),
    (r"\bsystematic(?:ally)? review", "systematic review"),
    (r"\brandomi[sz]ed\b[^.]{0,60}\b(?:trial|study)|\brandomi[sz]ed(?:,)? (?:controlled|phase|double|open)", "randomized controlled trial"),
    (r"\bcase report\b|\bwe (?:report|present|describe) (?:a|an|the) (?:case|patient)", "case report"),
    (r"\bcase series\b", "case series"),
    (r"\bretrospective(?:ly)?\b", "retrospective cohort"),
    (r"\bsingle[- ]arm\b|\bphase (?:I|II|1|2|I/II|1/2)\b[^.]{0,40}\b(?:trial|study)", "single-arm trial"),
    (r"\bprospective(?:ly)?\b[^.]{0,40}\b(?:cohort|study|registry|collected)", "prospective cohort"),
    (r"\bthis (?:narrative )?review\b|\bwe review\b|\b(?:narrative|comprehensive) review\b|^\s*(?:a )?review\b", "review"),
    (r"\bcohort study\b", "retrospective cohort"),
]
_PATIENTS = re.compile(
    rf"\b(?:(?:a total of|total of|in total,?|overall,?|we (?:retrospectively |prospectively )?(?:reviewed|analy[sz]ed|included|enrolled|identified|studied))\s+)"
    rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{WORD_NUM_RE.pattern[2:-2]})\s+(?:[\w-]+\s+){{0,4}}?(?:patients|subjects|participants|cases|individuals|women|men|children|adults)\b", re.I)
_PATIENTS_BARE = re.compile(
    rf"\b(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d{{2,}}|{WORD_NUM_RE.pattern[2:-2]})\s+(?:[\w-]+\s+){{0,3}}?(?:patients|subjects|participants)\s+(?:were|was)\s+"
    r"(?:included|enrolled|analy[sz]ed|identified|eligible|randomi[sz]ed|treated|reviewed)", re.I)
_PATIENTS_OF = re.compile(r"\b[Oo]f (?:the )?\d+ patients (?:enrolled|included|registered|randomi[sz]ed),\s*(?P<n>\d+)\s+"
                          r"(?:were|was)\s+(?:eligible|evaluable|assessable|analy[sz]ed)")
_FOLLOW_UP = re.compile(
    rf"\bmedian (?:duration of )?follow-?\s?up(?: time| period| duration)?(?: for [^.]{{0,40}}?)?\s*(?:was|of|:|=|,)?\s*"
    rf"(?:approximately\s+)?(?P<v>{NUM})\s*(?P<u>months?|mo|years?|yrs?|weeks?|days?)\b", re.I)


def find_design(title: str, front: str, methods: str) -> str | None:
    """The title is the surest statement of design, then the abstract, then the methods."""
    for text in (title, front, methods):
        for pat, name in _DESIGNS:
            if re.search(pat, text, re.I | re.M):
                return name
    return None


def find_n_patients(text: str) -> int | None:
    for pat in (_PATIENTS_OF, _PATIENTS, _PATIENTS_BARE):
        m = pat.search(text)
        if m:
            raw = m.group("n").replace(",", "")
            n = int(raw) if raw.isdigit() else word_to_int(raw)
            if n:
                return n
    return None


def find_follow_up(text: str) -> float | None:
    m = _FOLLOW_UP.search(text)
    if not m:
        return None
    v = to_float(m.group("v"))
    u = m.group("u").lower()
    if v is None:
        return None
    if u.startswith("y"):
        v *= 12
    elif u.startswith("w"):
        v /= 4.345
    elif u.startswith("d"):
        v /= 30.44
    return round(v, 1)
