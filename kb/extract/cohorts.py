"""Cohorts stated in prose: arms and subgroups with their sizes."""
from __future__ import annotations

import re

from kb.extract import fastre
from kb.extract.fastre import fold
from kb.extract.numbers import WORD_NUM_RE, word_to_int
from kb.extract.sections import CleanText
from kb.models import Cohort

_N = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d{{1,5}}|{WORD_NUM_RE.pattern[2:-2]})"
# "surgery alone (n = 83)", "the control arm (n=40)"
# Found from the "(n = 83)" backwards: scanning for the label first costs a lazy
# 60-character attempt at every letter of the paper.
# ('grade 2 (n=21, 66%)': the group's share may follow its size)
_N_EQUALS = re.compile(r"\((?:(?P<qual>[^()=;]{1,30}?),\s*)?\s*(?:[nN]\s*=\s*(?P<n>\d{1,6})(?:\s*[,;]\s*\d+(?:\.\d+)?\s*%)?|"
                       r"(?P<count>\d{1,6})\s+patients)\s*\)")
# A label that only restates a count ('Thirty-eight patients (n = 38)') names no group.
_COUNT_LABEL = re.compile(rf"^(?:\d+|{WORD_NUM_RE.pattern[2:-2]})\s+(?:patients|cases|subjects)$", re.I)
# Words a label does not start with: 'and the definitive chemoradiotherapy group', 'In the IMRT group'.
_LEAD_WORDS = re.compile(r"^(?:(?:and|or|with|of|the|in|a|an|for|both|between|to|vs\.?|versus|followed\s+by)\s+)+", re.I)
_CLAUSE_CUT_VERB = re.compile(r"\s\b(?:was|were|is|are|compared|between|among|versus|vs\.?)\s+", re.I)
_CLAUSE_CUT = re.compile(r"\s\b(?:was|were|is|are|compared|between|among|in|for|from|versus|vs\.?|comprised|included|"
                         r"consisted\s+of)\s+", re.I)
# 'stage II (n = 13)' is a group (a label may not start with 'stage' elsewhere: 'stage (n = 12)')
_STAGE_LABEL = re.compile(r"stages?\s+(?:[0IV]{1,4}[A-Ca-c]?|[1-4][A-Ca-c]?)\b", re.I)
# '(surgery alone, n = 86; surgery plus radiotherapy, n = 86)': arms listed with 'n ='.
_ARM_LIST_N = re.compile(r"\(\s*((?:[A-Za-z][\w+/ -]{0,40},\s*[nN]\s*=\s*\d{1,6}\s*;\s*)+"
                         r"[A-Za-z][\w+/ -]{0,40},\s*[nN]\s*=\s*\d{1,6})\s*\)")
# "patients were randomly assigned to X (n = 67)": the arm is what follows the verb.
_VERB_PREFIX = re.compile(r"\b(?:assigned|randomi[sz]ed|allocated|enrolled|included)\s+(?:in)?to\s+|"
                          r"\b(?:treated|managed)\s+with\s+|\b(?:received|receiving|underwent)\s+", re.I)
_LABEL_BEFORE = re.compile(r"(?<![A-Za-z])[A-Za-z][\w /+-]{2,60}?\s*$")   # (from a word's start, not inside it)
_RESPECTIVELY_END = re.compile(r"\s*,?\s*respectively\s*$", re.I)
# "93 patients with postoperative radiotherapy", "9 were treated with preoperative radiotherapy",
# "twelve of them were treated with palliative chemotherapy", "three refused surgery"
_COUNT_VERB = re.compile(
    # (not a year: "between 2000 and 2015 with surgery")
    rf"(?<![\d,.])\b(?!(?:19|20)\d\d\b(?!\s+(?:patients|cases)\b))(?P<n>{_N})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:of (?:them|these|those) |patients? |cases )?"
    rf"(?:\(\s*(?:[\d.]+\s*%|n\s*=\s*\d+)\s*\)\s+)?"
    rf"(?:(?:(?:were|was) )?(?:treated|managed) with|received|underwent|with|were given|had|refused|achieved|"
    # 'completed the planned treatment', not '390 completed questionnaires'
    rf"completed(?=\s+(?:the|all|their|both|treatment|therapy|radiotherapy|chemotherapy|follow)\b))\s+"
    rf"(?P<label>[a-z][\w /+-]{{1,64}}?)(?=[,;.)]|\s+and\b|\s+\(|$)", re.I)
