"""Outcome figures stated in prose: rates, ratios, medians and event proportions.

Each rule reads one sentence of the clean view (with the previous sentence as context for
enumerations whose labels come first) and returns figures whose quotes map back to the
original text. Rules never fire on sentences that report other studies' results.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from kb.extract import endpoints as ep
from kb.extract import fastre
from kb.extract.fastre import fold, has_any
from kb.extract.numbers import (AT_TIMEPOINT_RE, NUM, PERCENT_RE, TIMEPOINT_RE, WORD_NUM_RE, Interval, PValue, find_ci, find_last_timepoint, find_p,
                                find_timepoint, find_timepoint_list, percent_value, timepoint_months, to_float)
from kb.extract.sections import CleanText
from kb.extract.vocab import load_vocab, match_text
from kb.models import Figure

# A sentence that reports someone else's results: a citation or a reference to other work.
_CITATION = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
# After a value, "[4-17]" is an interval, not a reference.
_VALUE_BEFORE = re.compile(r"(?:\d|%|months?|years?|weeks?|days?|mo)\s*$")


def is_cited(text: str, folded: str | None = None, words: tuple[str, ...] | None = None) -> bool:
    """Does the sentence report other studies' results (a reference or a phrase saying so)?
    `folded`: fastre.fold(text), when the caller has it; `words`: those of _CITED_WORDS that
    the document holds (cited_words), when the caller knows them."""
    if "[" in text:
        for m in _CITATION.finditer(text):
            if not _VALUE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
                return True
    # Every match of CITED_RE holds one of these words: without them it cannot match.
    return has_any(fold(text) if folded is None else folded, _CITED_WORDS if words is None else words) \
        and bool(CITED_RE.search(text))


# An author-year reference: "(Parkin, 2001)", "(Bleehen et al, 1991; Macbeth et al, 1996)",
# "(Medical Research Council Lung Cancer Working Party, 1992)".
AUTHOR_YEAR = re.compile(r"\((?:[^()]{0,80}?;\s*)?[A-Z][A-Za-z'’-]+(?:[ ,][A-Za-z'’&.-]+){0,8}?,?\s+(?:19|20)\d\d[a-z]?"
                         r"(?:[;,]\s*[^()]{0,80}?)?\)")
_YEAR_CLOSE = re.compile(r"(?:19|20)\d\d[a-z]?\)")


def has_author_year(text: str) -> bool:
    """Whether a text holds an author-year reference (found quickly where it holds none)."""
    return _YEAR_CLOSE.search(text) is not None and AUTHOR_YEAR.search(text) is not None


_CITED_WORDS = ("et al", "previous", "studies", "reports", "series", "trials", "meta-analys", "reported", "literature")


def cited_words(folded: str) -> tuple[str, ...]:
    """The words of _CITED_WORDS in a folded document: no sentence of it holds any other."""
    return tuple(w for w in _CITED_WORDS if w in folded)


CITED_RE = re.compile(
    r"\bet al\b|\bprevious(?:ly)? (?:stud|report|publish)|"
    r"\b(?:other|several|some|many|prior|earlier) (?:studies|reports|series|trials)\b|"
    r"\bstudies (?:have )?(?:shown|reported|found|demonstrated)|\bmeta-analys[ie]s (?:including|of|showed)|"
    r"\bhas been reported\b|\bwere reported to\b|\bliterature\b", re.I)

RESPECTIVELY = re.compile(r",?\s*respec-?\s*tively\b", re.I)
_PCT = rf"({NUM})\s?%"
# A list of percentages: "37.7%, 30.2%, 20.3%, and 21.0%" / "62.2% and 56.0%"; a value's
# bracket may hold one short parenthesis ("68% [95% confidence interval (CI) = 49–81%] and 58%").
_BRACKET = r"(?:\s*[\[(][^\])%]{0,12}(?:\d\s?%\s*)?(?:[^\])(]|\([^()\[\]]{0,12}\)){0,30}[\])])?"
PCT_LIST_RE = re.compile(
    rf"{_PCT}(?!\s*(?:CI|confidence)){_BRACKET}(?:\s*(?:,|and|,\s*and|&|vs\.?|versus|to)\s*(?!\d+\s?%\s*CI){_PCT}{_BRACKET})*")
# "5-year", "30-day", "12 months": a time, inside an outcome's name or after a number.
_TIME_UNIT = r"(?:years?|yrs?|months?|mo|weeks?|wk|days?)\b"
_TIME_WORD = rf"\d+(?:\.\d+)?\s?-?\s?{_TIME_UNIT}"
RATIO_RE = re.compile(
    rf"\b(?:(?:adjusted|unadjusted|crude|pooled)\s+)?(a?HR|a?OR|a?RR|IRR|SHR|sHR|"
    rf"hazard ratios?|odds ratios?|relative risks?|risk ratios?|incidence rate ratio)"
    rf"\s*(?:[(\[][^)\]]{{0,12}}[)\]]\s*|\([^()/]{{1,30}}/[^()/]{{1,30}}\)\s*)?"
    # "HR for death was 0.64", "the pooled RR of bladder cancer for SHS exposure was 1.16",
    # "the HR for 3-year mortality was 0.72" (a time in the outcome's name is no value)
    # ("the HR for age ≥ 65 was 1.82": a threshold in the exposure's name is no value either)
    rf"(?:(?:of|for)\s+(?:[^.;()\d=]|{_TIME_WORD}|[<>≤≥]=?\s*\d+(?:\.\d+)?){{1,60}}?\s*(?=was\b|were\b|is\b|=|,))?"
    rf"(?:[:=,]|of|was|were|is)?\s*(?:[:=])?\s*(?:\(|\[)?\s*({NUM})(?![\d%])(?!\s?-?\s?{_TIME_UNIT})")
# What every match of RATIO_RE (case-sensitive) contains.
_RATIO_WORDS = ("HR", "OR", "RR", "hazard ratio", "odds ratio", "relative risk", "risk ratio", "incidence rate ratio")
# What a match of RATIO_RE starts with: a qualifier, or the name of the ratio.
_RATIO_STARTS = ("adjusted", "unadjusted", "crude", "pooled", "aHR", "HR", "aOR", "OR", "aRR", "RR", "IRR", "SHR", "sHR",
                 "hazard ratio", "odds ratio", "relative risk", "risk ratio", "incidence rate ratio")
MEASURE_OF = {"hr": "HR", "or": "OR", "rr": "RR", "irr": "RR", "shr": "HR", "hazard": "HR", "odds": "OR",
              "relative": "RR", "risk": "RR", "incidence": "RR"}
MEDIAN_RE = re.compile(
    # (a digit inside a name is part of it: "for patients randomised to RT-5-FU was 9.6 months";
    # a standard error may stand between the value and its unit: "18 (±4) months")
    # (not across a "not reached" that another median follows: "median OS was not reached, and
    # the median PFS was 14.2 months" is the PFS's)
    rf"\bmedian\b(?P<what>(?:(?!\bnot\s+(?:yet\s+)?(?:been\s+)?reached\b(?=[^.;]*\bmedian\b))"
    rf"(?:[^.;%\d<>≤≥]|(?<=\bvs)\.|(?<=[A-Za-z/+-])\d)){{0,120}}?)(?:\b(?:was|were|of|is|reached)\b|[=:,])?\s*"
    rf"(?:approximately\s+)?(?P<value>{NUM})\s*(?:\(\s*±\s*{NUM}\s*\)\s*)?"
    # (or its interval: "102 (95% CI: 52, 169) days", "7.5 (6.2-12.3) months", read as a bare
    # interval after the unit is)
    # (or its range, no interval: "23 (range, 1-64) months")
    rf"(?P<pci>\((?:(?:9[05]\s*%\s*)?(?:CI|confidence interval)\b[^()]{{1,30}}|\s*{NUM}\s*(?:-|–|to)\s*{NUM}\s*)\)\s*)?"
    rf"(?:\(\s*(?:range|IQR|interquartile range)\s*[:,]?\s*{NUM}\s*(?:-|–|to)\s*{NUM}\s*\)\s*)?"
    rf"(?P<unit>months?|mo|years?|yrs?|weeks?|days?)\b", re.I)
MEDIAN_VS_RE = re.compile(rf"\s*(?:[\[(][^\])]{{0,40}}[\])])?\s*(?:(?:in|with|for) (?:the )?(?P<g1>[^,;()]{{1,60}}?)\s+)?(?:[\[(][^\])]{{0,40}}[\])])?\s*(?:vs\.?|versus|and|compared with|,\s*(?:compared (?:with|to)|vs\.?|versus))\s*(?P<value>{NUM})\s*(?:\(\s*±\s*{NUM}\s*\)\s*)?(?P<unit>months?|mo|years?|weeks?)\b", re.I)
VS_RE = re.compile(rf"{_PCT}\s*(?:vs\.?|versus|compared (?:with|to))\s*{_PCT}", re.I)

@dataclass
class Sentence:
    start: int        # clean offsets
    end: int
    section: str
    cited: bool
    context_endpoint: str | None = None   # the last time-to-event endpoint named before, in this section
    # Finds context_endpoint when first asked (prose_figures sets it): most sentences never need it.
    context_finder: Callable[[], str | None] | None = field(default=None, repr=False, compare=False)
    # The specific endpoint the last _NEAR_SENTENCES sentences of the section named (prose_figures sets it).
    near_finder: Callable[[], str | None] | None = field(default=None, repr=False, compare=False)

    # fastre.fold of the text, kept once a rule has asked for it.
    folded_text: str | None = field(default=None, repr=False, compare=False)
    # The text itself, kept once asked for: the rules ask for it a dozen times a sentence.
    own_text: str | None = field(default=None, repr=False, compare=False)
    # fastre.number_token_starts of the text, kept once asked for.
    number_starts: list[int] | None = field(default=None, repr=False, compare=False)
    # The subgroup an opening phrase restricts the sentence to ("Among the 64 patients who
    # underwent surgery, ..."), found when a rule first asks ("" for none).
    lead_group: str | None = field(default=None, repr=False, compare=False)

    def text(self, clean: CleanText) -> str:
        if self.own_text is None:
            self.own_text = clean.text[self.start:self.end]
        return self.own_text

    def folded(self, clean: CleanText) -> str:
        if self.folded_text is None:
            self.folded_text = fold(self.text(clean))
        return self.folded_text

    def numbers(self, clean: CleanText) -> list[int]:
        if self.number_starts is None:
            self.number_starts = fastre.number_token_starts(self.text(clean))
        return self.number_starts

    def context(self) -> str | None:
        if self.context_finder is not None:
            self.context_endpoint = self.context_finder()
            self.context_finder = None
        return self.context_endpoint

    def lead(self, clean: CleanText) -> str | None:
        if self.lead_group is None:
            self.lead_group = _lead_group(self.text(clean)) or ""
        return self.lead_group or None


def _value_ci(s: str, pos: int, limit: int = 30) -> Interval | None:
    """The interval of the value ending at pos: within `limit` characters, or anywhere in the
    parenthesis that opens right after it ('23% (all partial responses; 95% confidence
    interval [CI], 10%-56%)'), when that parenthesis labels it as a confidence interval."""
    ci = find_ci(s, pos, bare_ok=True, limit=limit)
    if ci is not None:
        return ci
    m = re.match(r"\s*[(\[]", s[pos:pos + 4])
    if not m:
        return None
    close = _bracket(s, range(pos + m.end(), min(len(s), pos + 100)), inner=")" if s[pos + m.end() - 1] == "(" else "]",
                     outer="(" if s[pos + m.end() - 1] == "(" else "[")
    if close is None:
        return None
    ci = find_ci(s[:close + 1], pos, limit=close + 1 - pos)
    return ci if ci and re.search(r"CI|confidence", s[pos:ci.end], re.I) else None


def _fig(clean: CleanText, sent: Sentence, cs: int, ce: int, **kw) -> Figure:
    quote, s, e = clean.quote(cs, ce)
    return Figure(quote=quote, start=s, end=e, section=sent.section, **kw)


def _pct_values(s: str, offset: int) -> list[tuple[float, int, int]]:
    """Every percentage in s with its clean offsets."""
    out = []
    for m in PERCENT_RE.finditer(s):
        v = percent_value(m.group(0))
        if v is not None:
            out.append((v, offset + m.start(), offset + m.end()))
    return out


def _strip_label(s: str) -> str:
    s = re.sub(r"^\s*(?:and|or|for|in|among|the|patients?|those)\s+", "", s.strip(" ,;:"), flags=re.I)
    s = re.sub(r"^(?:the|patients? (?:with|treated with|who received)|those (?:with|treated with))\s+", "", s, flags=re.I)
    s = re.sub(r"\s+(?:group|arm|cohort|patients?|disease)$", "", s.strip(), flags=re.I)
    return s.strip(" ,;:")


_WITH_AND_WITHOUT = re.compile(r"^\s*(?P<a>with|without)\s+(?:and|or|vs\.?|versus)\s+(?P<b>with|without)\s+(?P<x>\S.*)$",
                               re.I)


def split_labels(s: str) -> list[str]:
    """'stage III, IVa, and IVb disease' -> ['stage III', 'stage IVa', 'stage IVb']."""
    s = re.sub(r"\b(?:disease|patients|groups?|arms?|cohorts?)\b", "", s)
    # "with and without nodal metastasis": two groups sharing what they have or lack.
    both = _WITH_AND_WITHOUT.match(s)
    if both:
        return [x for x in (_strip_label(f"{both.group('a')} {both.group('x')}"),
                            _strip_label(f"{both.group('b')} {both.group('x')}")) if x]
    parts = [p.strip() for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus)\s+", s) if p.strip()]
    # The disease named after the last of one-word levels is not part of it: "stage III, IVa
    # and IVb NSCLC" (a roman numeral or their range is a level; "SRS and WBRT" are two groups of
    # one word).
    last = re.match(r"^(\S+)\s+(?![IVX]+(?:[-–][IVX]+)?$)[A-Z][A-Z0-9-]{1,7}$", parts[-1]) if len(parts) > 1 else None
    if last and all(" " not in p for p in parts[1:-1]):
        parts[-1] = last.group(1)
    # Carry a shared head word: "stage III, IVa, and IVb" -> stage IVa, stage IVb.
    head = re.match(r"^([A-Za-z]+)\s+\S+$", parts[0]) if parts else None
    if head:
        h = head.group(1)
        parts = [p if p.lower().startswith(h.lower()) or " " in p else f"{h} {p}" for p in parts]
    # Carry a suspended hyphen's word: "low-, intermediate- and high-risk" -> low-risk, ...
    shared = re.match(r"^[\w+]+-(\w+)", parts[-1]) if len(parts) > 1 and any(p.endswith("-") for p in parts[:-1]) else None
    if shared:
        parts = [p + shared.group(1) if p.endswith("-") else p for p in parts]
    # Carry a shared unit: "<50, 50-69 and ≥70 years" -> <50 years, 50-69 years, ≥70 years.
    tail = re.match(r"^[^A-Za-z\s]+\s+([A-Za-z]+)$", parts[-1]) if len(parts) > 1 else None
    if tail and not any(re.search(r"[A-Za-z]", p) for p in parts[:-1]):
        parts = [f"{p} {tail.group(1)}" for p in parts[:-1]] + parts[-1:]
    return [_strip_label(p) for p in parts if _strip_label(p)]


# --- groups ---------------------------------------------------------------------------
# A figure's group is the level its value is stated for ("45.2% in the high-risk group",
# "nasal cavity (48.2%)", "higher in women than in men (71.3% and 58.9%)"), within the
# subgroup the sentence is restricted to ("Among the 64 patients who underwent surgery, ...",
# "The 5-year OS of patients with stage III disease was ..."). Labels keep the phrase as
# written ("patients with stage III disease", "control group") without the preposition,
# article or count before it.

# The whole study population: its figures are the "Overall" ones.
_WHOLE_COHORT = re.compile(
    r"(?:(?:all(?:\s+the)?\s+|the\s+)?(?:patients|cases|participants|subjects)|overall|total|all|"
    r"(?:the\s+)?(?:entire|whole|overall|total|full|study|intention-to-treat|ITT)\s+(?:cohort|population|series|sample|group)|"
    r"(?:this|our|the present|the current)\s+(?:[\w-]+\s+){0,3}(?:cohort|population|series|sample|study|trial|patients)|"
    r"(?:the\s+)?(?:(?:study\s+)?cohort|population|series|sample|group)\s+as\s+a\s+whole|"
    # a bare "cohort" ("The cohort had a 2-year OS of 70.2%") is the study's
    r"(?:the\s+)?(?:study\s+)?(?:cohort|population)|"
    # the registry a registry analysis draws on: "In the NCDB cohort, ..."
    r"(?:the\s+)?(?:SEER|NCDB|National\s+Cancer\s+Data\s*base|registry|database)(?:\s+(?:cohort|population|"
    r"data(?:set)?|sample))?)"
    r"(?:\s+of\s+\d[\d,]*\s+(?:patients|cases|participants|subjects))?", re.I)
# Phrases after "in"/"for" that name no group: analyses, comparisons, time, statistics.
_NOT_A_GROUP = re.compile(
    r"^(?:which|that|it|this|these|them|we|whom|addition|contrast|comparison|particular|general|summary|"
    r"conclusion|line|accordance|agreement|keeping|respect|terms|turn|order|both\s+(?:analyses|models)|"
    r"\d+(?:\.\d+)?\s*(?:months?|mo|years?|yrs?|weeks?|days?))\b|^those$|"
    r"\banalys[ie]s\b|\bmodels?\b|\bregression\b|follow[- ]?up|\bmedian\b|\bCI\b|confidence|significan|"
    r"\bdifferen(?:ces?|t|tly)\b|\bp\s*[=<>]|respectively|\breported\b|\bliterature\b|^(?:months?|years?|weeks?|days?)$", re.I)
# Where a group phrase after a value ends (besides "(", ",", ";"): at the next comparison
# ("than" not in "older than 70 years"), at "and/or/to" before the next value or group, at
# a timepoint, at a new verb ("... arm was longer"), at the sentence end.
_GROUP_END = re.compile(
    r"\s+(?:vs\.?|versus|compared\s+(?:with|to)|than\s+(?=(?:in|for|among|with|that|those|the)\b)|respectively|"
    r"whereas|while|but|at\s+\d|(?:and|or|to)\s+(?=(?:the\s+)?[<>≤≥]?\d|(?:in|for|among|with|those|patients)\b)|"
    # ("for B in the entire cohort": the scope of the whole comparison, not part of B)
    r"(?:in|among|within)\s+the\s+(?:entire|whole|overall|total|full)\s+(?:cohort|population|series|sample))|"
    # a new clause with its own subject and verb: "... under 45 years and the lowest survival was ..."
    r"\s+(?:and|but)\s+(?=the\s+(?:\w+\s+){1,3}(?:was|were|is|are)\b)|"
    r"(?<!\bwho)(?<!\bthat)(?<!\bwhich)\s+(?:was|were|is|are|had|has)\b|\s*\.?\s*$", re.I)
# A bracket after a value (its interval, its count), one nested pair allowed: "(95% CI [CI], 40-46)".
_VALUE_BRACKET = r"[\[(](?:[^\[\]()]|[\[(][^\[\]()]{0,20}[\])]){0,60}[\])]"
# "at" names a group only of places where patients were treated: "46.5% at low-volume centres".
_FACILITY = r"(?:cent(?:re|er)s|hospitals|facilities|institutions|programs|programmes)"
# The words that say one group fared better or worse than another.
_BETTER_WORSE = r"(?:higher|lower|greater|worse|better|increased|reduced|decreased|longer|shorter|improved|poorer|inferior|superior)"
# ("in 12 (26%) patients treated with vandetanib": the value's count and its share, then its arm)
_TRAILING_GROUP = re.compile(
    rf"\s*\)?\s*(?:{_VALUE_BRACKET}\s*)?(?:at\s+{NUM}\s*(?:years?|months?|yrs?|mo)\s+)?"
    rf"(?:(?P<overall>overall)(?=\s*(?:[,;.)]|and\b|but\b|$))|"
    rf"(?P<prep>for|in|among|with|(?:patients|cases)\s+(?:treated\s+with|receiving|who\s+received|given)|"
    rf"at(?=\s+(?:the\s+)?(?:[\w-]+\s+){{1,3}}{_FACILITY}\b))\s+"
    rf"(?P<g>(?:[^,;()\[\]]|,(?=\d{{3}}\b)){{1,80}}))", re.I)
# "with" names an arm ("64% with the combination"), not an attribute ("with a median ...").
_WITH_NO_GROUP = re.compile(r"(?:a|an|no|median|regard|respect|the exception|\d)\b|\d", re.I)


# An article and a count before a group: "the 64 patients who ...", "12 of 30 patients".
_CONNECTIVES = frozenset({"and", "or", "but", "the", "vs", "vs.", "versus", "respectively", "both", "whereas", "while"})
# Patients named by the treatment they had are that treatment's arm: 'patients receiving 16 Gy/2
# fr' -> '16 Gy/2 fr', 'those treated with cetuximab' -> 'cetuximab'.
_TREATED_WITH = re.compile(r"^(?:patients|those|participants|subjects|women|men)\s+(?:who\s+(?:were\s+)?)?"
                           r"(?:receiving|received|given|treated\s+with|administered|allocated\s+to|assigned\s+to|"
                           r"randomi[sz]ed\s+to|randomly\s+assigned\s+to|managed\s+(?:by|with)|undergoing|underwent|who\s+had)\s+(?=\S)", re.I)
_LABEL_OPENING = re.compile(r"^(?:(?:the|a|an)\s+)?(?:\d[\d,]*\s+(?:of\s+(?:the\s+)?\d[\d,]*\s+)?(?=[A-Za-z]{3}))?", re.I)


def _group_label(phrase: str | None, has_endpoint: bool | None = None, long_ok: bool = False) -> str | None:
    """A group phrase as a label ('the 64 patients who underwent surgery' -> 'patients who
    underwent surgery'); the whole study population is 'Overall'; None when the phrase
    names no group (an analysis, a timepoint, an endpoint). `has_endpoint`: whether the
    phrase names an endpoint, when the caller knows; `long_ok`: the phrase is known to be
    a group (the subject of a comparison), so a longer description is kept."""
    if not phrase:
        return None
    g = _LABEL_OPENING.sub("", phrase.strip(" ,;:."), count=1)
    g = _TREATED_WITH.sub("", g, count=1)
    if g.lower() in _CONNECTIVES:
        return None   # "19, 22, and 13%": the word before a value is no group
    if not g or len(g) > (100 if long_ok else 70) or len(g.split()) > (16 if long_ok else 10) \
            or not re.search(r"[A-Za-z0-9]", g):
        return None
    if _WHOLE_COHORT.fullmatch(g):
        return "Overall"
    if _NOT_A_GROUP.search(g) or (ep.first_endpoint(g) if has_endpoint is None else has_endpoint):
        return None
    return g


def _trailing_group(clause: str, value_end: int, with_ok: bool = True) -> str | None:
    """The group stated right after a value: '45.2% in the high-risk group' -> 'high-risk
    group'; '13% (95% CI, 5-27) for low-risk men (n=41)' -> 'low-risk men'; '41% (...)
    overall' -> 'Overall'. `with_ok`: whether 'with X' names a group ('with placebo')."""
    m = _TRAILING_GROUP.match(clause, value_end)
    if not m:
        return None
    if m.group("overall"):
        return "Overall"
    g = m.group("g")
    if m.group("prep").lower() == "with" and (not with_ok or _WITH_NO_GROUP.match(g)):
        return None
    end = _GROUP_END.search(g)
    g = g[:end.start()] if end else g
    # ("HR 0.62 ... in favour of surgery": the group favoured)
    return _group_label(re.sub(r"^(?:the\s+)?favou?r\s+of\s+", "", g, flags=re.I))


# An opening phrase that restricts the sentence to a subgroup.
# A structured abstract's label may come first ("FINDINGS: Among 82 patients who ...,").
_LEAD = re.compile(r"^\s*(?:[A-Z][A-Za-z ]{2,30}:\s+)?(?:among|in|for|of|within)\s+(?P<g>[^,;()]{2,80}?)\s*"
                   r"(?:\([^)]{0,30}\)\s*)?,\s*\S", re.I)


def _lead_group(s: str) -> str | None:
    """'Among the 64 patients who underwent surgery, ...' -> 'patients who underwent surgery'.
    Not a list of groups ('In patients with stage III, IVa and IVb disease, ...'), which
    enumerations pair with their values."""
    m = _LEAD.match(s)
    g = _group_label(m.group("g")) if m else None
    return g if g and not _groups_before(s) else None


# "The 5-year OS of patients with stage III disease was": the group between the endpoint and its verb.
_HEAD_GROUP = re.compile(
    r"\)?(?:\s*(?:rates?|probabilit(?:y|ies)|estimates?|\([^)]{0,20}\)))*\s*(?:of|for|in|among)\s+"
    # (no verb inside: "survival in urban was higher than that in rural areas (" names two)
    r"(?P<g>(?:(?!\b(?:was|were|is|are)\b)[^,;()]){2,80}?)\s*(?:\([^)]{0,30}\)\s*)?(?:(?:was|were|is|are|reached)(?:\s+(?:approximately|about|only))?|:|\(|(?:(?:has|have)\s+)?(?:(?:only|slightly|significantly|substantially|markedly)\s+)?(?:rose|risen|increased|improved|decreased|declined|fell|dropped)\s+from)\s*",
    re.I)


def _head_group(head: str) -> str | None:
    span = ep.last_endpoint_span(head)
    if span is None:
        return None
    m = _HEAD_GROUP.fullmatch(head, span[1])
    # (After the head's last endpoint: the phrase names none.)
    return _group_label(m.group("g"), has_endpoint=False) if m else None


_COMPLEMENT = re.compile(r"(?:those|patients|others?)\s+(?:without|who (?:did|do|had|have|were) not|not)\b|non-", re.I)


def _names_label(scope: str | None, label: str | None) -> bool:
    """Is the subgroup a head names only the value's own label ('The 5-year OS for stage I
    (85.1%)': scope 'stage I', label 'stage I')?"""
    return bool(scope and label) and scope.lower().endswith(label.lower())


def _in_scope(scope: str | None, level: str | None, default: str | None = None) -> str | None:
    """The group of a figure: its level within the sentence's subgroup ('patients with EMD,
    women'); a value stated 'overall' within a subgroup is that subgroup's overall figure."""
    if not scope or scope == "Overall":
        return level or default
    if not level:
        return scope
    if _COMPLEMENT.match(level):
        return level   # "Among patients with EMD, ... vs 38 months in those without EMD"
    if _names_label(scope, level):
        return scope   # ("The 5-year OS for stage I (85.1%)": the head's group is the value's label)
    return f"{scope} (overall)" if level == "Overall" else f"{scope}, {level}"


# The label a value stands after in parentheses: 'nasal cavity (48.2%)', 'in our series (62%)'.
_LABEL_BEFORE = re.compile(r"(?P<g>[^,;:()]{2,60})\(\s*")
_LABEL_STARTS = re.compile(r"[,;:]|\b(?:and|or|than|were|was|are|is|in|for|among|of|with|including)\b", re.I)


def _after_last(pattern: re.Pattern, s: str) -> int:
    """Where the last match of `pattern` in s ends (0 if none): the start of what follows it."""
    end = 0
    for m in pattern.finditer(s):
        end = m.end()
    return end


