"""Study-level facts: design, number of patients, median follow-up."""
from __future__ import annotations

import re

from kb.extract.fastre import finditer_at, fold, gate_literals, has_any, number_starts, present_literals, search_at_literals
from kb.extract.numbers import NUM, WORD_NUM_RE, to_float, word_to_int

# Design cues in order of precedence; the first that fires in title+abstract wins, then methods.
# Each with the words (lower case) one of which every match starts with: the pattern is tried
# only where one stands (True: and at the start of every line, for a "^" branch).
_DESIGNS = [
    (r"\bmeta-?analys[ie]s\b", "meta-analysis", ("meta",)),
    (r"\bsystematic(?:ally)? review", "systematic review", ("systematic",)),
    (r"\brandomi[sz]ed\b[^.]{0,60}\b(?:trial|study)|\brandomi[sz]ed(?:,)? (?:controlled|phase|double|open)"
     r"|\brandomi[sz]ed (?:to|between)\b|\brandomly (?:assigned|allocated)\b",
     "randomized controlled trial", ("randomi", "randomly")),
    (r"\bcase report\b|\bwe (?:report|present|describe) (?:a|an|the) (?:case|patient)", "case report",
     ("case report", "we report", "we present", "we describe")),
    (r"\bcase series\b", "case series", ("case series",)),
    (r"\bpooled analysis\b", "pooled analysis", ("pooled",)),
    (r"\bretrospective(?:ly)?\b", "retrospective cohort", ("retrospective",)),
    (r"\bsingle[- ]arm\b|\bphase (?:I|II|1|2|I/II|1/2)\b[^.]{0,40}\b(?:trial|study)", "single-arm trial",
     ("single", "phase ")),
    (r"\bprospective(?:ly)?\b[^.]{0,40}\b(?:cohort|study|registry|collected|investigation)", "prospective cohort",
     ("prospective",)),
    (r"\bthis (?:narrative )?review\b|\bwe review\b|\b(?:narrative|comprehensive) review\b|^\s*(?:a )?review\b", "review",
     ("this ", "we review", "narrative", "comprehensive", True)),
    (r"\bcohort study\b", "retrospective cohort", ("cohort study",)),
    # Last: patients of a past period and no design named ("2660 patients underwent RP at our
    # institution between 1998 and 2008") are a retrospective series.
    (r"\b(?:between|from)\s+(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\s+(?:and|to|until|through)\s+(?:[A-Z][a-z]+\s+)?"
     r"(?:19|20)\d\d\b(?=[^.]{0,120}\b(?:patients|cases)\b)|\b(?:patients|cases)\b[^.]{0,120}\b(?:between|from)\s+"
     r"(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\s+(?:and|to|until|through)\s+(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b",
     "retrospective cohort", ("between", "from", "patients", "cases")),
]
_DESIGN_RES = [(re.compile(pat, re.I | re.M), name, tuple(w for w in starts if w is not True), True in starts)
               for pat, name, starts in _DESIGNS]
# The same, each pattern's words as a set (the order of the words a pattern is tried at
# makes no difference: it is tried at every place one of them stands, leftmost first).
_DESIGN_SETS = [(pat, name, frozenset(words), line_starts) for pat, name, words, line_starts in _DESIGN_RES]
# What may stand between the patients and "were enrolled": who they were, in a few words.
# It does not run on past a comma and a number: 'after exclusion of 12 patients with distant
# metastases, 176 patients were analysed' counts 176.
# "were retrospectively analyzed", "We reviewed retrospectively 57 patients"
_ADVERB = r"(?:(?:retrospectively|prospectively|consecutively|subsequently|ultimately|finally)\s+)?"
_WHO = r"(?:\s+(?:with|who|from|in|aged|having|diagnosed|treated|undergoing)\b(?:(?!,\s*\d)(?:[^.;:()]|\([^()]{0,30}\))){0,80}?)?"
# The nouns a paper counts its series in.
_SERIES_WORDS = "patients|subjects|participants|cases|individuals|women|men|children|adults"
_PATIENTS = re.compile(
    rf"\b(?:(?:a total of|total of|in total,?|overall,?|(?:a |our )?(?:consecutive )?series of|leaving|(?:performed|conducted) (?:on|in)|we (?:retrospectively |prospectively )?(?:reviewed|analy[sz]ed|included|enrolled|identified|studied)(?:\s+(?:retrospectively|prospectively))?)\s+"
    r"(?:the (?:medical |clinical |hospital )?(?:records|charts|data|files|course|outcomes?) of\s+)?)"
    # ("performed in 59 of 78 patients": a part of a group, not the series)
    rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{WORD_NUM_RE.pattern[2:-2]})(?!\s+(?:of|out\s+of)\s+\d)\s+(?:[\w-]+\s+){{0,4}}?(?:{_SERIES_WORDS})\b"
    # ("In total, 18 patients died": an event's count, not the series)
    r"(?!\s+(?:died|developed|experienced|relapsed|recurred|progressed|had\s+(?:a\s+)?(?:recurrence|relapse|progression)))", re.I)
