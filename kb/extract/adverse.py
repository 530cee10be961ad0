"""Adverse events stated in prose: 'Grade 3-4 neutropenia occurred in 24% of patients',
'the most common grade 3 or 4 adverse events were neutropenia (18%), anemia (9%) ...'.

Tables of adverse events are read by kb/extract/tables.py; this module reads sentences.

The forms read (each a way papers report toxicity, not one paper's wording):
- an event and its count: '<grade> <event> occurred in 12 patients (21.4%)', with the grade
  before the event, in brackets after it ('Hepatotoxicity (grade 3) occurred in ...'), beside
  the count ('in 4 patients (grade 3, 6.9%)') or after it ('..., all grade 1-2'); the count as
  'N patients (x%)', 'N (x%) patients', 'N of M patients (x%)', 'x% of patients' or a number in
  words; and the events that continue it ('... and grade 3 dermatitis in 5 (8.6%)');
- patients first: '3 (5.2%) patients experienced grade 3 fatigue';
- lists after a head: 'the most common grade 3 adverse events were X (18%), Y (9%)',
  'late grade 3 toxicity included X in 3 patients (4.1%) and Y in 2 (2.7%)', 'complications
  occurred in 15 patients: X in 6, Y in 3', and lists without numbers ('the most common adverse
  events were nausea, fatigue and anorexia'; 'X, Y and Z were the most common AEs'; 'toxicity
  was mainly haematological, consisting of X and Y'), which are recorded with n and percent None.
An event with a count but no grade is an adverse event only when it names a kind of adverse
event ('postoperative complications occurred in 15 patients'); otherwise it is an outcome
('local recurrence developed in 14 patients') and left to the figure rules.
The phase is the 'acute'/'late' (or 'early'/'chronic') that qualifies the toxicity before it.
"""
from __future__ import annotations

import re

from kb.extract.fastre import fold, has_any, has_digit as ascii_has_digit
from kb.extract.lexicon import ascii_lower
from kb.extract.numbers import NUM, WORD_NUM_RE, percent_value, word_to_int
from kb.extract.sections import CleanText
from kb.extract.vocab import load_vocab
from kb.models import AdverseEvent


def _grade_pat(p: str) -> str:
    """A grade phrase whose groups are prefixed with `p` (the patterns below hold several)."""
    return (rf"(?:(?:≥|>=|⩾)\s*G(?P<{p}gG>\d)\b|(?:CTCAE\s+|RTOG\s+|NCI\s+)?grades?\s*(?:(?P<{p}lo>\d)\s*(?:-|–|to|or|and|/)\s*(?P<{p}hi>\d)|"
            rf"(?:≥|>=|>|⩾)\s*(?P<{p}ge>\d)|(?P<{p}gh>\d)\s*(?:or|and)\s*(?:higher|greater|above|more)|(?P<{p}plus>\d)\s*\+|"
            rf"(?P<{p}one>\d)))")


_GRADE = _grade_pat("")
_GRADE_RE = re.compile(_GRADE, re.I)
_PCT = rf"(?P<pct>{NUM})\s?%"
_WORD_N = WORD_NUM_RE.pattern[2:-2]
_N = rf"(?:\d{{1,4}}|{_WORD_N})"
_WHO = r"(?:patients?|cases?|subjects?|participants?)"


def _count_pat(p: str) -> str:
    """'12 patients (21.4%)', '11 (19.0%) patients', '14 of 52 patients (26.9%)', '4 patients
    (grade 3, 6.9%)', '38% of patients', 'two patients', '6'."""
    return (rf"(?:(?P<{p}pct2>{NUM})\s?%(?:\s+of\s+(?:the\s+|all\s+)?(?:{_WHO}|them))?|"
            rf"(?P<{p}n>{_N})(?![.,]?\d|\s*(?:mg|µg|g|gy|ml|mm|cm|kg|years?|months?|weeks?|days?|hours?|cycles?)\b)(?:\s+of\s+(?:the\s+)?\d+)?\s*(?:{_WHO}\b\s*)?"
            rf"(?:\(\s*(?:{_grade_pat(p + 'c')}\s*,\s*)?(?P<{p}pct>{NUM})\s?%\s*\)(?:\s*{_WHO})?)?)")


# Words that make a counted event an adverse event without a grade.
_KIND_WORDS = r"(?:complications?|toxicit(?:y|ies)|adverse (?:events?|effects?|reactions?)|side effects?|AEs?)"
_EVENT_WORDS = r"[A-Za-z][A-Za-z/-]*(?:\s+[a-z][A-Za-z/-]*){0,5}?"
_VERB_WORDS = ("occurred", "observed", "reported", "developed", "seen", "noted", "documented", "recorded", "encountered")
_VERB = rf"(?:was\s+|were\s+)?(?:{'|'.join(_VERB_WORDS)})"
# (Every match of _CLAUSE holds one of _VERB_WORDS: the pattern, whose event may start at any
# word, is tried only in a sentence that has one; it cost 0.17 ms an abstract otherwise.)
# '<grade> <event> (grade G) of any grade occurred in <count>, all grade G'
_CLAUSE = re.compile(
    rf"(?:(?:severe|moderate|mild)\s+\(\s*{_grade_pat('a')}\s*\)\s+|{_grade_pat('b')}\s+)?"
    rf"(?P<event>{_EVENT_WORDS})(?:\s*\((?-i:[A-Z]{{1,5}}s?)\))?(?:\s*\(\s*{_grade_pat('d')}\s*\)|\s+(?:of\s+)?{_grade_pat('j')}(?:\s*\([^()]{{0,40}}\))?)?(?P<anyg>\s+of\s+any\s+grade)?"
    rf"\s+{_VERB}\s+(?:in|by|among)\s+{_count_pat('k')}"
    rf"(?:\s*,?\s*\(?(?:all|each)\s+(?:of\s+)?{_grade_pat('e')}\)?)?", re.I)