# A label may end in the number of its level ("grade 2 (30%)", "ECOG 0 (45%)"), not in a count.
_LEVEL_NUMBER = re.compile(r"(?:\b(?:stages?|grades?|class|types?|groups?|arms?|cohorts?|levels?|scores?|ECOG|KPS|lines?|"
                           r"phases?|parts?|cycles?|[pcy]?[TNM])\s*[-–]?\s*\d+[a-c]?|(?-i:\b[A-Z]{1,2}\d+[a-c]?))\s*$", re.I)


# "mucosal melanomas (27.64%, 95% confidence interval [CI] 25.42 – 29.91)": the value and its interval
_CI_THEN_CLOSE = re.compile(r"\s*[,;]\s*9[05]\s*%\s*(?:CI|confidence\s+interval)[^()]{0,60}\)", re.I)


def _label_before(clause: str, value_start: int, value_end: int) -> str | None:
    # (the value alone in its parenthesis, or with its test: "induction CT and RT (58.3%, P = .004)")
    if not clause[:value_start].rstrip().endswith("(") or not (
            clause[value_end:].lstrip().startswith(")") or _P_THEN_CLOSE.match(clause, value_end)
            or _CI_THEN_CLOSE.match(clause, value_end)):
        return None
    before = clause[max(0, value_start - 80):value_start]
    m = _LABEL_BEFORE.fullmatch(before, _after_last(_LABEL_STARTS, before))
    if not m or re.match(r"\s*(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten)\b)", m.group("g"), re.I) \
            or (re.search(r"\d\s*$", m.group("g")) and not _LEVEL_NUMBER.search(m.group("g"))):
        return None   # a count ("12 patients (40%)", "Another 21 (17.5%)") is no label
    return _group_label(m.group("g"))


# Two groups compared before their two values ('higher in women than in men (71.3% and 58.9%)').
_NP = r"[^,;()]{1,60}?"
_THAN = re.compile(
    rf"\b(?:in|for|among|with)\s+(?P<a>{_NP})\s+than\s+(?:(?:in|for|among|with)\s+)?(?P<b>{_NP})\s*\(?\s*$", re.I)
_THAN_LAST = re.compile(rf"(?:(?:in|for|among|with)\s+)?(?P<b>{_NP})\s*\(?\s*", re.I)
_THAN_WORD = re.compile(r"\bthan\s+", re.I)
_COMPARED_FIRST = re.compile(
    rf"^\s*(?:compared (?:with|to)|relative to|versus)\s+(?P<b>{_NP}),\s*(?P<a>{_NP})\s+"
    rf"(?:had|has|showed|achieved|experienced|demonstrated|was|were|resulted|improved|prolonged|reduced|"
    rf"decreased|lowered|increased)\b", re.I)
# A ratio's groups come from "Compared with B, A ..." only when A changed a risk ("reduced the
# risk of ... (HR"); "A had a longer median PFS (...; HR 0.48)" leaves the ratio's groups to the pair.
_RISK_VERB = re.compile(r"\b(?:reduced|decreased|lowered|increased)$", re.I)
# ("Compared with A, B had worse OS (HR": B's outcome against A's)
_WORSE_AFTER = re.compile(rf"\s+(?:a\s+)?(?:significantly\s+)?{_BETTER_WORSE}\b", re.I)
# The subject of 'X had a better OS': patients or an arm named first.
_SUBJECT = re.compile(
    r"^\s*(?P<a>(?:the\s+)?(?:(?:patients|those|women|men|children|adults|subjects|participants|cases)\b[^,;()]{0,60}?|"
    r"[^,;()]{1,40}?\s(?:group|arm|cohort|patients|" + _FACILITY + r")))\s+(?:had|has|showed|achieved|experienced|demonstrated|displayed|exhibited)\b",
    re.I)


# A treatment or factor said to give its patients a better or worse outcome, before the two
# values it compares: "Modern techniques were associated with a trend toward a higher LC rate
# (98% vs. 87% for conventional)", "After relapse, immunotherapy provided longer median OS (17
# months vs 3.6)". The first value is the subject's; the second group is named after it, if at all.
_EFFECT_SUBJECT = re.compile(
    r"^\s*(?:[^,;()]{1,80},\s+)?(?P<a>[A-Za-z][^,;()]{1,60}?)\s+(?:(?:was|were)\s+associated\s+with|provided|yielded|"
    r"resulted\s+in|led\s+to|conferred|offered|obtained)\s+(?:an?\s+)?(?:(?:trend|tendency)\s+towards?\s+(?:an?\s+)?)?"
    r"(?:(?:significantly|statistically\s+significantly|marginally|slightly|markedly|much|a\s+significantly)\s+)?"
    r"(?:higher|lower|better|worse|longer|shorter|improved|superior|inferior|greater|poorer|prolonged|increased|"
    r"reduced|decreased|comparable|similar)\b", re.I)
# The group a comparison names after the parenthesis of its values: "IMRT obtained comparable
# 5-year OS (91.3% vs 87.1%, P = 0.120) to 2DCRT".
_AFTER_PAREN_GROUP = re.compile(r"[^()]{0,60}?\)\s*(?:to|than|with|compared\s+(?:with|to)|versus|vs\.?)\s+"
                                r"(?:that\s+of\s+|those\s+of\s+)?(?P<b>[^,;().]{1,40}?)(?=\s*(?:[,;.]|\band\b|$))", re.I)


_FLIP = {"<": "≥", "≥": "<", ">": "≤", "≤": ">", "<=": ">", ">=": "<"}
_OP_NUMBER = re.compile(r"(?P<op><=|>=|≤|≥|<|>)(?=\s*\d)")


def _complement(label: str | None) -> str | None:
    """The other group of a two-group comparison that names only the first: 'age <70' ->
    'age ≥70', 'patients with EMD' -> 'patients without EMD', 'adjuvant mitotane' -> 'no
    adjuvant mitotane'. None when the label is no single level ('Overall', a list)."""
    if not label or label == "Overall" or "," in label or " and " in label or " or " in label:
        return None
    sex = re.fullmatch(r"(?P<s>female|male|women|men)(?P<rest>\s+(?:gender|sex|patients))?", label, re.I)
    if sex:
        other = {"female": "male", "male": "female", "women": "men", "men": "women"}[sex.group("s").lower()]
        return other + (sex.group("rest") or "")
    ops = list(_OP_NUMBER.finditer(label))
    if len(ops) == 1:
        # "age <70" -> "age ≥70", "who were ≤ 57 years old" -> "who were > 57 years old"
        o = ops[0]
        return label[:o.start("op")] + _FLIP[o.group("op")] + label[o.end("op"):]
    if re.search(r"\b(?:who|that|which)\b", label, re.I) or _LEVEL_NUMBER.search(label) \
            or re.search(r"\b(?:stage|grade)\s+[IV0-9]", label, re.I) or re.search(r"\b[TNM][0-4][a-d]?\b", label) \
            or re.search(r"\balone\b", label, re.I):
        # a described group, or one level of several ("ECOG 0", "stage II", "T4 tumours"), or
        # one treatment of several ("surgery alone"), has no single opposite
        return None
    pos = re.search(r"(?i)\b(positive|negative)\b", label)
    if pos:
        return label[:pos.start()] + {"positive": "negative", "negative": "positive"}[pos.group(1).lower()] + label[pos.end():]
    with_ = re.match(r"^(?P<who>(?:patients|those|cases)\s+)?with(?P<out>out)?\s+(?P<x>.+)$", label, re.I)
    if with_:
        return f"{with_.group('who') or ''}{'with' if with_.group('out') else 'without'} {with_.group('x')}"
    neg = re.match(r"^(?:no|non)[\s-](?P<x>.+)$", label, re.I)
    if neg:
        return neg.group("x")
    if re.match(r"(?:patients|those|cases|the|a|an)\b", label, re.I):
        return None
    return "no " + (label[:1].lower() + label[1:] if not label[1:2].isupper() else label)


def _group_after_paren(s: str, pos: int) -> str | None:
    m = _AFTER_PAREN_GROUP.match(s, pos)
    return _group_label(m.group("b")) if m else None

_CLAUSE_JOIN = re.compile(r"^[\s,;]*(?:(?:whereas|while|but|and|compared\s+with|in\s+contrast)\s*,?\s+)?", re.I)


_P_THEN_CLOSE = re.compile(r"\s*[,;]\s*[Pp]\s*[=<>≤]\s*0?\.\d+\s*\)")


def _clause_subject(head: str) -> str | None:
    """The subject of a clause that states its own rate: 'Patients with X had a 3-year OS of
    49.2%, whereas those with Y had a 3-year OS of 22.7%' -> 'Patients with X', 'those with Y';
    'Forty-three (3.6%) patients with stage I-II disease received radiotherapy, showing a 3-year
    OS of' -> what those patients were and had."""
    rest = head[_CLAUSE_JOIN.match(head).end():]
    subj = _SUBJECT.match(rest) or _PATIENTS_WHO_HAD.match(rest) or _TREATMENT_SUBJECT.match(rest)
    if subj is None or (subj.re is _TREATMENT_SUBJECT and ep.all_endpoints(subj.group("a"))):
        return None
    return _group_label(subj.group("a"), long_ok=subj.re is _PATIENTS_WHO_HAD)


# "(For low-risk patients,) RT alone achieved a favorable OS (88.8%)", "RT followed by CT resulted
# in superior OS (72.2%)": the treatment whose outcome the clause states.
_TREATMENT_SUBJECT = re.compile(
    r"^\s*(?:(?:for|in|among)\s+[^,;()]{1,60},\s+)?(?P<a>[A-Za-z][^,;()]{1,50}?)\s+(?:achieved|attained|resulted\s+in|"
    r"provided|yielded|offered|conferred|led\s+to|showed)\s+(?:an?\s+)?(?:(?:favou?rable|superior|inferior|better|worse|"
    r"excellent|poor|improved|higher|lower|longer|shorter|similar|comparable)\s+)", re.I)


_PATIENTS_WHO_HAD = re.compile(
    rf"^\s*(?:\)\s*|(?:\d+|{WORD_NUM_RE.pattern[2:-2]})\s*(?:\([^()]{{0,20}}\)\s*)?)?(?P<a>patients\b[^;()]{{2,100}}?)"
    r"(?:,\s*|\s+and\s+)(?:showing|showed|had|achieving|achieved|reaching|with)\s+(?:an?\s+)?(?=\S)", re.I)


_OF_BOTH = re.compile(r"\b(?:of|in|for|among)\s+(?:the\s+)?(?P<a>[^,;()]{1,40}?)\s+and\s+(?:the\s+|those\s+)?"
                      r"(?P<b>[^,;()]{1,40}?)\s+(?:was|were|is|are)\s*$", re.I)
_OPENING = re.compile(r"^\s*(?:among|in|for|within)\s+[^,;()]{2,80}?,\s*", re.I)
_PAIR_WORDS = ("than", "compared", "relative to", "versus", "vs", "between", "had", "has", "showed", "achieved",
               "experienced", "demonstrated", "displayed", "exhibited", "associated", "provided", "yielded",
               "resulted", "led to", "conferred", "offered", "obtained")


_COMPARATIVE_IN = re.compile(rf"\b(?:{_BETTER_WORSE}|(?:more|less)\s+(?:frequent|common|often))\s+"
                             rf"(?:in|for|among|after|following)\s+(?P<a>[^,;()]{{2,60}}?)\s*\(\s*$", re.I)


def _pair_groups(head: str) -> tuple[str | None, str | None]:
    """The two groups a sentence compares before stating their two values: 'in A than in B',
    'Compared with B, A had ...', 'A had a longer OS than B', 'A versus B', 'between A and B'."""
    both = _OF_BOTH.search(head) if " and " in head else None
    if both:
        # "The 5-year RFS of the RT group and CCRT group was 42.6% and 75.4%": two groups named
        # before their two values, in order
        a, b = _group_label(both.group("a")), _group_label(both.group("b"))
        if a and b and not ep.all_endpoints(both.group(0)):
            return a, b
    lower_in = _COMPARATIVE_IN.search(head) if "(" in head[-3:] else None
    if lower_in and not re.search(r"\b(?:compared|versus|vs|than|relative)\b", lower_in.group("a"), re.I):
        # (not "longer in the EE group compared with the EP group (", two groups the patterns below read)
        # "The local failure rate was significantly lower in patients who underwent PORT (16.9%
        # vs. 31.0%": the group named, then the others
        a = _group_label(lower_in.group("a"))
        if a:
            return a, None
    if not has_any(fold(head), _PAIR_WORDS):
        return None, None   # every pattern below needs one of these words
    m = _THAN.search(head)
    if m:
        a, b = _group_label(m.group("a")), _group_label(m.group("b"))
        if a and b:
            return a, b
    m = _COMPARED_FIRST.match(head)
    if m:
        a, b = _group_label(m.group("a")), _group_label(m.group("b"))
        if a and b:
            return a, b
    # (after an opening subgroup: "In the NCDB cohort, high-volume centres had ...")
    opening = _OPENING.match(head)
    rest = head[opening.end():] if opening and not _SUBJECT.match(head) else head
    subj = _SUBJECT.match(rest)
    if subj:
        a = _group_label(subj.group("a"))
        than = _after_last(_THAN_WORD, rest[subj.end():])
        last = _THAN_LAST.fullmatch(rest, subj.end() + than) if than else None
        b = _group_label(last.group("b")) if last else None
        if a:
            return a, b
    effect = _EFFECT_SUBJECT.match(head)
    if effect:
        a = _group_label(effect.group("a"))
        if a and not _only_outcome(a):
            return a, None
    return comparison(head)


# Two groups compared in the clause a parenthesis of values follows: "Survival in 30 patients
# given drug A was significantly longer than in 23 controls (median 24 vs 6 months, 1-year OS
# 70% vs 44%; HR 0.36 ...)", "OS of X was similar to that of Y (...)". Labels may hold commas
# ("56 crizotinib-treated, ALK-positive patients").
_CMP_NP = r"[^;()\[\]]{1,100}?"
_COMPARED_CLAUSE = re.compile(
    rf"(?:\b[A-Za-z-]*surviv\w*|(?-i:\b[A-Z]{{2,5}})|\boutcomes?|\brates?|\bresponses?|\bprognosis|\bcontrol|\brisk)\s+"
    rf"(?:in|for|among|of)\s+(?P<a>{_CMP_NP})\s+(?:was|were|is|are|appeared)\s+(?:not\s+)?"
    rf"(?:(?:significantly|statistically|markedly|slightly|substantially|much|numerically|also)\s+)*"
    rf"(?:longer|shorter|better|worse|higher|lower|improved|superior|inferior|similar|comparable|different|"
    rf"greater|poorer|prolonged)\s+(?:than|to|with|from)\s+(?:(?:that|those)\s+)?(?:(?:in|for|among|of|with)\s+)?"
    rf"(?P<b>{_CMP_NP})\s*$", re.I)
# The groups after the comparative: "the risk of distant metastasis was higher after 2D
# radiotherapy than after IMRT (HR ...)", "OS was longer in women than in men (...)".
_GROUP_PREP = r"(?:after|following|with|in|for|among)"
_COMPARATIVE_GROUPS = re.compile(
    rf"\b(?:was|were|is|are|appeared)\s+(?:(?:significantly|statistically|markedly|slightly|substantially|much|"
    rf"numerically|also)\s+)*(?:longer|shorter|better|worse|higher|lower|improved|superior|inferior|greater|poorer|"
    rf"prolonged|increased|reduced|decreased)\s+(?P<prep>{_GROUP_PREP})\s+(?P<a>{_NP})\s+than\s+"
    rf"(?:(?:that|those)\s+)?(?:{_GROUP_PREP}\s+)?(?P<b>{_NP})\s*$", re.I)
# Where the clause before a parenthesis starts: after the previous parenthesis or a conjunction.
_CLAUSE_OPEN = re.compile(r"[)\]]|\b(?:whereas|while|but)\b|[;:]", re.I)


def _paren_pair(s: str, pos: int) -> tuple[str | None, str | None]:
    """The two groups the clause before the parenthesis around `pos` compares, (None, None)
    when `pos` stands in no parenthesis or the clause compares no two groups."""
    if "(" not in s[:pos]:
        return None, None
    open_at = _bracket(s, range(pos - 1, -1, -1), inner="(", outer=")")
    if open_at is None:
        return None, None
    start = max(0, open_at - 260)
    head = s[start:open_at]
    cut = _after_last(_CLAUSE_OPEN, head[:max(0, len(head) - 40)])
    m = _COMPARED_CLAUSE.search(head, cut)
    # Groups after the comparative are groups whatever they name ("after R0 resection", which
    # is also an outcome's name).
    after = None if m else _COMPARATIVE_GROUPS.search(head, cut)
    m = m or after
    if not m:
        return None, None
    a, b = (_group_label(m.group(k), has_endpoint=False if after else None, long_ok=True) for k in ("a", "b"))
    return (a, b) if a and b else (None, None)


# --- rules ----------------------------------------------------------------------------

_BARE_RATIO = re.compile(rf"(?<![\w.=:])(?P<v>{NUM})\s*(?=[\[(]\s*(?:95\s?%\s*)?(?:CI|confidence))", re.I)


_ADJUSTED_NAME = re.compile(r"a(?:HR|OR|RR)s?$")
_P_FIRST = re.compile(rf"([(\[])\s*[Pp]\s*[=<>≤]\s*{NUM}\s*[;,]\s*$")
_PERCENT_NEXT = re.compile(r"[\d.]*\s?%")


def ratio_figures(clean: CleanText, sent: Sentence, prior_ratio: tuple[str, str] | None = None) -> list[Figure]:
    """HR/OR/RR with CI and p: 'HR = 0.733, 95% CI 0.349-1.540, P = 0.413'; and bare values
    with a CI that continue a ratio named earlier in the sentence ('an RR of 1.35 (95% CI:
    0.86-2.13) in males and 1.31 (95% CI: 0.98-1.73) in females'). `prior_ratio`: the variable and
    endpoint of the last ratio of the paragraph that named its variable."""
    s = sent.text(clean)
    # (has_any(s, _RATIO_WORDS) asked only of a sentence with "HR", "OR" or "RR", or " ratio" or
    # " risk", one of which each of the words holds: three of most sentences' tests, not eight.)
    if not ((("R" in s and ("HR" in s or "OR" in s or "RR" in s)) or " ratio" in s or " risk" in s)
            and has_any(s, _RATIO_WORDS)):
        return []   # RATIO_RE cannot match: every match names one of them
    out = []
    # RATIO_RE (case-sensitive) is tried only where a match can start: at one of its words.
    starts = sorted({i for w in _RATIO_STARTS for i in fastre.literal_starts(s, w)})
    matches = [(m.start(), m.end(), m.group(2), m.group(1)) for m in fastre.finditer_at(RATIO_RE, s, starts)]
    if not matches:
        return []
    named = [(a, b) for a, b, _, _ in matches]
    # (_BARE_RATIO starts with a number after no word character or ".": tried only at numbers)
    for m in fastre.finditer_at(_BARE_RATIO, s, sent.numbers(clean)):
        if m.start() > matches[0][0] and not any(a <= m.start() < b + 3 for a, b in named):
            prior = [x for x in matches if x[0] < m.start()][-1]
            matches.append((m.start(), m.end(), m.group("v"), prior[3]))
    matches.sort()
    for k, (m_start, m_end, raw_value, name) in enumerate(matches):
        value = to_float(raw_value)
        if value is None or value <= 0 or value > 100 or _PERCENT_NEXT.match(s, m_end):
            continue   # ("RR: 10.2 %": a response rate; a ratio has no percent sign)
        nxt = matches[k + 1][0] if k + 1 < len(matches) else len(s)
        ci = find_ci(s, m_end, bare_ok=True, limit=min(70, nxt - m_end + 10))
        if ci and not (ci.low <= value <= ci.high):
            ci = None
        end = ci.end if ci else m_end
        p = find_p(s, end, limit=min(40, max(0, nxt - end)))
        if p and s.rfind("(", 0, m_start) > s.rfind(")", 0, m_start) and 0 <= (close := s.find(")", m_start)) < p.start \
                and "(" in s[close:p.start]:
            p = None   # (in the next factor's parenthesis, past the close of the ratio's: that factor's test)
        if p is None and (first := _P_FIRST.search(s, max(0, m_start - 25), m_start)) is not None:
            p = find_p(s, first.start(), limit=m_start - first.start())   # "(P = 0.003; HR, 2.51; ...)"
        elif p:
            end = p.end
        kind = _measure_of(name)
        before = s[:m_start]
        near = ep.last_endpoint_span(before)
        # The endpoint right before the ratio ("the OS rate (HR = ...") wins; then what the
        # sentence says the ratios predict; then the nearest mention either side; then, for
        # exposure studies, the disease whose risk the ratio measures.
        nearest = ep.last_endpoint(before) if near and m_start - near[1] < 25 else None
        if nearest and not ep.is_time_to_event(nearest) and not _RISK_OF.search(before, max(0, near[0] - 40), near[0]):
            # "increased mortality risk with age (HR ...) and distant metastasis (HR = 2.04) ...
            # associated with improved OS": an event named as a factor among the predictors of the
            # sentence's time to event, not the ratio's outcome ("the risk of distant metastasis
            # (HR" is)
            outcome = ep.outcome_of_sentence(s)
            if outcome and ep.is_time_to_event(outcome) and outcome != nearest:
                nearest = None
        specific_before = [e for e in ep.all_endpoints(before) if ep.is_specific(e)]
        name_end = s.find(name, m_start) + len(name) if name in s[m_start:m_end] else m_start
        endpoint = ep.ratio_event(s[name_end:m_end]) or (nearest if ep.is_specific(nearest) else None) \
            or ep.outcome_of_sentence(s) or (specific_before[-1] if specific_before else None) \
            or ep.first_endpoint(s[m_start:m_end]) or ep.last_endpoint(before) or ep.first_endpoint(s[m_start:])
        if endpoint is None:
            endpoint = _disease_outcome(s, m_start)
            if endpoint and kind == "HR" and re.match(r"tumou?rs?$", endpoint, re.I):
                # "Adjustment for (age, tumour grade and tumour size) gave an HR of 0.93": a tumour
                # is no outcome; the ratio is for the time to event the paragraph is about.
                context = sent.context()
                endpoint = context if context and ep.is_time_to_event(context) else None
        endpoint = _resolve_for(endpoint, sent)
        if endpoint is None and prior_ratio and _trailing_group(s, m_end):
            # "..., with an RR of 1.35 (95% CI ...) in males": the subgroup estimate of the
            # ratio the paragraph stated before, for its outcome.
            endpoint = prior_ratio[1]
        if endpoint is None and kind == "HR":
            # "Multivariate analysis showed that N stage (HR = 1.47, p = 0.03) and ... were
            # independent prognostic factors": a hazard ratio naming no outcome is for the time
            # to event named in the three sentences before ("median survival ..."); further back,
            # a results section has moved on to other outcomes.
            context = sent.near_finder() if sent.near_finder else None
            endpoint = context if context and ep.is_time_to_event(context) else None
        if endpoint is None:
            continue
        if kind == "HR" and endpoint == "death":
            endpoint = "OS"   # "the hazard of death was reduced by 32% (HR 0.68)", as "HR for death"
        elif kind == "HR" and endpoint == "mortality" and not re.search(
                r"\b(?:cancer|disease|tumou?r|[a-z]+oma)[-\s](?:specific|related)\s+mortality\b|\b(?:cancer|disease)\s+mortality\b",
                before, re.I):
            endpoint = "OS"   # "higher (all-cause) mortality (HR 1.23)": death from any cause, as "HR for death"
        # A ratio in the parenthesis after "survival in A was longer than in B" compares A with B.
        group, comparator = _paren_pair(s, m_start)
        arms = _RATIO_ARMS.search(s, name_end, m_end) if "/" in s[name_end:m_end] else None
        if arms:
            # "a hazard ratio (capecitabine/S-1) of 1.3": the first group's hazard over the second's
            group, comparator = arms.group(1).strip(), arms.group(2).strip()
        if group is None:
            group, comparator = comparison(s)
        if group is None:
            # "Compared with surgery alone, surgery plus radiotherapy reduced the risk of ... (HR":
            # the ratio of the group named second against the one named first.
            cf = _COMPARED_FIRST.match(before)
            a, b = (_group_label(cf.group("a")), _group_label(cf.group("b"))) \
                if cf and (_RISK_VERB.search(cf.group(0)) or _WORSE_AFTER.match(before, cf.end())) else (None, None)
            if a and b:
                group, comparator = a, b
        if group is None:
            group = _trailing_group(s, end, with_ok=False)
        if group and comparator and endpoint in (ep.first_endpoint(group), ep.first_endpoint(comparator)):
            # "The risk of death was higher after R1 resection than after R0 resection (HR": the
            # endpoint named before the groups, not the outcome a group's name also is.
            at = s.rfind(group, 0, m_start)
            named = ep.last_endpoint(s[:at]) if at > 0 else None
            if named:
                endpoint = "OS" if kind == "HR" and named == "death" else named
        variable, subgroup = _ratio_variable(s, m_start, name_end, m_end, endpoint)
        if variable and comparator and variable == comparator:
            variable = None   # "... compared with surgery alone (HR": the reference, not the variable
        if variable is None and prior_ratio and prior_ratio[1] == endpoint and group and not comparator:
            variable = prior_ratio[0]   # "..., with an RR of 1.35 in males": the exposure named before
        if group is None:
            # The level the ratio is for: the subgroup it is stated in, else the exposure itself.
            group = subgroup or variable
        # Quote from the endpoint mention when it is close, else from the ratio itself.
        q0 = m_start
        em = ep.last_endpoint_span(before)
        if em and m_start - em[0] < 40:
            q0 = em[0]
        out.append(_fig(clean, sent, sent.start + q0, sent.start + end, endpoint=endpoint, measure=kind,
                        value=value, unit="ratio", ci_low=ci.low if ci else None, ci_high=ci.high if ci else None,
                        p_value=p.value if p else None, p_op=p.op if p else None, group=group,
                        comparator=comparator, timepoint_months=None, variable=variable,
                        analysis=_analysis_at(s, m_start) or ("multivariate" if _ADJUSTED_NAME.match(name) else None),
                        confidence=0.85 if ci else 0.6, rule="prose.ratio"))
    return out


# An effect size in words with its interval: "metastatic PPGLs were associated with a 2.40-fold
# higher risk of mortality than non-metastatic PPGLs (95% confidence interval, 1.38 to 4.17;
# P=0.002)". A ratio of hazards in a Cox model, of odds in a logistic one, else of risks.
_FOLD_RATIO = re.compile(rf"(?P<v>{NUM})\s*-?\s*fold\s+(?:higher|increased|greater|elevated|lower|reduced|decreased)\s+"
                         rf"(?P<kind>risk|hazard|odds|likelihood|chance)\s+(?:of\s+)?(?P<ev>[a-z][a-z -]{{2,40}}?)"
                         rf"(?:\s+(?:than|compared\s+(?:with|to))\s+(?P<c>[^,;()]{{2,60}}?))?\s*(?=[(\[,;.]|$)", re.I)


# ("showed that metastatic PPGLs were associated with a": the group whose risk it is)
_FOLD_SUBJECT = re.compile(r"(?:^|\bthat\s+|,\s+)(?:the\s+)?(?P<x>[A-Za-z](?:(?!\bthat\s)[^,;()]){1,60}?)\s+(?:was|were|had|has|have|showed)\s+"
                           r"(?:(?:significantly|independently)\s+)?(?:associated\s+with\s+)?an?\s*$", re.I)