# "81 late and 20 early survivors", "12 partial and 3 complete responders": two groups
# sharing the noun after them.
# ('1732 (67.7%) HIV-negative patients and 825 (32.3%) HIV-positive patients')
_PAIR = re.compile(r"\b(?P<n1>\d{1,6})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?P<a>[A-Za-z][A-Za-z-]{2,20})\s+(?:(?P<noun1>patients|cases)\s+)?"
                   r"and\s+(?P<n2>\d{1,6})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?P<b>[A-Za-z][A-Za-z-]{2,20})\s+"
                   r"(?P<noun>patients|survivors|responders|cases|men|women|children|adults)\b")
_SEX = re.compile(rf"(?<![\d,.])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:(?:were|was)\s+)?"
                  rf"(?P<label>females?|males?|women|men)\b", re.I)
_EXCLUDED = re.compile(r"\b(?:exclu\w*|excluding|except)(?:\s+of)?\s*$", re.I)
# What every match of _SEX holds, over the folded sentence (a digit first: sre skips ahead to it).
_SEX_FOLDED = re.compile(r"\d\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:(?:were|was)\s+)?(?:females?|males?|women|men)")
# The same over ASCII text, where \d is [0-9]: sre tests a set of ASCII characters faster
# than it asks Unicode whether each character is a digit.
_SEX_FOLDED_ASCII = re.compile(r"[0-9]\s+(?:\(\s*[0-9.]+\s*%\s*\)\s+)?(?:(?:were|was)\s+)?(?:females?|males?|women|men)")


def _sex_folded(folded: str) -> bool:
    """_SEX_FOLDED.search(folded) is not None."""
    return (_SEX_FOLDED_ASCII if folded.isascii() else _SEX_FOLDED).search(folded) is not None
# Words one of which every match of _COUNT_VERB holds.
_COUNT_VERB_WORDS = ("with", "received", "underwent", "were given", "had", "refused", "achieved", "completed")
# The groups after a count that share its verb: '1,208 (50.0%) underwent surgery alone, 744
# (30.8%) surgery with adjuvant radiotherapy and ...'.
_ELLIPSIS = re.compile(rf",?\s*(?:,|\band)\s+(?P<n>{_N})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?"
                       rf"(?P<label>[a-z][\w /+-]{{1,50}}?)(?=[,;.)]|\s+and\b|\s+\(|$)", re.I)
_VERB_START = re.compile(r"(?:were|was|had|received|underwent|with|refused|achieved|completed|died|developed|did|"
                         r"experienced|patients|cases|of|in|at|to)\b", re.I)
# 'The observation arm comprised 35 patients and the adjuvant interferon arm 33 patients'
_ARM_SIZE = re.compile(rf"\b(?:[Tt]he\s+)?(?P<label>[A-Za-z][\w -]{{1,40}}?\s(?:arm|group|cohort))\s+"
                       rf"(?:(?:comprised|included|consisted\s+of|contained)\s+)?(?P<n>{_N})\s+(?:patients|cases)\b"
                       r"(?!\s+(?:treated|who|with|receiving|undergoing|that|in)\b)")
_IN_THE_ARM = re.compile(r"\s(?:in|to)\s+the\s+(?P<label>[A-Za-z][\w+/-]*(?:\s+[\w+/-]+){0,3}?\s(?:arm|group|cohort))\b"
                         # (the arm's size ends its clause: "Two patients in the A arm withdrew" is a subset)
                         r"(?=\s*(?:[,;.)]|\band\b|$))", re.I)