_PATIENTS_BARE = re.compile(
    rf"\b(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d{{2,}}|{WORD_NUM_RE.pattern[2:-2]})\s+(?:[\w-]+\s+){{0,5}}?(?:patients|subjects|participants)"
    r"(?:\s*\(\s*n\s*=\s*\d+\s*\))?"
    # "27 patients with HER2-positive metastatic breast cancer were enrolled"
    # ("Sixty-seven patients (43 male and 24 female) diagnosed with X ... were reviewed")
    rf"(?:\s*\([^()]{{0,60}}\))?{_WHO}\s+(?:were|was)\s+{_ADVERB}(?:included|enrolled|analy[sz]ed|identified|eligible|randomi[sz]ed|treated|reviewed)", re.I)
_N = rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{WORD_NUM_RE.pattern[2:-2]})"
# Further ways abstracts state their series, tried after the ones above:
# "Between 2000 and 2019, 84 patients, including ..., underwent RT";
_PATIENTS_PERIOD = re.compile(
    rf"\b(?:between|from)\s+(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\s*(?:\s(?:and|to|until|through)\s|[-–])\s*(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d,"
    rf"\s+(?:a total of\s+)?{_N}\s+(?:[\w-]+\s+){{0,4}}?(?:patients|cases)\b", re.I)
# "the survival outcomes of 69 Korean patients", "details of 66 patients were collected";
_PATIENTS_DATA = re.compile(rf"\b(?:records|charts|details|outcomes|data|files|review)\s+of\s+{_N}\s+(?:[\w-]+\s+){{0,4}}?"
                            r"(?:patients|cases)\b", re.I)
# "in 74 patients treated at the Department of ...";
_PATIENTS_AT = re.compile(rf"\bin\s+{_N}\s+(?:consecutive\s+)?(?:patients|cases)\s+(?:treated|managed|operated(?:\s+on)?|seen|"
                          r"diagnosed)\s+(?:at|in)\s+(?:the|our|a|two|three|four|five|six|\d+)\b", re.I)
# the results' opening "Of 207 patients, 88 (43%) received ...".
_PATIENTS_OF_RESULT = re.compile(rf"(?:^|(?<=[.:]\s))Of\s+(?:the\s+|all\s+)?{_N}\s+(?:[\w-]+\s+){{0,3}}?patients,", re.M)
# (pattern, what a text must hold for it to match, where its matches start)
_DATA_LEADS = ("records of", "charts of", "details of", "outcomes of", "data of", "files of", "review of")
_LATER_PATTERNS = (
    (_PATIENTS_PERIOD, ("between ", "from "), ("between ", "from ")),
    (_PATIENTS_DATA, _DATA_LEADS, _DATA_LEADS),
    (_PATIENTS_AT, (" patients treated", " patients managed", " patients operated", " patients seen",
                    " patients diagnosed", " cases treated", " cases diagnosed"), ("in ",)),
    (_PATIENTS_OF_RESULT, ("of ",), None))

_PATIENTS_OF = re.compile(r"\b[Oo]f (?:the )?\d+ patients (?:enrolled|included|registered|randomi[sz]ed)[,;]\s*(?P<n>\d+)\s+"
                          r"(?:were|was)\s+(?:eligible|evaluable|assessable|analy[sz]ed)")
_FOLLOW_UP = re.compile(
    rf"\bmedian (?:duration of )?follow-?\s?up(?: time| period| duration)?(?: for [^.]{{0,40}}?)?\s*(?:was|of|:|=|,)?\s*"
    rf"(?:approximately\s+)?(?P<v>{NUM})\s*(?P<u>months?|mo|years?|yrs?|weeks?|days?)\b", re.I)