def fold_ratios(clean: CleanText, sent: Sentence) -> list[Figure]:
    s = sent.text(clean)
    out = []
    for m in _FOLD_RATIO.finditer(s):
        v = to_float(m.group("v"))
        ci = find_ci(s, m.end(), limit=40)
        if v is None or ci is None or not ci.low <= v <= ci.high:
            continue   # (a fold change without its interval is no ratio the paper tested)
        e = ep.first_endpoint(m.group("ev")) or ep.event_endpoint(m.group("ev"))
        kind = "OR" if m.group("kind").lower() == "odds" or re.search(r"logistic", s, re.I) else \
            "HR" if m.group("kind").lower() == "hazard" or re.search(r"\bCox\b|hazard", s, re.I) else "RR"
        if e is None:
            continue
        if kind == "HR" and e in ("death", "mortality"):
            e = "OS"
        subj = _FOLD_SUBJECT.search(s, 0, m.start())
        # (the subject is the group, though it may name an event: "nodal metastases were associated with")
        group = _group_label(subj.group("x"), has_endpoint=False) if subj else None
        p = find_p(s, ci.end, limit=20)
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + (p.end if p else ci.end), endpoint=e,
                        measure=kind, value=v, unit="ratio", ci_low=ci.low, ci_high=ci.high,
                        p_value=p.value if p else None, p_op=p.op if p else None, group=group,
                        comparator=_group_label(m.group("c")) if m.group("c") else None, variable=group,
                        analysis=_analysis_at(s, m.start()), confidence=0.6, rule="prose.fold_ratio"))
    return out


# "HRs for maxillary sinus, ethmoid sinus, and overlapping sinus disease were 1.34, 1.60, and
# 2.30, respectively": one ratio for each listed group, the outcome the sentence or its
# paragraph names.
_RATIO_LIST = re.compile(rf"\b(?P<name>HRs|hazard ratios|ORs|odds ratios|RRs|relative risks)\s+(?:for|of)\s+"
                         rf"(?P<g>[^;:()]{{3,150}}?)\s+(?:were|was)\s+(?P<vals>{NUM}(?:\s*,\s*{NUM})*,?\s+and\s+{NUM})\b",
                         re.I)


# "... with subdistribution hazard ratios for T4 stage at 11.93, T3 stage at 2.46, N2 stage at
# 10.58, and presence of vascular invasion at 4.27": each level with its ratio after "at".
_RATIO_AT_LIST = re.compile(rf"\b(?P<name>hazard ratios|HRs|odds ratios|ORs)\s+(?:for|of)\s+(?P<items>(?:[^,;()]{{2,50}}?\s+at\s+"
                            rf"{NUM}\s*,?\s*(?:and\s+)?){{2,}})", re.I)
_AT_ITEM = re.compile(rf"(?P<g>[^,;()]{{2,50}}?)\s+at\s+(?P<v>{NUM})")


def ratio_lists(clean: CleanText, sent: Sentence) -> list[Figure]:
    s = sent.text(clean)
    m = _RATIO_LIST.search(s)
    if m:
        groups = split_labels(m.group("g"))
        vals = [(v.group(), m.start("vals") + v.end()) for v in re.finditer(NUM, m.group("vals"))]
    else:
        m = _RATIO_AT_LIST.search(s)
        if not m:
            return []
        items = list(_AT_ITEM.finditer(m.group("items")))
        groups = [_strip_label(re.sub(r"^(?:and\s+)", "", x.group("g").strip())) for x in items]
        vals = [(x.group("v"), m.start("items") + x.end()) for x in items]
    if len(groups) != len(vals) or len(groups) < 2 or not all(groups):
        return []
    endpoint = ep.first_endpoint(s) or sent.context()
    if not endpoint or not (ep.is_time_to_event(endpoint) or ep.is_specific(endpoint)
                            or endpoint.lower() in ("recurrence", "relapse", "progression")):
        return []
    kind = _measure_of(m.group("name"))
    p = find_p(s, m.end(), limit=40)
    out = []
    for g, (raw, end) in zip(groups, vals):
        value = to_float(raw)
        if value is None or value <= 0:
            return []
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + end, endpoint=endpoint,
                        measure=kind, value=value, unit="ratio", group=g, comparator=None, timepoint_months=None,
                        variable=None, analysis=_analysis_at(s, m.start()), p_value=p.value if p else None,
                        p_op=p.op if p else None, confidence=0.6, rule="prose.ratio_list"))
    return out


# The subject whose association a sentence reports: "Clomiphene citrate (CC), used by 38% of
# patients, was related significantly to melanoma (HR ...)", "HPV tumor status was only
# associated with later recurrence in late survivors (aHR ...)". A leading clause ("When
# stratified, ", "In multivariate analysis, ") is not part of it.
_ASSOCIATED_SUBJECT = re.compile(
    r"^(?:[^,;()]{1,40},\s+)?(?P<x>[A-Za-z][^,;]{1,60}?)(?:\s*,[^,;]{1,60},)?\s+(?:was|were|is|are|remained)\s+"
    r"(?:(?:not|only|also|significantly|independently|strongly|positively|negatively|inversely|still)\s+)*"
    r"(?:(?:associated|related|correlated|linked)\s+(?:with|to)\b|"
    # "... remained an independent predictor of worse OS (HR", "was a poor prognostic factor for"
    r"(?:an?\s+|the\s+(?:only\s+)?)?(?:(?:significant|strong|independent|adverse|poor|negative|positive)\s+)*"
    r"(?:predictors?|prognostic\s+factors?|risk\s+factors?|prognosticators?|determinants?)\s+(?:of|for)\b)", re.I)
# "the pooled RR of bladder cancer for SHS exposure was": the exposure the ratio is for.
_RATIO_FOR = re.compile(r"\s*(?:[(\[][^)\]]{0,12}[)\]]\s*)?of\s+[^,;()]{2,60}?\s+(?:for|with)\s+(?P<x>[^,;()=]{2,60}?)\s*"
                        r"(?:was|were|is|=|:)", re.I)
# "the hazard ratio for death among patients receiving X was": the ratio of the group after the event
_EVENT_AMONG = re.compile(r"(?:death|mortality|progression|recurrence|relapse|[\w-]+\s+survival)\s+(?:among|in|for)\s+"
                          r"(?P<g>.+)$", re.I)
# "radiotherapy was protective (HR": the subject of a predicate adjective is the factor
_PREDICATE_ADJ = re.compile(r"(?:^|[,;:]\s*|\b(?:that|and)\s+)(?P<x>[A-Za-z][^,;:()]{1,50}?)\s+(?:was|were|is|are|remained)\s+"
                            r"(?:(?:also|significantly|independently|not)\s+)*(?:protective|prognostic|significant|"
                            r"favou?rable|unfavou?rable|adverse|beneficial|detrimental|predictive)\s*$", re.I)
# "the HR for age ≥ 65 was 1.82": the exposure the ratio is for, when it is no endpoint
_RATIO_FOR_WAS = re.compile(r"\s+for\s+(?P<x>[^,;()=]{2,60}?)\s+(?:was|were|is)\b", re.I)
# What a phrase before a ratio's parenthesis starts after: "both X (aHR ...) and Y (aHR ...)".
_PHRASE_STARTS = re.compile(r"[,;:]|\b(?:and|or|both|either|identified|included|including|were|was|are|is|that|"
                            r"with|to|of|for|than|showed|revealed)\b", re.I)
_COMPARATIVE_LEAD = re.compile(
    rf"^(?:(?:significantly|markedly|slightly|substantially|much|also)\s+)?{_BETTER_WORSE}\s+(?:after|following|with|in|"
    rf"for|among)\s+(?=\S)", re.I)
_STATS_WORDS = re.compile(r"\b(?:analys[ie]s|models?|regression|respectively|ratio|CI)\b", re.I)


_NOT_A_FACTOR = re.compile(r"\b(?:was|were|is|are|had|has|show\w*|demonstrat\w*|trend|towards?|tendency|results?|analys[ie]s)\b",
                           re.I)
_CLAUSE_STARTS = re.compile(r"[,;:]|\b(?:that|and|whereas|while)\b", re.I)
_ACTED_ON = re.compile(r"^(?P<x>[A-Za-z][^,;()]{1,50}?)\s+(?:significantly\s+)?(?:reduced|increased|improved|decreased|"
                       r"lowered|prolonged|worsened|predicted)\s+(?:the\s+)?(?:(?:risk|odds|hazard)\s+of\s+)?(?P<e>.+)$", re.I)
_RATIO_ARMS = re.compile(r"\(([^()/]{1,30})/([^()/]{1,30})\)")


def _ratio_variable(s: str, m_start: int, name_end: int, m_end: int,
                    endpoint: str | None) -> tuple[str | None, str | None]:
    """(variable, subgroup) of a ratio. The variable is the exposure the ratio is 'for' ('RR
    of X for SHS exposure'), the phrase its parenthesis follows ('HPV-positive tumor status
    (aHR 0.48 ...)'), else the subject said to be associated with the outcome; a phrase after
    'in'/'among' before the parenthesis is the subgroup the ratio is stated in. Never an
    endpoint, a disease or a statistics phrase."""
    def ok(x: str | None) -> str | None:
        x = (x or "").strip(" ,;:")
        # ("Lymphovascular invasion independently predicted ...": the factor, not its adverb)
        x = re.sub(r"\s+(?:independently|significantly|strongly|also|still|remained)$", "", x, flags=re.I)
        # (the endpoint as a word: "positive margins" holds "os", not OS)
        if not x or len(x) > 60 or len(x.split()) > 8 or _STATS_WORDS.search(x) \
                or (endpoint and re.search(rf"(?<!\w){re.escape(endpoint)}(?!\w)", x, re.I)):
            return None
        if _only_outcome(x):
            # an event is the factor of another endpoint's ratio ("distant metastasis (HR = 3.91)"
            # among the predictors of CSS), never of its own
            event = ep.event_endpoint(x)
            if not event or event == "death" or not endpoint or event == endpoint or not ep.is_time_to_event(endpoint) \
                    or any(ep.is_time_to_event(e) for e in ep.all_endpoints(x)):
                return None
        return x
    m = _RATIO_FOR.match(s, name_end) or _RATIO_FOR_WAS.match(s, name_end)
    among = _EVENT_AMONG.match(m.group("x")) if m else None
    if among:
        # "the hazard ratio for death among patients receiving adjuvant therapy was": the group
        x = _group_label(among.group("g"))
        return x, None
    if m and ok(m.group("x")):
        return ok(m.group("x")), None
    subgroup = None
    before = s[max(0, m_start - 80):m_start]
    # ("rituximab (n = 766; HR = 0.66; P = .001)": the group's size first, then its ratio)
    before = re.sub(r"([(\[])\s*n\s*=\s*[\d,]+\s*[;,]\s*$", r"\1", before)
    # ("T stage (P = 0.003; HR, 2.51; ...)": the test first, then the ratio)
    before = _P_FIRST.sub(r"\1", before)
    if before.rstrip().endswith(("(", "[")):
        phrase = before.rstrip()[:-1]
        phrase = phrase[_after_last(_PHRASE_STARTS, phrase):].strip()
        prep = re.search(r"\b(?:in|among|within)\s+(?P<g>[^,;()\d%]{2,60})$", before.rstrip()[:-1].rstrip())
        level = _COMPARATIVE_LEAD.match(phrase)
        if level:
            # "the risk of recurrence was higher after local excision (HR": the group the ratio
            # is for, not a variable.
            return None, _group_label(phrase[level.end():], has_endpoint=False)
        whole = before.rstrip()[:-1]
        acted = _ACTED_ON.match(whole[_after_last(_CLAUSE_STARTS, whole):].strip())
        if acted and ep.all_endpoints(acted.group("e")) and not _NOT_A_FACTOR.search(acted.group("x")):
            # "RT reduced LR (HR: 0.28", "Positive margins increased the odds of LR (HR: 5.6": the
            # factor that changed the outcome
            return ok(acted.group("x")), None
        if prep:
            subgroup = _group_label(prep.group("g"))
        elif (adj := _PREDICATE_ADJ.search(whole)) is not None and ok(adj.group("x")):
            # "radiotherapy was protective (HR": the subject, not its adjective
            return ok(adj.group("x")), None
        elif ok(phrase) and not re.match(r"(?:the|a|an)\s+(?:risk|hazard|odds)\b", phrase, re.I):
            return ok(phrase), None
    subj = _ASSOCIATED_SUBJECT.match(s)
    if subj is None and (had := _SUBJECT.match(s)) is not None and had.end() <= m_start \
            and _WORSE_AFTER.match(s, had.end()):
        # "Patients with high NLR had significantly shorter PFS (HR": the patients' factor
        return ok(_group_label(had.group("a"), long_ok=True)), None
    if subj and subj.end() <= m_start:
        x = ok(re.sub(r"^(?:both|the|a|an)\s+", "", subj.group("x").strip(), flags=re.I))
        # The subgroup counts only beside the variable it restricts.
        return x, subgroup if x else None
    return None, None


_OUTCOME_QUALIFIERS = re.compile(r"\b(?:a|an|the|worse|shorter|longer|improved|better|inferior|poorer|superior|later|"
                                 r"earlier|increased|decreased|reduced|higher|lower|risks?|rates?|incidence|of|and|or)\b",
                                 re.I)


def _only_outcome(x: str) -> bool:
    """Whether a phrase names nothing but an outcome ('worse OS', 'melanoma', 'thyroid cancer
    risks'): no variable, though 'survival beyond 24 months' or 'tumor status' is one."""
    rest = x
    for a, b, _ in reversed(ep._mentions(x)):
        rest = rest[:a] + " " + rest[b:]
    d = _disease_outcome(rest, 0)
    if d:
        rest = re.sub(re.escape(d), " ", rest, flags=re.I)
    if rest == x:
        return False
    return not re.search(r"[A-Za-z0-9]", _OUTCOME_QUALIFIERS.sub(" ", rest))


def _measure_of(name: str) -> str:
    """'odds ratio' -> OR, 'aHR' -> HR, 'hazard ratios' -> HR, 'IRR' -> RR."""
    word = re.sub(r"^a(?=[HOR])", "", name).split()[0].lower()
    return MEASURE_OF.get(word) or MEASURE_OF.get(word.rstrip("s"), "HR")


def _disease_outcome(s: str, pos: int) -> str | None:
    """'related significantly to melanoma (HR = 1.95 ...)', 'the pooled RR of bladder cancer':
    the disease named closest to the ratio is its outcome."""
    vocab = load_vocab()
    window_start = max(0, pos - 80)
    text = match_text(s[window_start:min(len(s), pos + 40)])
    best = None
    for m in vocab.condition_pattern.finditer(text):
        if best is None or abs(window_start + m.start() - pos) < abs(window_start + best.start() - pos):
            best = m
    return s[window_start + best.start():window_start + best.end()].lower() if best else None


_BETWEEN = re.compile(r"\bbetween (?:the )?(.{3,80}?)(?: groups?)? and (?:the )?(.{3,80}?)(?: groups?)?(?=[,.;)]|$)", re.I)
_VERSUS_PAIR = r"([A-Za-z][\w /+-]{2,60}?)\s+(?:vs\.?|versus|compared (?:with|to))\s+(?:the )?([\w /+-]{2,60}?)(?=[,.;(]|$)"
_VERSUS = re.compile(rf"(?:^|\bfor |\bin ){_VERSUS_PAIR}", re.I)
# ("OS was longer in the surgery group compared with ...": the group after "in" first, not the
# sentence from its start)
_VERSUS_IN = re.compile(rf"\b(?:for|in) (?:the )?{_VERSUS_PAIR}", re.I)


def _resolve_for(endpoint: str | None, sent: Sentence) -> str | None:
    """_resolve_generic(endpoint, sent.context_endpoint), the context looked up only when
    the endpoint is one it can change."""
    if endpoint is None or ep.is_time_to_event(endpoint):
        return endpoint
    return _resolve_generic(endpoint, sent.context())


def _resolve_generic(endpoint: str | None, context: str | None) -> str | None:
    """A bare 'recurrence' after the paragraph spoke of 'time to recurrence' means that endpoint."""
    if not context or (endpoint and ep.is_time_to_event(endpoint)):
        return endpoint
    if endpoint is None:
        return None
    name = ep.contract_name(context).lower()
    stem = endpoint.lower().rstrip("s")[:8]
    return context if stem and stem in name else endpoint


_VALUE_LABEL = re.compile(rf"{NUM}\s*(?:%|months?|mo\b|years?|weeks?|days?|$)", re.I)


# The subject of a clause compared with another group later in it: "(the log-rank test showed
# that) postoperative RT had a tendency of improving OS compared with surgery alone", "X
# significantly reduced mortality compared with Y (HR ...".
_SUBJECT_COMPARED = re.compile(
    r"(?:^|\bthat\s+|,\s+)(?P<a>[A-Za-z](?:(?!\bthat\b)[\w /+-]){1,50}?)\s+(?:had|has|(?:showed|demonstrated)(?!\s+that)|was|were|significantly|also|"
    r"further|reduced|improved|increased|decreased|prolonged|lowered)\b[^,;()]{0,80}?\b(?:compared\s+(?:with|to)|versus|"
    r"vs\.?|relative\s+to)\s+(?P<b>(?:(?!\b(?:was|were|is|are|had|has)\b)[\w /+-]){2,50}?)(?=\s*(?:[,.;(]|$))", re.I)


def _subject_compared(s: str) -> tuple[str | None, str | None]:
    m = _SUBJECT_COMPARED.search(s) if "compared" in s or "vs" in s or "versus" in s or "relative" in s else None
    if not m or ep.all_endpoints(m.group("a")) or re.match(r"(?:the|a|an|this|these|it|we|there)$", m.group("a"), re.I):
        return None, None   # (a subject naming an outcome, "The increased response rate ...", is no group)
    a, b = _strip_label(m.group("a")), _strip_label(m.group("b"))
    return (a, b) if a and b and not (_VALUE_LABEL.match(a) or _VALUE_LABEL.match(b)) else (None, None)


def comparison(s: str) -> tuple[str | None, str | None]:
    m = _BETWEEN.search(s) or _VERSUS_IN.search(s) or _VERSUS.search(s)
    if not m:
        return _subject_compared(s)
    a, b = _strip_label(m.group(1)), _strip_label(m.group(2))
    # "18.4 months in the transplant arm compared with 11.9 months in ...": values, not two groups.
    if _VALUE_LABEL.match(a) or _VALUE_LABEL.match(b):
        return None, None
    return a, b


_MODEL_MENTION = re.compile(r"(?P<multi>multivariat\w*|multivariable|(?<!un)adjusted)|(?P<uni>univariat\w*|univariable|"
                            r"unadjusted|crude)", re.I)


def _analysis_at(s: str, pos: int) -> str | None:
    """The model of the ratio at `pos`: in a sentence naming both ('worse RFS in univariate
    (HR 2.35 ...) but not in multivariate analysis (HR 1.41 ...)'), the one named last before
    it, else the first after it; otherwise the sentence's."""
    fs = fold(s)
    # (every match of _MODEL_MENTION holds one of _MULTI_WORDS or _UNI_WORDS: without them, none)
    found = [(m.start(), "multivariate" if m.group("multi") else "univariate") for m in _MODEL_MENTION.finditer(s)] \
        if has_any(fs, _MULTI_WORDS) or has_any(fs, _UNI_WORDS) else []
    if len({k for _, k in found}) < 2:
        return _analysis(s, fs)
    before = [k for at, k in found if at < pos]
    return before[-1] if before else next(k for at, k in found if at > pos)


# The words of the two models: re.search("multivariat|multivariable|adjusted", s, re.I) is the
# same test as one of _MULTI_WORDS in fold(s) (a substring test at C speed, where the pattern
# tests every character).
_MULTI_WORDS = ("multivariat", "multivariable", "adjusted")
_UNI_WORDS = ("univariat", "univariable", "unadjusted", "crude")


def _analysis(s: str, fs: str | None = None) -> str | None:
    """`fs`: fold(s), when the caller has it."""
    fs = fold(s) if fs is None else fs
    if has_any(fs, _MULTI_WORDS):
        return "multivariate"
    if has_any(fs, _UNI_WORDS):
        return "univariate"
    return None


# Values contrasted by what preceded them: "58.9% after R0 resection and 31.2% after R1/R2
# resection". Only when two or more values are each followed by "after"/"following" is the
# phrase a group (one "45% after surgery" may be the whole cohort's); the procedure it names
# is then no endpoint of the value after it, though "R0 resection" also names an outcome.
_NOT_A_LEVEL_AFTER = r"(?!\s+(?:a|the)?\s*(?:median|mean|\d|one|two|three|four|five|six|ten|first|end|start|completion)\b)"
_VALUE_AFTER = re.compile(rf"%\s*(?:[(\[][^)\]]{{0,40}}[)\]]\s*)?(?:after|following){_NOT_A_LEVEL_AFTER}\s+\S", re.I)
_AFTER_LEVEL = re.compile(rf"\b(?:after|following){_NOT_A_LEVEL_AFTER}\s+[^,;()%]{{1,40}}?(?=\s+(?:and|or|vs\.?|versus)\s*$|\s*$)", re.I)
_AFTER_AT = re.compile(rf"\s*(?:[(\[][^)\]]{{0,40}}[)\]]\s*)?(?:after|following){_NOT_A_LEVEL_AFTER}\s+(?P<g>[^,;()\[\]]{{1,60}})", re.I)


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))


def _after_level(clause: str, value_end: int) -> str | None:
    m = _AFTER_AT.match(clause, value_end)
    if not m:
        return None
    g = m.group("g")
    end = _GROUP_END.search(g)
    return _group_label(g[:end.start()] if end else g, has_endpoint=False)


_OWN_P = re.compile(r"\s*\(\s*[Pp]\s*[=<≤]")
_CORRESPONDING_VALUES = re.compile(r"\bcorresponding\s+(?:values|rates|figures|estimates)\s+(?:for|in|of)\s+(?:the\s+)?"
                                   r"(?P<g>[^,;()]{2,60}?)\s+(?:were|was)\s*$", re.I)
_BEST_RESPONSES = {"sd", "pd", "stable disease", "progressive disease"}
_CORRESPONDING = re.compile(r"\s*(?:the\s+)?corresponding\b", re.I)


_CAUSE_OF_DEATH = re.compile(r"\bcauses?\s+of\s+death\b", re.I)