# '... and grade 3 dermatitis in 5 (8.6%)', ', flap necrosis in 3', 'and was grade 3 in 4%'
_CONT = re.compile(
    rf"\s*(?:,\s*(?:and\s+)?|;\s*(?:and\s+)?|\band\s+)(?:(?:was|were)\s+)?(?:{_grade_pat('f')}\s+)?"
    rf"(?P<event>[a-z][a-z/-]*(?:\s+[a-z][a-z/-]*){{0,4}}?\s+)?(?:in|by)\s+{_count_pat('k')}", re.I)
# '3 (5.2%) patients experienced grade 3 fatigue', 'one patient died of pneumonitis (grade 5)'
_SUBJECT = re.compile(
    rf"\b(?P<n>{_N})\s+(?:\(\s*(?P<pct>{NUM})\s?%\s*\)\s+)?(?:{_WHO}\s+)?(?:\(\s*(?P<pct2>{NUM})\s?%\s*\)\s+)?"
    rf"(?P<verb>experienced|developed|had|suffered(?:\s+from)?|died\s+(?:of|from))\s+"
    rf"(?:(?:a|an)\s+)?(?:(?P<sph>acute|late|early|chronic)\s+)?(?:{_grade_pat('b')}\s+)?(?P<event>[a-z][a-z/-]*(?:\s+[a-z][a-z/-]*){{0,4}}?)"
    rf"(?:\s*\(\s*{_grade_pat('d')}\s*\))?(?=\s*[,;.)]|\s+(?:and|during|after|at|in|while)\b|\s*$)", re.I)
# "The most common grade 3 or 4 adverse events were neutropenia (18%), anemia (9%) and fatigue (5%)";
# without a grade ("any") only when the head says which events it lists: "the most frequent
# treatment-related adverse events were ...", not "adverse events were similar (45% vs 40%)".
_KIND = r"(?:(?:treatment|drug|immune)-related\s+|treatment-emergent\s+)"
_LIST_HEAD = re.compile(
    rf"(?:(?:\bmost\s+(?:common(?:ly\s+reported)?|frequent(?:ly\s+(?:reported|observed))?)|\bmain|\bprincipal|\bpredominant|"
    rf"(?<!\bmost\s)\b(?:common|frequent))\s+"
    rf"(?:[a-z-]+\s+){{0,2}}?(?:{_grade_pat('m')}\s+)?(?:(?:acute|late|early|chronic)\s+)?{_KIND}?|"
    rf"{_GRADE}\s+(?:(?:acute|late|early|chronic)\s+)?{_KIND}?|{_KIND}|\b(?:acute|late|early|chronic)\s+)"
    rf"(?:adverse events?|AEs?|toxicit(?:y|ies)|side effects?)(?:\s+of\s+(?:any\s+grade|{_grade_pat('h')}))?"
    # (what the events were seen in or after: 'during maintenance chemotherapy')
    rf"(?:\s+(?:during|after|in|with)\s+[^,;:.()%]{{1,40}}?)?"
    rf"(?:\s+(?:were|included|was|consisted\s+of|being)|\s*:|\s*,\s+(?:with|including|mainly|mostly|especially)|\s+including)\s+(?:(?:mild|moderate|mostly\s+mild|generally\s+mild)\s*[:,]\s*)?", re.I)
_LIST_ITEM = re.compile(rf"(?:,\s*|\s+and\s+|^)(?:{_grade_pat('i')}\s+)?(?P<event>[a-z][a-z -]{{1,40}}?)\s*"
                        rf"\(\s*(?:(?P<n>\d+)\s*[,;]\s*)?{_PCT}(?:\s*,\s*(?P<arm>[A-Za-z][^()%,;]{{0,24}}?))?\s*\)", re.I)
_COUNT_ITEM = re.compile(rf"(?:,\s*(?:and\s+)?|\s*\band\s+|^)(?P<event>[a-z][a-z/-]*(?:\s+[a-z][a-z/-]*){{0,4}}?)\s+"
                         rf"(?:in|by)\s+{_count_pat('k')}", re.I)
# Lists without numbers: after 'the most common adverse events were' or 'consisting of' (the
# list runs to the end of the sentence), or before 'were the most common adverse events'.
_BARE_HEAD = re.compile(
    rf"\bmost\s+(?:common(?:ly\s+reported)?|frequent(?:ly\s+reported)?)\s+{_KIND}?(?:adverse events?|AEs?|"
    rf"toxicit(?:y|ies)|side effects?)(?:\s+of\s+any\s+grade)?\s+(?:were|included)\s+|"
    rf"\b(?:toxicit(?:y|ies)|adverse events?|side effects?)\b[^.;]{{0,60}}?\bconsist(?:ing|ed)\s+(?:mainly\s+|mostly\s+)?of\s+", re.I)
_BARE_TAIL = re.compile(
    rf"\s*,?\s+(?:(?:were|being)\s+)?the\s+most\s+(?:common(?:ly\s+reported)?|frequent(?:ly\s+reported)?)\s+{_KIND}?"
    rf"(?:adverse events?|AEs?|toxicit(?:y|ies)|side effects?)\b", re.I)
