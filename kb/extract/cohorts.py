"""Cohorts stated in prose: arms and subgroups with their sizes."""
from __future__ import annotations

import re

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
    rf"(?:(?:were|was) (?:treated|managed) with|received|underwent|with|were given|had|refused)\s+"
    rf"(?P<label>[a-z][\w /+-]{{2,50}}?)(?=[,;.)]|\s+and\b|\s+\(|$)", re.I)
# Cheap test before the costly patterns: a digit or a number word somewhere in the sentence.
_ANY_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                         r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|"
                         r"forty|fifty|sixty|seventy|eighty|ninety|hundred)\b", re.I)
_SEX = re.compile(rf"(?<![\d,.])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})\s+(?P<label>females?|males?|women|men)\b", re.I)
# "(EE, 67; EP, 65)": arms listed with their sizes
_ARM_LIST = re.compile(r"\(\s*((?:[A-Z][\w+/ -]{0,30},\s*\d{1,6}\s*;\s*)+[A-Z][\w+/ -]{0,30},\s*\d{1,6})\s*\)")
_NOT_ARM = re.compile(r"^(?:the|a|an|more than|less than|at least|stage|age|years?|months?|follow)\b", re.I)


def prose_cohorts(clean: CleanText, sentences: list[tuple[int, int, str, bool]]) -> list[Cohort]:
    out: list[Cohort] = []
    for s, e, section, cited in sentences:
        if cited or section not in ("abstract", "methods", "results"):
            continue
        sent = clean.text[s:e]
        if not _ANY_NUMBER.search(sent):
            continue
        for m in _N_EQUALS.finditer(sent):
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
        for m in _COUNT_VERB.finditer(sent):
            n = word_to_int(m.group("n"))
            label = re.split(r"\s+(?:such as|including|like|e\.g\.)\b", m.group("label").strip())[0]
            if n is None or _NOT_ARM.match(label) or re.search(r"\d", label):
                continue
            if re.search(r"refused", m.group(0), re.I):
                label = "refused " + label
            out.append(_cohort(clean, s + m.start(), s + m.end(), label, n, "prose.count"))
        for m in _ARM_LIST.finditer(sent):
            for part in re.finditer(r"([A-Z][\w+/ -]{0,30}),\s*(\d{1,6})", m.group(1)):
                out.append(_cohort(clean, s + m.start(1) + part.start(), s + m.start(1) + part.end(),
                                   part.group(1).strip(), int(part.group(2)), "prose.arm_list"))
        for m in _SEX.finditer(sent):
            label = m.group("label").lower()
            label = {"females": "Female", "female": "Female", "women": "Female", "males": "Male", "male": "Male", "men": "Male"}[label]
            out.append(_cohort(clean, s + m.start(), s + m.end(), label, int(m.group("n").replace(",", "")), "prose.sex"))
    return out


def _cohort(clean: CleanText, cs: int, ce: int, label: str, n: int, rule: str) -> Cohort:
    quote, start, end = clean.quote(cs, ce)
    return Cohort(label=label[:1].upper() + label[1:], n=n, quote=quote, start=start, end=end, rule=rule)