def enumerated_rates(clean: CleanText, sent: Sentence, prev: Sentence | None,
                     carry: tuple[str, float] | None = None, periods: tuple[str, str] | None = None) -> list[Figure]:
    """'The 5-year OS, DMFS and DFS rates were 37.7%, 30.2% and 20.3%, respectively' and its
    kin: several endpoints, several groups, or several timepoints matched to a list of values;
    'from 6% to 12%'; and runs of single values that share the endpoint and timepoint of the
    first ('was 41% (CI) overall, 13% (CI) for low-risk men, ...'). Clauses after ';' reuse
    the groups and timepoint of the first clause. `carry`: the endpoint and timepoint of the
    rate the sentences just before stated, which a sentence saying only "survival" continues
    ("The 5-year relative survival was 40.5%. Survival was higher in women (45.1%) than men
    (37.2%)"). `periods`: the two periods a sentence before compared, which a change "during
    the same period" is between."""
    s = sent.text(clean)
    # PERCENT_RE and PCT_LIST_RE start with a number: they are tried only where one starts.
    numbers = sent.numbers(clean)
    first_pct = next(fastre.finditer_at(PERCENT_RE, s, numbers), None)
    if not first_pct:
        return []
    out: list[Figure] = []
    # What every value list of the sentence may need, found when one first does.
    lazy: dict[str, object] = {}

    def tp_default() -> float | None:
        if "tp" not in lazy:
            lazy["tp"] = find_last_timepoint(s[:first_pct.start()]) or find_timepoint(s)
        return lazy["tp"]

    def groups_ctx() -> list[str]:
        if "groups" not in lazy:
            # (else the two groups the sentence compares: "Postoperative RT was associated with
            # ... versus surgery alone (HR ...), with 5-year LFFS of 81.1 and 63.6%, respectively")
            lazy["groups"] = _groups_before(s) or [g for g in _subject_compared(s) if g]
        return lazy["groups"]

    def period_pair() -> tuple[str, str] | None:
        if "periods" not in lazy:
            lazy["periods"] = _period_pair(s) or (periods if periods and _SAME_PERIOD.search(s) else None)
        return lazy["periods"]

    def after_contrast() -> bool:
        if "after" not in lazy:
            fs = sent.folded(clean)   # (every match says "after" or "following")
            lazy["after"] = ("after" in fs or "following" in fs) and len(_VALUE_AFTER.findall(s)) >= 2
        return lazy["after"]

    def heads_after() -> bool:
        """Whether two clauses state values after different treatments ('OS after A was ...,
        while OS after B was ...')."""
        if "heads_after" not in lazy:
            fs = sent.folded(clean)
            lazy["heads_after"] = ("after" in fs or "following" in fs) and len(_HEADS_AFTER.findall(s)) >= 2
        return lazy["heads_after"]

    def respectively() -> bool:
        if "resp" not in lazy:
            lazy["resp"] = bool(RESPECTIVELY.search(s))
        return lazy["resp"]
    inherited: tuple[list[str], float | None, int, str | None] | None = None
    last_clause: tuple[list[str], float | None, int] | None = None   # the last list's endpoints, timepoint, clause
    last_tps = None   # the times the last list of values was matched to, and its clause
    current_clause = None
    for clause_start, clause, lst_start, values, head, head_start, n_bare in _value_lists(s, numbers):
        clause_group = None
        parallel: list[str] = []   # the groups of a list that continues the last one's rate
        continued_tps = None   # the times of the last clause's list, which this clause's continues
        named = None   # the outcome named right after a single value ("(65%) patients achieved SD")
        if clause_start != current_clause:
            current_clause = clause_start
            inherited = inherited if inherited and inherited[2] == clause_start else None
        tail = head[-15:]
        if ("CI" in tail or "confidence" in tail) and _Gates.ci_word.search(tail):
            continue
        contrast = after_contrast()
        found = ep.all_endpoints(_distribute(_AFTER_LEVEL.sub(_blank, head) if contrast else head))
        close = head.rfind(")")
        if len(found) > 1 and close > 0 and re.search(r"\d", head[head.rfind("(", 0, close) + 1:close]):
            # "... local recurrence risk versus surgery alone (HR = 0.408, ...), with 5-year LFFS of
            # 81.1 and 63.6%": an endpoint whose values the parenthesis gave is not this list's
            after = ep.all_endpoints(head[close + 1:])
            found = after or found
        specific = [e for e in found if ep.is_specific(e)]
        eps = specific if len(specific) > 1 else (specific[-1:] or found[-1:])
        eps = [_resolve_for(e, sent) for e in eps]
        # A value with no endpoint of its own continues the previous one ('..., 13% for
        # low-risk men'), unless a new subject with its own verb has started.
        if not eps and len(values) == 1 and (named_only := _outcome_after(clause, values[0][2])) \
                and (ep.is_response(named_only) or named_only.lower() in _BEST_RESPONSES):
            eps = [named_only]   # "Another 21 (17.5%) patients achieved stable disease (SD)"
        own = bool(eps)
        if own:
            tp = find_last_timepoint(head)
        elif last_clause and (corr := _CORRESPONDING_VALUES.search(head)) and len(last_clause[0]) == len(values):
            # "..., while the corresponding values for the dose <45 Gy group were 62.5% (P=0.008),
            # 53.3% (P=0.036) and 41.7% (P<0.001)": the last list's endpoints, for this group
            own, eps, tp, scope = True, last_clause[0], last_clause[1], None
            clause_group = _group_label(corr.group("g"))
        elif inherited and respectively() and (par := _PARALLEL_GROUPS.match(head)) \
                and len(parallel := split_labels(par.group("g"))) == len(values) > 1:
            # "the 5-year OS of T4 and T1-3 were 75% and 87.9%, p = 0.01, stage IV and stage
            # II-III were 77.1% and 90%, p = 0.04, respectively": more groups, the same rate
            own, eps, tp, scope = True, inherited[0], inherited[1], None
        elif last_clause and last_clause[2] != clause_start and last_tps and len(last_tps[0]) == len(values) \
                and _BARE_CONTINUATION.fullmatch(head):
            # "The 1-, 3-, and 5-year OS rates were 90.3%, 76.2%, and 65.7% in group A,
            # respectively; and 88.3%, 70.5%, and 52.0% in group B": the same rates at the same
            # times, for another group
            own, eps, tp, scope = True, last_clause[0], last_clause[1], None
            continued_tps = last_tps[0]
        elif inherited and (not _NEW_SUBJECT.search(head) or _THAN_THAT_OF.search(head)):
            tp = find_last_timepoint(head)
            eps, tp, scope = inherited[0], tp if tp is not None else inherited[1], inherited[3]
        elif last_clause and last_clause[2] != clause_start and (ell := _ELLIPTICAL_GROUP.match(head)):
            # "Among men, 5-year survival was 38.5%; among women, 45.0%": a clause of a group
            # and its value only, the previous clause's rate for that group (not the
            # sentence's opening group).
            own, eps, tp, scope = True, last_clause[0], last_clause[1], None
            clause_group = _group_label(ell.group("g"))
        elif carry and tp_default() is None and _PRONOUN_SUBJECT.match(head) \
                and not any(_SHARE_OF_PATIENTS.match(clause, ve) for _, _, ve in values):
            # "The 5-year CSS was 78%. It was 92% for grade 1, ...": the rate just stated
            own, tp, eps, scope = True, carry[1], [carry[0]], None
        elif carry and tp_default() is None and _label_before(clause, values[0][1], values[0][2]) \
                and _continues(carry[0], ep.all_endpoints(clause[values[-1][2]:])):
            # "In women, thyroid (94.9%) and breast cancer (77.6%) were the cancers with the
            # highest survival": the endpoint named after the values, the previous rate's; the
            # values are groups' ("thyroid (94.9%)"), not a share of patients ("since only 14%
            # of patients are diagnosed at this stage, survival ...").
            own, tp, eps, scope = True, carry[1], [carry[0]], None
        else:
            continue
        # Lists of groups pair with lists of values only when the paper says "respectively".
        head_groups = parallel or (_groups_in(head) if respectively() else [])
        if own:
            # The subgroup the endpoint is stated for ("The 5-year OS of patients with stage
            # III disease was"), unless the head names the groups of a list.
            scope = None if head_groups else _head_group(head)
        tp = tp if tp is not None else tp_default()
        if tp is None and carry and _continues(carry[0], eps) \
                and not any(_SHARE_OF_PATIENTS.match(clause, ve) or _is_difference(clause, vs, ve) for _, vs, ve in values):
            eps, tp = [carry[0]], carry[1]
        eps = [_survival_is_os(e) for e in eps]
        if eps == ["death"] and _CAUSE_OF_DEATH.search(s):
            continue   # ("the leading cause of death (77.3%), followed by ... (11%)": shares of the deaths)
        inherited = (eps, tp, clause_start, scope)
        last_clause = (eps, tp, clause_start)
        tps = (continued_tps, 0) if continued_tps else find_timepoint_list(head)
        vals = values
        if not tps:
            # "OS was 52% and 38% at 3 and 5 years, respectively": the times listed right after
            # the values
            # (past the last value's interval: "... and 36.9% (26.5-49.9%) at 1, 5 and 10 years")
            bracket = _INTERVAL_AFTER.match(clause, vals[-1][2])
            at = bracket.end() if bracket else vals[-1][2]
            tail = find_timepoint_list(clause[at:at + 40])
            tps = tail if tail and tail[1] <= 2 else None
        if not tps and last_tps and len(last_tps[0]) == len(vals) and last_tps[1] == clause_start \
                and (not own or find_last_timepoint(head) is None):
            # "6- and 12-month survival was 57% and 27% for arm B, and 30% and 11% for arm A", "At
            # 3 and 5 years, OS was 43.5% and 29% and EFS was 23.6% and 12.4%": the second list of
            # values is at the same times as the first
            tps = last_tps[0], 0
        last_tps = (tps[0], clause_start) if tps else None
        groups = (head_groups or _groups_after(clause, vals[-1][2]) or groups_ctx()) if respectively() else []
        if not groups and len(vals) > 1 and not n_bare and len(eps) < len(vals) \
                and len(after_groups := _groups_after(clause, vals[-1][2])) == len(vals) \
                and not any("%" in g for g in after_groups):
            # "64% (95% CI 55-72) and 41% (95% CI 32-50) for patients with and without adjuvant
            # therapy": as many groups right after the values as there are values, in order
            groups = after_groups
        if not groups and len(vals) > 2 and prev is not None and _CORRESPONDING.match(s):
            # "Five-year OS for stages 0-IV were 83%, ..., respectively. Corresponding 5-year DSS
            # rates were 100%, 92%, ...": the previous sentence's groups, in its order
            pt = prev.text(clean)
            first = re.search(r"\d+(?:\.\d+)?\s*%", pt)
            pt = pt[:first.start()] if first else pt
            groups = _level_range(pt) or _groups_in(pt)
        # (not the test of a later list of values in the clause: "... (94.7%, 94.4%, 90.0%,
        # respectively), while the corresponding values for B were 62.5% (P=0.008), ...")
        later_value = re.search(r"\d+(?:\.\d+)?\s*%", clause[vals[-1][2]:])
        if later_value and not re.search(r"\bcorresponding\b",
                                         clause[vals[-1][2]:vals[-1][2] + later_value.start()], re.I):
            later_value = None   # (the other values of one comparison share its test)
        p = find_p(clause, lst_start, limit=(vals[-1][2] - lst_start + later_value.start()) if later_value else len(clause)) \
            or (_p_closing_parenthesis(s, clause_start + lst_start) if not later_value else None)
        after = clause[lst_start:]
        labels = _bracket_labels(clause, vals) if len(vals) > 1 else []
        if not labels and len(vals) > 1 and clause[:vals[0][1]].rstrip().endswith("("):
            # "for mucosal melanomas (27.64%, 95% CI ...) ... than cutaneous melanomas (76.28%, ...)":
            # each value alone in the parenthesis after its group
            before = [_label_before(clause, vs, ve) for _, vs, ve in vals]
            labels = before if all(before) and len(set(before)) == len(before) else []
        if n_bare and not ((len(eps) > 1 and len(eps) == len(vals)) or (groups and len(groups) == len(vals))
                           or labels or (tps and len(tps[0]) == len(vals))):
            # Numbers before the percentage that nothing pairs with are read as before: the list
            # is the percentages that print their sign.
            vals = vals[n_bare:]
            labels = _bracket_labels(clause, vals) if len(vals) > 1 else []
        label_at: dict[int, int] = {}   # where the quote of a value after its own label starts
        if labels and _names_label(scope, labels[0]):
            scope = None   # ("The 5-year OS for stage I (85.1%) and stage II (60.2%)": the first label)
        within = clause_group or scope or sent.lead(clean)   # the subgroup every value of the list is within
        chunk_labels = _chunk_labels(clause, vals, len(eps)) if len(eps) > 1 and len(vals) > len(eps) else []
        if chunk_labels:
            # "3-year EFS and OS were 75.8% and 89.8% (ALK-positive ALCL), 50.0% and 67.5% (AITL),
            # ..., respectively": each group's values of the endpoints in their order
            k = len(eps)
            pairs = [(eps[i % k], _in_scope(within, chunk_labels[i // k]), tp, v) for i, v in enumerate(vals)]
        elif len(eps) > 1 and len(eps) == len(vals) and len(set(eps)) == len(eps):
            # (the group the list is for may follow it: "OS and PFS were 68.9% and 59.5% for A
            # compared with 57.5% and 44.5% for B")
            g = (_trailing_group(clause, vals[-1][2]) if not respectively() else None) \
                or (_clause_subject(head) if own and not clause_group else None)
            pairs = [(e, _in_scope(within, g, "Overall"), tp, v) for e, v in zip(eps, vals)]
        elif groups and len(groups) == len(vals):
            pairs = [(eps[0], _in_scope(within, g), tp, v) for g, v in zip(groups, vals)]
        elif labels:
            pairs = [(eps[0], _in_scope(within, g), tp, v) for g, v in zip(labels, vals)]
        elif tps and len(tps[0]) == len(vals):
            # (the group the list is for may follow it: "57% and 27% for patients receiving X")
            g = _trailing_group(clause, vals[-1][2]) if respectively() else None
            pairs = [(eps[0], _in_scope(within, g, "Overall"), t, v) for t, v in zip(tps[0], vals)]
        elif len(vals) == 2 and not groups:
            # "70% [CI] vs 44% [CI]", "from 6% to 12%": two groups, named before the values if
            # the sentence names them; "higher in women than in men (71.3% and 58.9%)": two
            # values joined by "and" are two groups' only when the sentence names both.
            two = _paren_pair(s, clause_start + lst_start)
            if not all(two):
                two = _pair_groups(clause[:lst_start])
                if two[0] and not two[1]:
                    # "(98% vs. 87% for conventional)", "(...) to 2DCRT": the second group named after
                    two = (two[0], _trailing_group(clause, vals[1][2]) or _group_after_paren(s, clause_start + vals[1][2])
                           or (_complement(two[0]) if re.search(r"\b(?:vs\.?|versus)\b", clause[lst_start:]) else None))
            if not all(two) and not re.search(r"\b(?:vs\.?|versus|to)\b", after):
                continue
            if _CHANGE_FROM.search(head):
                # "rose from 24% to 46%": each value is the rate of its period, when the
                # sentence or the one it says "the same period" of names two.
                two = tuple(_period_label(g) or p for g, p in zip(two, period_pair() or (None, None)))
            if within and all(g and g.lower() in within.lower() for g in two):
                within = None   # the head named both groups ("of the RT group and CCRT group"): no scope
            pairs = [(eps[0], _in_scope(within, g), tp, v) for g, v in zip(two, vals)]
        elif len(vals) == 1:
            v = vals[0]
            before = _label_before(clause, v[1], v[2])
            level = before or _trailing_group(clause, v[2]) or _bare_label_before(clause, v[1]) \
                or (_head_after(head) if heads_after() else None) \
                or (_clause_subject(head) if own else None) \
                or (_after_level(clause, v[2]) if after_contrast() and tp is not None and ep.is_time_to_event(eps[0]) else None)
            if level and _period_label(level):
                # "6% for patients diagnosed in 2004 to 12% for those diagnosed in 2015": a
                # group that only says when is its period; the study's one period ("was 43.8%
                # in 2021-2023") names no group.
                level = _period_label(level) if len(_years(s)) > 1 else None
            if _names_label(scope, before):
                # "The 5-year OS for stage I (85.1%) and stage II (60.2%)": the head's group is the
                # value's label, no subgroup of the values after it
                scope, within = None, clause_group or sent.lead(clean)
                inherited = (eps, tp, clause_start, None)
            k = clause.rfind(before, head_start, v[1]) if before else -1
            if k >= 0 and own and not scope:
                # "survival in males were thyroid (94.5%), testicular (77.7%)": the subgroup the
                # head names before the first value's label is every listed value's.
                scope = _head_group(head[:k - head_start])
                within = scope or within
                inherited = (eps, tp, clause_start, scope)
            elif k >= 0 and not own:
                label_at[v[1]] = k   # quoted from its label: "testicular (77.7%)"
            named = _outcome_after(clause, v[2])
            pairs = [(named or eps[0], _in_scope(within, level, "Overall"), tp, v)]
        else:
            continue
        q_from = head_start + (par.start("g") if parallel else _quote_start(head, head))
        for e, g, t, (v, vs, ve) in pairs:
            # (a value with its own test: "62.5% (P=0.008), 53.3% (P=0.036)")
            vp = (find_p(clause, ve, limit=12) if _OWN_P.match(clause, ve) else None) or p
            if _is_difference(clause, vs, ve):
                continue   # "improved by 15%", "a 7.9% absolute difference": no group's rate
            own_t = _value_timepoint(clause, ve)
            if own_t is not None:
                t = own_t   # "52% at 3 years and 38% at 5 years", "40% after 5 years": each its own
            if t is not None and not ep.is_response(e):
                measure = "rate"      # a time-point probability, whatever the event
            elif ep.is_crude_share(e) or named or (len(pairs) > 1 and len({x[0] for x in pairs}) == len(pairs)
                                       and not ep.is_time_to_event(e)):
                measure = "proportion"  # a response, or events listed one by one ("local, regional ...")
            elif len(pairs) == 2 and e in _FAILURE_EVENTS and all(x[1] and x[1] != "Overall" for x in pairs):
                measure = "proportion"  # each named group's share: "a lower local relapse rate (6% vs. 25% for B)"
            elif len(pairs) == 1 and e in _FAILURE_EVENTS and t is None and (
                    _RATE_OF.search(head) or _SHARE_OF_PATIENTS.match(clause, ve) or _SEEN_IN.search(head)
                    or (not own and _RATE_OF.search(clause))):   # (a later value of the rate the clause named)
                measure = "proportion"  # "The crude rate of local recurrence was 18%", "..., occurring in 40% of patients"
            else:
                continue  # other event shares are read by event_proportions, with their counts
            # (read in the sentence: a parenthesis may hold a ';' the clauses were cut at)
            # ("27.64%, 95% confidence interval [CI] 25.42 – 29.91": a long label before the bounds)
            ci = _value_ci(s, clause_start + ve) or (
                _value_ci(s, clause_start + ve, limit=45) if _CI_THEN_CLOSE.match(clause, ve) else None)
            end = ci.end - clause_start if ci and ci.low <= v <= ci.high else ve
            out.append(_fig(clean, sent, sent.start + clause_start + label_at.get(vs, q_from), sent.start + clause_start + end,
                            endpoint=e, measure=measure, value=v, unit="%", timepoint_months=t, group=g,
                            ci_low=ci.low if ci and end != ve else None, ci_high=ci.high if ci and end != ve else None,
                            p_value=vp.value if vp else None, p_op=vp.op if vp else None,
                            confidence=0.8 if len(pairs) > 1 or g != "Overall" else 0.7, rule="prose.enumeration"))
    return out


_INTERVAL_AFTER = re.compile(rf"\s*{_VALUE_BRACKET}")
# A timepoint stated right after a value, past its interval: "52% (95% CI 44-60) at 3 years",
# "40% after 5 years". (Only a number with its unit: "at 3 and 5 years" is a list, read as one.)
_VALUE_TIMEPOINT = re.compile(r"\s*(?:[(\[][^()\[\]]{0,60}[)\]]\s*)?,?\s*(?:at|after)\s+(\d+(?:\.\d+)?)\s*"
                              r"(years?|yrs?|months?|mos?)\b(?!\s*(?:and|or|,)\s*\d)", re.I)


def _value_timepoint(clause: str, ve: int) -> float | None:
    m = _VALUE_TIMEPOINT.match(clause, ve)
    return timepoint_months(m.group(1), m.group(2)) if m else None


# A subject that stands for the rate just stated: "It was 92% for grade 1", "The corresponding
# rates were ...".
# A clause that names only a group before its value: "; among women, 45.0%", "; in men, 38%".
_ELLIPTICAL_GROUP = re.compile(
    r"^\s*(?:and\s+|but\s+|while\s+|whereas\s+)?(?:among|in|for)\s+(?P<g>[^,;:%\d]{2,50}?),?\s*$", re.I)
_PRONOUN_SUBJECT = re.compile(r"^\s*(?:it|this|the\s+corresponding\s+(?:rates?|figures?|values?|estimates?))\s+"
                              r"(?:was|were|is|are)\s+(?:only\s+|approximately\s+|about\s+)?$", re.I)
# A group named right before its value, after a colon, comma or "and": "were: oral cavity 55%,
# oropharynx 62%", "(women 61%, men 59%)".
_BARE_LABEL = re.compile(r"(?:^|[:,;(]|\band\s)\s*(?P<g>[A-Za-z][\w+/-]*(?:\s+[\w+/-]+){0,3})\s+$")
_LABEL_VERB = re.compile(r"\b(?:was|were|is|are|of|reached|be|been|had|to|from|by|rates?|at|than|versus|vs|occurr\w*|in)\b", re.I)


def _bare_label_before(clause: str, vs: int) -> str | None:
    m = _BARE_LABEL.search(clause[max(0, vs - 50):vs])
    if not m or _LABEL_VERB.search(m.group("g")) or _TIME_WORD.search(m.group("g")):
        return None
    return _group_label(m.group("g"))


# "12% of patients": a share of the cohort, not a survival probability.
_SHARE_OF_PATIENTS = re.compile(r"\s*(?:[(\[][^)\]]{0,40}[)\]]\s*)?of\s+(?:the\s+|all\s+|these\s+)?"
                                r"(?:patients|cases|participants|subjects|men|women|children)\b", re.I)


# Calendar years and periods: "2004", "1990-1999", "2010-14".
_YEAR_OR_RANGE = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?(?!\d|[.,]\d|\s?%)")


def _years(s: str) -> list[str]:
    """_YEAR_OR_RANGE.findall(s). A match starts a run of digits (the look-behind) with "19" or
    "20": it is tried only there, where a search tests every character."""
    if "19" not in s and "20" not in s:
        return []
    starts = [i for i in fastre.digit_run_starts(s) if s.startswith(("19", "20"), i)]
    return [m.group() for m in fastre.finditer_at(_YEAR_OR_RANGE, s, starts)]


_CHANGE_FROM = re.compile(r"\b(?:rose|risen|increased|improved|decreased|declined|fell|dropped|changed|went)\s+"
                          r"(?:(?:only|slightly|significantly|substantially|markedly)\s+)?from\s*$", re.I)
_SAME_PERIOD = re.compile(r"\b(?:the\s+same|this|that|these)\s+(?:same\s+)?(?:period|time|years|interval)\b", re.I)
# A group that says only when its patients were diagnosed or treated.
_WHEN_GROUP = re.compile(r"(?:(?:the\s+)?(?:patients|those|cases|people|women|men|children)\s+)?"
                         r"(?:diagnosed|treated|operated|seen|enrolled|registered)?\s*(?:in|during|between)?\s*"
                         rf"(?P<p>{_YEAR_OR_RANGE.pattern})", re.I)


def _period_label(group: str | None) -> str | None:
    """'patients diagnosed in 2004' -> '2004', '1990-1999' -> '1990-1999'; None for a group
    that says more than when."""
    m = _WHEN_GROUP.fullmatch(group.strip()) if group else None
    return re.sub(r"\s+", "", m.group("p")) if m else None


def _period_pair(s: str) -> tuple[str, str] | None:
    """The two periods a sentence compares: two years or periods ('in 2004 ... in 2015',
    'from 1990-1999 to 2010-2019'), or the bounds of one ('(2004-2019)'); None otherwise."""
    found = [re.sub(r"\s+", "", y) for y in _years(s)]
    if len(found) == 2 and found[0] != found[1]:
        return found[0], found[1]
    if len(found) == 1 and "-" in found[0].replace("–", "-"):
        a, b = re.split(r"[-–]", found[0])
        return a, (a[:2] + b if len(b) == 2 else b)
    return None


# "decreased by 10%", "12% lower", "a 7.9% absolute difference": a difference, not a rate.
_DIFF_BEFORE = re.compile(r"(?:\bby|\bdifference(?:\s+of)?(?:\s*[\[(][^\])]{1,40}[\])])?|\bgain(?:\s+of)?|\bchange(?:\s+of)?)\s*"
                          r"(?:an?\s+)?(?:approximately\s+|about\s+)?$",
                          re.I)
_DIFF_AFTER = re.compile(r"\s*(?:(?:absolute|relative|percentage)\b|points?\b|(?:lower|higher|more|less|greater|better|worse|"
                         r"smaller|larger)\b|(?:difference|reduction|increase|improvement|decrease|drop|gain)\b)", re.I)


def quotes_difference(quote: str, value: float) -> bool:
    """Whether a figure's quote states its value as a difference ('absolute difference
    [experimental-control] 1.3%'): the words before the value's last printing in the quote."""
    at = None
    for m in re.finditer(NUM, quote.replace("·", ".")):   # (a middle-dot decimal, same length)
        if to_float(m.group(0)) == value:
            at = m.start()
    return at is not None and bool(_DIFF_BEFORE.search(quote[max(0, at - 60):at]))


# "the 5-year overall survival after resection alone was 43%, while ... after RFA alone was 23%":
# where the sentence contrasts values after different treatments, each is its treatment's.
_HEAD_AFTER = re.compile(r"\b(?:after|following)\s+(?P<g>[^,;()%\d]{2,40}?)\s+(?:was|were|is|are|of)\s*$", re.I)


_HEADS_AFTER = re.compile(r"\b(?:after|following)\s+[^,;()%\d]{2,40}?\s+(?:was|were|is|are)\s+\d", re.I)


def _head_after(head: str) -> str | None:
    m = _HEAD_AFTER.search(head)
    return _group_label(m.group("g")) if m else None


def _is_difference(clause: str, vs: int, ve: int) -> bool:
    return bool(_DIFF_BEFORE.search(clause[max(0, vs - 30):vs]) or _DIFF_AFTER.match(clause, ve))


def _continues(carried: str, named: list[str]) -> bool:
    """Whether the endpoints a sentence names (only bare "survival", or the carried one
    itself) continue the rate the sentences before stated."""
    return bool(named) and all(e.lower() == "survival" or e == carried for e in named) \
        and not ep.is_response(carried)


# "... was lower than that of cutaneous melanomas (76.28%)": the same measure, for the group compared
_THAN_THAT_OF = re.compile(r"\bthan\s+(?:that|those)\s+(?:of|in|for|with)\s+[^()%]{1,60}\(\s*$", re.I)
_BARE_CONTINUATION = re.compile(r"[\s,]*(?:and|while|whereas|but|compared\s+with|versus|vs\.?)?\s*", re.I)
# A list's head that is only its groups, after the test of the list before: ", p = 0.01, stage IV
# and stage II-III were" (that list's rate, for these groups).
_PARALLEL_GROUPS = re.compile(r"^[\s,;]*(?:[Pp]\s*[=<>≤]\s*0?[.·]\d+\s*[,;]\s*)?(?:and\s+|while\s+|whereas\s+)?"
                              r"(?:(?:those\s+)?(?:of|for|in)\s+)?(?P<g>[^,;:%()=]{2,80}?\band\b[^,;:%()=]{1,40}?)\s+"
                              r"(?:were|was)\s*$", re.I)
_NEW_SUBJECT = re.compile(r"\b(?:was|were|is|are|increased|decreased|rose|fell|declined|improved|remained|"
                          r"changed|ranged|varied|accounted)\b", re.I)


def _bracket(s: str, positions: range, inner: str, outer: str) -> int | None:
    """The first unmatched bracket `inner` walking `positions` (a nested pair, opened by
    `outer` on the way, is skipped)."""
    depth = 0
    for k in positions:
        if s[k] == outer:
            depth += 1
        elif s[k] == inner:
            if depth == 0:
                return k
            depth -= 1
    return None


def _p_closing_parenthesis(s: str, pos: int) -> "PValue | None":
    """A p-value that closes the parenthesis the values stand in applies to all of them:
    '(median ... vs 6 months [4-17], 1-year OS 70% [...] vs 44% [...]; HR 0.36, ...; p=0.004)'."""
    open_at = _bracket(s, range(pos - 1, -1, -1), inner="(", outer=")")
    close_at = _bracket(s, range(pos, len(s)), inner=")", outer="(") if open_at is not None else None
    if close_at is None:
        return None
    # Only the p that ends the parenthesis, not one inside a nested interval.
    tail = s[max(pos, close_at - 30):close_at]
    m = find_p(tail, 0, limit=len(tail))
    return m if m and m.end == len(tail.rstrip()) else None


_DISTRIBUTIVE = re.compile(
    r"\b((?:[a-z]+,\s*)+[a-z]+,?\s+(?:and|or)\s+[a-z]+)\s+(failures?|recurrences?|relapses?|control|metastas[ie]s)\b",
    re.I)


# "overall and progression-free survival", "disease-specific, recurrence-free and overall
# survival": kinds of survival sharing the noun, written without a comma when there are two.
_SURVIVAL_KIND = r"(?:overall|relative|net|(?:disease|cancer)[\s-]specific|[a-z]+(?:[\s-][a-z]+)?[\s-]free)"
_DISTRIBUTIVE_SURVIVAL = re.compile(
    rf"\b((?:{_SURVIVAL_KIND},\s*)*{_SURVIVAL_KIND},?\s+(?:and|or)\s+{_SURVIVAL_KIND})\s+(survival)\b", re.I)


def _expand(m: re.Match) -> str:
    noun = m.group(2)
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group(1))
    return ", ".join(f"{p.strip()} {noun}" for p in parts if p.strip())


def _distribute(head: str) -> str:
    """'local, regional and distant failure' -> 'local failure, regional failure and distant
    failure', 'overall and progression-free survival' -> 'overall survival, progression-free
    survival', so each endpoint of a shared noun is found (for reading only, not for quotes)."""
    folded = fold(head)
    if "survival" in folded and ("and" in folded or "or" in folded):
        head = _DISTRIBUTIVE_SURVIVAL.sub(_expand, head)
    # Every match has a comma and one of the nouns: without them there is nothing to expand.
    if "," not in head or not has_any(folded, ("failure", "recurrence", "relapse", "control", "metastas")):
        return head
    return _DISTRIBUTIVE.sub(_expand, head)


def _survival_is_os(endpoint: str) -> str:
    """A bare '5-year survival' is overall survival."""
    return "OS" if endpoint.lower() == "survival" else endpoint


def _quote_start(clause: str, head: str) -> int:
    """Quote from the last endpoint/timepoint phrase before the values, not the whole clause."""
    m = None
    for m in re.finditer(r"\b(?:the\s+)?(?:\d+|one|two|three|four|five|ten)[-\s](?:years?|months?)\b|"
                         r"\b[A-Z]{2,6}\b(?: rates?)?", head):
        pass
    if m is None:
        return len(clause) - len(clause.lstrip())
    # Step back to the sentence-style opening ("The 5-year OS ...") when close by.
    k = head.rfind("The ", 0, m.start() + 1)
    return k if 0 <= k and m.start() - k < 20 else m.start()


def _clauses(s: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    if ";" not in s:
        return [(0, s)]    # (what the split gives: one clause)
    for part in re.split(r"(;)", s):
        if part == ";":
            pos += 1
            continue
        out.append((pos, part))
        pos += len(part)
    return out


def _value_lists(s: str, numbers: list[int] | None = None):
    """Each list of percentages in each clause, with the text before it (since the previous
    list) that names its endpoints, timepoint and groups, and how many of its values are bare
    numbers before the first percentage ("19, 22, and 13%"). A list's values exclude the
    percentages inside its bracketed intervals. `numbers`: fastre.number_token_starts(s)."""
    if numbers is None:
        numbers = fastre.number_token_starts(s)
    for clause_start, clause in _clauses(s):
        prev_end = 0
        # PCT_LIST_RE.finditer(clause), tried where a number starts (the clause's share of s's).
        lo, hi = bisect.bisect_left(numbers, clause_start), bisect.bisect_left(numbers, clause_start + len(clause))
        for m in fastre.finditer_at(PCT_LIST_RE, clause, [i - clause_start for i in numbers[lo:hi]]):
            # (re.search(r"[≥≤<>±]\s*$", before): its last character that is not a space)
            if clause[:m.start()].rstrip()[-1:] in _THRESHOLD_MARKS:
                continue  # a threshold ('CR rate of >=75%') or a spread ('± 3.1%'), not a result
            body = m.group(0)
            if "(" in body or "[" in body:   # (brackets blanked: without one there is none to blank)
                body = _Gates.bracketed.sub(_blank, body)
            vals = _pct_values(body, m.start())
            if "95" in body or "90" in body:
                # ("27.64%, 95% confidence interval ...": the interval's level is no value)
                vals = [v for v in vals if not _CI_LEVEL.match(clause, v[2])]
                if not vals:
                    continue
            list_start, n_bare = m.start(), 0
            just_before = clause[max(prev_end, m.start() - 6):m.start()].rstrip()
            bare = _BARE_BEFORE.search(clause, prev_end, m.start()) \
                if just_before.endswith((",", " and")) else None
            if bare:
                # "the response rate was 19, 22, and 13%": the sign is printed once, after the last
                firsts = [(to_float(b.group(0)), bare.start() + b.start(), bare.start() + b.end())
                          for b in re.finditer(NUM, clause[bare.start():m.start()])]
                if all(v is not None and v <= 100 for v, _, _ in firsts):
                    vals = firsts + vals
                    list_start, n_bare = bare.start(), len(firsts)
            head = clause[prev_end:list_start]
            if not _Gates.word.search(head):
                head = clause[:m.start()]
                head_start = 0
            else:
                head_start = prev_end
            yield clause_start, clause, list_start, vals, head, head_start, n_bare
            prev_end = m.end()


_THRESHOLD_MARKS = frozenset("≥≤<>±")
_CI_LEVEL = re.compile(r"\s*(?:CI\b|confidence\s+interval|credible\s+interval)", re.I)
# Numbers listed right before a percentage, the sign printed only after the last: "19, 22, and ".
_BARE_BEFORE = re.compile(rf"(?<![\w.,%])(?:{NUM}\s*(?:,\s*and|,|and)\s*)+$")
_GROUPS_RE = re.compile(
    r"\b(?:for|among|in|of)\s+(?:the\s+)?(?:patients|those|cases)?\s*(?:with|who had|treated with|receiving|aged)?\s*"
    r"(?P<g>[^,;%]{1,40}(?:,\s*[^,;%]{1,40}){0,5},?\s+(?:and|or)\s+[^,;%]{1,40}?)(?:\s+(?:disease|patients|groups?|cases|tumou?rs))?\s*"
    r"(?=,|\s+were\b|\s+was\b|\s+the\b|\s+respectively\b|\s*[.;(]|\s*$)", re.I)


_COMPARATIVE = re.compile(r"older|younger|more|less|above|over|greater|higher|lower|below|under|fewer", re.I)


def _groups_in(head: str) -> list[str]:
    m = _GROUPS_RE.search(head)
    return _group_list(m) or _level_range(head)


# "for Stages 0-IV", "(grades 1-3)": every level of a range, in order.
_LEVEL_RANGE = re.compile(r"\b(?P<w>stages?|grades?|classes?)\s+(?P<a>0|[IV]{1,3}|[1-9])\s*(?:-|–|to)\s*(?P<b>[IV]{1,3}|[1-9])\b"
                          r"(?![-–/]|\s*[a-c]\b)", re.I)
_ROMAN = ["0", "I", "II", "III", "IV"]


def _level_range(text: str) -> list[str]:
    m = _LEVEL_RANGE.search(text) if any(w in text.lower() for w in ("stage", "grade", "class")) else None
    if not m:
        return []
    a, b = m.group("a").upper(), m.group("b").upper()
    if a in _ROMAN and b in _ROMAN:
        levels = _ROMAN[_ROMAN.index(a):_ROMAN.index(b) + 1]
    elif a.isdigit() and b.isdigit():
        levels = [str(k) for k in range(int(a), int(b) + 1)]
    else:
        return []
    word = m.group("w").lower().rstrip("s").replace("classe", "class")
    return [f"{word} {x}" for x in levels] if 2 < len(levels) <= 6 else []


_BY_STATE = re.compile(r"with(?:out)?\s", re.I)


def _group_list(m: re.Match | None) -> list[str]:
    if not m:
        return []
    labels = split_labels(m.group("g"))
    # "the rates of local, regional and distant failure": endpoints, not groups; "aged 70
    # years or older": one group. Patients "with and without a complete response" are groups
    # by a state, even one that is an endpoint.
    if len(labels) < 2 or any((ep.first_endpoint(x) and not _BY_STATE.match(x)) or _COMPARATIVE.fullmatch(x)
                              for x in labels):
        return []
    return labels


_BEFORE_GROUPS = re.compile(rf"\s*(?:{_VALUE_BRACKET}\s*)?(?=(?:for|among|in|of)\s)", re.I)


# Groups listed in an aside: "of the four treatment groups (A, B, C, and D)", "groups–A, B and C–".
_ASIDE_LIST = re.compile(r"[(–—]\s*(?P<l>[^()–—;]{2,150}?,?\s+(?:and|or)\s+[^()–—;]{1,60}?)\s*[)–—]")


def _aside_groups(text: str, n: int) -> list[str]:
    """The n groups an aside of `text` lists, or []."""
    m = _ASIDE_LIST.search(text) if ("(" in text or "–" in text or "—" in text) else None
    groups = split_labels(m.group("l")) if m else []
    return groups if len(groups) == n and all(_group_label(g) for g in groups) else []


def _groups_after(clause: str, pos: int) -> list[str]:
    """Groups named right after the values: '72% and 55% in the MRD-negative and MRD-positive
    groups, respectively', '... and 0% (Stages 0-IV)'."""
    m = _BEFORE_GROUPS.match(clause, pos)
    if m:
        return _group_list(_GROUPS_RE.match(clause, m.end()))
    paren = re.match(r"\s*\(([^()]{4,30})\)", clause[pos:])
    return _level_range(paren.group(1)) if paren else []


_BRACKET_LABEL = re.compile(r"\s*[(\[]\s*(?P<g>[A-Za-z][^()\[\]\d%;,=]{0,40}?)\s*[)\]]")


def _chunk_labels(clause: str, vals: list[tuple[float, int, int]], k: int) -> list[str]:
    """'75.8% and 89.8% (A), 50.0% and 67.5% (B)' with k = 2 -> ['A', 'B']: the label after
    each run of k values, [] unless every run has one and no value inside a run does."""
    if len(vals) % k:
        return []
    out = []
    for i, (_, _, ve) in enumerate(vals):
        m = _BRACKET_LABEL.match(clause, ve)
        g = _group_label(m.group("g")) if m else None
        if (i % k == k - 1) != bool(g):
            return []
        if g:
            out.append(g)
    return out


def _bracket_labels(clause: str, vals: list[tuple[float, int, int]]) -> list[str]:
    """'65% (surgery) vs 40% (RT)' -> ['surgery', 'RT']; [] unless every value has its label."""
    out = []
    for _, _, ve in vals:
        m = _BRACKET_LABEL.match(clause, ve)
        g = _group_label(m.group("g")) if m else None
        if not g:
            return []
        out.append(g)
    return out


def _groups_before(s: str) -> list[str]:
    """Groups named in a leading clause ('Among patients with stage III, IVa, and IVb disease, ...')."""
    first = _clauses(s)[0][1]
    lst = PCT_LIST_RE.search(first)
    return _groups_in(first[:lst.start()] if lst else first)


_LABELLED_LIST = re.compile(rf"(?:^|;|:)\s*(?:and\s+)?(?P<label>[A-Za-z][^;:%]{{2,80}}?),\s*(?P<vals>{_PCT}(?:\s*,?\s*(?:and\s+)?{_PCT})*)")


def labelled_lists(clean: CleanText, sent: Sentence, prev: Sentence | None) -> list[Figure]:
    """'the corresponding 5-year OS, LRFS and DMFS rates were as follows: surgery alone, 33.0%,
    25.3%, and 33.2%; ...': endpoint order from the announcing clause, one label per segment."""
    s = sent.text(clean)
    colon = s.find(":")
    context = s[:colon] if colon >= 0 else ""
    body_off = colon + 1 if colon >= 0 else 0
    if colon < 0 and prev is not None:
        pt = prev.text(clean)
        if pt.rstrip().endswith(":"):
            context = pt
    if not context or not re.search(r"as follows|following|corresponding|respectively|were", context, re.I):
        return []
    eps = ep.all_endpoints(context)
    if not eps:
        return []
    tp = find_timepoint(context)
    body = s[body_off:]
    out = []
    for m in _LABELLED_LIST.finditer(body):
        vals = _pct_values(m.group("vals"), body_off + m.start("vals"))
        if len(vals) != len(eps):
            continue
        label = _strip_label(m.group("label"))
        ls = body_off + m.start("label")
        for e, (v, vs, ve) in zip(eps, vals):
            measure = "rate" if (tp is not None and ep.is_time_to_event(e)) else "proportion"
            out.append(_fig(clean, sent, sent.start + ls, sent.start + ve, endpoint=e, measure=measure, value=v,
                            unit="%", timepoint_months=tp, group=label, confidence=0.75,
                            rule="prose.labelled_list"))
    return out


_LEAD_WITH_WITHOUT = re.compile(r"^(?P<pre>.*?)\b(?P<a>with|without)\s+(?:and|or|vs\.?|versus)\s+(?P<b>with|without)\s+"
                                r"(?P<x>\S.*)$", re.I)


def _lead_pair(lead: str | None) -> tuple[str, str] | None:
    """'patients treated with and without adjuvant RT' -> the two groups it names."""
    m = _LEAD_WITH_WITHOUT.match(lead or "")
    if not m:
        return None
    pre, x = m.group("pre"), m.group("x")
    if re.fullmatch(r"(?:patients|those|participants)\s+(?:who\s+were\s+)?(?:treated|managed)\s*", pre, re.I):
        pre = ""   # the groups are 'with adjuvant RT' and 'without adjuvant RT' (see _TREATED_WITH)
    return f"{pre}{m.group('a')} {x}".strip(), f"{pre}{m.group('b')} {x}".strip()


def versus_rates(clean: CleanText, sent: Sentence) -> list[Figure]:
    """'had a better 5-year OS rate (42.1% vs. 34.2%)': two groups, first named in the sentence."""
    s = sent.text(clean)
    out = []
    # VS_RE starts with a number: tried only where one starts (number_token_starts).
    for m in (fastre.finditer_at(VS_RE, s, sent.numbers(clean))
              if has_any(sent.folded(clean), ("vs", "versus", "compared")) else ()):
        head = s[:m.start()]
        e = ep.last_endpoint(head)
        tp = find_timepoint(head)
        if not e or tp is None or not ep.is_time_to_event(e):
            continue
        listed = _groups_after(s, m.end()) if RESPECTIVELY.search(s) else []
        if len(listed) == 2:
            g1, g2 = listed   # "80% vs 65% in the IMRT and 3D-CRT groups, respectively"
        else:
            g1, g2 = _paren_pair(s, m.start())
            if not (g1 and g2):
                g1, g2 = _pair_groups(head)
            # "68% versus 42% for those who did not": the second group named after its value.
            g2 = _trailing_group(s, m.end()) or g2 or (_group_after_paren(s, m.end()) if g1 else None) or _complement(g1)
        scope = sent.lead(clean)
        lead = _LEAD.match(s) if not (g1 or g2) else None
        pair = _lead_pair(lead.group("g")) if lead else None
        if pair:
            (g1, g2), scope = (_group_label(pair[0]), _group_label(pair[1])), None
        subj = _SUBJECT.match(head)
        q0 = ep.last_endpoint_span(head)
        q_start = (subj.start("a") if subj else (q0[0] if q0 else m.start()))
        # The test comparing the two: right after them and the group named after them
        # ('(68.2% vs 51.4%, P = 0.03)', '84% compared with 41% for those who did not (P <
        # 0.001)') or closing their parenthesis.
        p = _comparison_p(s, m.end()) or _p_closing_parenthesis(s, m.start())
        for k, grp in ((1, g1), (2, g2)):
            v = percent_value(m.group(k) + "%")
            out.append(_fig(clean, sent, sent.start + q_start, sent.start + m.end(k) + 1, endpoint=e, measure="rate",
                            value=v, unit="%", timepoint_months=tp, group=_in_scope(scope, grp),
                            p_value=p.value if p else None, p_op=p.op if p else None,
                            confidence=0.65, rule="prose.versus"))
    return out


def _months(v: float | None, unit: str) -> float | None:
    if v is None:
        return None
    u = unit.lower()
    v = v * 12 if u.startswith("y") else (v / 4.345 if u.startswith("w") else (v / 30.44 if u.startswith("d") else v))
    return round(v, 2)


_MEDIAN_OF = re.compile(r"(?P<g>[^,;()]{2,60}?)\s*")
_MEDIAN_PREP = re.compile(r"\b(?:in|for|among|of)\s+", re.I)
_CLAUSE_END = re.compile(r"(?:\b(?:and|but|or|whereas|while|versus|compared\s+(?:with|to))|\bvs\.?)\s*$", re.I)


_NOT_REACHED_AFTER = re.compile(r"[^;()\[\]]{0,60}?\b(?:and|but|whereas|while|vs\.?|versus)\s+(?:(?:was|were|had)\s+)?"
                                r"not\s+(?:been\s+)?reached\b[^;()\[\]\d]{0,60}?\s*(?=[(\[,;]|$)", re.I)


def _comparison_p(s: str, pos: int) -> "PValue | None":
    """The p right after a compared pair and the group named after it, within its clause and
    with no other value between."""
    stop = re.search(r"[;.]\s|\b(?:and|but|whereas|while)\s", s[pos:pos + 60])
    seg = s[pos:pos + (stop.start() if stop else 60)]
    p = find_p(s, pos, limit=len(seg))
    if p is None or re.search(r"\d\s*(?:%|months?|years?)", s[pos:p.start]):
        return None
    return p


# ("the median duration of response": what the median is of, no group)
_DURATION_OF = re.compile(r"\b(?:duration|length)\s+of\s*$", re.I)


def medians(clean: CleanText, sent: Sentence) -> list[Figure]:
    """'median OS was 23.4 months (95% CI 18.2-28.6)'; follow-up medians are not outcomes."""
    s = sent.text(clean)
    out = []
    fs = sent.folded(clean)
    # Every match starts at "median" (its first word): tried only there.
    for m in fastre.finditer_at(MEDIAN_RE, s, fastre.literal_starts(fs, "median")) if "median" in fs else ():
        what = m.group("what")
        if re.search(r"follow|\bage\b|\bdose|time to (?:surgery|treatment)|duration of (?:treatment|therapy)|interval|size|cycles", what, re.I):
            continue
        e = ep.first_endpoint(what) or ("OS" if re.search(r"\bsurvival\b", what, re.I) else None)
        if e is None or not (ep.is_time_to_event(e) or e.lower().startswith("time to")):
            # "median time to local progression": the time to the event, not the event
            e = _time_to_event(what) or e
        if not e:
            continue
        unit = m.group("unit").lower()
        v = to_float(m.group("value"))
        if v is None:
            continue
        v = _months(v, unit)
        ci = find_ci(s, m.start("pci"), bare_ok=True, limit=len(m.group("pci")) + 1) if m.group("pci") \
            else find_ci(s, m.end(), bare_ok=True, limit=40)
        end = ci.end if ci and not m.group("pci") else m.end()
        # The interval is in the value's unit: '3.1 years (95% CI, 2.4 to 4.0)' is 37.2
        # months (28.8-48.0), not 37.2 (2.4-4.0).
        lo, hi = (_months(ci.low, unit), _months(ci.high, unit)) if ci else (None, None)
        p = find_p(s, end, limit=30)
        # The group before the value ("median OS of patients with EMD was") or after it
        # ("14.1 months in patients with EMD and 38.6 months in those without").
        prep = _after_last(_MEDIAN_PREP, what)
        g = _MEDIAN_OF.fullmatch(what, prep) if prep and not _DURATION_OF.search(what, 0, prep) else None
        if g and _CLAUSE_END.search(g.group("g")):
            g = None   # "not reached in the pembrolizumab group and was 10.3 months", "... versus 8.3
            #            months": another clause's group
        level = _group_label(g.group("g")) if g else None
        # (the group may come between the value and its interval: "4.3 months for capecitabine (95% CI ...)")
        level = level or _trailing_group(s, end) or (_trailing_group(s, m.end()) if ci and ci.start > m.end() else None)
        vs = MEDIAN_VS_RE.match(s, end)
        if p is None and not vs:
            # A median compared with one not reached ("not reached in A vs. 11.2 months in B
            # (p<0.001)", "31.5 months in A and was not reached in B (P = .04)"): the test of
            # the two is the p after the other group, with no other value between.
            nr = _NOT_REACHED_AFTER.match(s, end)
            if nr or re.search(r"\bnot\s+(?:been\s+)?reached\b", what, re.I):
                p = find_p(s, nr.end() if nr else end, limit=80 if not nr else 20)
                if p and re.search(r"\d\s*(?:%|months?|mo\b|years?)", s[end:p.start]):
                    p = None
                if p:
                    end = p.end
        # "survival in A was longer than in B (median 20 months vs 15 months)": A's and B's.
        pair = _paren_pair(s, m.start()) if vs and not level else (None, None)
        level = level or pair[0]
        if not level and vs:
            # "Mucosal melanoma patients had a median OS of 22 months compared with 38 months
            # for ...": the subject is the first median's group.
            subj = _SUBJECT.match(s[:m.start()])
            level = _group_label(subj.group("a")) if subj else None
        def listed(pattern: re.Pattern, pos: int, quote_from: str) -> int:
            """Each further group's median, a match of `pattern` from pos on; where they end."""
            while (x := pattern.match(s, pos)) is not None:
                g2, v2 = _group_label(x.group("g")), _months(to_float(x.group("value")), x.group("unit"))
                if g2 is None or v2 is None:
                    break
                out.append(_fig(clean, sent, sent.start + x.start(quote_from), sent.start + x.end(), endpoint=e,
                                measure="median", value=v2, unit="months", group=_in_scope(sent.lead(clean), g2),
                                confidence=0.7, rule="prose.median_list"))
                pos = x.end()
            return pos
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + (p.end if p else end), endpoint=e,
                        measure="median", value=v, unit="months",
                        # a median of no group and compared with none is the cohort's
                        group=_in_scope(sent.lead(clean), level, None if vs else "Overall"),
                        ci_low=lo, ci_high=hi,
                        p_value=p.value if p else None, p_op=p.op if p else None,
                        confidence=0.8, rule="prose.median"))
        # "Median OS and DSS were 38.2 months (...) and 52.0 months (...), respectively": one
        # value for each endpoint, both the cohort's.
        eps = ep.all_endpoints(what) if vs and re.search(r"\band\s*$", s[:vs.start("value")]) else []
        second = None
        if len(eps) == 2 and eps[0] == e and RESPECTIVELY.search(s, vs.end(), vs.end() + 80):
            second = eps[1]
            if out[-1].group is None:
                out[-1].group = _in_scope(sent.lead(clean), None, "Overall")
        # "... 20 months [95% CI 13-26] vs 15 months [13-17]": the comparison group's median.
        if vs:
            v2 = _months(to_float(vs.group("value")), vs.group("unit"))
            ci2 = find_ci(s, vs.end(), bare_ok=True, limit=30)
            end2 = ci2.end if ci2 else vs.end()
            level2 = _trailing_group(s, end2) or (_trailing_group(s, vs.end()) if ci2 and ci2.start > vs.end() else None) \
                or pair[1]
            two_named = _listed_groups(what, 2) if RESPECTIVELY.match(s, end2) else None
            if two_named and not second:
                # "for resection and for RFA were 4.9 years (...) and 3.0 years (...), respectively"
                out[-1].group = _in_scope(sent.lead(clean), two_named[0])
                level2 = two_named[1]
            # The test of the two medians, after the second and its group ('... compared with
            # 38 months for cutaneous melanoma (p<0.001)'), when no other value comes between.
            p2 = p or _comparison_p(s, end2)
            if p2 and not p:
                out[-1].p_value, out[-1].p_op = p2.value, p2.op
            out.append(_fig(clean, sent, sent.start + m.start(), sent.start + end2,
                            endpoint=second or e, measure="median", value=v2, unit="months",
                            group=_in_scope(sent.lead(clean), level2, "Overall" if second else None),
                            ci_low=_months(ci2.low, vs.group("unit")) if ci2 else None,
                            ci_high=_months(ci2.high, vs.group("unit")) if ci2 else None,
                            p_value=p2.value if p2 else None, p_op=p2.op if p2 else None,
                            confidence=0.7, rule="prose.median_vs"))
        elif (series := _median_series(s, end, unit, what)) is not None:
            # "The median survival for patients who had A, B, and C was 3.8 years (CI), 2.6 years
            # (CI), and 2.3 (CI), respectively": each value is its group's.
            groups, rest = series
            out[-1].group = _in_scope(sent.lead(clean), groups[0])
            for g2, (v2, lo2, hi2, a2, b2) in zip(groups[1:], rest):
                out.append(_fig(clean, sent, sent.start + a2, sent.start + b2, endpoint=e, measure="median", value=v2,
                                unit="months", group=_in_scope(sent.lead(clean), g2), ci_low=lo2, ci_high=hi2,
                                confidence=0.7, rule="prose.median_series"))
        elif level:
            # "4.0 months in the A arm, 5.6 months in the B arm and 6.0 months in the C arm"; or
            # "Median OS for patients randomised to A was 9.6 months, for B 9.3 months, and for C 7.3 months"
            tg = _TRAILING_GROUP.match(s, end)
            reached = listed(_MEDIAN_MORE_AFTER, tg.end(), "value") if tg else end
            listed(_MEDIAN_MORE, reached if tg and reached != tg.end() else end, "g")
        elif not vs and s[end:end + 2].strip()[:1] in (";", ","):
            # "Median overall survival was 20 months; 4 months in patients with a KPS <70, 25
            # months in patients with a KPS >= 70 (P < 0.001)": the whole series', then its
            # subgroups', tested together
            k = len(out)
            pos = listed(_SUBGROUP_MEDIAN, end, "value")
            p2 = find_p(s, pos, limit=20) if len(out) - k > 1 else None
            for f in out[k:] if p2 else ():
                f.p_value, f.p_op = p2.value, p2.op
    return out


_SUBGROUP_MEDIAN = re.compile(rf"\s*[,;]?\s*(?:and\s+)?(?P<value>{NUM})\s*(?P<unit>months?|years?|weeks?)\s+(?:in|for|among)\s+"
                              r"(?:the\s+)?(?P<g>(?:patients|those|cases)\b(?:[^,;()]|\([A-Za-z]{1,8}\)){2,70}?)"
                              r"(?=\s*(?:[,;.]|\((?![A-Za-z]{1,8}\))|\band\b|$))", re.I)


_RANGE_AFTER = re.compile(rf"\s*\((?:range|IQR|interquartile range)?[:,]?\s*{NUM}\s*(?:-|–|to)\s*{NUM}\s*(?:months?|years?|weeks?)?\s*\)", re.I)
_NEXT_VALUE = re.compile(rf",?\s*(?:and\s+)?(?P<value>{NUM})\s*(?P<unit>months?|years?|weeks?|days?)?(?![\d.%])", re.I)
_LIST_PREP = re.compile(r"\b(?:for|in|among)\s+", re.I)


def _median_series(s: str, end: int, unit: str, what: str):
    """The further values of a median stated for a list of groups, 'respectively'; (groups,
    [(value in months, ci low, ci high, start, end)]) or None. A value may leave its unit to the
    first's ("3.8 years (...), 2.6 years (...), and 2.3 (...)")."""
    rest, pos = [], end
    rng = _RANGE_AFTER.match(s, pos)
    pos = rng.end() if rng else pos
    while (m := _NEXT_VALUE.match(s, pos)) is not None:
        u = m.group("unit") or unit
        ci = find_ci(s, m.end(), bare_ok=True, limit=45)
        if ci is None and (rng := _RANGE_AFTER.match(s, m.end())):
            pos = rng.end()   # "7 months (range 1 to 26)": a range is no interval
            rest.append((_months(to_float(m.group("value")), u), None, None, m.start("value"), rng.end()))
            continue
        v = _months(to_float(m.group("value")), u)
        if v is None:
            break
        rest.append((v, _months(ci.low, u) if ci else None, _months(ci.high, u) if ci else None,
                     m.start("value"), ci.end if ci else m.end()))
        pos = ci.end if ci else m.end()
    if not rest or not RESPECTIVELY.match(s, pos):
        return None
    groups = _listed_groups(what, len(rest) + 1)
    return (groups, rest) if groups else None


def _listed_groups(what: str, n: int) -> list[str] | None:
    """The n groups a phrase lists after its last preposition whose remainder is a list
    ("in this subset for resection and for RFA", "for patients who had A, B, and C of their
    metastases"), or None."""
    for p in reversed(list(_LIST_PREP.finditer(what))):
        tail = what[p.end():]
        if re.search(r"\band\b", tail):
            tail = re.sub(r"\s+of\s+(?:their|the|his|her|its)\b.*$", "", tail)
            parts = [re.sub(r"^(?:for|in|among)\s+", "", x.strip(), flags=re.I) for x in
                     re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", _TREATED_WITH.sub("", tail.strip(), count=1)) if x.strip()]
            groups = [_group_label(x) for x in parts]
            return groups if len(groups) == n and all(groups) else None
    return None


_MEDIAN_MORE_AFTER = re.compile(rf",?\s*(?:and\s+)?(?P<value>{NUM})\s*(?P<unit>months?|years?|weeks?)\s+(?:in|for|with)\s+"
                                rf"(?:the\s+)?(?P<g>[^,;()]{{2,60}}?)(?=\s*(?:[,;.(]|\band\b|$))", re.I)
# "the median time to first bone event": an outcome named by its event, kept in the paper's words.
_TIME_TO = re.compile(r"\btime\s+to\s+(?P<ev>(?:first\s+)?[a-z][a-z/-]*(?:\s+(?!for\b|in\b|with\b|among\b|of\b|was\b|were\b)"
                      r"[a-z][a-z-]*){0,3})", re.I)
_NOT_OUTCOME_TIME = re.compile(r"\b(?:surgery|treatment|therapy|randomi[sz]ation|enrol\w*|diagnosis|admission|discharge|"
                               r"referral|start|initiation|operation|chemotherapy|radiotherapy|transplant\w*|peak|maximum|"
                               r"onset|nadir|recovery|engraftment)\b", re.I)


def _time_to_event(what: str) -> str | None:
    m = _TIME_TO.search(what)
    if not m or _NOT_OUTCOME_TIME.search(m.group("ev")):
        return None
    ev = m.group("ev")
    first = ev.split()[0]
    if first.isupper() and (meaning := ep.defined_meaning(first)):
        ev = meaning + ev[len(first):]   # "time to R/P", the paper having defined "relapse or progression (R/P)"
    return "time to " + ev.lower()


_MEDIAN_MORE = re.compile(rf",?\s*(?:and\s+)?(?:for|in|among)\s+(?:the\s+)?(?P<g>[^,;()\d]{{2,60}}?(?:[A-Za-z/+-]\d[^,;()\s]*)?)\s+"
                          rf"(?:(?:it\s+)?(?:was|were)\s+)?(?P<value>{NUM})\s*(?P<unit>months?|years?|weeks?)\b", re.I)


_EVENT_COUNT = re.compile(
    rf"(?P<label>(?:distant|local|regional|locoregional|nodal|neck|lung|liver|bone|brain)?\s*(?:metastas[ie]s|recurrences?|relapses?|"
    rf"progression|failures?|deaths?))(?:(?!recurrence|relapse|metasta)[^.;()%]){{0,40}}?\b(?:in|was observed in|occurred in|developed in|of)\s+"
    # ("in 5/48 (10.4%) patients": a count over the total)
    rf"(?:\d+\s+of\s+\d+\s+patients\s+)?(?P<n>\d+)(?:\s*/\s*\d+)?\s*(?:patients\s*)?\(\s*{_PCT}\s*\)", re.I)
# "7 (13%) patients have progressed", "4 (8%) have died", "12 patients (20%) relapsed"
_COUNT_THEN_EVENT = re.compile(
    rf"(?:(?<![\d.,])\d+|\b{WORD_NUM_RE.pattern[2:-2]})\s*(?:patients?\s*)?\(\s*{_PCT}\s*\)\s*(?:patients?\s*)?"
    rf"(?:have|had|has)?\s*(?:subsequently\s+)?"
    rf"(?P<ev>progressed|died|relapsed|recurred|developed (?:distant metastas[ie]s|local recurrence|recurrence|progression))\b"
    # "Five patients (6.0%) died of treatment-related causes": deaths from treatment
    rf"(?P<trm>\s+(?:of|from|due\s+to)\s+(?:treatment|therapy|toxicity)[\s-]related\b)?", re.I)
_MORE_EVENT = re.compile(
    rf"\s*,?\s*(?:and\s+)?(?P<n>\d+|\b{WORD_NUM_RE.pattern[2:-2]})\s*(?:patients?\s*)?\(\s*{_PCT}\s*\)\s*(?:patients?\s+)?"
    rf"(?:developed\s+|had\s+)?(?P<ev>(?:(?:local|regional|locoregional|distant|nodal|neck)\s+)?"
    rf"(?:recurrences?|relapses?|failures?|metastas[ie]s|progression))\b", re.I)
# Words one of which every match of _EVENT_COUNT, _COUNT_THEN_EVENT has (folded).
_EVENT_WORDS = ("metastas", "recurrence", "relapse", "progression", "failure", "death")
_EVENT_VERB_WORDS = ("progressed", "died", "relapsed", "recurred", "developed")
_EVENT_VERBS = {"progressed": "progression", "died": "death", "relapsed": "recurrence", "recurred": "recurrence"}
# "23 (32.4 %) cases required perioperative transfusion", "9 patients (7.1%) required
# re-operation", "12 (13.6%) developed a pancreatic fistula": a count, its share and a verb
# of need or occurrence; the object, up to the first word that starts another phrase, is the
# event. ("received", "underwent" and "had" give treatments and baseline states: not here.)
_COUNTED_NOUN = r"(?:patients?|cases?|participants?|subjects?|women|men|children|infants|recipients|procedures|operations|resections)"
_COUNT_THEN_NEED = re.compile(
    rf"(?<!\bof\s)(?:(?<![\d.,])\d+|\b{WORD_NUM_RE.pattern[2:-2]})\s*(?:{_COUNTED_NOUN}\s*)?\(\s*{_PCT}\s*\)\s*(?:{_COUNTED_NOUN}\s+)?"
    rf"(?:(?:subsequently|eventually|later|ultimately|postoperatively|also)\s+)?"
    rf"(?:(?P<verb>required|needed|necessitated|developed|experienced|suffered)\s+(?:from\s+)?(?:an?\s+|any\s+)?"
    rf"(?P<obj>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,3}}?)(?=\s*(?:[,;.:()\[\]]|$)|\s+(?:within|after|during|at|for|in|due|"
    rf"because|owing|and|or|but|while|whereas|compared|versus|vs|than|on|from|by|with|despite|following|per|who|which)\b)"
    # the passive of an event that happens to a patient: "11 (14%) patients were readmitted"
    rf"|(?:were|was)\s+(?P<passive>re-?admitted|re-?hospitali[sz]ed|re-?operated|transfused))", re.I)
_COUNTED_IN = (rf"(?:(?<![\d.,])\d+|\b{WORD_NUM_RE.pattern[2:-2]})\s*(?:{_COUNTED_NOUN}\s*)?\(\s*(?P<p{{k}}>{NUM})\s?%\s*\)\s*"
                rf"(?:in|of|from)\s+(?:the\s+)?(?P<g{{k}}>[^,;()]{{{{2,40}}}}?)\s*(?:\([^()]{{{{0,20}}}}\)\s*)?")
_PAIR_THEN_NEED = re.compile(
    "(?P<n1>" + _COUNTED_IN.format(k=1) + r"),?\s+(?:and|versus|vs\.?|compared\s+with)\s+(?P<n2>" + _COUNTED_IN.format(k=2) + ")"
    + rf"(?:required|needed|necessitated|developed|experienced|suffered)\s+(?:from\s+)?(?:an?\s+|any\s+)?"
    rf"(?P<obj>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,3}}?)(?=\s*(?:[,;.:()\[\]]|$)|\s+(?:within|after|during|at|for|in|due|"
    rf"because|and|or|compared|versus|vs|than|on|from|by|with|following)\b)", re.I)
_WHO_HAD = r"of\s+(?:the\s+)?patients\s+(?:who\s+(?:had|underwent|received)\s+|treated\s+with\s+|with\s+)(?:only\s+)?"
_SHARE_OF_GROUP_EVENT = re.compile(
    rf"(?P<p1>{NUM})\s?%\s+{_WHO_HAD}(?P<g1>[^,;()%]{{2,40}}?)\s+(?:suffered|developed|experienced|had|required|needed)\s+"
    rf"(?:an?\s+)?(?P<obj>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,3}}?)\s*,?\s+(?:compared\s+(?:to|with)|vs\.?|versus|and)\s+"
    rf"(?:only\s+)?(?P<p2>{NUM})\s?%\s+{_WHO_HAD}(?P<g2>[^,;()%]{{2,40}}?)(?=\s*(?:[,;.()]|$))", re.I)
_PASSIVE_EVENTS = {"readmitted": "readmission", "rehospitalized": "rehospitalization", "rehospitalised": "rehospitalisation",
                   "reoperated": "re-operation", "transfused": "transfusion"}
_NEED_WORDS = ("required", "needed", "necessitated", "developed", "experienced", "suffered", "admitted", "hospitali",
               "operated", "transfused")
# Objects that are no event of the outcome: a planned treatment ("required adjuvant
# chemotherapy"), a state before it ("a history of"), or an adverse event, which
# kb.extract.adverse stores as one ("grade 3 neutropenia", "complications").
_NOT_AN_EVENT = re.compile(
    r"^(?:adjuvant|neoadjuvant|induction|consolidation|maintenance|concurrent|concomitant|systemic|first-line|"
    r"second-line|standard|planned|history|prior|previous|baseline|grade|symptoms?|dose|doses|"
    # a quantity or a negation, not an event ("no further treatment", "more than two cycles")
    r"no|none|not|more|less|fewer|only|at|least|some|several|one|two|three)\b|"
    r"\b(?:toxicit\w*|adverse|side|complications?|events?)\b", re.I)
_SITE_LIST = re.compile(rf"(?:the\s+)?(?P<site>[a-z][a-z ]{{2,20}}?)\s*\(\s*(?:n\s*=\s*)?(?:\d+\s*[,;]\s*)?{_PCT}\s*\)", re.I)
# "The most common site of distant metastasis was the lung (n = 18, 45%), followed by ...": the list after
_SITES_OF_HEAD = re.compile(r"\bsites?\s+of\s+(?:first\s+)?(distant\s+metastas[ie]s|metastas[ie]s|recurrences?|relapses?)\b"
                            r"[^.;%()]{0,30}?\b(?:was|were|included)\b", re.I)


_EVENT_LIST = re.compile(
    rf"(?P<label>(?:[A-Za-z-]+,\s*)*[A-Za-z-]+,?\s+(?:and|or)\s+[A-Za-z-]+\s+(?:recurrences?|relapses?|failures?|"
    rf"metastas[ie]s))\s+(?:developed|occurred|(?:was|were)\s+(?:observed|seen|noted|found|diagnosed))\s+in\s+"
    rf"(?P<vals>\d+\s*(?:patients\s*)?\(\s*{NUM}\s*%\s*\)(?:\s*,?\s*(?:and\s+)?\d+\s*(?:patients\s*)?\(\s*{NUM}\s*%\s*\))+)"
    rf"\s*(?:patients|cases)?\s*,?\s*respectively", re.I)
_LISTED_PCT = re.compile(rf"\(\s*({NUM})\s*%")


def _event_list(clean: CleanText, sent: Sentence, s: str, taken: set[int]) -> list[Figure]:
    """Events sharing a noun, then one count and share each, 'respectively': 'Local, regional
    and distant recurrence developed in 18 (21.4%), 9 (10.7%) and 31 (36.9%) patients,
    respectively'."""
    out: list[Figure] = []
    for m in _EVENT_LIST.finditer(s):
        shared = re.match(r"(?P<q>.+?)\s+(?P<noun>\S+)$", m.group("label"))
        names = [f"{q.strip()} {shared.group('noun')}"
                 for q in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", shared.group("q")) if q.strip()]
        events = [ep.event_endpoint(x) for x in names]
        pcts = list(_LISTED_PCT.finditer(s, m.start("vals"), m.end("vals")))
        if len(events) < 2 or len(events) != len(pcts) or not all(events):
            continue
        for e, pm in zip(events, pcts):
            out.append(_fig(clean, sent, sent.start + m.start(), sent.start + pm.end(), endpoint=e,
                            measure="proportion", value=percent_value(pm.group(1) + "%"), unit="%",
                            group=_in_scope(sent.lead(clean), None, "Overall"), confidence=0.7,
                            rule="prose.event_list"))
            taken.add(pm.start(1))
    return out


# The group a count of patients is of, named right after it: "(52.6%) treated with surgery
# alone", "(47.3%) receiving both therapies", "(30%) in the observation arm".
_COUNT_GROUP = re.compile(r"\s*(?:patients\s+)?(?P<g>(?:treated\s+with|receiving|who\s+received|who\s+underwent|undergoing|"
                          r"in\s+the)\s+[^,;()]{2,60}?)(?=\s*(?:[,;.)]|\band\s+in\b|\bwhereas\b|\bcompared\b|$))", re.I)
_MORE_COUNT = re.compile(rf"\s*,?\s*(?:and|versus|vs\.?|compared\s+with)\s+(?:in\s+)?(?:(?P<k>\d+)\s+of\s+)?(?P<n>\d+)\s*"
                         rf"(?:patients\s*)?\(\s*(?P<pct>{NUM})\s*%\s*\)", re.I)


def _count_group(s: str, pos: int) -> tuple[str | None, int]:
    """The group named right after a count at `pos`, and where its name ends."""
    m = _COUNT_GROUP.match(s, pos)
    if not m:
        return None, pos
    # (the group is the treatment: "treated with surgery alone" -> "surgery alone")
    return _group_label(re.sub(r"^(?:treated\s+with|receiving|who\s+received|who\s+underwent|undergoing|in\s+the)\s+", "",
                               m.group("g"), flags=re.I)), m.end()


def event_proportions(clean: CleanText, sent: Sentence) -> list[Figure]:
    """'Distant metastasis was observed in 107 patients (40.8%)', 'local recurrence in 74 (28.2%)',
    and site lists tied to an event ('The lungs (19.5%), the liver (16%) ... distant metastases')."""
    s = sent.text(clean)
    fs = sent.folded(clean)
    out: list[Figure] = []
    taken: set[int] = set()
    # Each pattern below is searched only when the words every match of it has are there.
    events = has_any(fs, _EVENT_WORDS)   # (asked once, for the four searches that need one)
    # A percentage closing a parenthesis, "(40.8%)", which every count pattern below has.
    paren_pct = _Gates.paren_pct.search(s) is not None
    if "respectively" in fs and events:
        out += _event_list(clean, sent, s, taken)
    # "All distant metastases, local relapses, and regional recurrences occurred in 59 (22.5%)"
    comb = re.search(rf"\ball\s+(?P<label>[a-z ,]+?)\s+occurred in\s+\d+\s*\(\s*{_PCT}\s*\)", s, re.I) \
        if paren_pct and "occurred in" in fs else None
    if comb:
        parts = [ep.event_endpoint(x) for x in re.split(r",\s*(?:and\s+)?|\s+and\s+", comb.group("label"))]
        if len(parts) > 1 and all(parts):
            out.append(_fig(clean, sent, sent.start + comb.start(), sent.start + comb.end(2) + 1,
                            endpoint=" + ".join(parts), measure="proportion", value=percent_value(comb.group(2) + "%"),
                            unit="%", group=_in_scope(sent.lead(clean), None, "Overall"), confidence=0.6,
                            rule="prose.event_combined"))
            taken.add(comb.start(2))
    for m in (_EVENT_COUNT.finditer(s) if paren_pct and events else ()):
        if m.start(3) in taken:
            continue
        e = ep.event_endpoint(m.group("label"))
        if not e:
            continue
        v = percent_value(m.group(3) + "%")
        # "... in 10 of 19 patients (52.6%) treated with surgery alone and in 9 of 19 patients
        # (47.3%) receiving both therapies": the group the count is of, and further groups' counts
        level, pos = _count_group(s, m.end())
        out.append(_fig(clean, sent, sent.start + m.start("label"), sent.start + m.end(), endpoint=e,
                        measure="proportion", value=v, unit="%", group=_in_scope(sent.lead(clean), level, "Overall"),
                        confidence=0.75, rule="prose.event_count"))
        taken.add(m.start(3))
        while level and (more := _MORE_COUNT.match(s, pos)) is not None:
            level2, end2 = _count_group(s, more.end())
            if not level2:
                break
            out.append(_fig(clean, sent, sent.start + more.start("n"), sent.start + more.end(), endpoint=e,
                            measure="proportion", value=percent_value(more.group("pct") + "%"), unit="%",
                            group=_in_scope(sent.lead(clean), level2), confidence=0.7, rule="prose.event_count"))
            taken.add(more.start("pct"))
            pos = end2
    for m in (_COUNT_THEN_EVENT.finditer(s) if paren_pct and has_any(fs, _EVENT_VERB_WORDS) else ()):
        if m.start(1) in taken:
            continue
        word = m.group("ev").lower()
        e = "treatment-related mortality" if m.group("trm") else (_EVENT_VERBS.get(word) or ep.event_endpoint(word))
        if e:
            out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e,
                            measure="proportion", value=percent_value(m.group(1) + "%"), unit="%",
                            group=_in_scope(sent.lead(clean), None, "Overall"), confidence=0.7,
                            rule="prose.count_then_event"))
            taken.add(m.start(1))
            pos = m.end()
            while word.startswith("developed") and (more := _MORE_EVENT.match(s, pos)) is not None:
                # "Twelve patients (20%) developed local recurrence, 8 (13.3%) regional recurrence,
                # and 21 (35%) distant metastases": each further count and share, its own event's
                e2 = ep.event_endpoint(more.group("ev"))
                if not e2:
                    break
                out.append(_fig(clean, sent, sent.start + more.start("n"), sent.start + more.end(), endpoint=e2,
                                measure="proportion", value=percent_value(more.group(2) + "%"), unit="%",
                                group=_in_scope(sent.lead(clean), None, "Overall"), confidence=0.7,
                                rule="prose.count_then_event"))
                taken.add(more.start(2))
                pos = more.end()
    for m in (_SHARE_OF_GROUP_EVENT.finditer(s) if "%" in s and " of patients " in s and has_any(fs, _NEED_WORDS)
              else ()):
        # "60% of patients who had only open RFA suffered local recurrences compared to 7% of
        # patients who underwent hepatic resection (P < .0005)": each group's share of the event.
        obj = m.group("obj")
        e = ep.event_endpoint(obj) or (None if _NOT_AN_EVENT.search(obj) else obj)
        if not e or m.start("p1") in taken:
            continue
        p = find_p(s, m.end(), limit=40)
        for k in ("1", "2"):
            out.append(_fig(clean, sent, sent.start + m.start("p" + k), sent.start + m.end("g" + k), endpoint=e,
                            measure="proportion", value=percent_value(m.group("p" + k) + "%"), unit="%",
                            group=_in_scope(sent.lead(clean), _group_label(m.group("g" + k))), confidence=0.65,
                            p_value=p.value if p else None, p_op=p.op if p else None, rule="prose.share_of_group"))
            taken.add(m.start("p" + k))
    for m in (_PAIR_THEN_NEED.finditer(s) if paren_pct and has_any(fs, _NEED_WORDS) and " and " in s else ()):
        # "Six patients (19%) in the placebo group (n=32) and two patients (6%) in the PTA group
        # (n=33) needed nasogastric tube feeding": the event each group's share had.
        obj = m.group("obj")
        if m.start("p1") in taken or _NOT_AN_EVENT.search(obj):
            continue
        p = find_p(s, m.end(), limit=60)   # the test of the two shares, when it follows
        for k in ("1", "2"):
            out.append(_fig(clean, sent, sent.start + m.start("n" + k), sent.start + m.end(), endpoint=obj,
                            measure="proportion", value=percent_value(m.group("p" + k) + "%"), unit="%",
                            group=_in_scope(sent.lead(clean), _group_label(m.group("g" + k))), confidence=0.65,
                            p_value=p.value if p else None, p_op=p.op if p else None, rule="prose.pair_then_need"))
            taken.add(m.start("p" + k))
    for m in (_COUNT_THEN_NEED.finditer(s) if paren_pct and has_any(fs, _NEED_WORDS) else ()):
        passive = m.group("passive")
        obj = _PASSIVE_EVENTS[passive.lower().replace("-", "")] if passive else m.group("obj")
        if m.start(1) in taken or _NOT_AN_EVENT.search(obj):
            continue
        # A known event keeps a site the project's names do not say ("brain metastasis"), as
        # _counted_events does; any other event is named as printed ("AF", "pancreatic fistula").
        e = ep.event_endpoint(obj)
        if e and " " in obj and not _EVENT_QUALIFIERS.match(obj):
            e = re.sub(r"(?:es|s)$", lambda x: "is" if obj.endswith("ses") else "", obj)
        e = e or obj
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e,
                        measure="proportion", value=percent_value(m.group(1) + "%"), unit="%",
                        group=_in_scope(sent.lead(clean), None, "Overall"), confidence=0.65,
                        rule="prose.count_then_need"))
        taken.add(m.start(1))
    if (paren_pct or "[" in s) and (events or has_any(fs, ("distant", "nodal", "metastatic"))):   # (every match names an event)
        out += _event_shares(clean, sent, s, fs, taken)
    # "36 of 101 T0 patients (36%) versus 5 of 18 Ta or Tis patients (28%) experienced
    # bladder recurrence (P=.52)": counted groups, then the event they had.
    if " of " in s and events:
        for f in _counted_events(clean, sent, s, taken):
            out.append(f)
    # Site lists: the event is named after the list ("... were sites of distant metastases").
    tail_event = re.search(r"\b(?:sites?|locations?)\b[^.]{0,60}?\b(distant metastas[ie]s|metastas[ie]s|recurrences?)", s, re.I) \
        if has_any(fs, ("site", "location")) and has_any(fs, ("metastas", "recurrence")) else None
    head_event = _SITES_OF_HEAD.search(s) if tail_event else None
    if tail_event:
        e = ep.event_endpoint(tail_event.group(1))
        # the sites listed before the event ("The lungs (19.5%), the liver (16%) ... were sites of
        # distant metastases"), or after it ("The most common site of distant metastasis was the lung ...")
        for m in (_SITE_LIST.finditer(s, head_event.end()) if head_event else _SITE_LIST.finditer(s[:tail_event.start()])):
            if m.start(2) in taken or not e:
                continue
            site = m.group("site").strip()
            site = re.sub(r"^(?:(?:and|the|of|followed\s+by|including)\s+)+", "", site).strip()
            out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e,
                            measure="proportion", value=percent_value(m.group(2) + "%"), unit="%",
                            group=site[:1].upper() + site[1:], confidence=0.6, rule="prose.site_list"))
    return out