_NOT_EVENTS = re.compile(r"^(?:patients?|all|any|grade|the|total|none|no|mild|moderate|severe|similar|rare|"
                         r"transient|manageable|reversible|acceptable|generally|mostly|mainly|uncommon|infrequent|"
                         r"low|comparable|tolerable|well)\b", re.I)
_PHASE_WORD = re.compile(r"\b(acute|early|late|chronic)\b", re.I)
_PHASES = {"acute": "acute", "early": "acute", "late": "late", "chronic": "late"}
# A phase word qualifies toxicity when the toxicity, a grade or the kind of events follows it.
_PHASE_QUALIFIES = re.compile(
    r"\s+(?:(?:[a-z-]+\s+|(?:(?:≥|>=|⩾)\s*)?g[1-5](?:\s*[-–/]\s*g?[1-5])?\s+){0,2}(?:toxicit|adverse|side\s+effect|morbidit|complication|reaction|effects)|grade)", re.I)


def _grade(m: re.Match, p: str = "") -> str | None:
    """The grade a grade phrase with group prefix `p` names, or None when it did not match."""
    g = m.groupdict()
    if g.get(p + "lo"):
        return f"{g[p + 'lo']}-{g[p + 'hi']}"
    if g.get(p + "ge"):
        return f"≥{g[p + 'ge']}"
    if g.get(p + "gh"):
        return f"≥{g[p + 'gh']}"
    if g.get(p + "gG") or g.get(p + "plus"):   # "≥ G3", "grade 2+"
        return f"≥{g.get(p + 'gG') or g[p + 'plus']}"
    if g.get(p + "one"):
        return g[p + "one"]
    return None


def _list_grade(m: re.Match) -> str:
    return _grade(m) or _grade(m, "m") or _grade(m, "h") or "any"   # no grade named: events of any grade


def _event(name: str) -> str:
    name = re.sub(r"\s+", " ", name.strip(" ,;:"))
    name = re.sub(r"^(?:and|or|the|a|an)\s+", "", name, flags=re.I)
    return name[:1].upper() + name[1:]


def _count(m: re.Match, p: str = "k") -> tuple[int | None, float | None]:
    n = m.group(p + "n")
    pct = m.group(p + "pct") or m.group(p + "pct2")
    return (word_to_int(n) if n else None), (percent_value(pct + "%") if pct else None)


def _phase_at(sent: str, at: int) -> str | None:
    """The phase the nearest qualifying 'acute'/'late' before `at` names."""
    phase = None
    # (within the clause's reach: a phase word further back qualifies something else, and
    # looking back over the whole of a long sentence at every match would cost its square)
    for m in _PHASE_WORD.finditer(sent, max(0, at - 300), at + 6):
        if m.start() > at:
            break
        if m.start() == at or _PHASE_QUALIFIES.match(sent, m.end()):
            phase = _PHASES[m.group(1).lower()]
    return phase


# Names of a whole kind of events, not of one event: 'late toxicity' is what papers call it.
_GENERIC = re.compile(r"(?:toxicit(?:y|ies)|morbidit(?:y|ies)|side[- ]effects?|adverse\s+(?:events?|effects?|reactions?)|"
                      r"AEs?|complications?|sequelae)", re.I)


def _split_phase(event: str, phase: str | None) -> tuple[str, str | None]:
    """'late skin fibrosis' is skin fibrosis in the late phase; but 'late toxicity' keeps its
    name (the kind of events, as papers and annotators name it), and a bare 'toxicity' of a
    stated phase is named with it."""
    if re.match(r"(?:acute|early)\s+and\s+(?:late|chronic)\s", event, re.I):
        return event, None   # ('acute and late toxicities': both phases)
    m = re.match(r"(acute|early|late|chronic)\s+(?=\S)", event, re.I)
    if m and not re.match(r"(?:myeloid|lymphoblastic|leuka?emia|kidney|renal)", event[m.end():], re.I):
        if _GENERIC.fullmatch(event[m.end():]):
            return event, _PHASES[m.group(1).lower()]
        return event[m.end():], _PHASES[m.group(1).lower()]
    if phase and _GENERIC.fullmatch(event):
        return f"{phase} {event if event[:2].isupper() else event[:1].lower() + event[1:]}", phase
    return event, phase


# A grade of the tumour, not of a toxicity: 'grade 3 tumours were found in 20 patients'.
_TUMOUR_GRADE = re.compile(r"\b(?:tumou?rs?|histolog\w*|differentiat\w*|lesions?|disease|carcinomas?|sarcomas?|"
                           r"melanomas?|cancers?|lymphomas?|gliomas?|neoplasms?|dysplasia|malignanc\w*|stage)\b", re.I)


# How far a list runs after its head: a list of events is a few hundred characters at most, and
# a sentence with many heads must not have each read to its end.
_LIST_REACH = 800


# A verb in a name is a clause read as one ('AEs were fatal', 'led to discontinuation').
_CLAUSE_VERB = re.compile(r"\b(?:was|were|is|are|led|leading|resulted|required|had|has|have|included|including|"
                          r"consisted|occurred|observed|reported|developed|experienced)\b", re.I)


def _valid_event(name: str) -> bool:
    name = name.strip()
    # (a number is no part of a name, but a drug's may hold one: 'IL-2-related toxicity')
    return (bool(name) and not _NOT_EVENTS.match(name) and not re.search(r"(?<![A-Za-z]-)(?<![A-Za-z])\d", name)
            and not _CLAUSE_VERB.search(name)
            and not _TUMOUR_GRADE.search(name) and not re.search(r"\b(?:patients?|participants?|cases?)\b", name, re.I)
            and not WORD_NUM_RE.match(name))