_COUNT_BEFORE_ARM = re.compile(rf"(?<![\d.,%])\b(?P<n>{_N})(?:\s+(?:patients|cases))?(?:\s+(?:were|was))?\s*$", re.I)
_ARM_COUNT_OPENS = re.compile(r"(?:^|[:;,(]|\band|\bwere|\bwith|\bof\s+(?:these|them|whom))\s*$", re.I)
# "(EE, 67; EP, 65)": arms listed with their sizes
_ARM_LIST = re.compile(r"\(\s*((?:[A-Z][\w+/ -]{0,30},\s*\d{1,6}\s*;\s*)+[A-Z][\w+/ -]{0,30},\s*\d{1,6})\s*\)")
# Two arms and their sizes: "100 patients (55 in the 20 Gy/5 fr arm and 45 in the 16 Gy/2 fr arm)",
# "49 were randomly assigned to capecitabine and 47 to S-1".
_ARM_PAIRS = re.compile(
    # (a bare "55 in X" only inside the total's parenthesis: "at stage 1 in males" is no arm)
    r"(?:\b(?P<n1>\d{1,5})\s+(?:patients\s+)?(?:were|was)\s+(?:randomly\s+)?(?:assigned|allocated|randomi[sz]ed)\s+to|"
    r"(?<=\()\s*(?P<n0>\d{1,5})\s+(?:in|to))\s+(?:the\s+)?(?P<a>[^,;()]{2,40}?)\s*,?\s+and\s+(?P<n2>\d{1,5})\s+(?:in|to)\s+(?:the\s+)?"
    r"(?P<b>[^,;()]{2,40}?)\s*(?=[);,.]|$)", re.I)
_PAREN_ARM = re.compile(r"\(\s*\d{1,5}\s+(?:in|to)\s")
_NOT_ARM = re.compile(r"^(?:the|a|an|more than|less than|at least|stage|age|years?|months?|follow)\b", re.I)


_IN_N = (rf"(?P<n>{_N})(?![\d.,]*\s*%)\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:patients|cases|subjects)\b"
         r"(?:\s*\(\s*(?:[\d.]+\s*%|n\s*=\s*\d+)\s*\))?")   # (or 'in 36 (54%) patients')
# 'R0 resection was achieved in 64 patients', 'BRAF mutation was detected in 9 patients',
# 'adjuvant chemotherapy was administered to 31 patients': a feature or treatment and its
# patients. Verbs of baseline and treatment only: what 'developed' or was 'observed' in N
# patients is an outcome.
_FEATURE_VERBS = ("present", "detected", "found", "identified", "achieved", "performed", "located", "diagnosed", "used",
                  "given", "administered", "delivered", "offered", "applied")
_FEATURE_IN = re.compile(
    rf"(?:^|(?<=[,;:] )|(?<=\bwhile )|(?<=\bwhereas ))(?P<label>[A-Za-z][\w /+–-]{{1,60}}?)\s+(?:was|were)\s+"
    rf"(?:{'|'.join(_FEATURE_VERBS)})(?:\s+at\s+(?:diagnosis|presentation|baseline))?\s+(?:in|to)\s+{_IN_N}", re.I)
# 'The primary site was the nasal cavity in 48 patients', 'The tumour involved the skin in 4 cases'
_SITE_WORDS = ("site", "location", "involved")
_SITE_IN = re.compile(
    rf"\b(?:(?:(?:primary|tumou?r)\s+)?(?:sites?|locations?)\s+(?:was|were)|(?:tumou?rs?|diseases?)\s+involved)\s+(?:the\s+)?"
    rf"(?P<label>[a-z][\w /-]{{1,40}}?)\s+in\s+{_IN_N}", re.I)