# Events whose share of the patients is stated in other words than _EVENT_COUNT's:
# "146 patients with recurrence (74.5%)", "8 patients (88.9%) had lymph node metastasis",
# "Distant metastasis was found in 9/16 (56.3%)". The event must be one (_EVENT_NAMES).
_EVENT_PHRASE = r"(?P<ev>(?:(?!history\b|of\b|prior\b|previous\b|known\b)[a-z-]+\s+){0,3}?(?:metastas[ie]s|recurrences?|relapses?|progression|failures?|(?:distant|nodal)\s+(?:disease|spread)|metastatic\s+disease))"
_WITH_EVENT = re.compile(rf"(?<!\bof\s)(?<![\d.,])(?P<n>\d+)\s+(?:patients?|cases?)\s+(?:with|had|developed|showed)\s+{_EVENT_PHRASE}\s*"
                         rf"\(\s*(?P<pct>{NUM})\s?%\s*\)", re.I)
_COUNT_HAD_EVENT = re.compile(rf"(?<!\bof\s)(?:(?<![\d.,])(?P<n>\d+)|\b{WORD_NUM_RE.pattern[2:-2]})\s*(?:patients?\s*)?\(\s*(?P<pct>{NUM})\s?%\s*\)\s*(?:patients?\s+)?(?:had|showed|were\s+found\s+to\s+have|(?:had\s+)?(?:subsequently\s+|eventually\s+|later\s+)?developed)\s+"
                              rf"(?:an?\s+)?{_EVENT_PHRASE}\b(?!\s+(?:at|before|prior)\b)", re.I)