# Words (folded) one of which every sentence the rules read holds: a grade or a kind of events.
# ('AE' after a space or a bracket: a bare "ae" is in anaemia, haematology and most British spellings)
_AE_WORDS = ("grade", "toxicit", "adverse", "side effect", "complication", " ae", "(ae", "most common", "most frequent",
             "morbidit")


_PAREN_GRADE_IN = re.compile(
    rf"\b(?P<event>[a-z][a-z-]+(?:\s+[a-z][a-z-]+){{0,2}})\s*\(\s*{_grade_pat('q')}\s+in\s+(?P<pct>{NUM})\s?%"
    rf"(?:\s+of\s+(?:the\s+)?(?:patients|cases))?\s*\)", re.I)


# Toxicity the study saw in no patient: "Grade III or higher late toxicity was not observed",
# "No patient experienced any severe acute morbidity": an event with n = 0.
_ROMAN_GRADE = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5"}
_NONE_GRADE = r"(?:(?P<sev>severe|serious)|grade\s+(?P<g>[1-5]|I{1,3}|IV|V)(?:\s+or\s+(?:higher|greater|above|more)|\+)?)"
_NONE_OBSERVED = re.compile(
    rf"(?:^(?:no\s+)?|\b(?:no|none\s+of\s+the)\s+(?:patients?|cases?)\s+(?:experienced|developed|had|showed)\s+(?:any\s+)?)"
    rf"(?:{_NONE_GRADE}\s+)?(?P<phase>acute|late|early|chronic)?\s*(?P<event>toxicit(?:y|ies)|morbidit(?:y|ies)|side[- ]effects?|"
    rf"adverse\s+events?|complications?)(?:\s+(?:was|were)\s+(?:not\s+(?:observed|seen|reported|recorded|noted)|"
    rf"observed\s+in\s+no\s+patients?))?", re.I)


def _none_observed(sent: str, add) -> None:
    s = sent.strip()
    m = _NONE_OBSERVED.search(s)
    if not m:
        return
    negated = m.group(0).lower().startswith(("no ", "none")) or " not " in m.group(0).lower() or "in no " in m.group(0).lower()
    if not negated or not (m.group("sev") or m.group("g") or m.group("phase")):
        return   # ('No grade 5 toxicity' needs its grade or phase: a bare 'no toxicity' says too little)
    g = m.group("g")
    grade = "severe" if m.group("sev") else (_ROMAN_GRADE.get(g.upper(), g) if g else "any")
    if g and re.search(r"or\s+(?:higher|greater|above|more)|\+", m.group(0), re.I):
        grade = "≥" + grade
    at = sent.find(s)
    event = ((m.group("phase") + " ") if m.group("phase") else "") + m.group("event")
    add(at + m.start(), at + m.end(), event, grade, 0, None, None)
# (Every match of _LIST_HEAD holds one of them.)
_LIST_HEAD_WORDS = _AE_WORDS


# --- known adverse-event terms (data/vocab/adverse_events.csv) -----------------------------
# A counted event that names no grade and no kind of events ('Delayed encephalopathy was
# reported in 10 patients', '4 patients developed osteoradionecrosis') is an adverse event when
# it is a known toxicity; the vocabulary leaves out what is as often a symptom at presentation
# or a comorbidity (epistaxis, hypertension, fever), and these contexts rule a term out.
_NOT_TOXICITY = re.compile(r"\b(?:at\s+(?:diagnosis|presentation|baseline)|presenting|presented\s+with|symptoms?|"
                           r"comorbid\w*|history\s+of|before\s+(?:treatment|therapy))\b", re.I)
# Words a sentence reads one of when it counts patients with an event (or toxic deaths).
_TERM_GATE = (*_VERB_WORDS, "experienced", "suffered", "death", "died")
_TERM_LEAD_STOP = re.compile(r"(?:the|a|an|of|in|and|or|with|overall|addition|moreover|however|also|only|"
                             r"patients?|after|during|all|any|worst|maximum|maximal|highest|main|major)$", re.I)


def _known_term(text: str, sentence: str | None = None) -> tuple[int, int, str] | None:
    """The first known adverse-event term in `text` (start, end, category), or None: terms in a
    context of presentation or comorbidity (anywhere in `sentence`), a hepatitis B or an HPV
    infection, are not toxicities."""
    low_pat, cap_pat, category = load_vocab().adverse_event_patterns
    if low_pat is None:
        return None
    low = ascii_lower(text)
    hits = [m for m in low_pat.finditer(low)] + ([m for m in cap_pat.finditer(text)] if cap_pat else [])
    if not hits or _NOT_TOXICITY.search(sentence or text):
        return None
    for m in sorted(hits, key=lambda m: m.start()):
        if re.match(r"\s+[A-E]\b", text[m.end():]) or re.search(r"\b(?:[A-Z]{2,}|[Hh]epatitis\s+[A-E])[\s-]+$", text[:m.start()]):
            continue
        key = low[m.start():m.end()]
        return m.start(), m.end(), category.get(key, category.get(key[:-1], "other"))
    return None


def _term_event(event: str, sentence: str | None = None) -> tuple[str, str] | None:
    """The known toxicity an event phrase names, with the words that qualify it before it
    ('delayed encephalopathy'), and the grade its naming gives (a toxic death is grade 5, any
    other toxicity counted without a grade is of any grade); None when it names none."""
    found = _known_term(event, sentence)
    if found is None:
        return None
    start, _, cat = found
    words = event[:start].split()
    keep = []
    for w in reversed(words[-2:]):
        if _TERM_LEAD_STOP.match(w) or _NOT_EVENTS.match(w) or not re.fullmatch(r"[A-Za-z][a-z-]*", w):
            break
        keep.insert(0, w)
    return " ".join([*keep, event[start:].strip()]), "5" if cat == "fatal" else "any"