# Where a match of _PATIENTS can start: one of its leading phrases (lower case).
_PATIENTS_LEADS = ("a total of", "total of", "in total", "overall", "series of", "leaving", "performed on", "performed in", "conducted on",
                   "conducted in", "we retrospectively ", "we prospectively ",
                   "we reviewed", "we analy", "we included", "we enrolled", "we identified", "we studied",
)
# What every match of _PATIENTS_OF holds (case-sensitive, as it is).
_PATIENTS_OF_TAIL = re.compile(r" patients (?:enrolled|included|registered|randomi[sz]ed)[,;]")
# What every match of _PATIENTS_BARE ends with (matched in the folded text).
_BARE_TAIL = re.compile(rf"(?:patients|subjects|participants)(?:\s*\(\s*n\s*=\s*\d+\s*\))?(?:\s*\([^()]{{0,60}}\))?{_WHO}\s+(?:were|was)\s+{_ADVERB}"
                        r"(?:included|enrolled|analy[sz]ed|identified|eligible|randomi[sz]ed|treated|reviewed)")


# Every word a design pattern starts at, and "review", which every match of the one that may
# start at a line start holds.
_DESIGN_WORDS = tuple(sorted({w for _, _, words, _ in _DESIGN_RES for w in words} | {"review"}))
# Looked for in groups: words that share a part are looked for only when it is there.
_DESIGN_GATED = gate_literals(_DESIGN_WORDS, ("case", "random", "we ", "spective"))
_PATIENTS_GATED = gate_literals(_PATIENTS_LEADS, ("total", "performed ", "conducted ", "we "))


def find_design(title: str, front: str, methods: str, folded: tuple[str | None, ...] = (None, None, None)
                ) -> str | None:
    """The title is the surest statement of design, then the abstract, then the methods.
    `folded`: fastre.fold of the three texts, those the caller has."""
    for text, folded_text in zip((title, front, methods), folded):
        if not text:
            continue
        folded = fold(text) if folded_text is None else folded_text
        present = set(present_literals(folded, _DESIGN_GATED))
        if not present:
            continue   # no pattern can match: each starts at one of these words
        for pat, name, words, line_starts in _DESIGN_SETS:
            words = words & present
            line_starts = line_starts and "review" in present
            if (words or line_starts) and search_at_literals(pat, text, folded, tuple(words), line_starts=line_starts):
                return name
    return None


def find_n_patients(text: str, folded: str | None = None) -> int | None:
    """`folded`: fastre.fold(text), when the caller has it."""
    m = _total_match(text, folded)
    if m is None:
        return None
    raw = m.group("n").replace(",", "")
    return int(raw) if raw.isdigit() else word_to_int(raw)


# How a total is qualified, by the verb that states it: 'patients were enrolled' is the
# enrolled total (gold: 'All patients (enrolled)'); included, reviewed or treated patients are
# all the patients.
_QUALIFIERS = {"enrolled": "enrolled", "eligible": "eligible", "randomized": "randomized", "randomised": "randomized",
               "evaluable": "evaluable", "assessable": "assessable", "registered": "registered"}
# 'Of (the) 58 patients enrolled, 52 were evaluable': the first number is a cohort of its own.
_OF_FIRST = re.compile(r"\b[Oo]f (?:the |all )?(?P<n>\d+) patients (?P<verb>enrolled|included|registered|randomi[sz]ed)")


def find_total_cohorts(text: str, folded: str | None = None, treated: bool = True) -> list[tuple[str, int, int, int]]:
    """The whole series as cohorts: (label, n, start, end) of 'All patients', qualified by
    the verb that states it ('All patients (enrolled)'), and the enrolled number an analysed
    total was drawn from ('Of 58 patients enrolled, 52 were evaluable': 'Enrolled', 58)."""
    m = _total_match(text, folded)
    if m is None or (not treated and m.group(0).endswith("treated")):
        return []
    raw = m.group("n").replace(",", "")
    n = int(raw) if raw.isdigit() else word_to_int(raw)
    if not n:
        return []
    verb = re.search(r"\b(enrolled|eligible|randomi[sz]ed|evaluable|assessable|registered)\s*$", m.group(0), re.I)
    label = "All patients" + _described(text, m) + (f" ({_QUALIFIERS[verb.group(1).lower()]})" if verb else "")
    out = [(label, n, m.start(), m.end())]
    first = _OF_FIRST.match(text, m.start())
    if first:
        if True:
            verb = first.group("verb").lower()
            out.append((("Randomized" if verb.startswith("randomi") else verb.capitalize()), int(first.group("n")),
                        first.start(), first.end()))
    return out