_FOUND_VERBS = r"(?:found|observed|seen|noted|detected|documented|identified|diagnosed|reported)"
_EVENT_FOUND_IN = re.compile(rf"\b{_EVENT_PHRASE}\s+(?:was|were)\s+{_FOUND_VERBS}\s+in\s+(?P<n>\d+)\s*/\s*\d+\s*(?:patients?\s*)?\(\s*(?P<pct>{NUM})\s?%\s*\)", re.I)
# Patterns of failure by site: "Treatment failure was local [36 (18%)], regional [22 (11%)], and
# distant [60 (30%)]", "distant recurrence was most common (42.8%), followed by local (28.3%) and
# regional recurrence (8.3%)": each site's share of its kind of event.
_SITE_SHARE = re.compile(rf"\b(?P<site>local|regional|locoregional|loco-regional|nodal|distant)\b(?P<noun>\s+(?:recurrences?|relapses?|"
                         rf"failures?|metastas[ie]s))?\s*(?:(?:was|were)\s+(?:the\s+)?most\s+common\s*)?"
                         rf"(?:\(\s*(?P<pct>{NUM})\s?%\s*\)|\[\s*\d+\s*\(\s*(?P<pct2>{NUM})\s?%\s*\)\s*\])", re.I)


_KIND_NOUN = re.compile(r"\b(recurrences?|relapses?|failures?|metastas[ie]s)\b", re.I)


def _event_shares(clean: CleanText, sent: Sentence, s: str, fs: str, taken: set[int]) -> list[Figure]:
    out: list[Figure] = []

    def add(m: re.Match, phrase: str, pct: str, at: int) -> None:
        e = ep.event_endpoint(phrase)
        if not e or at in taken:
            return
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e, measure="proportion",
                        value=percent_value(pct + "%"), unit="%", group=_in_scope(sent.lead(clean), None, "Overall"),
                        confidence=0.65, rule="prose.event_share"))
        taken.add(at)
    if has_any(fs, ("with", "had", "developed", "showed", "found")):
        for rx in (_WITH_EVENT, _COUNT_HAD_EVENT) + ((_EVENT_FOUND_IN,) if " in " in fs and "/" in s else ()):
            for m in rx.finditer(s):
                add(m, m.group("ev"), m.group("pct"), m.start("ev"))
    # (a list of sites needs a kind of event in the sentence, named with a site or after the list)
    kinds = list(_KIND_NOUN.finditer(s)) if has_any(fs, ("recurrence", "relapse", "failure", "metastas")) else []
    if kinds:
        sites = [m for m in _SITE_SHARE.finditer(s)]
        if len(sites) >= 2:
            for m in sites:
                # (a bare site's kind is the one the list names next, "local [74 (28.2%)] and regional
                # [52 (19.8%)] recurrence", else the one before it, "failure was local [...]")
                after = next((k for k in kinds if k.start() >= m.end()), None)
                before = [k for k in kinds if k.end() <= m.start()]
                kind = after or (before[-1] if before else None)
                if kind is None and not m.group("noun"):
                    continue
                noun = (m.group("noun") or kind.group(1)).strip()
                pct = m.group("pct") or m.group("pct2")   # (the share, in brackets or after a count)
                add(m, f"{m.group('site')} {noun}", pct, m.start())
    return out


# "14 of 52 patients in the observation arm (27%)": a count of a group and its share.
_COUNTED = re.compile(rf"(?<![\d.,])\d+\s+of\s+(?:the\s+)?\d+\s+(?P<g>[^,;()%]{{0,60}}?)\s*\(\s*{_PCT}\s*\)")
_COUNTED_JOIN = re.compile(r"\s*(?:,\s*)?(?:and|versus|vs\.?|compared\s+(?:with|to)|as\s+well\s+as)?\s*", re.I)
# The event the counted groups had, right after the last of them.
_COUNTED_EVENT = re.compile(
    r"\s*(?:patients\s+)?(?:subsequently\s+|eventually\s+|later\s+)?(?:experienced|developed|had|suffered|showed)\s+(?:an?\s+|any\s+)?"
    r"(?P<ev>(?:[a-z-]+\s+){0,2}?(?:recurrences?|relapses?|metastas[ie]s|progression|failures?))\b"
    r"(?!\s+(?:at|before|prior)\b)", re.I)
# Qualifiers the project's event names already say ("local recurrence"); others stay as printed.
_EVENT_QUALIFIERS = re.compile(r"(?:local(?:ly)?|regional|locoregional|loco-regional|distant|nodal|disease|tumou?r|any|metastatic)\s",
                               re.I)


_COUNTED_SUBJECT = re.compile(r"^(?:patients|cases|participants|subjects)\s+(?:(?:in|from|of|on|receiving|treated\s+with|"
                              r"with)\s+)?(?:the\s+)?", re.I)
# "22 of 150 evaluable patients": the analysed population, no subgroup.
_ANY_PATIENT = re.compile(r"(?:evaluable|eligible|assessable|analy[sz]able|treated|remaining|included|enrolled)"
                          r"(?:\s+(?:patients|cases|participants|subjects))?|patients|cases|participants|subjects", re.I)


def _counted_events(clean: CleanText, sent: Sentence, s: str, taken: set[int]) -> list[Figure]:
    """Counted groups followed by the event they had: each group's share is that event's
    proportion in it, with the p of the test that compares them."""
    out: list[Figure] = []
    items = list(_COUNTED.finditer(s))
    k = 0
    while k < len(items):
        run = [items[k]]
        while k + 1 < len(items) and _COUNTED_JOIN.fullmatch(s, run[-1].end(), items[k + 1].start()):
            k += 1
            run.append(items[k])
        k += 1
        ev = _COUNTED_EVENT.match(s, run[-1].end())
        if not ev:
            continue
        phrase = ev.group("ev").lower()
        if re.search(r"\b(?:history|prior|previous|baseline)\b", phrase):
            continue
        name = phrase if not _EVENT_QUALIFIERS.match(phrase) and " " in phrase else None
        e = re.sub(r"(?:ies|es|s)$", lambda m: "is" if m.group(0) == "es" and phrase.endswith("ses") else "",
                   name) if name else ep.event_endpoint(phrase)
        if not e:
            continue
        p = find_p(s, ev.end(), limit=30) if len(run) > 1 else None
        for m in run:
            if m.start(2) in taken:
                continue
            g = _COUNTED_SUBJECT.sub("", m.group("g").strip())
            g = None if not g or _ANY_PATIENT.fullmatch(g) else _group_label(_strip_label(g))
            out.append(_fig(clean, sent, sent.start + m.start(), sent.start + (ev.end() if m is run[-1] else m.end()),
                            endpoint=e, measure="proportion", value=percent_value(m.group(2) + "%"), unit="%",
                            group=_in_scope(sent.lead(clean), g, "Overall"),
                            p_value=p.value if p else None, p_op=p.op if p else None,
                            confidence=0.7, rule="prose.counted_event"))
            taken.add(m.start(2))
    return out