_INCIDENCE = re.compile(rf"\b(?:incidence|rate|frequency)\s+of\s+{_grade_pat('a')}\s+(?:(?P<iph>acute|late|early|chronic)\s+)?"
                        rf"(?P<event>[a-z][a-z/-]*(?:\s+[a-z][a-z/-]*){{0,3}}?)\s+(?:was|were)\s+(?:only\s+)?{_PCT}", re.I)
# Fatal events: 'AEs were fatal in 4 patients', 'there were two toxic deaths'.
_FATAL = re.compile(rf"\b(?P<kind>AEs?|adverse\s+events?|toxicit(?:y|ies)|complications?)\s+(?:was|were|proved)\s+fatal\s+"
                    rf"in\s+{_count_pat('k')}", re.I)
_DEATHS = re.compile(rf"\b(?P<n>{_N})\s+(?:\(\s*(?P<pct>{NUM})\s?%\s*\)\s+)?(?P<event>(?:toxic|(?:treatment|therapy|drug|"
                     rf"chemotherapy|radiation|radiotherapy)[- ]related)\s+deaths?)\b", re.I)
# One event's grades with their shares: 'IL-2-related toxicity grade 1 (24%), 2 (67%), or 3 (9%)'.
_GRADE_SERIES = re.compile(
    rf"(?P<event>[A-Za-z][A-Za-z0-9/-]*(?:\s+[A-Za-z][A-Za-z0-9/-]*){{0,3}}?)\s+grades?\s+[1-5]\s*\(\s*{NUM}\s?%\s*\)"
    rf"(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:grade\s+)?[1-5]\s*\(\s*{NUM}\s?%\s*\))+", re.I)
# 'grade 3-4 neutropenia in 34 patients (87%)' (an event of a grade, counted, wherever it stands)
_GRADED_COUNT = re.compile(rf"{_grade_pat('a')}\s+(?P<event>[a-z][a-z/-]*(?:\s+[a-z][a-z/-]*){{0,3}}?)\s+in\s+{_count_pat('k')}", re.I)
# 'Maximum toxicity for acute dermatitis was grade 2 in 8 patients (40%) and grade 3 in 3 (15%)'
_COUNTED_GRADES = re.compile(
    rf"(?P<event>[A-Za-z][A-Za-z/-]*(?:\s+[A-Za-z][A-Za-z/-]*){{0,4}}?)\s+(?:was|were)\s+(?:{_grade_pat('a')})\s+in\s+{_count_pat('k')}"
    rf"(?P<more>(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)grades?\s+\d\s+in\s+[^,;.]*?(?=\s*,|\s+and\s|\s*[;.]|\s*$))*)", re.I)
_MORE_GRADE = re.compile(rf"{_grade_pat('a')}\s+in\s+{_count_pat('k')}", re.I)
_SERIES_ITEM = re.compile(rf"(?<![\d.])([1-5])\s*\(\s*({NUM})\s?%\s*\)")
_SERIES_LEAD = re.compile(r"\b(?:from|of|with|had|experienced|suffered|developed|by|were|was|the|and|in)\s+", re.I)


def _kind_or_term(event: str, sentence: str) -> str | None:
    """The name of a counted event that is a kind of adverse events ('IL-2-related toxicity') or
    a known toxicity ('mucositis' of 'the worst mucositis'); None for anything else."""
    if _GENERIC.search(event):
        return event
    known = _term_event(event, sentence)
    return known[0] if known else None


def _fatal_events(sent: str, fs: str, add, free) -> None:
    if "fatal" in fs:
        for m in _FATAL.finditer(sent):
            n, pct = _count(m)
            if free(m.start(), m.end()) and (n is not None or pct is not None):
                kind = "adverse events" if m.group("kind").lower().startswith(("ae", "adverse")) else m.group("kind")
                add(m.start(), m.end(), f"fatal {kind}", "5", n, pct, None)
    if "death" in fs:
        for m in _DEATHS.finditer(sent):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), re.sub(r"s$", "", m.group("event")), "5", word_to_int(m.group("n")),
                    percent_value(m.group("pct") + "%") if m.group("pct") else None, None)


def _counted_grades(sent: str, add, free) -> None:
    for m in _COUNTED_GRADES.finditer(sent):
        event = re.split(r"\b(?:for|of|from|with|the|and|in)\s+", m.group("event"), flags=re.I)[-1]
        name = _kind_or_term(event, sent)
        if name is None or not free(m.start("event"), m.end()):
            continue
        at = m.start("event") + m.group("event").rfind(event)
        event = name
        n, pct = _count(m)
        add(at, m.end("kpct") if m.group("kpct") else m.end(), event, _grade(m, "a"), n, pct, _phase_at(sent, at))
        for it in _MORE_GRADE.finditer(sent, m.start("more"), m.end("more")):
            n, pct = _count(it)
            add(it.start(), it.end(), event, _grade(it, "a"), n, pct, _phase_at(sent, at))
    for m in _GRADED_COUNT.finditer(sent):
        event = _kind_or_term(m.group("event"), sent)
        if event is None or not free(m.start(), m.end()):
            continue
        n, pct = _count(m)
        add(m.start(), m.end(), event, _grade(m, "a"), n, pct, _phase_at(sent, m.start()))