# ', the maxillary sinus in 21 (23.3%) and the ethmoid sinus in 12'
_IN_MORE = re.compile(rf"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?(?P<label>[A-Za-z][\w /+-]{{0,40}}?)\s+in\s+"
                      rf"(?P<n>{_N})(?![\d.,]*\s*%)\b(?:\s*\(\s*[\d.]+\s*%\s*\)(?=\s+(?:patients|cases)))?"
                      r"(?:\s+(?:patients|cases))?(?:\s*\(\s*[\d.]+\s*%\s*\))?", re.I)
_OUTCOME_WORDS = re.compile(r"\b(?:recurr\w*|relapse\w*|progress\w*|death|died|failure|respon\w*|complications?|"
                            r"toxicit\w*|events?|survival|mortality|infection)\b", re.I)


_VALUE_BEFORE = re.compile(r"(?:^|[,;:(]|\band\b)\s*(?P<label>[A-Za-z][\w /+-]{0,50}?)\s+\d+(?:\.\d+)?\s*%\s*$")
_GROUP_AFTER = re.compile(r"\s+(?:in|for|among)\s+(?P<g>(?:patients|those|cases)\s+(?:with|without|who|treated|receiving|"
                          r"given)\b[^,;()]{2,60}?)(?=\s*(?:[,;.)]|and\b|$))", re.I)
_GROUPED_OUTCOME = re.compile(r"\b(?:surviv\w*|control|respon\w*)\b[^.]{0,80}\b(?:according to|by|for|in|among|was|were)\b", re.I)
_VERB_IN_LABEL = re.compile(r"\b(?:was|were|is|are|had|has|showed|reached|amounted|totall?ed|equalled)\b|\b(?:to|of|at|with)$", re.I)


def _valued_group(sent: str, w0: int, at: int, end: int) -> tuple[str, int, int] | None:
    """(label, start, end) of the group whose value stands before its '(n = N)' at `at`: the
    group named right after ('in patients with liver metastases'), else the label before the
    value ('palate 85%'), never a clause ('The survival was 34%')."""
    after = _GROUP_AFTER.match(sent, end)
    if after:
        return after.group("g").strip(), w0, after.end()
    lm = _VALUE_BEFORE.search(sent, w0, at)
    # (only groups' survival, control or response: 'bacteraemia - 16.6% (n = 2)' is an event)
    if not lm or not _GROUPED_OUTCOME.search(sent, 0, lm.start("label")):
        return None
    label = _LEAD_WORDS.sub("", lm.group("label").strip())
    if not label or _VERB_IN_LABEL.search(label) or _NOT_ARM.match(label) or _OUTCOME_WORDS.search(label) \
            or not label[-1].isalnum():
        return None
    return label, lm.start("label"), end


# 'pT3, pT4a, and pT4b in 30 cases (51.7%), 17 cases (29.3%), and 11 cases (19.0%)': listed
# groups, then their counts in the same order.
_LABEL_ITEM = r"[A-Za-z][\w/+-]*(?:\s+[\w/+-]+){0,3}?"
_COUNT_ITEM = rf"{_N}\s+(?:patients|cases)?\s*(?:\(\s*[\d.]+\s*%\s*\))?"
# (Found from the counts backwards: "in" and a number first, then the labels that end
# right before, so the label pattern is tried at a few places, not at every word.)
_COUNTS_AFTER_IN = re.compile(
    rf"\s+in\s+(?P<counts>{_COUNT_ITEM}(?:\s*,\s*(?:and\s+)?{_COUNT_ITEM})*,?\s+and\s+{_COUNT_ITEM})", re.I)
_LABELS_BEFORE = re.compile(rf"(?P<labels>{_LABEL_ITEM}(?:\s*,\s*{_LABEL_ITEM})*,?\s+(?:and|or)\s+{_LABEL_ITEM})$", re.I)
_IN_NUMBER = re.compile(r"\sin\s+(?=\d|[a-z]+(?:-[a-z]+)?\s+(?:patients|cases)\b)", re.I)


