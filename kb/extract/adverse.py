"""Adverse events stated in prose: 'Grade 3-4 neutropenia occurred in 24% of patients',
'the most common grade 3 or 4 adverse events were neutropenia (18%), anemia (9%) ...'.

Tables of adverse events are read by kb/extract/tables.py; this module reads sentences.
"""
from __future__ import annotations

import re

from kb.extract.fastre import fold, has_any
from kb.extract.numbers import NUM, percent_value
from kb.extract.sections import CleanText
from kb.models import AdverseEvent

_GRADE = (r"grades?\s*(?:(?P<lo>\d)\s*(?:-|–|to|or|and|/)\s*(?P<hi>\d)|(?:≥|>=|>)\s*(?P<ge>\d)|"
          r"(?P<gh>\d)\s*(?:or|and)\s*(?:higher|greater|above|more)|(?P<one>\d))")
_GRADE_RE = re.compile(_GRADE, re.I)
_EVENT = r"(?P<event>[a-z][a-z-]+(?: [a-z][a-z-]+){0,3}?)"
_PCT = rf"(?P<pct>{NUM})\s?%"
# "<grade> <event> occurred in 24% of patients", "... in 12 patients (10.0%)", "... in 3 (2.5%) patients"
_SINGLE = re.compile(
    rf"(?:treatment-related\s+)?{_GRADE}\s+{_EVENT}\s+(?:was\s+|were\s+)?(?:occurred|observed|reported|developed|seen|noted)"
    rf"\s+in\s+(?:(?P<n>\d+)\s*(?:patients?\s*)?\(\s*{_PCT}\s*\)|(?P<pct2>{NUM})\s?%\s+of)", re.I)
# "The most common grade 3 or 4 adverse events were neutropenia (18%), anemia (9%) and fatigue (5%)";
# without a grade ("any") only when the head says which events it lists: "the most frequent
# treatment-related adverse events were ...", not "adverse events were similar (45% vs 40%)".
_KIND = r"(?:(?:treatment|drug|immune)-related\s+|treatment-emergent\s+)"
_LIST_HEAD = re.compile(
    rf"(?:{_GRADE}\s+{_KIND}?|\bmost\s+(?:common(?:ly\s+reported)?|frequent(?:ly\s+reported)?)\s+{_KIND}?|{_KIND})"
    rf"(?:adverse events?|AEs?|toxicit(?:y|ies)|side effects?)\s+(?:were|included|was)\s+", re.I)
_LIST_ITEM = re.compile(rf"(?:,\s*|\s+and\s+|^)(?P<event>[a-z][a-z -]{{1,40}}?)\s*\(\s*(?:(?P<n>\d+)\s*[,;]\s*)?{_PCT}\s*\)", re.I)
_NOT_EVENTS = re.compile(r"^(?:patients?|all|any|grade|the|total)\b", re.I)


def _grade(m: re.Match) -> str:
    if not any(m.group(g) for g in ("lo", "ge", "gh", "one")):
        return "any"   # no grade named: events of any grade
    if m.group("lo"):
        return f"{m.group('lo')}-{m.group('hi')}"
    if m.group("ge"):
        return f"≥{m.group('ge')}"
    if m.group("gh"):
        return f"≥{m.group('gh')}"
    return m.group("one")


def _event(name: str) -> str:
    name = re.sub(r"\s+", " ", name.strip(" ,;"))
    name = re.sub(r"^(?:and|or|the)\s+", "", name, flags=re.I)
    return name[:1].upper() + name[1:]


# Words (folded) one of which every match of _LIST_HEAD holds (its kinds of events), and the
# one every match of _GRADE_RE holds: a sentence without them is not searched.
_LIST_HEAD_WORDS = ("adverse event", "ae", "toxicit", "side effect")


def prose_adverse_events(clean: CleanText, sentences: list[tuple[int, int, str, bool]],
                         folded: str | None = None) -> list[AdverseEvent]:
    """`folded`: fastre.fold(clean.text), when the caller has it."""
    out: list[AdverseEvent] = []
    for s, e, section, cited in sentences:
        if cited or section not in ("abstract", "results"):
            continue
        sent = clean.text[s:e]
        if "%" not in sent:
            continue
        fs = fold(sent) if folded is None else folded[s:e]
        for m in _SINGLE.finditer(sent) if "grade" in fs and _GRADE_RE.search(sent) else ():
            quote, qs, qe = clean.quote(s + m.start(), s + m.end())
            out.append(AdverseEvent(event=_event(m.group("event")), grade=_grade(m), phase=None,
                                    n=int(m.group("n")) if m.group("n") else None,
                                    percent=percent_value((m.group("pct") or m.group("pct2")) + "%"),
                                    quote=quote, start=qs, end=qe))
        for h in _LIST_HEAD.finditer(sent) if has_any(fs, _LIST_HEAD_WORDS) else ():
            grade = _grade(h)
            tail = sent[h.end():]
            for m in _LIST_ITEM.finditer(tail):
                name = m.group("event")
                if _NOT_EVENTS.match(name.strip()):
                    continue
                quote, qs, qe = clean.quote(s + h.end() + m.start("event"), s + h.end() + m.end())
                out.append(AdverseEvent(event=_event(name), grade=grade, phase=None,
                                        n=int(m.group("n")) if m.group("n") else None,
                                        percent=percent_value(m.group("pct") + "%"), quote=quote, start=qs, end=qe))
    return out