def _grade_series(sent: str, add, free) -> None:
    for m in _GRADE_SERIES.finditer(sent):
        event = _SERIES_LEAD.split(m.group("event"))[-1]
        name = _kind_or_term(event, sent)
        if name is None or not free(m.start("event"), m.end()):
            continue
        at = m.start("event") + m.group("event").rfind(event)
        event = name
        for it in _SERIES_ITEM.finditer(sent, m.end("event"), m.end()):
            add(at, m.end(), event, it.group(1), None, percent_value(it.group(2) + "%"), _phase_at(sent, at))


# The events a count of toxicity goes on to list, each with its count, share or grade in brackets:
# "..., including hypothyroidism (n = 12), colitis (n = 5), and pneumonitis (n = 3)", "..., mainly
# thrombocytopenia (14%) and anemia (8%)"; and list items whose bracket names their grade first,
# "anemia (grade 3, 10%)".
_THEN_LIST = re.compile(r"\s*\)?\s*[,;:]?\s*(?:including|mainly|mostly|especially|particularly|predominantly|primarily|"
                        r"consisting\s+(?:mainly\s+|mostly\s+)?of|such\s+as)\s+", re.I)
_PAREN_ITEM = re.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*)(?P<event>[a-z][a-z -]{1,40}?)\s*"
                         r"\((?P<inner>[^()]{1,30})\)", re.I)
_INNER_N = re.compile(r"^\s*(?:n\s*=\s*)?(\d{1,4})\s*(?:patients?\s*)?(?:[,;]|$)", re.I)
_INNER_PCT = re.compile(rf"({NUM})\s?%")


def _paren_items(sent: str, pos: int, grade: str, phase: str | None, add, free) -> None:
    """Each 'event (count, share or grade)' from `pos` on, while the list runs; `grade` is the
    list's, unless an item's bracket names its own."""
    while (m := _PAREN_ITEM.match(sent, pos)) is not None:
        inner, name = m.group("inner"), m.group("event")
        g = _GRADE_RE.search(inner)
        n = _INNER_N.match(_GRADE_RE.sub("", inner).strip(" ,;"))
        pct = _INNER_PCT.search(inner)
        if (not n and not pct) or _NOT_EVENTS.match(name.strip()) or not _valid_event(name):
            return
        if not free(m.start("event"), m.end()):
            pos = m.end()   # (an item the list rule already read: the list goes on)
            continue
        add(m.start("event"), m.end(), name, (_grade(g) if g else None) or grade, int(n.group(1)) if n else None,
            percent_value(pct.group(1) + "%") if pct else None, phase)
        pos = m.end()