_SERIES_NOUN = re.compile(rf"\b({_SERIES_WORDS})\b", re.I)
# What the series' count says its patients had: "57 patients with sinonasal mucosal melanoma treated
# between ...", "1017 cases of metastatic MCC were ..." (to the first verb, clause or number)
# (where the description stops: a verb, a clause, a time or a measure)
_DESCRIPTION_STOP = (r"who|that|which|(?<!ly )treated|(?<!ly )diagnosed|underwent|received|had|has|have|showed|developed|"
                     r"presented|died|were|was|are|is|between|from|at|in|during|undergoing|receiving|and|or|seen|managed|"
                     r"identified|included|enrolled|registered|retrospectively|prospectively")
_DESCRIPTION = re.compile(rf"\s+(?P<prep>with|of)\s+(?P<d>(?:(?!\b(?:{_DESCRIPTION_STOP}|median|mean|aged?)\b)"
                          rf"[^,;:.()\[\]\d%=]){{2,60}}?)(?=\s*(?:[,;:.()\[\]]|\b(?:{_DESCRIPTION_STOP})\b|$))", re.I)


def _described(text: str, m: re.Match) -> str:
    """' with X' or ' (cases of X)': what the patients counted had, as the count's sentence says
    right after its noun, so the whole series' label carries the paper's words for it."""
    nouns = list(_SERIES_NOUN.finditer(text, m.start("n"), m.end() + 1))
    if not nouns:
        return ""
    noun = nouns[0]
    d = _DESCRIPTION.match(text, noun.end())
    if not d or len(d.group("d").split()) > 8:
        return ""
    phrase = f"{d.group('prep').lower()} {d.group('d').strip()}"
    return f" {phrase}" if noun.group(1).lower() == "patients" else f" ({noun.group(1).lower()} {phrase})"


# "This study included 198 patients", "The study consists of 176 patients" (of patients: "the
# cohort comprised 58 men and 42 women" counts two groups). Asked only where its verb phrase is.
_STUDY_OF = re.compile(
    rf"\b(?:this|the|our|present)\s+(?:study\s+population|study|analysis|series|cohort)\s+(?:included|includes|comprised|comprises|consisted\s+of|"
    rf"consists\s+of|enrolled|involved)\s+(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{WORD_NUM_RE.pattern[2:-2]})\s+(?:[\w-]+\s+){{0,4}}?"
    rf"(?:patients|subjects|participants|cases)\b", re.I)
_STUDY_OF_WORDS = ("study includ", "study compris", "study consist", "study enrolled", "study involved", "analysis includ",
                   "series includ", "series compris", "cohort includ", "cohort compris", "cohort consist",
                   "population consist", "population compris", "population includ")


def _total_match(text: str, folded: str | None = None) -> re.Match | None:
    folded = fold(text) if folded is None else folded
    for pat in (_PATIENTS_OF, _PATIENTS, _PATIENTS_BARE, _STUDY_OF):
        # Each pattern is tried only where a match can start: at its leading phrases, at
        # "of", at a number; and only when what every match has is in the text.
        if pat is _STUDY_OF:
            m = pat.search(text) if has_any(folded, _STUDY_OF_WORDS) else None
        elif pat is _PATIENTS:
            leads = present_literals(folded, _PATIENTS_GATED)
            m = search_at_literals(pat, text, folded, leads) if leads else None
        elif pat is _PATIENTS_OF:
            m = search_at_literals(pat, text, folded, ("of ",)) if _PATIENTS_OF_TAIL.search(text) else None
        else:
            m = next(finditer_at(pat, text, number_starts(text, folded)), None) \
                if search_at_literals(_BARE_TAIL, folded, folded, ("patients", "subjects", "participants")) else None
        if m:
            raw = m.group("n").replace(",", "")
            n = int(raw) if raw.isdigit() else word_to_int(raw)
            if n:
                return m
    for pat, needs, leads in _LATER_PATTERNS:
        if leads is None:
            # (a capital "Of" opens the sentence: looked for as written, it is rare)
            m = None
            i = text.find("Of ")
            while m is None and i >= 0:
                m = pat.match(text, i)
                i = text.find("Of ", i + 1)
        else:
            present = tuple(x for x in leads if x in folded)
            m = search_at_literals(pat, text, folded, present) if present and any(x in folded for x in needs) else None
        if m:
            raw = m.group("n").replace(",", "")
            if (int(raw) if raw.isdigit() else word_to_int(raw)):
                return m
    return None


def find_follow_up(text: str, folded: str | None = None) -> float | None:
    """`folded`: fastre.fold(text), when the caller has it."""
    m = search_at_literals(_FOLLOW_UP, text, fold(text) if folded is None else folded, ("median ",))
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
