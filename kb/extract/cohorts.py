"""Cohorts stated in prose: arms and subgroups with their sizes."""
from __future__ import annotations

import re

from kb.extract import fastre
from kb.extract.fastre import fold
from kb.extract.numbers import WORD_NUM_RE, word_to_int
from kb.extract.sections import CleanText
from kb.models import Cohort

_N = rf"(?:\d{{1,5}}|{WORD_NUM_RE.pattern[2:-2]})"
# "surgery alone (n = 83)", "the control arm (n=40)"
# Found from the "(n = 83)" backwards: scanning for the label first costs a lazy
# 60-character attempt at every letter of the paper.
_N_EQUALS = re.compile(r"\(\s*[nN]\s*=\s*(?P<n>\d{1,6})\s*\)")
# "patients were randomly assigned to X (n = 67)": the arm is what follows the verb.
_VERB_PREFIX = re.compile(r"\b(?:assigned|randomi[sz]ed|allocated|enrolled|included)\s+(?:in)?to\s+|"
                          r"\b(?:treated|managed)\s+with\s+|\b(?:received|receiving|underwent)\s+", re.I)
_LABEL_BEFORE = re.compile(r"[A-Za-z][\w /+-]{2,60}?\s*$")
# "93 patients with postoperative radiotherapy", "9 were treated with preoperative radiotherapy",
# "twelve of them were treated with palliative chemotherapy", "three refused surgery"
_COUNT_VERB = re.compile(
    rf"\b(?P<n>{_N})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:of (?:them|these|those) |patients? |cases )?"
    rf"(?:(?:were|was) (?:treated|managed) with|received|underwent|with|were given|had|refused|achieved)\s+"
    rf"(?P<label>[a-z][\w /+-]{{1,50}}?)(?=[,;.)]|\s+and\b|\s+\(|$)", re.I)
# "81 late and 20 early survivors", "12 partial and 3 complete responders": two groups
# sharing the noun after them.
_PAIR = re.compile(r"\b(?P<n1>\d{1,6})\s+(?P<a>[a-z][a-z-]{2,20})\s+and\s+(?P<n2>\d{1,6})\s+(?P<b>[a-z][a-z-]{2,20})\s+"
                   r"(?P<noun>patients|survivors|responders|cases|men|women|children|adults)\b")
_SEX = re.compile(rf"(?<![\d,.])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})\s+(?P<label>females?|males?|women|men)\b", re.I)
# What every match of _SEX holds, over the folded sentence (a digit first: sre skips ahead to it).
_SEX_FOLDED = re.compile(r"\d\s+(?:females?|males?|women|men)")
# The same over ASCII text, where \d is [0-9]: sre tests a set of ASCII characters faster
# than it asks Unicode whether each character is a digit.
_SEX_FOLDED_ASCII = re.compile(r"[0-9]\s+(?:females?|males?|women|men)")


def _sex_folded(folded: str) -> bool:
    """_SEX_FOLDED.search(folded) is not None."""
    return (_SEX_FOLDED_ASCII if folded.isascii() else _SEX_FOLDED).search(folded) is not None
# Words one of which every match of _COUNT_VERB holds.
_COUNT_VERB_WORDS = ("with", "received", "underwent", "were given", "had", "refused", "achieved")
# "(EE, 67; EP, 65)": arms listed with their sizes
_ARM_LIST = re.compile(r"\(\s*((?:[A-Z][\w+/ -]{0,30},\s*\d{1,6}\s*;\s*)+[A-Z][\w+/ -]{0,30},\s*\d{1,6})\s*\)")
_NOT_ARM = re.compile(r"^(?:the|a|an|more than|less than|at least|stage|age|years?|months?|follow)\b", re.I)