def prose_adverse_events(clean: CleanText, sentences: list[tuple[int, int, str, bool]],
                         folded: str | None = None) -> list[AdverseEvent]:
    """`folded`: fastre.fold(clean.text), when the caller has it."""
    out: list[AdverseEvent] = []
    for s, e, section, cited in sentences:
        if cited or section not in ("abstract", "results"):
            continue
        sent = clean.text[s:e]
        fs = fold(sent) if folded is None else folded[s:e]
        ae_words = has_any(fs, _AE_WORDS)
        # A sentence with no word of adverse events may still count a known toxicity: asked only
        # of one with a number (a digit; in words, as the sentence's first word, 'Five patients
        # developed ...', as style guides have it, or before toxic deaths) and a verb of counting.
        term = not ae_words and (ascii_has_digit(sent) or "death" in fs or WORD_NUM_RE.match(sent.lstrip()) is not None) \
            and has_any(fs, _TERM_GATE) and _known_term(sent) is not None
        if not ae_words and not term:
            continue
        # (str.isdigit also takes superscripts and other digits \d does not: kept past ASCII)
        has_digit = (ascii_has_digit(sent) if sent.isascii() else any(ch.isdigit() for ch in sent)) \
            or WORD_NUM_RE.search(sent) is not None
        found: list[tuple[int, int, str, str, int | None, float | None, str | None]] = []
        taken: list[tuple[int, int]] = []

        def add(a: int, b: int, event: str, grade: str, n: int | None, pct: float | None, phase: str | None,
                qa: int | None = None) -> None:
            event, phase = _split_phase(_event(event), phase)
            event = event[:1].upper() + event[1:]
            if n is None and pct == 0:
                n = 0   # (0% of the patients: none of them)
            if not _valid_event(_ARM_SUFFIX.sub("", event)):
                return
            while b > a and sent[b - 1].isspace():
                b -= 1
            found.append((qa if qa is not None else a, b, event, grade, n, pct, phase))
            taken.append((a, b))

        def free(a: int, b: int) -> bool:
            return not any(a < tb and ta < b for ta, tb in taken)

        if has_digit and "grade" in fs and (" vs" in fs or "versus" in fs or " and " in fs):
            _arm_pairs(sent, add, free)   # (first: a clause of two arms is not read as one event)
        for m in _CLAUSE.finditer(sent) if has_digit and has_any(fs, _VERB_WORDS) and (
                term or "grade" in fs or re.search(_KIND_WORDS, sent, re.I) or _known_term(sent)) else ():
            event = m.group("event")
            # The clause starts at its event: what precedes it in the sentence ('In the
            # adjuvant group') is no part of the event name.
            lead = re.match(r"(?:(?:in|during|after|among|with|of|the|a|an|overall|and)\s+)+", event, re.I)
            grade = (_grade(m, "a") or _grade(m, "b") or _grade(m, "d") or _grade(m, "j") or _grade(m, "kc") or _grade(m, "e")
                     or ("any" if m.group("anyg") or re.search(rf"\b{_KIND_WORDS}\b", event, re.I) else None))
            if lead and lead.end() == len(event) or not free(m.start(), m.end()):
                continue
            if lead:
                event = event[lead.end():]
            if grade is None:
                known = _term_event(event, sent)
                if known is None:
                    continue
                event, grade = known
            n, pct = _count(m)
            if n is None and pct is None:
                continue
            add(m.start(), m.end(), event, grade, n, pct, _phase_at(sent, m.start()))
            end, last_event, last_grade = m.end(), _event(event), grade
            then = _THEN_LIST.match(sent, end)
            if then and _GENERIC.search(event):
                # "Grade >=3 toxicity occurred in 22% of patients, mainly thrombocytopenia (14%) ...":
                # the kinds of toxicity counted, each of the clause's grade
                _paren_items(sent, then.end(), grade, _phase_at(sent, m.start()), add, free)
                continue
            if grade == "any" and end < len(sent) and sent[end] == ":":
                # 'complications occurred in 15 patients: wound infection in 6, flap necrosis in 3'
                tail_at = end + 1 + len(sent[end + 1:]) - len(sent[end + 1:].lstrip())
                for it in _COUNT_ITEM.finditer(sent[tail_at:]):
                    if not _valid_event(it.group("event")):
                        break
                    n, pct = _count(it)
                    add(tail_at + it.start("event"), tail_at + it.end(), it.group("event"), "any", n, pct,
                        _phase_at(sent, m.start()))
                continue
            while True:
                c = _CONT.match(sent, end)
                if not c:
                    break
                g = _grade(c, "f") or last_grade
                ev = c.group("event").strip() if c.group("event") else last_event
                if c.group("event") is None and not _grade(c, "f"):
                    break
                n, pct = _count(c)
                add(c.start() + len(c.group(0)) - len(c.group(0).lstrip(" ,;")), c.end(), ev, g, n, pct,
                    _phase_at(sent, m.start()))
                end, last_event, last_grade = c.end(), _event(ev), g
        for m in _SUBJECT.finditer(sent) if has_digit else ():
            grade = _grade(m, "b") or _grade(m, "d")
            event = m.group("event")
            if grade is None and not m.group("verb").lower().startswith("had"):
                # ('12 patients had hypertension' is as often a comorbidity)
                known = _term_event(event, sent)
                if known is not None:
                    event, grade = known
                    if m.group("verb").lower().startswith("died"):
                        grade = "5"   # "one patient died of pneumonitis": a fatal toxicity
            if grade is None or not free(m.start(), m.end()):
                continue
            pct = m.group("pct") or m.group("pct2")
            phase = _PHASES[m.group("sph").lower()] if m.group("sph") else _phase_at(sent, m.start())
            add(m.start(), m.end(), event, grade, word_to_int(m.group("n")),
                percent_value(pct + "%") if pct else None, phase)
        for h in _LIST_HEAD.finditer(sent) if ae_words else ():   # (every head holds one of _AE_WORDS)
            grade = _list_grade(h)
            phase = _phase_at(sent, h.end())
            tail_at = h.end()
            tail = sent[tail_at:tail_at + _LIST_REACH]
            for m in _LIST_ITEM.finditer(tail):
                grade = _grade(m, "i") or grade
                name = m.group("event")
                if _NOT_EVENTS.match(name.strip()) or not free(tail_at + m.start("event"), tail_at + m.end()):
                    continue
                if m.group("arm"):
                    name = f"{name.strip()} ({m.group('arm').strip()})"
                add(tail_at + m.start("event"), tail_at + m.end(), name, grade,
                    int(m.group("n")) if m.group("n") else None, percent_value(m.group("pct") + "%"), phase)
            # ("anemia (grade 3, 10%), neutropenia (grade 3, 18%)": each bracket names the item's grade)
            _paren_items(sent, tail_at, grade, phase, add, free)
            for m in _COUNT_ITEM.finditer(tail):
                if not _valid_event(m.group("event")) or not free(tail_at + m.start("event"), tail_at + m.end()):
                    break
                n, pct = _count(m)
                add(tail_at + m.start("event"), tail_at + m.end(), m.group("event"), grade, n, pct, phase)
        if has_digit and "grade" in fs and ("incidence" in fs or "rate" in fs):
            # "The incidence of grade >=2 radiation pneumonitis was 12.5%"
            for m in _INCIDENCE.finditer(sent):
                if free(m.start(), m.end()) and _valid_event(m.group("event")):
                    add(m.start("event") if not m.group("iph") else m.start("iph"), m.end(), m.group("event"),
                        _grade(m, "a"), None, percent_value(m.group("pct") + "%"),
                        _PHASES[m.group("iph").lower()] if m.group("iph") else _phase_at(sent, m.start()),
                        qa=m.start())
        if has_digit:   # (after the lists, whose items these would read as one event)
            _fatal_events(sent, fs, add, free)
            if "grade" in fs:
                _counted_grades(sent, add, free)
                if "(" in sent:
                    _grade_series(sent, add, free)
        if not found and "grade" in fs and " in " in fs:
            # "radiodermatitis (grade 3-4 in 58.2% of patients)": the event, then its grade and share
            for m in _PAREN_GRADE_IN.finditer(sent):
                if free(m.start(), m.end()):
                    event = re.split(r"\b(?:was|were|is|are|of|the|a|an|with|and)\s+", m.group("event"))[-1]
                    add(m.start(), m.end(), event, _grade(m, "q"), None,
                        percent_value(m.group("pct") + "%"), _phase_at(sent, m.start()))
        if not found and ae_words and ("no " in fs or " not " in fs or "without " in fs):
            _none_observed(sent, add)
        if not found and ae_words:
            _bare_lists(sent, fs, add)
        for a, b, event, grade, n, pct, phase in found:
            quote, qs, qe = clean.quote(s + a, s + b)
            out.append(AdverseEvent(event=event, grade=grade, phase=phase, n=n, percent=pct,
                                    quote=quote, start=qs, end=qe))
    return out