_RESPONSE_NAMES = (r"ORR|objective response(?: rate)?|overall response(?: rate)?|response rate|"
                   r"(?:stringent )?complete response(?: rate)?|(?:stringent )?complete remission(?: rate)?|CR rate|sCR|CR|"
                   r"pCR|pathologic(?:al)? complete response|disease control rate|DCR|"
                   r"very good partial response(?: or better)?|VGPR(?: or better)?|partial response(?: rate)?|"
                   r"stable disease|progressive disease|"
                   r"MRD[- ]negativity|MRD negative status|minimal residual disease negativity|"
                   r"measurable residual disease negativity|"
                   # what surgery and organ-sparing treatment achieve, stated as rates like responses
                   r"limb (?:salvage|retention|preservation)(?: rate)?|"
                   r"(?:organ|larynx|laryngeal|bladder) preservation(?: rate)?|R0 resection(?: rate)?|complete resection rate|"
                   # "RR" stated as a percentage is the response rate ("RR: 10.2 %"); a relative risk is no percentage
                   r"RR(?=\s*(?:[:=]|of|was|were)?\s*\d+(?:\.\d+)?\s?%)")
_RESPONSE = re.compile(
    rf"\b(?P<ep>{_RESPONSE_NAMES})s?\b(?:\s*\([A-Za-z]{{2,5}}\))?"
    # (not across "and" to another count: "31 (55.4%) achieved an objective response and 12
    # (21.4%) had stable disease", "stable disease, and five progressions (22%)")
    rf"(?:(?!\band\s+(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten)\b))[^.;%≥≤<>]){{0,30}}?(?:was|of|were|=|:|in)?\s*(?:\d+\s*(?:/\s*\d+|patients)?\s*\(\s*)?{_PCT}", re.I)
_RESPONSE_NAME_RE = re.compile(rf"\b({_RESPONSE_NAMES})s?\b", re.I)
_CODE_NAMES = {"PR": "partial response", "SD": "stable disease", "PD": "progressive disease", "MR": "minor response"}
_CODE = r"(?<![\w/-])(?P<code>PR|SD|PD|MR)(?![\w/-])"
_RESPONSE_CODE = re.compile(rf"{_CODE}\s*(?:(?:in|of|was|were|:|=)\s*)?(?:\d+\s*(?:patients?\s*)?\(\s*|\(\s*)?(?<![\d.])(?P<pct>{NUM})\s?%"
                            rf"(?!\s*(?:CI|confidence))")
_CODE_BEFORE = re.compile(r"(?<![\w/-])(?:PR|SD|PD|MR)\s*\(?\s*$")
# A response named by the organ or measure it is judged on: "renal response", "haematological response"
_ORGAN_RESPONSE = re.compile(rf"\b(?P<ep>(?:renal|cardiac|hepatic|liver|kidney|heart|neurologic(?:al)?|haematologic(?:al)?|"
                             rf"hematologic(?:al)?|organ|metabolic|radiographic|radiologic(?:al)?|serologic(?:al)?|"
                             rf"biochemical|clinical|symptomatic|cytogenetic|molecular|immunologic(?:al)?)\s+response)\s+"
                             rf"(?:occurred|was\s+(?:achieved|observed|seen|noted|documented))\s+in\s+"
                             rf"(?:\d+\s+(?:of|out\s+of)\s+\d+\s+(?:patients\s*)?\(\s*|)(?P<pct>{NUM})\s?%", re.I)
# "33 of 50 patients (66%) responded"
_RESPONDED = re.compile(rf"\(\s*{_PCT}\s*\)\s*(?:patients\s*)?(?:had\s+)?(?:responded|(?:had|achieved) an? (?:objective |overall )?response)\b", re.I)
# "79% (42/53) were in CR", "45% of patients achieved a complete response"
_RESPONSE_AFTER = re.compile(
    rf"(?<![≥≤<>\d.]){_PCT}\s*\)?\s*(?:\(\s*\d+\s*/\s*\d+\s*\))?\s*(?:of (?:the )?patients\s*|of (?:the )?evaluable patients\s*)?"
    rf"(?:were in|achieved|had|attained|reached|showed)\s+(?:an?\s+)?(?:functional\s+)?(?P<ep>{_RESPONSE_NAMES})\b", re.I)


# Responses are proportions whenever they are counted; what surgery preserves is a rate at a time
# when one is named between the name and the value.
_RESPONSE_FAMILY = re.compile(r"respon|remission|ORR|CR|DCR|VGPR|MRD|residual", re.I)
_GAP_TIME = re.compile(r"\b(?:at|after|by|within)\s+(?:\d+|one|two|three|five|ten)\s*-?\s*(?:years?|months?|yrs?)\b|"
                       r"\b\d+\s*-\s*(?:year|month)\b", re.I)


# Words one of which every match of _RESPONSE_AFTER (its verbs) and _RESPONSE (its names) has.
_RESPONSE_VERB_WORDS = ("were in", "achieved", "had", "attained", "reached", "showed")
# The words a name of _RESPONSE_NAMES starts with (folded), one of which starts every match.
_RESPONSE_STARTS = ("orr", "objective", "overall", "response", "stringent", "complete", "cr", "scr", "pcr", "patholog",
                    "disease", "dcr", "very", "vgpr", "partial", "stable", "progressive", "mrd", "minimal", "measurable",
                    "limb", "organ", "larynx", "laryngeal", "bladder", "r0", "rr")
_RESPONSE_NAME_WORDS = ("orr", "response", "remission", "cr", "disease control", "vgpr", "mrd", "residual disease",
                        "limb ", "preservation", "resection", "rr")


# The treatment phase a response is measured after: "After induction, 61% were in CR", "the best
# response after RCHOP + RIT was a CR rate of 89%" ("After RCHOP" is the group the gold labels);
# not a time ("After 2 years", "after a median follow-up of 30 months").
_AFTER_LEAD = re.compile(r"^\s*(?:[A-Z][A-Za-z ]{2,30}:\s+)?after\s+(?P<t>[^,;()]{2,50}?)\s*,", re.I)
_RESPONSE_AFTER_PHASE = re.compile(r"\brespon\w*\s+after\s+(?P<t>[^,;()]{2,50}?)\s+(?=in\b|was\b|were\b)", re.I)
_TIME_PHASE = re.compile(r"^(?:(?:a|the)\s+)?(?:median|minimum|mean|maximum)\b|follow|^\d+(?:\.\d+)?\s*(?:years?|months?|"
                         r"weeks?|days?|yrs?|mo)\b|^(?:one|two|three|four|five|six|ten|twelve)\s+(?:years?|months?|weeks?)\b|"
                         r"diagnosis|surgery date|randomi[sz]ation|enrol", re.I)


def _phase_group(s: str, fs: str) -> str | None:
    """`fs`: fold(s). (_RESPONSE_AFTER_PHASE is tried only at "respon", where its matches start.)"""
    m = _AFTER_LEAD.match(s) or (fastre.search_at_literals(_RESPONSE_AFTER_PHASE, s, fs, ("respon",))
                                 if "respon" in fs else None)
    if not m or _TIME_PHASE.search(m.group("t")):
        return None
    return "After " + m.group("t").strip()


# ("the crude rate of local recurrence", "the local relapse rate was": a rate of failure with no time)
_RATE_OF = re.compile(r"\b(?:rates?|incidence|frequency|percentage|proportion)\s+of\s+(?:\w+\s+){0,3}?"
                      r"(?:recurrence|relapse|failure|metastas[ie]s)|"
                      r"\b(?:recurrence|relapse|failure|metastasis)\s+rates?\s+(?:was|were|of|is)\b", re.I)
# "Local recurrence was noted in 19.1%": the event seen in a share of the patients.
_SEEN_IN = re.compile(rf"\b(?:occurred|developed|(?:was|were)\s+{_FOUND_VERBS})\s+in\s*$", re.I)
# The patterns of failure whose share in two named groups a sentence may compare.
_FAILURE_EVENTS = {"local recurrence", "regional recurrence", "locoregional recurrence", "distant metastasis", "recurrence"}


# A value the sentence names the outcome of right after it: "..., but 13 out of 20 (65%)
# patients achieved SD" is a share of stable disease, whatever response was named before.
_OUTCOME_AFTER = re.compile(r"\)?\s*(?:of\s+(?:the\s+)?)?(?:patients?|cases|subjects|participants)?\s*(?:achiev(?:ed|ing)|"
                            r"attain(?:ed|ing)|had|having|experienc(?:ed|ing)|show(?:ed|ing)|develop(?:ed|ing)|reach(?:ed|ing))\s+"
                            r"(?:an?\s+|the\s+)?(?:best\s+(?:overall\s+)?response\s+of\s+)?", re.I)


# "9 (8.3%) complete responses": a response named right after a count's share is that share's.
_SHARE_THEN_NAME = re.compile(r"\s*\)\s*(?=[A-Za-z])")


def _outcome_after(s: str, value_end: int) -> str | None:
    m = _OUTCOME_AFTER.match(s, value_end)
    share_only = m is None
    m = m or _SHARE_THEN_NAME.match(s, value_end)
    if not m:
        return None
    found = ep._mentions(s[m.end():m.end() + 60])
    if not found or found[0][0] != 0:
        return None
    e = found[0][2]
    return e if not share_only or ep.is_response(e) or e.lower() in _BEST_RESPONSES else None


def response_rates(clean: CleanText, sent: Sentence) -> list[Figure]:
    s = sent.text(clean)
    fs = sent.folded(clean)
    out = []
    found_scope: list[str | None] = []

    def scope() -> str | None:
        """The subgroup or treatment phase of the sentence's responses, found when a response is."""
        if not found_scope:
            found_scope.append(sent.lead(clean) or (_phase_group(s, fs) if "after" in fs else None))
        return found_scope[0]
    # Response codes where the sentence speaks of responses: "CR in 5 (20%), PR in 8 (32%), SD in 6
    # (24%)", "five PR (22%)" ("PR" alone may be a progesterone receptor, "SD" a standard deviation).
    codes = ("PR" in s or "SD" in s or "PD" in s or "MR" in s) and (
        "respon" in fs or "remission" in fs or "CR" in s or "ORR" in s)
    for m in (_RESPONSE_CODE.finditer(s) if codes else ()):
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=_CODE_NAMES[m.group("code")],
                        measure="proportion", value=percent_value(m.group("pct") + "%"), unit="%",
                        group=_in_scope(scope(), None, "Overall"), confidence=0.65, rule="prose.response_code"))
    for m in (_ORGAN_RESPONSE.finditer(s) if "response" in fs and "in" in fs else ()):
        # "Renal response occurred in 10 of 15 patients (67%)": a response of its own kind, in its words
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=m.group("ep").lower(),
                        measure="proportion", value=percent_value(m.group("pct") + "%"), unit="%",
                        group=_in_scope(scope(), None, "Overall"), confidence=0.65, rule="prose.organ_response"))
    for m in (_RESPONDED.finditer(s) if "respon" in fs else ()):   # ("responded", "response")
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint="ORR", measure="proportion",
                        value=percent_value(m.group(1) + "%"), unit="%", group=_in_scope(scope(), None, "Overall"),
                        confidence=0.65, rule="prose.responded"))
    # _RESPONSE_AFTER starts with a number after no digit or "." (number_token_starts), _RESPONSE
    # with one of the names (_RESPONSE_STARTS): each is tried only there.
    for m in (fastre.finditer_at(_RESPONSE_AFTER, s, sent.numbers(clean))
              if has_any(fs, _RESPONSE_VERB_WORDS) else ()):
        e = ep.endpoint_code(m.group("ep")) or m.group("ep")
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e, measure="proportion",
                        value=percent_value(m.group(1) + "%"), unit="%", group=_in_scope(scope(), None, "Overall"),
                        confidence=0.7, rule="prose.response_after"))
    seen = {f.value for f in out}
    for m in (fastre.finditer_at(_RESPONSE, s, fastre.any_literal_starts(fs, _RESPONSE_STARTS))
              if has_any(fs, _RESPONSE_NAME_WORDS) else ()):
        if percent_value(m.group(2) + "%") in seen:
            continue
        if codes and _CODE_BEFORE.search(s, max(0, m.start(2) - 14), m.start(2)):
            continue   # ("Objective responses included five PR (22%)": the partial responses' share, read below)
        if s[m.end("ep"):m.end("ep") + 1] == "+" or s[max(0, m.start("ep") - 1):m.start("ep")] == "+":
            continue   # "The tumour control rates (CR+PR+NC) were 63%": a part of the composite the rate is of
        # (the name nearest the value: "complete/partial responses with an ORR of 36%" is the ORR)
        nearer = [n for n in _RESPONSE_NAME_RE.finditer(s, m.end("ep"), m.start(2))]
        name = nearer[-1].group(1) if nearer else m.group("ep")
        e = _outcome_after(s, m.end()) or ("ORR" if name.upper() == "RR" else ep.endpoint_code(name)) or name
        if not _RESPONSE_FAMILY.search(e) and _GAP_TIME.search(s, max(0, m.start() - 12), m.start(2)):
            continue   # "the (3-year) larynx preservation rate (at 2 years) was 88%": a rate at a time, for the rate rules
        seen.add(percent_value(m.group(2) + "%"))
        v = percent_value(m.group(2) + "%")
        ci = _value_ci(s, m.end(), limit=40)
        # "The ORR was 71% in the daratumumab group versus 52% in the control group"; the group may
        # stand between the value and its interval ("26.1% for capecitabine (95% CI, 13.4-38.8)")
        level = _trailing_group(s, ci.end if ci else m.end()) \
            or (_trailing_group(s, m.end()) if ci and ci.start > m.end() else None)
        # (its test in the same parenthesis: "36% (95% CI 21%-53%; P = 0.031)")
        p = find_p(s, ci.end, limit=12) if ci and ci.start > m.end() else None
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + (p.end if p else ci.end if ci else m.end()),
                        endpoint=e, measure="proportion", value=v, unit="%", ci_low=ci.low if ci else None,
                        ci_high=ci.high if ci else None, p_value=p.value if p else None, p_op=p.op if p else None,
                        group=_in_scope(scope(), level, "Overall"), confidence=0.7, rule="prose.response"))
    return out


_STATES = [
    (r"alive|living", "OS"), (r"progression[- ]free|free (?:of|from) progression", "PFS"),
    (r"disease[- ]free|free (?:of|from) disease", "DFS"), (r"relapse[- ]free|recurrence[- ]free|free (?:of|from) (?:relapse|recurrence)", "RFS"),
    (r"event[- ]free", "EFS"), (r"in (?:complete )?remission", "remission"), (r"metastasis[- ]free", "DMFS"),
]
_STATE_RE = re.compile(
    rf"(?<![\d.]){_PCT}\s*(?:\(\s*\d+\s*/\s*\d+\s*\)\s*)?(?:of (?:the |all )?(?:patients|participants|cases)\s*)?"
    rf"(?:are|were|remain(?:ed)?|remained|was|is|stayed)\s+(?:still\s+)?(?P<state>{'|'.join(p for p, _ in _STATES)})", re.I)


# A management state patients stay in ("72% remained on active surveillance at 2 years",
# "were still on treatment at 12 months"): the share still in it at a time is a rate whose
# endpoint is "remaining <state>". Staying is said by the verb ("remain", "continue") or by
# "still"; "62% were on treatment" (a baseline share) is not read.
_KEPT_STATE = (r"(?:under|on|in)\s+(?:(?:active|continued|ongoing|maintenance|first-line)\s+)?"
               r"(?:surveillance|monitoring|observation|watchful waiting|treatment|therapy|follow-up|dialysis)")
_POPULATION = (r"(?:the |all |those |these )?(?:patients|participants|cases|subjects|men|women|children|adults|those)"
               r"(?:\s+(?:with|who|for whom|in|on|treated|receiving|undergoing)\b[^,;()%]{1,60}?)?")
_REMAINING_RE = re.compile(
    rf"(?<![\d.]){_PCT}\s*(?:{_VALUE_BRACKET}\s*)?(?:of\s+(?P<pop>{_POPULATION})\s+)?"
    rf"(?:(?:remain(?:ed|s)?|continued|stayed)\s+(?:to\s+be\s+)?|(?:are|were|was|is)\s+still\s+|still\s+)"
    rf"(?P<state>{_KEPT_STATE})\b", re.I)
# The same share named before its value: "the proportion of men remaining on active surveillance at
# 10 years was 55%", "the probability of remaining on treatment at 12 months was 45%".
_REMAINING_NAMED = re.compile(
    rf"\b(?:proportion|percentage|probability|likelihood|rate|share)\s+of\s+(?:(?P<pop>{_POPULATION})\s+)?"
    rf"(?:(?:remaining|still|staying|continuing)\s+(?P<state>{_KEPT_STATE})|"
    rf"(?:who\s+(?:were|are|remained)\s+)?(?:still\s+)?(?P<free>{'|'.join(p for p, _ in _STATES)}))\b[^.;%]{{0,40}}?\s(?:was|were|is|of|:)\s*"
    rf"(?:approximately\s+|about\s+)?{_PCT}", re.I)
# After a state's rate, the same state for subgroups: "...; this was true for 66% of those with
# grade 1 disease, 46% of those with grade 2 disease", "compared with 40% of patients with ...".
_SAME_FOR = re.compile(r"\b(?:(?:this|the same|which|that)\s+(?:was|were|is|held)\s+(?:also\s+)?(?:true|the case)\s+for|"
                       r"compared\s+(?:with|to)|as\s+opposed\s+to|versus|vs\.?)\s", re.I)
_SUBGROUP_VALUE = re.compile(
    rf"(?<![\d.]){_PCT}\s*(?:{_VALUE_BRACKET}\s*)?of\s+(?P<pop>(?:those|patients|participants|men|women|cases)\s+"
    rf"(?:with|who|for whom|in|on|treated|receiving|undergoing)\b[^,;()%]{{1,70}}?)(?=\s*(?:[,;.)]|\band\b|$))", re.I)


def _population_group(pop: str | None) -> str | None:
    """'those with ISUP grade 1 disease' -> 'patients with ISUP grade 1 disease'; the whole
    cohort ('the patients') or a bare noun ('men') names no subgroup."""
    if not pop or not re.search(r"\s(?:with|who|for whom|in|on|treated|receiving|undergoing)\b", pop, re.I) \
            or re.search(r"\bwho(?:\s+(?:were|are|was|is|remained|had|have))?\s*$", pop, re.I):
        return None   # ("patients who were [free of progression]": the state's own words)
    label = _group_label(re.sub(r"^(?:the |all |these )?those\b", "patients", pop.strip(), flags=re.I), has_endpoint=False)
    return None if label == "Overall" else label


_YEARS_AFTER = re.compile(rf"\b(\d+|{WORD_NUM_RE.pattern[2:-2]})\s+(years?|months?)\s+(?:after|from|following|since)\s", re.I)


def state_rates(clean: CleanText, sent: Sentence) -> list[Figure]:
    """'At 5 years, 78% of patients remain in remission and 94% are alive': the share in a
    state at a timepoint is that endpoint's rate; so is the share still in a management state
    ('64% of patients were still under active surveillance at two years')."""
    s = sent.text(clean)
    fs = sent.folded(clean)
    states = has_any(fs, ("alive", "living", "free", "remission"))
    kept = has_any(fs, ("remain", "still", "continu", "stayed", "staying"))
    if not (states or kept):
        return []   # no state the patterns could read (the timepoint is asked only when one may be)
    tp = find_timepoint(s)
    if tp is None:
        # "Five years after surgery, 52% were still alive" (searched only with the words it needs)
        after = _YEARS_AFTER.search(s) if ("year" in fs or "month" in fs) \
            and has_any(fs, ("after", "from", "following", "since")) else None
        tp = timepoint_months(after.group(1), after.group(2)) if after else None
    if tp is None:
        return []
    out = []
    for m in (_STATE_RE.finditer(s) if states else ()):
        state = m.group("state").lower()
        e = next(code for pat, code in _STATES if re.fullmatch(pat, state, re.I))
        out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e, measure="rate",
                        value=percent_value(m.group(1) + "%"), unit="%", timepoint_months=tp,
                        group=_in_scope(sent.lead(clean), None, "Overall"), confidence=0.65, rule="prose.state_rate"))
    for m in (_REMAINING_RE.finditer(s) if kept else ()):
        e = "remaining " + re.sub(r"\s+", " ", m.group("state").lower())
        out.extend(_state_figures(clean, sent, s, m, e, tp, _in_scope(sent.lead(clean), _population_group(m.group("pop")),
                                                                      "Overall")))
        rest = _SAME_FOR.search(s, m.end())
        if rest and not _REMAINING_RE.search(s, m.end(), rest.start()):
            for sub in _SUBGROUP_VALUE.finditer(s, rest.end()):
                g = _population_group(sub.group("pop"))
                if g:
                    out.extend(_state_figures(clean, sent, s, sub, e, tp, _in_scope(sent.lead(clean), g)))
        break   # one state a sentence: a second is another clause's, its subgroups unclear
    for m in (_REMAINING_NAMED.finditer(s) if (kept or states) and not out else ()):
        if m.group("free"):
            e = next(code for pat, code in _STATES if re.fullmatch(pat, m.group("free"), re.I))
        else:
            e = "remaining " + re.sub(r"\s+", " ", m.group("state").lower())
        out.extend(_state_figures(clean, sent, s, m, e, tp, _in_scope(sent.lead(clean), _population_group(m.group("pop")),
                                                                      "Overall"), k=m.re.groups))
    return out


def _state_figures(clean: CleanText, sent: Sentence, s: str, m: re.Match, endpoint: str, tp: float,
                   group: str | None, k: int = 1) -> list[Figure]:
    """The figure of a state's share; `k`: the match's group that holds the number."""
    v = percent_value(m.group(k) + "%")
    ci = find_ci(s, m.end(k) + 1, bare_ok=True, limit=30)
    if ci and not (ci.low <= v <= ci.high and (ci.start < m.end() or m.end() == m.end(k) + 1)):
        ci = None
    end = max(m.end(), ci.end) if ci else m.end()
    return [_fig(clean, sent, sent.start + m.start(), sent.start + end, endpoint=endpoint, measure="rate",
                 value=v, unit="%", timepoint_months=tp, group=group, ci_low=ci.low if ci else None,
                 ci_high=ci.high if ci else None, confidence=0.65, rule="prose.remaining_state")]


_LABELLED_PAIR = re.compile(
    rf"(?P<l1>[A-Z][\w+/-]{{0,25}}),\s*{_PCT}\s*(?:v\.?|vs\.?|versus)\s*(?P<l2>[A-Z][\w+/-]{{0,25}}),\s*{_PCT}")


def labelled_pairs(clean: CleanText, sent: Sentence) -> list[Figure]:
    """'The 4-month PFS rate was comparable for both groups (EE, 18% v EP, 20%; P = .7)'."""
    s = sent.text(clean)
    out = []
    for m in _LABELLED_PAIR.finditer(s) if _Gates.pct_v.search(s) else ():
        head = s[:m.start()]
        e = ep.last_endpoint(head)
        tp = find_timepoint(head)
        if not e:
            continue
        measure = "rate" if tp is not None and ep.is_time_to_event(e) else ("proportion" if ep.is_response(e) else None)
        if not measure:
            continue
        p = find_p(s, m.end(), limit=30)
        for label, k in (("l1", 2), ("l2", 4)):
            out.append(_fig(clean, sent, sent.start + m.start(label), sent.start + m.end(k) + 1, endpoint=e,
                            measure=measure, value=percent_value(m.group(k) + "%"), unit="%", timepoint_months=tp,
                            group=m.group(label), p_value=p.value if p else None, p_op=p.op if p else None,
                            confidence=0.7, rule="prose.labelled_pair"))
    return out


_TIME_PAIR = re.compile(
    rf"(?<![\d.])(?P<a>{NUM}|not reached|NR)\s*(?P<unit_a>months?|mo|years?)?\s*(?:[\[(][^\])]{{0,50}}[\])])?\s*"
    rf"(?:v\.?|vs\.?|versus)\s*(?P<b>{NUM})(?:\s*(?P<unit>months?|mo|years?|weeks?)\b|"
    # ("17 months vs 3.6,": the unit written once, after the first)
    rf"(?(unit_a)(?![\d.]|\s*(?:%|[a-z]))|(?!)))", re.I)
_MEDIAN_LIST = re.compile(
    rf"\bmedians?\s+(?P<what>[^.;\d]{{2,200}}?)\s*(?<![A-Za-z])(?:were|was|of)\s+(?P<vals>{NUM}(?:\s*(?:,|,?\s*and)\s*{NUM})+)\s*"
    rf"(?P<unit>months?|years?|weeks?)\b", re.I)


_LISTED_SUBJECT = re.compile(r"\b(?:patients|those|cases)\s+(?:with|who\s+had|who\s+achieved)\s+(?:an?\s+|the\s+)?"
                             r"(?P<g>[^;()]{2,80}?,?\s+(?:and|or)\s+[^;(),]{1,40}?)\s+(?:had|showed|achieved|reached)\s+"
                             r"(?:an?\s+|the\s+)?$", re.I)


def _time_pair_starts(numbers: list[int], fs: str) -> list[int]:
    """Where a match of _TIME_PAIR may start: a number, "not reached" or "nr" (folded)."""
    if "nr" not in fs and "not reached" not in fs:
        return numbers
    return sorted(set(numbers).union(fastre.any_literal_starts(fs, ("nr", "not reached"))))


_LISTED_LEVEL = re.compile(r"(?:[:;,]|\band\b)\s*(?P<g>[^:;,()]{2,50}?)\s*\(\s*$")


def _listed_level(head: str) -> str | None:
    """The level an item of a list of factors names before its parenthesis of values."""
    m = _LISTED_LEVEL.search(head[-60:])
    if not m or ep.all_endpoints(m.group("g")) or _VERB_IN_GROUP.search(m.group("g")):
        return None
    return _group_label(m.group("g"))


_VERB_IN_GROUP = re.compile(r"\b(?:was|were|is|are|had|has|showed|associated|compared)\b", re.I)


_HEAD_IN_GROUP = re.compile(r"\b(?:median\s+)?(?:[A-Z]{2,5}|survival)\s+(?:in|for|among)\s+(?P<g>[^,;()]{2,60}?)\s+(?:was|were|is)\s*$")