def prose_cohorts(clean: CleanText, sentences: list[tuple[int, int, str, bool]],
                  folded: str | None = None) -> list[Cohort]:
    """`folded`: fastre.fold(clean.text), when the caller has it."""
    out: list[Cohort] = []
    if folded is None:
        folded = fold(clean.text)
    # What the patterns need, looked for once in the whole text: a sentence has only what it has.
    n_equals = "=" in clean.text and "(" in clean.text
    arm_lists = ";" in clean.text and "(" in clean.text
    verbs = tuple(w for w in _COUNT_VERB_WORDS if w in folded)
    sexes = "male" in folded or "men" in folded
    for s, e, section, cited in sentences:
        if cited or section not in ("abstract", "methods", "results"):
            continue
        sent = clean.text[s:e]
        fs = folded[s:e]
        # Every pattern below needs a digit, except _COUNT_VERB, which also reads a number
        # in words (so a sentence with neither has nothing to find). _PAIR and _SEX start
        # where a run of digits starts (after \b, or after no digit, comma or point): they
        # are tried only there.
        digits = fastre.digit_run_starts(sent)
        has_digit = bool(digits)
        for m in (_N_EQUALS.finditer(sent) if has_digit and n_equals else ()):
            w0 = max(0, m.start() - 64)
            lm = _LABEL_BEFORE.search(sent, w0, m.start())
            if not lm:
                continue
            label = _VERB_PREFIX.split(lm.group(0).strip())[-1]
            label = re.sub(r"^(?:and|or|with|of|the|in)\s+", "", label, flags=re.I)
            label = re.sub(r"^.*\b(?:groups?|arms?)\s*:\s*", "", label)
            if _NOT_ARM.match(label):
                continue
            out.append(_cohort(clean, s + lm.start(), s + m.end(), label, int(m.group("n")), "prose.n_equals"))
        # Every match of _COUNT_VERB starts with a number and holds one of its verbs: it is
        # tried only at numbers, and only when a verb is there.
        count_verbs = fastre.has_any(fs, verbs)
        for m in (fastre.finditer_at(_COUNT_VERB, sent, fastre.number_starts(sent, fs, digits)) if count_verbs else ()):
            n = word_to_int(m.group("n"))
            # the group, not when or how it came about: "18 achieved Ta or Tis after induction"
            label = re.split(r"\s+(?:such as|including|like|e\.g\.|after|before|during|following)\b",
                             m.group("label").strip())[0]
            if n is None or _NOT_ARM.match(label) or re.search(r"\b\d", label):   # "T0" is a group, "5 years" not
                continue
            if re.search(r"refused", m.group(0), re.I):
                label = "refused " + label
            out.append(_cohort(clean, s + m.start(), s + m.end(), label, n, "prose.count"))
        for m in (fastre.finditer_at(_PAIR, sent, digits) if has_digit and " and " in sent else ()):
            noun = m.group("noun")
            for n, adj, at in ((m.group("n1"), m.group("a"), m.start("n1")), (m.group("n2"), m.group("b"), m.start("n2"))):
                out.append(_cohort(clean, s + at, s + m.end(), f"{adj} {noun}", int(n), "prose.pair"))
        for m in (_ARM_LIST.finditer(sent) if has_digit and arm_lists else ()):
            for part in re.finditer(r"([A-Z][\w+/ -]{0,30}),\s*(\d{1,6})", m.group(1)):
                out.append(_cohort(clean, s + m.start(1) + part.start(), s + m.start(1) + part.end(),
                                   part.group(1).strip(), int(part.group(2)), "prose.arm_list"))
        # (Looked for in each sentence with a digit only: over the whole text, the search
        # cost more than it saved.)
        for m in (fastre.finditer_at(_SEX, sent, digits) if has_digit and sexes and ("male" in fs or "men" in fs)
                  and _sex_folded(fs) else ()):
            label = m.group("label").lower()
            label = {"females": "Female", "female": "Female", "women": "Female", "males": "Male", "male": "Male", "men": "Male"}[label]
            out.append(_cohort(clean, s + m.start(), s + m.end(), label, int(m.group("n").replace(",", "")), "prose.sex"))
    return out


def _cohort(clean: CleanText, cs: int, ce: int, label: str, n: int, rule: str) -> Cohort:
    quote, start, end = clean.quote(cs, ce)
    return Cohort(label=label[:1].upper() + label[1:], n=n, quote=quote, start=start, end=end, rule=rule)