# '14 were located in the vagina, 6 in the vulva, and 3 in the cervix uteri': counts, then where.
_LOC_END = r"(?=\s*(?:[,;.]|\s+and\b|\s*$))"
_N_LOCATED = re.compile(rf"(?<![\d.,])(?P<n>{_N})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:(?:patients|cases|tumou?rs|lesions)\s+)?"
                        rf"(?:were|was)\s+(?:located|situated|found|seen)\s+(?:in|at|on)\s+(?:the\s+)?"
                        rf"(?P<label>[A-Za-z][\w /-]{{1,40}}?){_LOC_END}", re.I)
_N_LOCATED_MORE = re.compile(rf"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?P<n>{_N})\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:in|at|on)\s+"
                             rf"(?:the\s+)?(?P<label>[A-Za-z][\w /-]{{1,40}}?){_LOC_END}", re.I)


def _located_counts(clean: CleanText, s: int, sent: str) -> list[Cohort]:
    out = []
    for m in _N_LOCATED.finditer(sent):
        end, found = m.end(), [m]
        while (more := _N_LOCATED_MORE.match(sent, end)) is not None:
            found.append(more)
            end = more.end()
        for f in found:
            n = word_to_int(f.group("n"))
            if n and not re.search(r"\d", f.group("label")):
                out.append(_cohort(clean, s + f.start("n"), s + f.end(), f.group("label").strip(), n, "prose.located"))
    return out