def time_pairs(clean: CleanText, sent: Sentence) -> list[Figure]:
    """Two times compared after a time-to-event endpoint are its medians: 'OS was longer in
    the EE group compared with the EP group (9.4 v 5.4 months ...)', 'median 21.8 vs. 13.8 months'."""
    s = sent.text(clean)
    fs = sent.folded(clean)
    out = []
    # _TIME_PAIR starts with a number (after no digit or "."), "not reached" or "NR": tried only there.
    for m in (fastre.finditer_at(_TIME_PAIR, s, _time_pair_starts(sent.numbers(clean), fs))
              if _Gates.time_pair.search(fs) else ()):
        head = s[:m.start()]
        # (ages compared are no medians of an outcome; "age <70 (13.5 vs 8.5 months" names a group)
        if re.search(r"follow|\baged\b|\b(?:median|mean)\s+age\b|\bage\s+(?:was|were|of|at|in)\b|\bage\s*[(:]?\s*$|"
                     r"years old|duration of (?:treatment|therapy)", head[-60:], re.I):
            continue
        e = ep.last_endpoint(head)
        if not e or not ep.is_time_to_event(e):
            continue
        g1, g2 = _paren_pair(s, m.start())
        if not (g1 and g2):
            g1, g2 = _pair_groups(head)
        p = None
        if not (g1 or g2):
            # "8.3 vs. 4.1 months in patients with and without prior radiotherapy, respectively
            # (P = 0.01)": the groups, and the test of the two after them.
            after = _groups_after(s, m.end())
            if len(after) == 2:
                g1, g2 = after
                p = find_p(s, m.end(), limit=120)
                if p and (";" in s[m.end():p.start] or re.search(r"\d\s*(?:%|months?|mo\b|years?)", s[m.end():p.start])):
                    p = None
        if not (g1 or g2):
            # "Longer OS was associated with: age <70 (13.5 vs 8.5 months; P<0.001); female gender
            # (12.0 vs 9.9 months ...)": the level named before the pair is the first value's
            g1 = _listed_level(head)
        if not (g1 or g2) and (lead := _HEAD_IN_GROUP.search(head)):
            # "Median OS in patients receiving immunotherapy was 20.1 months versus 11.3 months in
            # those who did not": the group the median is stated for, then its opposite
            g1 = _group_label(lead.group("g"))
            other = _trailing_group(s, m.end())
            g2 = other if other and not _COMPLEMENT.match(other) else None
        if g1 and not g2:
            g2 = _complement(g1)   # the group the comparison leaves unnamed: "no immunotherapy", "age ≥70"
        p = p or find_p(s, m.end(), limit=40) or _p_closing_parenthesis(s, m.start())
        unit_word = m.group("unit") or m.group("unit_a")
        # (quoted from the endpoint when it is close: "median OS (17 months vs 3.6")
        near = ep.last_endpoint_span(head)
        q0 = near[0] if near and m.start() - near[0] < 60 else m.start()
        for k, grp in (("a", g1), ("b", g2)):
            v = _months(to_float(m.group(k)), unit_word)
            if v is None:
                continue  # "not reached" has no number to store
            # Each time may carry its interval: "20 months [95% CI 13-26] vs 15 months [13-17]".
            after = m.end(k) if k == "a" else m.end()
            unit = re.match(r"\s*(?:months?|mo|years?)\b", s[after:])
            ci = find_ci(s, after + (unit.end() if unit else 0), bare_ok=True, limit=40)
            lo, hi = (_months(ci.low, unit_word), _months(ci.high, unit_word)) if ci else (None, None)
            if ci and not lo <= v <= hi:
                ci, lo, hi = None, None, None
            end = ci.end if ci else (m.end() if k == "b" else max(m.end(k), m.end("unit_a")))
            out.append(_fig(clean, sent, sent.start + q0, sent.start + end,
                            endpoint=e, measure="median", value=v, unit="months",
                            group=_in_scope(sent.lead(clean), grp), ci_low=lo, ci_high=hi,
                            p_value=p.value if p else None, p_op=p.op if p else None,
                            confidence=0.6, rule="prose.time_pair"))
    # (a match starts at "median", its first word: tried only there)
    for m in (fastre.finditer_at(_MEDIAN_LIST, s, fastre.literal_starts(fs, "median")) if "median" in fs else ()):
        eps = ep.all_endpoints(m.group("what"))
        vals = re.findall(NUM, m.group("vals"))
        if len(eps) == 1 and len(vals) >= 2:
            # "Median OS for the nivolumab and ipilimumab cohorts were 18.5 and 10.6 months,
            # respectively": one endpoint, a value for each group named before the values.
            groups = _aside_groups(m.group("what"), len(vals)) or _groups_in(m.group("what") + " were")
            subject = None
            if len(groups) != len(vals):
                # "Patients with stage I, II and III disease had a median OS of 47, 25, and 5
                # months": the groups are the subject's
                subject = _LISTED_SUBJECT.search(s, 0, m.start())
                groups = split_labels(subject.group("g")) if subject else []
            if len(groups) != len(vals) and RESPECTIVELY.search(s, m.end(), m.end() + 120):
                # "Median OS was 19, 12 and 7 months for low-, intermediate- and high-risk groups,
                # respectively": the groups after the values
                after = _groups_after(s, m.end())
                groups = after if len(after) == len(vals) else groups
                subject = subject or (after if len(after) == len(vals) else None)
            earlier = len(groups) != len(vals) and RESPECTIVELY.search(s, m.end())
            if earlier:
                # "The response rates for A and B were 61% and 25%, respectively; median PFS were
                # 12.2 and 2.6 months, ... respectively": the groups the sentence named first
                pre = s[:m.start()]
                digit = re.search(r"\d", pre)
                pre = pre[:digit.start()] if digit else pre
                groups = _aside_groups(pre, len(vals)) or _groups_in(pre)
            if len(groups) == len(vals) and (RESPECTIVELY.match(s, m.end()) or subject or earlier):
                p = find_p(s, m.end(), limit=40)
                for g, v in zip(groups, vals):
                    out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=eps[0],
                                    measure="median", value=_months(to_float(v), m.group("unit")), unit="months",
                                    group=_in_scope(sent.lead(clean), g), p_value=p.value if p else None,
                                    p_op=p.op if p else None, confidence=0.7, rule="prose.median_groups"))
            continue
        if len(eps) < 2 or len(eps) != len(vals):
            continue
        for e, v in zip(eps, vals):
            out.append(_fig(clean, sent, sent.start + m.start(), sent.start + m.end(), endpoint=e, measure="median",
                            value=_months(to_float(v), m.group("unit")), unit="months", group="Overall",
                            confidence=0.7, rule="prose.median_list"))
    return out


# --- time-to-event probabilities written as fractions of 1 -----------------------------
# "One-year and four-year probability of survival was 0.68 ± 0.05 and 0.64 ± 0.05,
# respectively", "2-year PFS was 0.61 (SE 0.04)", "0.72 (95% CI 0.65-0.79)": a fraction with
# its spread (a ± or a bracket), never a percentage, a fold or a number within a longer one.
_FRACTION = re.compile(
    r"(?<![\w.,±/=<>≤≥-])(?P<v>0?\.\d{1,3})(?![\d.,]\d|\d|\s?%|\s*-?\s*fold)"
    r"(?P<se>\s*(?:±|\+/-|\+-)\s*0?\.\d{1,3})?(?P<br>\s*[(\[][^()\[\]]{0,60}[)\]])?")
# Values of one list: "0.68 ± 0.05 and 0.64 ± 0.05", ".91, .84 and .77".
_FRACTION_JOIN = re.compile(r"\s*,?\s*(?:(?:and|or)\s+)?")
# What makes a fraction some other statistic than an endpoint's probability: said anywhere
# before the first value, or between two lists of values.
_NOT_A_PROBABILITY = re.compile(
    r"\b(?:AUCs?|AUROC|area under|C-?(?:index|statistics?)|concordance|kappa|correlat\w*|coefficients?|rho|ICC|"
    r"Brier|R2|ratios?|relative\s+risks?|HRs?|ORs?|RRs?|aHR|aOR|hazard|odds|sensitivity|specificity|accuracy|predictive|PPV|NPV|"
    r"p-?values?|significan\w*|alpha|beta|slope|scores?|index|mean|SD|weight|dose|per|fold|times)\b|"
    r"[κρβ]|\b[pr]\s*[=<>≤≥]", re.I)
# An event's probability by a time ("the 3-year cumulative incidence of relapse was 0.21").
_PROBABILITY_OF_EVENT = re.compile(r"cumulative\s+incidence|probabilit|actuarial|Kaplan", re.I)
# The value is what the endpoint phrase states: "... survival was", "probability of", "PFS:".
_STATES_VALUE = re.compile(r"(?:\b(?:was|were|is|are|of|reached|approximately|about|estimated\s+at)|[:=])\s*$", re.I)
# After a value, a unit or a scale says it is no probability ("0.45 log", "0.8 mg").
_UNIT_AFTER = re.compile(r"\s*(?:times|points?|units?|logs?|mg|g|ml|mL|cm|mm|Gy|kg|per)\b", re.I)
_FRACTION_GATE = re.compile(r"(?<![\d.])0?\.\d")


def _fraction_runs(s: str) -> list[list[re.Match]]:
    runs: list[list[re.Match]] = []
    pos = 0
    # A match starts with "0." or "." (its value): tried only there.
    for m in fastre.finditer_at(_FRACTION, s, fastre.any_literal_starts(s, ("0.", "."))):
        if m.start() < pos:
            continue   # inside the spread of the value before
        if runs and _FRACTION_JOIN.fullmatch(s, runs[-1][-1].end(), m.start()):
            runs[-1].append(m)
        else:
            runs.append([m])
        pos = m.end()
    return runs


def _timepoints_in(head: str) -> list[float]:
    """The timepoints a head names, in order: '1-, 2- and 5-year', 'One-year and four-year',
    'at 10 years'."""
    listed = find_timepoint_list(head)
    if listed:
        return listed[0]
    out: list[float] = []
    found = sorted([(m.start(), timepoint_months(m.group(1), m.group(2) or m.group(3))) for m in TIMEPOINT_RE.finditer(head)]
                   + [(m.start(), timepoint_months(m.group(1), m.group(2))) for m in AT_TIMEPOINT_RE.finditer(head)])
    for _, tp in found:
        if tp is not None and tp not in out:
            out.append(tp)
    return out


def fraction_rates(clean: CleanText, sent: Sentence) -> list[Figure]:
    """A time-to-event probability printed as a fraction of 1 is that endpoint's rate in
    percent ('One-year and four-year probability of survival was 0.68 ± 0.05 and 0.64 ± 0.05,
    respectively'; '... 0.56 and 0.53 for cancer patients while it was 0.93 and 0.89 for the
    others'); a labelled interval is scaled with it, a standard error is no interval. Each
    list of values goes with the timepoints the head names, one each, or with one timepoint
    and the group after each value."""
    s = sent.text(clean)
    if not _Gates.fraction.search(s):   # (_FRACTION_GATE.search(s), led by its ".")
        return []
    runs = _fraction_runs(s)
    if not runs:
        return []
    head = s[:runs[0][0].start()]
    span = ep.last_endpoint_span(head)
    if not span or _NOT_A_PROBABILITY.search(head):
        return []
    e = _survival_is_os(ep.last_endpoint(head))
    if not (ep.is_time_to_event(e) or e.lower() == "survival"
            or (ep.event_endpoint(e) and _PROBABILITY_OF_EVENT.search(head))):
        return []
    gap = AT_TIMEPOINT_RE.sub("", s[span[1]:runs[0][0].start()])
    if len(gap) > 60 or re.search(r"[\d%()\[\]]", gap) or not _STATES_VALUE.search(gap):
        return []
    tps = _timepoints_in(head)
    if not tps:
        return []
    q0 = min(span[0], next((m.start() for m in TIMEPOINT_RE.finditer(head)), span[0]))
    lead = sent.lead(clean)
    out: list[Figure] = []
    prev_end = None
    for run in runs:
        if prev_end is not None:
            between = s[prev_end:run[0].start()]
            if len(between) > 80 or "%" in between or _NOT_A_PROBABILITY.search(between) \
                    or ep.all_endpoints(between):
                break   # another statistic, or another endpoint's values
        if any(_UNIT_AFTER.match(s, m.end()) for m in run):
            break
        values = [to_float(m.group("v")) for m in run]
        if any(v is None or not 0 < v < 1 for v in values):
            break
        if len(tps) > 1:
            if len(run) != len(tps):
                break
            pairs = [(m, tp, _trailing_group(s, run[-1].end())) for m, tp in zip(run, tps)]
        else:
            listed = _groups_after(s, run[-1].end()) if len(run) > 1 and RESPECTIVELY.search(s, run[-1].end()) else []
            if len(listed) == len(run):   # "0.80, 0.65 and 0.40 for low-, intermediate- and high-risk groups, respectively"
                pairs = [(m, tps[0], g) for m, g in zip(run, listed)]
            else:
                pairs = [(m, tps[0], _trailing_group(s, m.end())) for m in run]
            if len(run) > 1 and len({g for _, _, g in pairs}) < len(run):
                break   # several values for one timepoint and no group told apart
        for m, tp, g in pairs:
            v = round(to_float(m.group("v")) * 100, 6)
            ci = find_ci(m.group("br"), 0, bare_ok=True) if m.group("br") else None
            lo, hi = (round(ci.low * 100, 6), round(ci.high * 100, 6)) if ci else (None, None)
            if ci and not (ci.high <= 1 and lo <= v <= hi):
                lo = hi = None
            end = m.end() if lo is not None else m.end("v")
            out.append(_fig(clean, sent, sent.start + q0, sent.start + end, endpoint=e, measure="rate", value=v,
                            unit="%", timepoint_months=tp, group=_in_scope(lead, g, "Overall"), ci_low=lo,
                            ci_high=hi, confidence=0.6, rule="prose.fraction_rate"))
        prev_end = run[-1].end()
    return out


class _Gates:
    """Tests on a folded sentence that every match of a rule's pattern passes (kept off the
    module's own patterns, which bench/bench_extract.py counts as the rules' patterns)."""
    # _TIME_PAIR: "v", "vs" or "versus", then a number.
    time_pair = re.compile(r"v(?:s|ersus)?\.?\s*[\d.]")
    # _LABELLED_PAIR (case-sensitive): its first percentage, then "v", "vs" or "versus".
    pct_v = re.compile(r"%\s*v")
    # _FRACTION_GATE ("0.5", ".5" after no digit or ".") as a pattern led by its ".", which sre
    # skips ahead to: a "." before a digit, after no digit or "." or after such a "0".
    fraction = re.compile(r"\.(?=\d)(?:(?<![\d.]\.)|(?<=(?<![\d.])0\.))")
    # event_proportions' count patterns: a percentage, then a closing parenthesis.
    paren_pct = re.compile(r"%\s*\)")
    # Patterns the hot paths used to compile through re's cache on every call.
    bracketed = re.compile(r"[\[(](?:[^\])(]|\([^()]*\))*[\])]")   # (one parenthesis inside, as _BRACKET)
    word = re.compile(r"[A-Za-z]{2,}")
    ci_word = re.compile(r"\b(CI|confidence)\b")
_TIME_WORD = re.compile(r"month|year|week|\bmo\b|\byrs?\b|days?\b", re.I)


def _finder(context_of: Callable[[int, int], str | None], memo: dict[int, str | None], k: int,
            run_start: int) -> Callable[[], str | None]:
    def find() -> str | None:
        memo[k] = context_of(k, run_start)
        return memo[k]
    return find


_NEAR_SENTENCES = 3


def _last_specific(clean: CleanText, sent: Sentence) -> str | None:
    tte = [e for e in ep.all_endpoints(sent.text(clean)) if ep.is_specific(e)]
    return tte[-1] if tte else None


def prose_figures(clean: CleanText, sentences: list[Sentence], folded: str | None = None) -> list[Figure]:
    """`folded`: fastre.fold(clean.text), when the caller has it."""
    out: list[Figure] = []
    if folded is None:
        folded = fold(clean.text)
    # Where the digits are, for the whole text at once: a sentence without one is found with a
    # memchr over its stretch, where a search for \d tests each of its characters.
    digits = fastre.digit_marks(clean.text)
    prev = None
    run_start = 0                  # first sentence of the current run of one section
    last_specific: dict[int, str | None] = {}
    context_at: dict[int, str | None] = {}

    def context_of(k: int, run_start: int) -> str | None:
        """The last specific endpoint named before sentence k in its section's run: found
        walking back, so sentences no rule reads are searched only when needed."""
        j = k - 1
        while j >= run_start:
            if j not in last_specific:
                last_specific[j] = _last_specific(clean, sentences[j])
            if last_specific[j] is not None:
                return last_specific[j]
            if j in context_at:
                return context_at[j]
            j -= 1
        return None

    def near_of(k: int, run_start: int) -> str | None:
        """The last specific endpoint named in the few sentences before sentence k."""
        for j in range(k - 1, max(run_start, k - _NEAR_SENTENCES) - 1, -1):
            if j not in last_specific:
                last_specific[j] = _last_specific(clean, sentences[j])
            if last_specific[j] is not None:
                return last_specific[j]
        return None

    prior_ratio = None             # (variable, endpoint) of the last ratio of the run that named one
    # The endpoint and timepoint of the last rate stated in the run, and where: a sentence that
    # says only "survival" continues it while it is at most _CARRY_SENTENCES sentences back.
    carry: tuple[str, float] | None = None
    carry_at = -1
    periods: tuple[str, str] | None = None   # the last two periods a sentence of the run compared
    prev_found = None   # the last sentence's index and figures, when it had any
    for k, sent in enumerate(sentences):
        if k and sent.section != sentences[k - 1].section:
            run_start = k
            prior_ratio = None
            carry = periods = None
        if sent.cited or sent.section in ("introduction", "methods", "references", "other", "front") \
                or digits.find(b"1", sent.start, sent.end) < 0:
            prev = sent  # no number, no figure: most sentences of a paper stop here
            continue
        sent.context_finder = _finder(context_of, context_at, k, run_start)
        sent.near_finder = partial(near_of, k, run_start)
        text = sent.text(clean)
        has_pct = "%" in text
        # _TIME_WORD.search(text): "month", "year" and "week" match as they stand; "mo", "yr"
        # and "day" only as words, which the pattern decides.
        fs = folded[sent.start:sent.end]
        if sent.folded_text is None:
            sent.folded_text = fs   # (fold works character by character: the fold of the sentence)
        has_time = has_any(fs, ("month", "year", "week")) or (
            has_any(fs, ("mo", "yr", "day"))
            # (without "month", "year" and "week", a match starts at "mo", "yr" or "day": tried there)
            and fastre.search_at_literals(fastre.TIME_WORD, fs, fs, ("mo", "yr", "day")) is not None)
        found = ratio_figures(clean, sent, prior_ratio)
        if len(found) > 1 and "respectiv" in fs:
            _respective_endpoints(found, text, sent.start)
        if found:
            prior_ratio = next(((f.variable, f.endpoint) for f in reversed(found) if f.variable), None)
        elif "Rs " in text or "ratios " in text or "risks " in text:
            found = ratio_lists(clean, sent)   # ("HRs for A, B, and C were 1.34, 1.60, and 2.30")
        if not found and "-fold" in fs:
            found = fold_ratios(clean, sent)   # ("a 2.40-fold higher risk of mortality than B (95% CI ...)")
        if has_pct:
            found += labelled_lists(clean, sent, prev)
        # Specific rules first: a number one of them explains is not re-read by a general one.
        # Rules that need a percentage or a time unit are not asked without one.
        later = []
        if has_pct:
            later += versus_rates(clean, sent) + labelled_pairs(clean, sent) + event_proportions(clean, sent) \
                + response_rates(clean, sent) + state_rates(clean, sent)
        if has_time:
            later += time_pairs(clean, sent)
        if has_pct:
            # (Not in a discussion, where the sentence after ours may be another series' figure.)
            carried = carry if k - carry_at <= _CARRY_SENTENCES and sent.section != "discussion" else None
            later += enumerated_rates(clean, sent, prev, carried, periods)
            periods = _period_pair(text) or periods
        if has_time:
            later += medians(clean, sent) + fraction_rates(clean, sent)
        for f in later:
            if not any(abs(f.value - g.value) < 1e-9 and (_overlap(f, g) or _explained(f, g)) or _bound_of(f, g)
                       for g in found):
                found.append(f)
        if len(found) > 2:
            _ratio_between_arms(found)
        if len(found) == 2 and prev_found and prev_found[0] == k - 1 and RESPECTIVELY.search(text):
            _groups_of_sentence_before(found, prev_found[1])
        if found and has_any(fs, _REPORTED_WORDS):
            elsewhere = _reported_elsewhere(text)
            found = [f for f in found if not any(abs(f.value - v) < 1e-9 for v in elsewhere)]
        if not found and prev_found and prev_found[0] == k - 1 and _DIFFERENCE_P.match(text):
            # "... 43% after A, while ... 23% after B. This difference was statistically significant
            # (P = .02)": the test of the two values just stated.
            pair = [f for f in prev_found[1] if f.measure not in ("HR", "OR", "RR")]
            p = find_p(text, 0, limit=len(text))
            if p and len(pair) == 2 and pair[0].endpoint == pair[1].endpoint and not any(f.p_value for f in pair):
                for f in pair:
                    f.p_value, f.p_op = p.value, p.op
        out.extend(found)
        prev_found = (k, found) if found else None
        rate = next((f for f in reversed(found) if f.measure == "rate" and f.timepoint_months), None)
        if rate:
            carry, carry_at = (rate.endpoint, rate.timepoint_months), k
        prev = sent
    return out


# A sentence that only tests the comparison the sentence before stated.
_DIFFERENCE_P = re.compile(r"\s*(?:This|The|These|That)\s+(?:difference|differences|comparison|improvement|benefit|"
                           r"advantage)\s+(?:was|were|is|are|did|remained)\b[^.;]{0,60}?\(?\s*[Pp]\s*[=<>≤]", re.I)


def _groups_of_sentence_before(found: list[Figure], before: list[Figure]) -> None:
    """'The median survival was 18 months in the IL-2 group and 10 months in the control group.
    Median time to progression was 14 and 6 months, respectively': two values of one measure
    with no group, 'respectively', are for the two groups the sentence before compared."""
    a, b = found
    if a.group or b.group or a.measure != b.measure or a.endpoint != b.endpoint:
        return
    named = [f for f in before if f.group and f.group != "Overall" and f.measure not in ("HR", "OR", "RR")]
    if len(named) != 2 or named[0].group == named[1].group:
        return
    a.group, b.group = named[0].group, named[1].group


def _ratio_between_arms(found: list[Figure]) -> None:
    """'Median OS was 14.1 months with cetuximab versus 10.2 months with chemotherapy alone
    (HR 0.76 ...)': a ratio after two arms' values of its endpoint compares the first arm with
    the second. Set where the ratio names no comparator of its own (its 'group' was the last
    arm's name, the phrase its parenthesis followed)."""
    for r in found:
        if r.measure not in ("HR", "OR", "RR") or r.comparator:
            continue
        arms = [f for f in found if f.measure in ("median", "rate", "proportion") and f.endpoint == r.endpoint
                and f.group and f.start < r.start]
        if len(arms) != 2 or arms[0].group == arms[1].group or arms[0].timepoint_months != arms[1].timepoint_months:
            continue
        names = {arms[0].group, arms[1].group}
        if r.group not in (None, *names) or r.variable not in (None, *names):
            continue
        r.group, r.comparator = arms[0].group, arms[1].group
        r.variable = None


# How far back a stated rate's endpoint and timepoint reach: the next sentence or the one
# after (a sentence without figures may stand between, "Most survival was higher in women.").
_CARRY_SENTENCES = 2


# "compared with the 48% reported by Smith", "the 45% reported in the ASPIRE trial": a value
# another study reported, which the sentence names for comparison (not a table or figure of ours).
_REPORTED_ELSEWHERE = re.compile(
    rf"(?P<v>{NUM})\s*(?P<u>%|months?|mo\b|years?|weeks?)\s*(?:[\[(][^\])]{{0,40}}[\])]\s*)?"
    rf"(?:(?:as\s+)?(?:previously|recently|originally)\s+)?(?:reported|published|described)\s+(?:by|in|for|with|from)\s+"
    rf"(?!(?:this|our|the present|the current)\b|(?:the\s+)?(?:tables?|fig))", re.I)
_REPORTED_WORDS = ("reported", "published", "described")


def _reported_elsewhere(s: str) -> list[float]:
    out = []
    for m in _REPORTED_ELSEWHERE.finditer(s):
        u = m.group("u")
        out.append(percent_value(m.group("v") + "%") if u == "%" else _months(to_float(m.group("v")), u))
    return out


def _explained(general: Figure, specific: Figure) -> bool:
    """A value the general enumeration reads inside the quote of a specific rule's figure of
    the same value is that figure's, whatever endpoint the enumeration gives it ('... an
    objective response and 12 (21.4%) had stable disease': stable disease, not ORR)."""
    return general.rule == "prose.enumeration" and specific.rule != "prose.enumeration" \
        and specific.start <= general.end - 1 and general.start <= specific.end - 1


def _enclosing_bracket(s: str, at: int) -> int:
    """Where the innermost bracket still open at `at` opens (-1: none)."""
    stack = []
    for i, ch in enumerate(s[:at]):
        if ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            stack.pop()
    return stack[-1] if stack else -1


def _respective_endpoints(found: list[Figure], s: str, offset: int) -> None:
    """'Independent predictors of poor OS and DSS were A [HR 1.73, 95% CI ... and HR 1.74, ...,
    respectively] and B (HR 4.53, ... and HR 3.6, ..., respectively)': the ratios in each
    bracket are for the endpoints the sentence named before them, in their order."""
    ratios = sorted((f for f in found if f.measure in ("HR", "OR", "RR")), key=lambda f: f.start)
    if len(ratios) < 2:
        return
    named: list[str] = []
    for e in ep.all_endpoints(s[:ratios[0].start - offset]):
        if ep.is_specific(e) and e not in named:
            named.append(e)
    if len(named) < 2:
        return
    chunks: dict[int, list[Figure]] = {}
    for f in ratios:
        # (where its quote ends: it may start at the factor before the bracket)
        chunks.setdefault(_enclosing_bracket(s, f.end - offset - 1), []).append(f)
    if -1 in chunks or any(len(c) != len(named) for c in chunks.values()) \
            or not all(RESPECTIVELY.search(s, max(0, c[-1].end - offset - 20), c[-1].end - offset + 40)
                       for c in chunks.values()):   # (the last ratio's quote may end with it)
        return
    for c in chunks.values():
        for f, e in zip(c, named):
            f.endpoint = e
            if f is not c[0] and f.group is None and f.variable is None:   # (the same factor's ratios)
                f.group, f.variable = c[0].group, c[0].variable


_RISK_OF = re.compile(r"\b(?:risks?|rates?|incidence|hazards?|odds|probability|likelihood|occurrence|cumulative)\s+"
                      r"(?:of|for)\s+(?:(?:a|an|the|any)\s+)?(?:[\w-]+\s+){0,2}$", re.I)


def _bound_of(f: Figure, g: Figure) -> bool:
    """Is f a bound of g's interval, read again as a value ('ORR of 36% (95% CI 21%-53%)')?"""
    return g.ci_low is not None and g.start <= f.start < g.end and (
        abs(f.value - g.ci_low) < 1e-9 or abs(f.value - (g.ci_high if g.ci_high is not None else -1)) < 1e-9)


def _overlap(a: Figure, b: Figure) -> bool:
    """Two readings of the same printed number (the caller checks the value): the same end,
    or overlapping quotes for the same endpoint."""
    return a.end == b.end or (a.start <= b.end - 1 and b.start <= a.end - 1 and a.endpoint == b.endpoint
                              # (one rule's list gives equal values to different groups: "100%, 100%,
                              # 80.0% ... in stage I, II, III ..." are two stages' rates)
                              and not (a.rule == b.rule and a.group != b.group))