# One event's share in each of two arms: "6.8% with capecitabine and 4.8% with S-1", "45% of
# patients in the FEC-D group and 38% in the control group", "(9.1% with A vs 7.1% with B)".
_ARM = r"(?:with|in|for|on)\s+(?:the\s+)?(?P<g{k}>[^,;()%]{{1,40}}?)"
_ARM_PAIR = re.compile(
    rf"(?P<p1>{NUM})\s?%\s*(?:of\s+(?:the\s+)?(?:patients|cases)\s+)?{_ARM.format(k=1)}\s*,?\s*(?:and|vs\.?|versus|"
    rf"compared\s+with)\s+(?P<p2>{NUM})\s?%\s*(?:of\s+(?:the\s+)?(?:patients|cases)\s+)?{_ARM.format(k=2)}"
    rf"(?=\s*(?:[,;.)]|\(|$))", re.I)
# "<grade> <event> was / occurred in / were", then the pair.
_GRADED_EVENT = re.compile(rf"{_grade_pat('a')}\s+(?P<event>[a-z][a-z/–-]*(?:\s+[a-z][a-z/–-]*){{0,3}}?)\s+"
                           rf"(?:(?:was|were)\s+(?:(?:observed|seen|reported|noted)\s+in\s+)?|occurred\s+in\s+|in\s+)", re.I)
# Items of a list of events with each arm's share: "asthenia (9.1% with A vs 7.1% with B), anorexia (6.8 vs 9.5%)".
_PAIR_ITEM = re.compile(rf"(?P<event>[a-z][a-z/–-]*(?:\s+[a-z][a-z/–-]*){{0,3}})\s*\(\s*(?P<p1>{NUM})\s?%?\s*"
                        rf"(?:with\s+(?P<g1>[^()]{{1,30}}?)\s+)?(?:vs\.?|versus)\s+(?P<p2>{NUM})\s?%\s*"
                        rf"(?:with\s+(?P<g2>[^()]{{1,30}}?))?\s*\)", re.I)


_ARM_SUFFIX = re.compile(r"\s*\([^()]*\)$")   # the arm _arm_pairs names an event with


def _arm_pairs(sent: str, add, free) -> None:
    """Adverse events stated for two arms: each arm's share is an event of its own, named with
    the arm ('Granulocytopenia (capecitabine)'), as the export has no arm field."""
    for m in _GRADED_EVENT.finditer(sent):
        pair = _ARM_PAIR.match(sent, m.end())
        grade = _grade(m, "a")
        if not pair or not grade or not free(m.start(), pair.end()):
            continue
        event = re.sub(r"^(?:incidence|rate|frequency)\s+of\s+", "", m.group("event"), flags=re.I)
        for k in ("1", "2"):
            add(m.start() if k == "1" else pair.start("p2"), pair.end("g" + k),
                f"{event} ({pair.group('g' + k).strip()})", grade, None, percent_value(pair.group("p" + k) + "%"),
                _phase_at(sent, m.start()))
    head = _GRADE_RE.search(sent)
    if head is None or ":" not in sent[head.end():]:
        return
    grade = _grade(head)
    arms: tuple[str, str] | None = None
    for it in _PAIR_ITEM.finditer(sent, sent.index(":", head.end())):
        if it.group("g1") and it.group("g2"):
            arms = it.group("g1").strip(), it.group("g2").strip()
        if arms is None or not grade or not free(it.start(), it.end()):
            continue
        for k, arm in zip(("1", "2"), arms):
            add(it.start("event"), it.end(), f"{it.group('event')} ({arm})", grade, None,
                percent_value(it.group("p" + k) + "%"), _phase_at(sent, head.start()))


_ITEM_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+")
_BARE_ITEM = re.compile(r"[a-z][a-z/-]*(?:\s+[a-z][a-z/-]*){0,3}", re.I)


def _bare_lists(sent: str, fs: str, add) -> None:
    """Events named in a list without numbers: grade 'any', n and percent None."""
    if not has_any(fs, ("most common", "most frequent", "consist")):
        return
    spans: list[tuple[int, int]] = []
    h = _BARE_HEAD.search(sent)
    if h:
        end = len(sent.rstrip(" .;"))
        spans.append((h.end(), end))
    t = _BARE_TAIL.search(sent)
    if t:
        lead = max(sent.rfind(":", 0, t.start()), sent.rfind(";", 0, t.start()))
        w = re.search(r"(?:^|\bwith\s+)(?=[^,]*(?:,|\band\b))", sent[lead + 1:t.start()])
        if w:
            spans.append((lead + 1 + w.end(), t.start()))
    for a, b in spans:
        text = sent[a:b]
        # the list ends where its items end: 'in both groups', 'in 3 patients' are no items
        text = re.split(r"\s+(?:in|among|during|after|at|with|which|that|were|was)\b|\(", text)[0]
        items = [x for x in _ITEM_SPLIT.split(text.strip())]
        if not items or any(not _BARE_ITEM.fullmatch(x) or not _valid_event(x) for x in items):
            continue
        at = a
        for x in items:
            i = sent.find(x, at)
            add(i, i + len(x), x, "any", None, None, _phase_at(sent, a))
            at = i + len(x)