def _listed_counts(clean: CleanText, s: int, sent: str) -> list[Cohort]:
    out = []
    for anchor in _IN_NUMBER.finditer(sent):
        cm = _COUNTS_AFTER_IN.match(sent, anchor.start())
        lm = _LABELS_BEFORE.search(sent, max(0, anchor.start() - 120), anchor.start()) if cm else None
        if not lm:
            continue
        labels = [x.strip() for x in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", lm.group("labels")) if x.strip()]
        counts = re.findall(rf"({_N})\s+(?:patients|cases)?\s*(?:\(\s*[\d.]+\s*%\s*\))?", cm.group("counts"), re.I)
        if len(labels) != len(counts) or len(labels) < 2:
            continue
        # (the first label may carry the clause's subject: 'staging was pT3' -> 'pT3')
        labels[0] = re.split(r"\s+(?:was|were|is|are|of|included|including)\s+", labels[0])[-1]
        if any(_NOT_ARM.match(x) or _OUTCOME_WORDS.search(x) or _VERB_IN_LABEL.search(x) for x in labels):
            continue
        for label, raw in zip(labels, counts):
            n = word_to_int(raw.replace(",", ""))
            if n:
                out.append(_cohort(clean, s + lm.start(), s + cm.end(), label, n, "prose.listed_counts"))
    return out


def _feature_cohorts(clean: CleanText, s: int, sent: str, fs: str) -> list[Cohort]:
    out: list[Cohort] = []
    taken: list[tuple[int, int]] = []
    # (Each pattern is tried only when the sentence (`fs`, folded) has a word all its matches
    # hold: a label may start at any word, and either search tested every one.)
    for pat, words in ((_FEATURE_IN, _FEATURE_VERBS), (_SITE_IN, _SITE_WORDS)):
        if not fastre.has_any(fs, words):
            continue
        for m in pat.finditer(sent):
            if any(a <= m.start("label") < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            raw = m.group("label").strip()
            if re.match(r"(?:and|or)\b", raw, re.I) or (
                    m.start("label") > 1 and sent[m.start("label") - 2] == ","
                    and re.search(r"\b(?:including|such as|e\.g\.|namely|i\.e\.)\b", sent[:m.start("label")], re.I)):
                continue   # the last item of a list ('IL-2, IFN-a-2b, and PD-1 antibodies was given to 69'): not the subject
            label = _LEAD_WORDS.sub("", re.sub(r"^(?:In\s+)?(?:the|a|an)\s+", "", raw, flags=re.I))
            if not label or _OUTCOME_WORDS.search(label) or _NOT_ARM.match(label):
                continue
            n = word_to_int(m.group("n").replace(",", ""))
            if not n:
                continue
            out.append(_cohort(clean, s + m.start("label"), s + m.end(), label, n, "prose.feature"))
            end = m.end()
            while True:
                c = _IN_MORE.match(sent, end)
                if not c:
                    break
                lab = c.group("label").strip()
                k = word_to_int(c.group("n").replace(",", ""))
                if not k or _OUTCOME_WORDS.search(lab) or re.match(r"(?:patients|cases|them|those|the others)$", lab, re.I):
                    break
                out.append(_cohort(clean, s + c.start("label"), s + c.end(), lab, k, "prose.feature"))
                end = c.end()
    return out


def prose_cohorts(clean: CleanText, sentences: list[tuple[int, int, str, bool]],
                  folded: str | None = None) -> list[Cohort]:
    """`folded`: fastre.fold(clean.text), when the caller has it."""
    out: list[Cohort] = []
    if folded is None:
        folded = fold(clean.text)
    # What the patterns need, looked for once in the whole text: a sentence has only what it has.
    # ("IMRT (316 patients) or 2DCRT (882 patients)": the same, a count of patients for "n =")
    n_equals = "(" in clean.text and ("=" in clean.text or "patients)" in clean.text)
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
            if sent[w0:m.start()].rstrip().endswith("%"):
                # a group's value and its size: 'palate 85% (n = 32)', '34% (n = 8) in patients
                # with liver metastases'
                valued = _valued_group(sent, w0, m.start(), m.end())
                if valued:
                    out.append(_cohort(clean, s + valued[1], s + valued[2], valued[0], int(m.group("n") or m.group("count")),
                                       "prose.n_equals"))
                continue
            # ("... in the PS-NAR group, respectively (n = 103)": the group before the word)
            resp = _RESPECTIVELY_END.search(sent, w0, m.start())
            lm = _LABEL_BEFORE.search(sent, w0, resp.start() if resp else m.start())
            if not lm:
                continue
            label = _VERB_PREFIX.split(lm.group(0).strip())[-1]
            # the group is what stands after the clause's verb or preposition: 'Survival was
            # compared between the hypofractionated arm (n = 41)'
            parts = _CLAUSE_CUT.split(label)
            if len(parts) > 1 and not re.match(r"(?:patients|women|men|children|those|cases)\b", label, re.I):
                if re.search(r"\s(?:was|were|is|are)\s+$", label[:len(label) - len(parts[-1])]) \
                        and re.fullmatch(r"[a-z]+ed", parts[-1].strip()):
                    continue   # '112 pairs were obtained (n = 224)': a clause, not a group
                label = parts[-1]
                if re.match(r"(?:the\s+)?most\s+(?:common|frequent)", label, re.I):
                    # 'Metastasectomy was the most commonly performed procedure (n = 31)': the subject
                    subject = re.search(r"[A-Za-z][\w /+-]{1,40}$", parts[-2].strip())
                    label = subject.group(0) if subject else label
            elif len(parts) > 1:
                # 'patients referred for serum AMH measurement': the patients are the group
                label = _CLAUSE_CUT_VERB.split(label)[-1]
            label = _LEAD_WORDS.sub("", label)
            label = re.sub(r"^.*\b(?:groups?|arms?)\s*:\s*", "", label)
            if re.fullmatch(r"those without", label, re.I):
                # 'patients with orbital invasion (n = 18) and those without (n = 57)'
                w = re.search(r"\bwith\s+([a-z][\w -]{2,40}?)\s*\(", sent[:lm.start()], re.I)
                if not w:
                    continue
                label = "without " + w.group(1)
            if not label or (_NOT_ARM.match(label) and not _STAGE_LABEL.match(label)) or _COUNT_LABEL.match(label) \
                    or not re.search(r"[A-Za-z]{2}", label) \
                    or (m.group("count") and re.search(r"(?<![\w-])\d+(?![\w-])", label)):
                continue   # ('120 eyes (60 patients)': a count of something else)
            if m.group("qual") and not re.search(r"\d\s*%|\bmedian\b|\bmean\b|\brange\b", m.group("qual"), re.I):
                label = f"{label} ({m.group('qual').strip()})"   # 'the elderly cohort (≥ 70 years, n = 63)'
            out.append(_cohort(clean, s + lm.start(), s + m.end(), label, int(m.group("n") or m.group("count")),
                               "prose.n_equals"))
        for m in (_ARM_LIST_N.finditer(sent) if has_digit and n_equals else ()):
            for part in re.finditer(r"([A-Za-z][\w+/ -]{0,40}),\s*[nN]\s*=\s*(\d{1,6})", m.group(1)):
                out.append(_cohort(clean, s + m.start(1) + part.start(), s + m.start(1) + part.end(),
                                   part.group(1).strip(), int(part.group(2)), "prose.arm_list"))
        # (a feature and its patients: 'was' or 'were', 'in' or 'to', and a number)
        if (" was " in fs or " were " in fs or " involved " in fs) and (" in " in fs or " to " in fs) \
                and (has_digit or WORD_NUM_RE.search(sent)):
            out += _feature_cohorts(clean, s, sent, fs)
        if has_digit and " in " in sent and (" and " in sent or " or " in sent) and "," in sent:
            out += _listed_counts(clean, s, sent)
        if fastre.has_any(fs, (" located ", " situated ", "were found ", "was found ", "were seen ")) and has_digit:
            out += _located_counts(clean, s, sent)
        # Every match of _COUNT_VERB starts with a number and holds one of its verbs: it is
        # tried only at numbers, and only when a verb is there.
        count_verbs = fastre.has_any(fs, verbs)
        for m in (fastre.finditer_at(_COUNT_VERB, sent, fastre.number_starts(sent, fs, digits)) if count_verbs else ()):
            n = word_to_int(m.group("n").replace(",", ""))
            if _EXCLUDED.search(sent, max(0, m.start() - 30), m.start()):
                continue   # 'after exclusion of 12 patients with ...': no group of the study
            # the group, not when or how it came about: "18 achieved Ta or Tis after induction"
            label = re.split(r"\s+(?:such as|including|like|e\.g\.|after|before|during|following|were|was|who)\b",
                             m.group("label").strip())[0]
            if re.search(r"\bcompleted\s+the\s", m.group(0), re.I):
                label = re.sub(r"^the\s+", "", label)   # '41 completed the planned treatment'
            # 'had stage III disease' names a group, though a label may not start with 'stage' elsewhere
            staged = re.match(r"stage\s+[IV]{1,3}[A-C]?\b", label, re.I)
            # "T0" and "anti-PD-1" are groups, "5 years" not
            if n is None or (_NOT_ARM.match(label) and not staged) or re.search(r"(?<![\w-])\d", label) \
                    or re.match(r"(?:died|deceased|passed away)\b", label, re.I):   # '301 patients had died': an event
                continue
            if re.search(r"refused", m.group(0), re.I):
                label = "refused " + label
            out.append(_cohort(clean, s + m.start(), s + m.end(), label, n, "prose.count"))
            end = m.end()
            while not label.startswith("refused "):
                c = _ELLIPSIS.match(sent, end)
                if not c or _VERB_START.match(c.group("label")) or _NOT_ARM.match(c.group("label")) \
                        or re.search(r"\b\d", c.group("label")):
                    break
                k = word_to_int(c.group("n").replace(",", ""))
                if not k:
                    break
                out.append(_cohort(clean, s + c.start("n"), s + c.end(), c.group("label").strip(), k, "prose.count"))
                end = c.end()
        if has_digit and re.search(r"\b(?:comprised|included|consisted\s+of|contained)\s+\d", sent):
            for m in _ARM_SIZE.finditer(sent):
                label = _LEAD_WORDS.sub("", m.group("label"))
                if label and not _NOT_ARM.match(label) and not re.match(r"(?:study|whole|entire|total)\b", label, re.I):
                    out.append(_cohort(clean, s + m.start("label"), s + m.end(), label, word_to_int(m.group("n")),
                                       "prose.arm_size"))
        for a in (_IN_THE_ARM.finditer(sent) if has_digit and " in the " in fs and (" arm" in fs or " group" in fs
                                                                                    or " cohort" in fs) else ()):
            # "60 in the observation arm and 36 in the treatment arm", "There were 60 patients in the A
            # group": the arm's phrase first (rare), then the count before it
            m = _COUNT_BEFORE_ARM.search(sent, max(0, a.start() - 40), a.start())
            if m is None:
                continue
            label = a.group("label").strip()
            # (a count that opens its clause: not "grade 3 toxicity occurred in 5 in the A arm", a count of events)
            opens = _ARM_COUNT_OPENS.search(sent, max(0, m.start() - 30), m.start())
            if opens and not _NOT_ARM.match(label) and not re.match(r"(?:study|whole|entire|total|same|other|each)\b", label, re.I):
                out.append(_cohort(clean, s + m.start("n"), s + a.end(), label, word_to_int(m.group("n")), "prose.n_in_arm"))
        for m in (fastre.finditer_at(_PAIR, sent, digits) if has_digit and " and " in sent else ()):
            noun = m.group("noun")
            for n, adj, at in ((m.group("n1"), m.group("a"), m.start("n1")), (m.group("n2"), m.group("b"), m.start("n2"))):
                out.append(_cohort(clean, s + at, s + m.end(), f"{adj} {noun}", int(n), "prose.pair"))
        # (every match follows a verb of assignment or opens a parenthesis with "N in|to")
        for m in (_ARM_PAIRS.finditer(sent) if has_digit and (
                fastre.has_any(fs, ("assigned", "allocated", "randomi")) or ("(" in sent and _PAREN_ARM.search(sent)))
                else ()):
            first = "n1" if m.group("n1") else "n0"
            for k, who in ((first, "a"), ("n2", "b")):
                label = _LEAD_WORDS.sub("", m.group(who).strip())
                if label and not _NOT_ARM.match(label) and not re.search(r"\b(?:patients?|years?|months?)\b", label):
                    out.append(_cohort(clean, s + m.start(k), s + m.end(who), label, int(m.group(k)), "prose.arm_pair"))
        for m in (_ARM_LIST.finditer(sent) if has_digit and arm_lists else ()):
            for part in re.finditer(r"([A-Z][\w+/ -]{0,30}),\s*(\d{1,6})", m.group(1)):
                out.append(_cohort(clean, s + m.start(1) + part.start(), s + m.start(1) + part.end(),
                                   part.group(1).strip(), int(part.group(2)), "prose.arm_list"))
        # (Looked for in each sentence with a digit only: over the whole text, the search
        # cost more than it saved.)
        for m in (fastre.finditer_at(_SEX, sent, digits) if has_digit and sexes and ("male" in fs or "men" in fs)
                  and _sex_folded(fs) else ()):
            # casefold, as IGNORECASE matched: 'maleſ' (a long s) is 'males', and lower() left it a KeyError
            label = m.group("label").casefold()
            label = {"females": "Female", "female": "Female", "women": "Female", "males": "Male", "male": "Male", "men": "Male"}[label]
            out.append(_cohort(clean, s + m.start(), s + m.end(), label, int(m.group("n").replace(",", "")), "prose.sex"))
    return out


def _cohort(clean: CleanText, cs: int, ce: int, label: str, n: int, rule: str) -> Cohort:
    quote, start, end = clean.quote(cs, ce)
    if not label[1:2].isupper():   # (not 'pT3', 'cN0': a prefix that is part of the name)
        label = label[:1].upper() + label[1:]
    return Cohort(label=label, n=n, quote=quote, start=start, end=end, rule=rule)
