"""Tables flattened into lines by PDF extraction: regression, baseline and adverse-event tables.

A table span (from sections.detect_spans, extended here over header and row lines that the
span detector took for prose) is read line by line. Its kind comes from the caption and the
column header. A column header repeated inside a later span continues an earlier table (the
one marked "(continued)", else the last of that kind), resuming where that table stopped:
the same endpoint block and variable.

Regression tables may have several ratio columns: models ("Crude", "Multivariable adjusted")
or subgroups ("Men", "Women", cancer sites named on a line above the header). A row is read
as a label followed by cells (count, ratio with CI, reference, n/a, p); each ratio cell is
attached to its column, to the row's variable (the last label-only line, or the block opened
by a reference row) and to the block's reference level (the comparator).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb.extract import endpoints as ep
from kb.extract import fastre
from kb.extract.numbers import NUM, parse_p_cell, to_float
from kb.extract.outcome_tables import read_outcome_table
from kb.extract.sections import Line, heading_kind, lines_of
from kb.models import AdverseEvent, Cohort, Figure, Span

_RATIO_HEADER = re.compile(r"\b(a?HR|a?OR|RR|hazard ratio|odds ratio|relative risk|risk ratio)s?\b", re.I)
_GRADE_COL = re.compile(r"(?:Grades?|G)\s*(\d)\s*(?:[–—-]|to)\s*(\d)|(?:Grades?|G)\s*≥\s*(\d)|(?:Grades?|G)\s*(\d)|(any|all) grades?", re.I)
_HAS_NUM = re.compile(r"\d")
_NOT_COHORT = re.compile(r"^(median|mean|range|iqr|sd|s\.d\.|average|min|max|interquartile)\b", re.I)
_BASELINE_ROW = re.compile(rf"^(?P<label>(?:\d+[A-Za-z]|[^\d]).*?)\s+(?P<n>\d{{1,6}})\s*(?:\(\s*(?P<pct>{NUM})\s*%?\s*\)?)?\s*$")
_AE_CELL = re.compile(rf"(\d+)\s*(?:\(\s*({NUM})\s*%?\s*\)?)?")
_FOOTNOTE = re.compile(r"^\s*([a-z*†‡§¶]\s+[A-Z*]|[*†‡§¶]|[a-z][A-Z][a-z]+\s+\w+\s+\w+)|\b[A-Z][A-Za-z0-9-]{1,8}[,:] [a-z].*;")
_FOOT_MARK = "*†‡§¶"

# --- cells of a flattened regression row ----------------------------------------------
# Thousands grouped by a thin or no-break space ("138 359"), as typeset tables print them.
_GROUPED = r"\d{1,3}(?:[\u2009\u202f\u00a0]\d{3})+(?!\d)"
_END = r"(?=\s|$)"
_DASH = r"(?:–|—|-|‑|−)"
_C_RATIO = re.compile(
    rf"(?P<v>{NUM})\s*[*†‡§¶]{{0,3}}\s*[(\[]\s*(?P<lo>{NUM})\s*(?:,|;|{_DASH}|to)\s*(?P<hi>{NUM})\s*[)\]]+[*†‡§¶a-z]?{_END}")
# "1.42 1.10-1.83": a ratio and its interval without brackets.
_C_RATIO_BARE = re.compile(rf"(?P<v>{NUM})\s+(?P<lo>{NUM})\s*{_DASH}\s*(?P<hi>{NUM})[*†‡§¶]?{_END}")
_C_REF = re.compile(r"(?:1(?:\.0+)?\s*)?[(\[]?\s*(?:reference|referent|ref\.?)\s*[)\]]?(?:\s*1(?:\.0+)?(?!\.?\d))?" + _END, re.I)
_C_ONE = re.compile(r"1(?:\.0+)?" + _END)
_C_NA = re.compile(r"(?:n/?a|N/?A|NE|NR|not (?:estimable|applicable|included)|—|–|-)" + _END)
_C_P = re.compile(rf"(?:[Pp]\s*)?(?P<op>=|<|>|≤|⩽)?\s*(?P<v>{NUM})[a-z*†‡§¶]?{_END}")
_C_COUNT = re.compile(rf"(?:(?:{_GROUPED}|\d+)\s*/\s*(?:{_GROUPED}|\d+)|(?:{_GROUPED}|\d+)(?:\s*\(\s*{NUM}\s*%?\s*\))?){_END}")

_TREND_LABEL = re.compile(r"^(?:p[\s-]*(?:values?|trend|for trend|interaction|for interaction|heterogeneity|for heterogeneity)?|"
                          r"test for (?:trend|interaction|heterogeneity))\b", re.I)
_STUB_WORDS = re.compile(r"^(?:characteristics?|variables?|factors?|parameters?|features?|covariates?|subgroups?|"
                         r"exposures?|endpoint|outcome|group|category|categories)\b\s*", re.I)
_MODEL_MULTI = re.compile(r"multivariat|multivariable|multiple|fully[\s-]+adjusted|\badjusted\b|\badj\b|aHR|aOR", re.I)
_MODEL_PARTIAL = re.compile(r"\bage[\s-]*(?:and|,)?[\s\w-]*?(?:adjusted|stratified)|\bstratified\b|minimally", re.I)
_MODEL_UNI = re.compile(r"univariat|univariable|unadjusted|crude|simple|unstratified", re.I)
# A level coded as a stage, TNM category or grade: "T3", "pN1b", "Stage IVa", "G2", "ECOG 0", "III".
_LEVEL_CODE = re.compile(r"^(?:(?:[pcy]?[TNM]|G|stage|grade|ECOG|PS|FIGO)\s*)?(?:[0-4]|[IV]{1,3})[a-d]?(?:\s*[-–/]\s*"
                         r"(?:[0-4]|[IV]{1,3})[a-d]?)?\+?$|^(?:[pcy]?[TNM])[xX]$", re.I)
_MODEL_WORD = re.compile(r"univariat\w*|univariable|unadjusted|crude|multivariat\w*|multivariable|fully[\s-]+adjusted|"
                         r"(?<!un)adjusted", re.I)
_COUNT_HEADER = re.compile(r"\b(?:n|no\.?|number|numbers|cases|events|deaths|patients|subjects)\b", re.I)
_PAIR_HEADER = re.compile(r"(?:number|no\.?|n)\s+of\s+([a-z][\w-]*)\s*/\s*([a-z][\w-]*?)(?:[a-e*†‡§¶])?(?=\s|$)", re.I)
# Small patterns of the row readers, compiled once (they run for every line of every table).
_WS = re.compile(r"\s+")
_REF_IN_LABEL = re.compile(r"\s*\((?:reference|ref\.?|referent)\)\s*", re.I)
_FOOTNOTE_AFTER_BRACKET = re.compile(r"\)[a-e]$")
_NON_DIGIT = re.compile(r"\D")
_BARE_DECIMAL = re.compile(r"\d*\.\d+")
_CODE_FIRST = re.compile(r"^\s*([A-Z]{2,6})\s+(.*)$")
_REF_WORD = re.compile(r"\breference\b|\bref\b|\bn/a\b", re.I)
_N_EQUALS_CELL = re.compile(r"\b[nN]\s*=\s*\d")
_TABLE_OR_FIGURE = re.compile(r"^\s*(?:Table|TABLE|Fig\.?|Figure|FIGURE)\s+\d")


@dataclass
class TableResult:
    figures: list[Figure] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)


@dataclass
class _Column:
    """One ratio column: its measure, its model (analysis) and the subgroup it is for."""
    measure: str = "HR"
    analysis: str | None = None
    name: str | None = None          # subgroup named by the column ("Women", "Bladder")
    confident: bool = True


@dataclass
class _Cell:
    kind: str                        # ratio ref na p count
    value: float | None = None
    lo: float | None = None
    hi: float | None = None
    op: str | None = None
    text: str = ""
    end: int = 0                     # offset of the cell's end within the row text


@dataclass
class _Row:
    line: Line
    start: int                       # offset of the row's first character in the document
    label: str
    cells: list[_Cell]

    @property
    def anchors(self) -> list[tuple[_Cell, _Cell | None]]:
        """Ratio, reference and n/a cells, each with the p cell that follows it."""
        out: list[tuple[_Cell, _Cell | None]] = []
        for c in self.cells:
            if c.kind in ("ratio", "ref", "na"):
                out.append((c, None))
            elif c.kind == "p" and out and out[-1][1] is None:
                out[-1] = (out[-1][0], c)
        return out

    @property
    def lead_p(self) -> list[_Cell]:
        return [c for c in self.cells if c.kind == "p"]

    @property
    def counts(self) -> list[_Cell]:
        return [c for c in self.cells if c.kind == "count"]


@dataclass
class _Block:
    """The rows of one variable: its levels per column, its reference and its p."""
    variable: str | None = None
    from_header: bool = False
    refs: dict[int, str] = field(default_factory=dict)
    na_cols: set[int] = field(default_factory=set)
    first_p: dict[int, tuple[float, str]] = field(default_factory=dict)
    cur_p: dict[int, tuple[float, str]] = field(default_factory=dict)
    p_source: dict[int, str] = field(default_factory=dict)     # "row" (variable or reference line) or "level"
    levels: list[tuple[int, Figure]] = field(default_factory=list)


@dataclass
class _RegState:
    """Where a regression table stands: its endpoint block, columns and current variable."""
    label: str
    analysis: str | None
    endpoint: str | None = None
    caption_endpoint: str | None = None
    caption_measure: str | None = None
    columns: list[_Column] = field(default_factory=list)
    count_names: list[str] = field(default_factory=list)
    has_count_col: bool = False
    block: _Block = field(default_factory=_Block)
    closed: list[_Block] = field(default_factory=list)
    pending: list[Line] = field(default_factory=list)
    footnote_adjusted: bool = False
    # Variables the caption lists ("associations of gender, deprivation and age with ..."),
    # and the rows read without a variable line, to be named from them when the table ends.
    caption_variables: list[str] = field(default_factory=list)
    unnamed: list[tuple[str, Figure]] = field(default_factory=list)
    reference_labels: list[str] = field(default_factory=list)


def _caption_kind(caption: str) -> str | None:
    c = caption.lower()
    if re.search(r"toxicit|adverse|side effect|complication", c):
        return "ae"
    if re.search(r"characteristic|baseline|demographic", c):
        return "baseline"
    if re.search(r"univariat|multivariat|multivariable|univariable|cox|regression|hazard|odds|prognostic|risk|association", c):
        return "regression"
    return None


def _caption_analysis(caption: str) -> str | None:
    c = caption.lower()
    if re.search(r"multivariat|multivariable|adjusted", c) and not re.search(r"univariat|univariable|unadjusted|crude", c):
        return "multivariate"
    if re.search(r"univariat|univariable|unadjusted|crude", c) and not re.search(r"multivariat|multivariable", c):
        return "univariate"
    return None


def _caption_measure(caption: str) -> str | None:
    m = _RATIO_HEADER.search(caption)
    return _measure_of(m.group(1)) if m else None


def _measure_of(word: str) -> str:
    w = word.lower()
    if w in ("ahr", "aor", "ahrs", "aors"):
        w = w[1:]         # adjusted HR, adjusted OR
    if w.startswith(("or", "odds")):
        return "OR"
    if w.startswith(("rr", "relative", "risk")):
        return "RR"
    return "HR"


# The outcome a caption names: "risk of colorectal cancer", "associations of A and B with
# advanced stage (...)", "HR for A, B and colorectal cancer among women".
_MEASURE_PHRASE = re.compile(
    r"\b(?:adjusted\s+|crude\s+)?(?:hazard|odds|risk|rate)\s+ratios?\s*(?:\((?:a?HR|a?OR|RR)s?\))?"
    r"(?:\s*(?:and|with)\s*(?:their\s+)?(?:95\s*%\s*)?(?:confidence\s+intervals?|CIs?)\s*(?:\(CIs?\))?)?|\b(?:a?HRs?|a?ORs?|RRs?)\b"
    r"(?:\s*(?:and|with)\s*(?:95\s*%\s*)?(?:confidence\s+intervals?|CIs?)\s*(?:\(CIs?\))?)?", re.I)
_OUTCOME_STOP = r"(?=\s+(?:among|in|by|according|stratified|for|from|using|across|within|after|during|at(?=\s+\d))\b|\s*[(,;:.*†‡]|\s*$)"
_LIST_STOP = r"(?=\s+(?:among|in|by|according|stratified|for|from|using|across|within|after|during|at(?=\s+\d))\b|\s*[(;:.*†‡]|\s*$)"
_OUTCOME_PATTERNS = [
    # "risk of colorectal cancer", "odds of advanced stage"
    re.compile(rf"\b(?:risk|odds|hazards?|likelihood|incidence|probability)\s+of\s+(?:developing\s+|having\s+|being\s+)?(?P<x>[^(),;:]+?){_OUTCOME_STOP}", re.I),
    # "associations of gender and age with advanced stage at diagnosis (...)"
    re.compile(rf"\b(?:associat\w*|correlat\w*|relationships?|relations?)\b[^.]*?\bwith\s+(?P<x>[^(),;:]+?){_OUTCOME_STOP}", re.I),
    # "association between gender, deprivation and age and advanced stage by cancer"
    re.compile(rf"\b(?:associat\w*|relationships?|relations?)\s+between\s+[^.]*?\band\s+(?P<x>[^(),;:]+?){_OUTCOME_STOP}", re.I),
    # "Univariate logistic regression for lymph node metastasis", "Cox model for OS": taken
    # only when the phrase names an outcome
    re.compile(rf"\b(?:regressions?|models?|analys[ie]s)\s+(?:of\s+(?:risk\s+)?factors\s+)?(?:for|of)\s+"
               rf"(?P<x>[^(),;:]+?){_OUTCOME_STOP}", re.I),
]
# After the measure phrase: "HR (95% CI) for oral contraceptive use, parity and colorectal cancer among women"
_FOR_LIST = re.compile(rf"^\s*(?:for|of)\s+[^.]*?\band\s+(?P<x>[^(),;:]+?){_LIST_STOP}", re.I)
_FOR_ONE = re.compile(rf"^\s*(?:for|of)\s+(?P<x>[^(),;:]+?){_LIST_STOP}", re.I)
_OUTCOME_WORD = re.compile(
    r"cancer|carcinoma|tumou?r|neoplas|malignan|lymphoma|leuka?emia|melanoma|sarcoma|glioma|myeloma|death|mortality|"
    r"surviv|recurren|relapse|metasta|progression|response|remission|stage|toxicit|complication|failure|event|"
    r"incidence|disease|infection|diagnosis|adverse|fracture|stroke|infarction", re.I)
_NOT_OUTCOME = re.compile(r"\d|\bpatients?\b|\bwomen\b|\bmen\b|\bsubjects?\b|\bfactors?\b|\bvariables?\b|\bcharacteristics?\b", re.I)


def caption_outcome(caption: str) -> str | None:
    """The endpoint a regression caption names: an endpoint code or name from the lexicon,
    else the outcome of "risk of X", "associated with X", "between A and X", "HR for A and X"."""
    code = ep.first_endpoint(caption)
    if code:
        return code
    found = None
    for pat in _OUTCOME_PATTERNS:
        m = pat.search(caption)
        if m and (pat is not _OUTCOME_PATTERNS[3] or _OUTCOME_WORD.search(m.group("x"))):
            found = m.group("x")
            if pat is _OUTCOME_PATTERNS[2]:
                found = re.split(r"\s+and\s+", found)[-1]
            break
    if found is None:
        m = re.match(r"^\s*(?:adjusted\s+|crude\s+)?(?:hazard|odds|risk|rate)\s+ratios?\b", caption, re.I) and \
            _MEASURE_PHRASE.match(caption.strip())
        if m:
            # "HR for A, B and X among ...", "Hazard ratios of X by ...": the last item, when
            # it names an outcome (else it is one more exposure).
            rest = caption.strip()[m.end():]
            fm = _FOR_LIST.match(rest) or _FOR_ONE.match(rest)
            found = fm.group("x") if fm and _OUTCOME_WORD.search(fm.group("x")) else None
    if not found:
        return None
    x = re.sub(r"\s+", " ", found).strip(" -")
    x = re.sub(r"^(?:the|an?)\s+", "", x, flags=re.I)
    if not 1 <= len(x.split()) <= 6 or _NOT_OUTCOME.search(x):
        return None
    # Event words ("death", "local recurrence") take the project's event names; a longer
    # phrase ("lymph node metastasis") stays as printed.
    return ep.first_endpoint(x) or (ep.event_endpoint(x) if len(x.split()) <= 2 else None) or x.lower()


# The variables a caption lists before its outcome: "associations of gender, deprivation and
# age with advanced stage", "association between age, sex and stage and overall survival",
# "effect of age, performance status and LDH on progression-free survival".
_VARIABLE_LIST = re.compile(
    r"\b(?:associat\w*|relationships?|relations?|effects?|impact|influence|analys[ie]s|regression)\s+(?P<prep>of|between)\s+"
    r"(?P<x>[^()\[\];:.*†‡]+)", re.I)
_LIST_END = re.compile(r"\s+(?:with|on|for|in|among|by|according|stratified|using|across|within|from)\b.*$", re.I)
_NOT_VARIABLE = re.compile(r"\d|\b(?:factors?|variables?|characteristics?|patients?|parameters?|features?|covariates?|"
                           r"markers?|cancers?|outcomes?|risks?)\b", re.I)


def caption_variables(caption: str) -> list[str]:
    """The variables a regression caption names, in order, when it lists two or more:
    'Independent associations of gender, deprivation and age with advanced stage' ->
    ['gender', 'deprivation', 'age']; [] for 'factors associated with OS'."""
    m = _VARIABLE_LIST.search(caption)
    if not m:
        return []
    x = _LIST_END.sub("", m.group("x")).strip()
    if m.group("prep").lower() == "between":
        # "between A, B and C and <outcome>": the last item joined by "and" is the outcome.
        parts = re.split(r"\s+and\s+", x)
        if len(parts) < 3:
            return []
        x = " and ".join(parts[:-1])
    items = [re.sub(r"^(?:the|an?)\s+", "", i.strip(), flags=re.I)
             for i in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", x) if i.strip()]
    if len(items) < 2 or any(not i or len(i.split()) > 4 or _NOT_VARIABLE.search(i) or ep.first_endpoint(i)
                             for i in items):
        return []
    return items


# Row labels whose kind names their variable: an age band ("30–49", "85+", "<50 years",
# "≥70"), a sex ("Women").
_AGE_BAND = re.compile(r"(?:aged?\s*)?(?:[<>≤≥⩽⩾]\s*\d{1,3}|\d{1,3}\s*(?:[–—-]|to)\s*\d{1,3}|\d{1,3}\s*\+|"
                       r"\d{1,3}\s*(?:years?|yrs?)(?:\s+(?:or|and)\s+(?:older|over|above|younger|less|more))?)"
                       r"(?:\s*(?:years?|yrs?|y))?", re.I)
_SEX_LEVEL = re.compile(r"men|women|males?|females?|boys|girls", re.I)


def _typed_variable(label: str, names: list[str]) -> str | None:
    """The caption variable an age band or a sex row is a level of."""
    if _AGE_BAND.fullmatch(label):
        hits = [v for v in names if re.search(r"\bage\b", v, re.I)]
    elif _SEX_LEVEL.fullmatch(label):
        hits = [v for v in names if re.search(r"\b(?:sex|gender)\b", v, re.I)]
    else:
        return None
    return hits[0] if len(hits) == 1 else None


def _named_variable(label: str, names: list[str]) -> str | None:
    """The caption variable whose word the label shares ('Deprived' of 'deprivation',
    'Stage III' of 'stage'): a word of 4+ letters, compared on its first five."""
    words = {w[:5] for w in re.findall(r"[a-z]{4,}", label.lower())}
    hits = [v for v in names if any(w[:5] in words for w in re.findall(r"[a-z]{4,}", v.lower()))]
    return hits[0] if len(hits) == 1 else None


def _name_from_caption(st: _RegState) -> None:
    """Rows read without a variable line take the caption's variables: an age band or a sex
    is a level of the caption's age or sex variable, a label sharing a variable's word is a
    level of it, and the other rows of the table are levels of the one listed variable that no
    age band or sex claims. A level's comparator is its own variable's reference row."""
    names = st.caption_variables
    if not names or not st.unnamed:
        return
    labels = [lb for lb, _ in st.unnamed] + st.reference_labels
    typed = {lb: _typed_variable(lb, names) for lb in labels}
    left = [v for v in names if v not in set(typed.values())]
    rest = left[0] if len(left) == 1 else None
    var_of = {lb: typed[lb] or _named_variable(lb, names) or rest for lb in labels}
    refs: dict[str, list[str]] = {}
    for r in st.reference_labels:
        if var_of[r]:
            refs.setdefault(var_of[r], []).append(r)
    for label, f in st.unnamed:
        v = var_of[label]
        if v is None:
            continue
        f.variable = v[:1].upper() + v[1:]
        own = refs.get(v, [])
        # A level that a reference row of another variable was taken for gets its own.
        if len(own) == 1 and f.comparator in st.reference_labels and var_of.get(f.comparator) != v:
            f.comparator = own[0]


@lru_cache(maxsize=4096)
def _header_kind(line: str) -> str | None:
    """Cached: the same lines are asked about while a table's extent, segments and kind are
    found. Of the tests, which have no effects, the cheap ones that most lines fail go first."""
    if ("CI" in line or "confidence" in line or "P" in line) \
            and re.search(r"\bCI\b|confidence|P\s*value|\bP\b", line) and _RATIO_HEADER.search(line):
        return "regression"
    if "grade" in fastre.fold(line) and re.search(r"grade", line, re.I) and len(_GRADE_COL.findall(line)) >= 1 \
            and not _HAS_NUM.sub("", line).strip() == "":
        return "ae"
    if "G" in line and _G_COLUMNS.fullmatch(line):
        return "ae"   # 'Event  G1  G2  G3'
    return None


# A header of grade columns written 'G1 G2 G3' (two or more, nothing else after the stub).
_G_COLUMNS = re.compile(r"\s*[A-Za-z][\w /()-]*?(?:\s+G\s?[1-5](?:\s*[-–]\s*[1-5])?){2,}\s*")


def clear_caches() -> None:
    _header_kind.cache_clear()


def parse_tables(text: str, spans: list[Span]) -> TableResult:
    res = TableResult()
    states: dict[str, _RegState] = {}
    order: list[str] = []
    continued: list[str] = []
    tables = [s for s in spans if s.kind == "table"]
    outcomes = _outcome_definitions(text, tables)
    furniture = [(s.start, s.end) for s in spans if s.kind == "furniture"]
    for t in tables:
        t = Span(t.kind, t.start, _table_end(text, t, spans), t.title)
        # Running heads and page numbers printed inside a table are not its rows.
        lines = [ln for ln in _span_lines(text, t) if ln.text.strip() and not _in_furniture(ln.start, furniture)]
        if not lines:
            continue
        m = re.match(r"\s*(?:Table|TABLE)\s+(\w+)\.?(.*)", lines[0].text)
        label = f"Table {m.group(1)}" if m else "Table"
        caption = (m.group(2) if m else lines[0].text).strip()
        body = lines[1:]
        # A caption wrapped onto a second line that starts in lower case.
        while body and body[0].text.strip()[:1].islower() and not _HAS_NUM.search(body[0].text):
            caption += " " + body[0].text.strip()
            body = body[1:]
        body = _join_cell_lines(text, body)
        if _caption_kind(caption) != "regression":
            body = _join_count_cells(text, body)
        total = _caption_total(caption or (body[0].text if body else ""))
        if total and (_caption_kind(caption) == "baseline" or (not caption and body and re.search(
                r"characteristic|feature|demographic", body[0].text, re.I))):
            # 'Table 1 Patient characteristics (n = 84)', 'Clinical features of 23 patients with ...'
            res.cohorts.append(Cohort(label="All patients", n=total, quote=None, start=None, end=None,
                                      rule="table.caption"))
        if re.search(r"\(cont(?:inued|\.)\)|continued", caption, re.I):
            continued.append(label)
            st = states.get(label)
            kind = "regression" if st else None
        else:
            kind = _caption_kind(caption)
        notes = [ln.text for ln in body if _FOOTNOTE.search(ln.text) and not _C_RATIO.search(ln.text)]
        adjusted_note = any(re.search(r"\badjusted (?:for|by)\b", n, re.I) for n in notes)
        segments = _split_segments(body)
        for k, (header, above, seg) in enumerate(segments):
            hk = _header_kind(header.text) if header else None
            if k > 0 or (hk and kind and hk != kind):
                # A header repeated inside another table's span: a continued page.
                target = next((c for c in reversed(continued) if c in states), None) or \
                    next((o for o in reversed(order) if o in states), None)
                if hk == "regression" and target:
                    st = states[target]
                    _set_columns(st, header.text, above)
                    _regression(text, seg, st, res)
                    continue
            kind_here = hk or kind
            if kind_here == "regression" and (hk or _has_ratio_rows(seg)):
                st = states.get(label)
                if st is None:
                    st = _RegState(label, _caption_analysis(caption), caption_endpoint=caption_outcome(caption),
                                   caption_measure=_caption_measure(caption), footnote_adjusted=adjusted_note,
                                   caption_variables=caption_variables(caption))
                    st.columns = [_Column(measure=st.caption_measure or "HR", analysis=st.analysis)]
                    states[label] = st
                if header:
                    _set_columns(st, header.text, above)
                if label not in order:
                    order.append(label)
                _regression(text, seg, st, res)
            elif kind_here == "ae":
                _adverse_events(text, header, seg, res, caption)
            elif kind_here in ("baseline", None) or kind_here == "regression":
                if kind_here in (None, "baseline") and seg:
                    # Rates or medians per group ("Group n 5-year OS (%) 5-year DFS (%)"). A
                    # caption of "characteristics" ("Five-year survival rates according to
                    # clinical characteristics") may head them too, but only a column of rates
                    # or medians is read there: its other percentages describe the patients.
                    figs, cohs = read_outcome_table(text, seg[0], seg[1:], caption)
                    if kind_here == "baseline":
                        figs = [f for f in figs if f.measure in ("rate", "median")]
                    elif not figs:
                        figs = _response_rows(text, seg)
                    if figs:
                        res.figures += figs
                        res.cohorts += cohs
                        continue
                if _wide_cohorts(text, ([above] if above else []) + ([header] if header else []) + seg, res, outcomes):
                    continue
                if kind_here == "baseline" or (kind_here is None and _looks_baseline(seg)):
                    _baseline(text, seg, res)
    for st in states.values():
        _close_block(st)
        _name_from_caption(st)
    return res


# --- tables printed one cell per line ------------------------------------------------------
# Some PDF layouts come out of text extraction with every cell on a line of its own:
#     Variable / HR / 95% CI / P value / Age, per 10 years / 1.18 / 1.02–1.37 / 0.028 / ...
# The header is a run of lone column names with a ratio mark; each row is a label line and the
# cell lines after it. Rows are joined back into one line each; the joined line keeps the
# document's offsets (its newlines read as spaces), so quotes stay exact.
_LONE_RATIO = re.compile(r"^\s*(?:a?HR|a?OR|RR|SHR|hazard ratio|odds ratio|relative risk)s?[*†‡§¶a-e]?"
                         r"(?:\s*[(\[]\s*95\s*%\s*CI\s*[)\]])?\s*$", re.I)
_LONE_HEAD = re.compile(r"^\s*(?:95\s*%\s*(?:CI|confidence intervals?)|P(?:[\s-]*values?)?|P)[*†‡§¶a-e]?\s*$", re.I)
_LONE_CELL = re.compile(
    rf"^\s*(?:[<>≤⩽=]?\s*{NUM}[*†‡§¶a-e]?|[(\[]?\s*{NUM}\s*(?:[–—-]|,|to)\s*{NUM}\s*[)\]]?|"
    rf"{NUM}\s*[(\[]\s*{NUM}\s*(?:[–—-]|,|to)\s*{NUM}\s*[)\]][*†‡§¶a-e]?|[–—]|NA|NR|NE|n/a)\s*$", re.I)
_LONE_REF = re.compile(r"^\s*(?:1(?:\.0+)?\s*)?[(\[]?\s*(?:ref\.?|reference|referent)\s*[)\]]?\s*$", re.I)


def _joined(text: str, first: Line, last: Line) -> Line:
    return Line(first.start, last.end, text[first.start:last.end].replace("\n", " "))


def _join_cell_lines(text: str, body: list[Line]) -> list[Line]:
    """A table printed one cell per line, with its rows joined back; any other table unchanged."""
    head = next((k for k, ln in enumerate(body[:6]) if _LONE_RATIO.match(ln.text)), None)
    if head is None:
        return body
    end = head + 1
    while end < len(body) and _LONE_HEAD.match(body[end].text):
        end += 1
    ncells = end - head
    if ncells < 2:
        return body
    first = head - 1 if head > 0 and not _HAS_NUM.search(body[head - 1].text) else head
    out = body[:first] + [_joined(text, body[first], body[end - 1])]
    row: list[Line] = []          # a label line and its cell lines

    def flush() -> None:
        if row:
            out.append(_joined(text, row[0], row[-1]) if len(row) > 1 else row[0])
            row.clear()
    for ln in body[end:]:
        is_ref = bool(_LONE_REF.match(ln.text))
        if row and len(row) - 1 < ncells and (is_ref or _LONE_CELL.match(ln.text)) \
                and not text[row[-1].end:ln.start].strip():
            row.append(ln)
            if is_ref:
                flush()           # a reference row has no other cell
            continue
        flush()
        row.append(ln)
    flush()
    return out


# Tables of counts printed one cell per line ('Male / 15 (65.2) / Female / 8 (34.8)', 'Anaemia /
# 22 (37.9) / 5 (8.6)'): each label line and the count cells after it are one row, and a run of
# lone grade columns ('Event / Grade 1–2 / Grade 3–4') one header. Only when three or more rows
# are printed so, so that a table whose rows are whole lines stays as it is.
_LONE_COUNT = re.compile(rf"^\s*\d{{1,6}}\s*(?:\(\s*{NUM}\s*%?\s*\))?\s*$")
_LONE_RATE = re.compile(r"^\s*[<>≤≥]?\s*\d+[.,]\d+\s*%?\s*$|^\s*\d+\s*%\s*$|^\s*NR\s*$")
_LONE_GRADE = re.compile(r"^\s*(?:(?:any|all)\s+grades?|(?:grades?|G)\s*(?:≥|>=)?\s*\d(?:\s*(?:[–—-]|to)\s*\d)?)"
                         r"(?:\s*,?\s*n\s*\(%\))?\s*$", re.I)


def _join_count_cells(text: str, body: list[Line]) -> list[Line]:
    if any(_LONE_RATE.match(ln.text) for ln in body):
        return body   # a lone rate, median or ratio: a table of outcomes, read as it is
    groups = sum(1 for k in range(len(body) - 1) if not _HAS_NUM.search(body[k].text)
                 and _LONE_COUNT.match(body[k + 1].text))
    if groups < 3:
        return body
    out: list[Line] = []
    k = 0
    while k < len(body):
        ln = body[k]
        j = k + 1
        if not _HAS_NUM.search(ln.text) and not _LONE_GRADE.match(ln.text):
            if j < len(body) and _LONE_GRADE.match(body[j].text):
                while j < len(body) and _LONE_GRADE.match(body[j].text):
                    j += 1
            else:
                while j < len(body) and _LONE_COUNT.match(body[j].text):
                    j += 1
        out.append(_joined(text, ln, body[j - 1]) if j > k + 1 else ln)
        k = j
    return out


def _caption_total(caption: str) -> int | None:
    m = re.search(r"\(\s*[nN]\s*=\s*(\d{1,6})\s*\)|\b(?:of|in)\s+(?:the\s+)?(\d{1,6})\s+(?:patients|cases)\b", caption)
    return int(m.group(1) or m.group(2)) if m else None


# --- a table of best responses -----------------------------------------------------------------
#     Response   n (%)  /  Complete response   7 (14.6)  /  Partial response   15 (31.3) ...
# Each row named by a response category gives that category's share of patients.
_RESPONSE_ROW = re.compile(rf"^\s*(?P<label>[A-Za-z][A-Za-z ()/-]{{1,60}}?)\s+\d+\s*\(\s*(?P<pct>{NUM})\s*%?\s*\)\s*$")
_RESPONSE_CODES = {"SD", "PD"}


def _response_rows(text: str, seg: list[Line]) -> list[Figure]:
    out = []
    for ln in seg:
        m = _RESPONSE_ROW.match(ln.text)
        if not m:
            continue
        label = m.group("label").strip()
        e = ep.first_endpoint(label)
        # the row names the category and nothing else ("Complete response (CR)", "ORR")
        rest = re.sub(r"\s*\([^)]*\)|\b(?:rates?|best|overall|objective)\b", "", label, flags=re.I).strip()
        if not e or not (ep.is_response(e) or e in _RESPONSE_CODES) or len(rest.split()) > 3:
            continue
        value = to_float(m.group("pct"))
        if value is None or value > 100:
            continue
        start = ln.start + m.start("label")
        end = ln.start + m.end()
        out.append(Figure(endpoint=ep.contract_name(e), measure="proportion", value=value, unit="%",
                          quote=text[start:end], start=start, end=end, group="Overall",
                          confidence=0.7, rule="table.responses", section="table"))
    return out if len(out) >= 2 else []


def _in_furniture(pos: int, furniture: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in furniture)


def _span_lines(text: str, span: Span) -> list[Line]:
    return [Line(span.start + ln.start, span.start + ln.end, ln.text) for ln in lines_of(text[span.start:span.end])]


# --- where a table ends -----------------------------------------------------------------

_CELL_TOKEN = re.compile(r"[^A-Za-z]*\d[^A-Za-z]*[a-z*†‡§¶]{0,2}\)?|n/a|NA|NR|NE|NS|[Rr]eference|[Rr]ef\.?|\([Rr]eference\)|"
                         r"[—–=-]|n|N|\(n|\(N")


def _table_line(s: str) -> bool:
    """A line that belongs to a flattened table: a header, a row of cells, a short label
    line, or a footnote."""
    t = s.strip()
    if not t:
        return True
    if _header_kind(t) or len(_N_EQUALS_CELL.findall(t)) >= 2:
        return True
    if _FOOTNOTE.match(t) and len(t) < 600:
        return True
    tokens = t.split()
    k = len(tokens)
    while k > 0 and _CELL_TOKEN.fullmatch(tokens[k - 1]):
        k -= 1
    if k < len(tokens) and _HAS_NUM.search(" ".join(tokens[k:])) and k <= 12 and len(" ".join(tokens[:k])) <= 90:
        return True
    if not _HAS_NUM.search(t) and not t.endswith(".") and len(t) <= 120:
        caps = sum(1 for w in tokens if w[:1].isupper() or not w[:1].isalpha())
        if (len(t) <= 60 and t[:1].isupper()) or caps >= 0.8 * len(tokens):
            return True
    return False


def _table_end(text: str, span: Span, spans: list[Span]) -> int:
    """The span detector stops a table at a line that reads like prose, and a column header
    naming several columns ("Age-adjusted HR (95% CI) Multivariable adjusted HR (95% CI)")
    often does. Extend the table while the following lines are table lines, up to the next
    span that is a table, a caption or a heading."""
    limit = min([s.start for s in spans if s.start > span.start and s.kind in ("table", "caption")] + [len(text)])
    end = span.end
    pos = span.end + 1
    blanks = 0
    while pos < limit:
        nl = text.find("\n", pos)
        nl = limit if nl == -1 or nl > limit else nl
        line = text[pos:nl]
        if not line.strip():
            blanks += 1
            if blanks > 1:
                break
        else:
            blanks = 0
            if heading_kind(line) or _TABLE_OR_FIGURE.match(line) \
                    or line[:1].isspace() or not _table_line(line):
                break
            end = nl
        pos = nl + 1
    return end


def _split_segments(body: list[Line]) -> list[tuple[Line | None, Line | None, list[Line]]]:
    """Split at column-header lines; footnote lines are dropped. A label-only line just above
    a header names the header's column groups ("Bladder Breast Colon")."""
    segs: list[tuple[Line | None, Line | None, list[Line]]] = [(None, None, [])]
    for ln in body:
        if _FOOTNOTE.search(ln.text) and not _C_RATIO.search(ln.text.strip()):
            continue
        if _header_kind(ln.text):
            cur = segs[-1][2]
            above = None
            if cur and not _HAS_NUM.search(cur[-1].text) and len(cur[-1].text.split()) >= 2:
                above = cur.pop()
            if segs[-1][0] is None and not any(_HAS_NUM.search(x.text) for x in cur):
                segs[-1] = (ln, above, [])
            else:
                segs.append((ln, above, []))
            continue
        segs[-1][2].append(ln)
    # A stretch without a single number before the first header is caption or notes.
    return [s for s in segs if s[0] is not None or any(_HAS_NUM.search(ln.text) for ln in s[2])]


def _looks_baseline(seg: list[Line]) -> bool:
    rows = [ln for ln in seg if _BASELINE_ROW.match(ln.text.strip())]
    return len(rows) >= 3 and len(rows) >= len(seg) // 3


def _has_ratio_rows(seg: list[Line]) -> bool:
    return sum(1 for ln in seg if _C_RATIO.search(ln.text)) >= 2


# --- column headers ---------------------------------------------------------------------

_COL_MARK = re.compile(
    r"(?P<m>\b(?:a?HR|a?OR|RR|IRR|SHR|hazard\s+ratio|odds\s+ratio|relative\s+risk|risk\s+ratio)s?\b)\s*[*†‡§¶a-e]?\s*"
    r"(?:[(\[]\s*95\s*%\s*(?:CI|confidence\s+intervals?)\s*[)\]]|,?\s*95\s*%\s*(?:CI|confidence\s+intervals?)"
    r"(?:\s+for\s+(?:HR|OR|RR))?|\(CI\))?", re.I)


def _set_columns(st: _RegState, header: str, above: Line | None) -> None:
    """Columns from a header line: one per ratio mark; the text before a mark names the
    column's model; a label line above with one word per column names subgroups."""
    marks = list(_COL_MARK.finditer(header))
    # "HR 95% CI for HR" is one column: a mark right after "for" belongs to the one before.
    marks = [m for m in marks if not re.search(r"\bfor\s*$", header[:m.start()])]
    if not marks:
        st.columns = [_Column(measure=st.caption_measure or "HR")]
        return
    cols = []
    prev = 0
    first_text = header[:marks[0].start()]
    for m in marks:
        chunk = header[prev:m.start()]
        prev = m.end()
        cols.append(_Column(measure=_measure_of(m.group("m").lstrip("aA") if m.group("m")[:1] == "a" and len(m.group("m")) <= 3 else m.group("m")),
                            analysis=None, name=None))
        cols[-1].name = chunk  # provisional: the model words before the mark
        # Adjusted HRs written "aHR".
        if re.match(r"a(?:HR|OR)", m.group("m")):
            cols[-1].name = chunk + " adjusted"
    st.has_count_col = bool(_COUNT_HEADER.search(first_text))
    pm = _PAIR_HEADER.search(first_text)
    st.count_names = [pm.group(1), pm.group(2)] if pm else []
    # Models named in each column's words.
    kinds = []
    for c in cols:
        words = c.name or ""
        if _MODEL_UNI.search(words):
            kinds.append("uni")
        elif _MODEL_PARTIAL.search(words):
            kinds.append("partial")
        elif _MODEL_MULTI.search(words):
            kinds.append("multi")
        else:
            kinds.append(None)
    # "Univariate analysis   Multivariate analysis" on the line above "HR (95% CI) P HR (95% CI) P":
    # one model per column, in order, when the line names as many models as there are columns.
    above_models = False
    if above is not None and len(cols) > 1 and all(k is None for k in kinds):
        named = [("uni" if _MODEL_UNI.match(m.group(0)) else "multi")
                 for m in _MODEL_WORD.finditer(above.text)]
        if len(named) == len(cols):
            kinds, above_models = named, True
    multi = "multi" in kinds
    for c, k in zip(cols, kinds):
        if k == "uni":
            c.analysis = "univariate"
        elif k == "multi":
            c.analysis = "multivariate"
        elif k == "partial":
            # An age-adjusted or stratified model is the "univariate" one beside a
            # multivariable model; alone, it is an adjusted model.
            c.analysis = "univariate" if multi else "multivariate"
            c.confident = multi
        elif len(cols) > 1 and multi and len([x for x in kinds if x is None]) == 1 and len(cols) == 2:
            c.analysis, c.confident = "univariate", False
        else:
            c.analysis = st.analysis or ("multivariate" if st.footnote_adjusted else None)
        c.name = None
    # Subgroup columns: a label line above with one name per column, or short non-model
    # words before each mark ("Men HR (95% CI) Women HR (95% CI)").
    names = None if above_models else _column_names(above.text if above else "", len(cols))
    if names:
        for c, n in zip(cols, names):
            c.name = n
    elif len(cols) > 1 and all(k is None for k in kinds):
        chunks = []
        prev = 0
        for m in marks:
            chunks.append(_STUB_WORDS.sub("", re.sub(r"\bP(?:\s*value)?[a-e*†‡]?\s*$", "", header[prev:m.start()].strip())).strip(" ,;"))
            prev = m.end()
        chunks = [re.sub(r"^(?:P(?:\s*value)?[a-e*†‡]?\s+)", "", c).strip() for c in chunks]
        if all(c and len(c.split()) <= 4 and not _HAS_NUM.search(c) for c in chunks):
            for c, n in zip(cols, chunks):
                c.name = n
    st.columns = cols


def _column_names(line: str, n: int) -> list[str] | None:
    """Names of n column groups from a label line: split on wide gaps, else on single
    spaces when that gives exactly n names."""
    s = line.strip()
    if not s or n < 2:
        return None
    for parts in (re.split(r"\s{2,}|\t", s), s.split()):
        parts = [p.strip().rstrip(_FOOT_MARK).strip() for p in parts if p.strip()]
        if len(parts) == n:
            return parts
    return None


# --- regression rows --------------------------------------------------------------------

def _clean_label(s: str) -> str:
    s = _WS.sub(" ", s).strip()
    s = _REF_IN_LABEL.sub("", s)
    s = _FOOTNOTE_AFTER_BRACKET.sub(")", s)
    return s.strip(" :" + _FOOT_MARK)


# What a cell can start with (besides a digit): the first characters of _C_RATIO, _C_RATIO_BARE
# and _C_P (a number, "P", an operator), _C_REF ("1", a bracket, "ref"), _C_ONE, _C_NA
# ("n/a", "NE", "NR", "not ...", a dash) and _C_COUNT (digits).
_CELL_FIRST = frozenset(".([1rRnNPp=<>≤⩽–—-")


def _tokenize(rest: str, offset: int, allow_count: bool) -> list[_Cell] | None:
    """The cells of a row's text after its label, or None when something is not a cell."""
    cells: list[_Cell] = []
    i = 0
    n = len(rest)
    while True:
        while i < n and rest[i].isspace():
            i += 1
        if i >= n:
            return cells
        if not (rest[i] in _CELL_FIRST or rest[i].isdigit()):
            return None     # no cell pattern can match here: every one starts with one of these
        s = rest[i:]
        m = _C_RATIO.match(s)
        if m:
            v, lo, hi = to_float(m.group("v")), to_float(m.group("lo")), to_float(m.group("hi"))
            if v is not None and lo is not None and hi is not None and lo <= hi:
                cells.append(_Cell("ratio", v, lo, hi, text=m.group(0), end=offset + i + m.end()))
                i += m.end()
                continue
            return None
        m = _C_RATIO_BARE.match(s)
        if m:
            v, lo, hi = to_float(m.group("v")), to_float(m.group("lo")), to_float(m.group("hi"))
            if v is not None and lo is not None and hi is not None and lo <= v <= hi and lo < hi:
                cells.append(_Cell("ratio", v, lo, hi, text=m.group(0), end=offset + i + m.end()))
                i += m.end()
                continue
        m = _C_REF.match(s)
        if m and re.search(r"ref", m.group(0), re.I):
            cells.append(_Cell("ref", text=m.group(0), end=offset + i + m.end()))
            i += m.end()
            continue
        m = _C_ONE.match(s)
        if m:
            cells.append(_Cell("ref", 1.0, text=m.group(0), end=offset + i + m.end()))
            i += m.end()
            continue
        m = _C_NA.match(s)
        if m:
            cells.append(_Cell("na", text=m.group(0), end=offset + i + m.end()))
            i += m.end()
            continue
        m = _C_P.match(s)
        if m and ("." in m.group("v") or m.group("op")):
            p = parse_p_cell((m.group("op") or "") + m.group("v"))
            if p:
                cells.append(_Cell("p", p[0], op=p[1], text=m.group(0), end=offset + i + m.end()))
                i += m.end()
                continue
        m = _C_COUNT.match(s)
        if m and allow_count:
            cells.append(_Cell("count", text=m.group(0), end=offset + i + m.end()))
            i += m.end()
            continue
        return None


def _parse_row(ln: Line, allow_count: bool) -> _Row | None:
    """Label and cells of a row line. The label ends where the rest of the line reads as
    cells, preferring a non-empty label ("12 358/70 982 0.95 (0.81-1.11)": level "12"); an
    empty label (the label stood on the lines above) when no other reading fits."""
    raw = ln.text
    lead = len(raw) - len(raw.lstrip())
    s = raw.strip()
    starts = [0] + [m.end() for m in _WS.finditer(s)]
    fallback = None
    for pos in starts:
        cells = _tokenize(s[pos:], lead + pos, allow_count)
        if cells is None or not any(c.kind in ("ratio", "ref", "na", "p") for c in cells):
            continue
        # Counts may only stand before the ratio cells (an "n" or "cases/non-cases" column).
        first_anchor = next((j for j, c in enumerate(cells) if c.kind != "count"), len(cells))
        if any(c.kind == "count" for c in cells[first_anchor:]):
            continue
        label = s[:pos].strip()
        if pos == 0:
            fallback = cells
            continue
        # A label never holds a ratio cell or is a bare decimal ("1.00 (reference)").
        if _C_RATIO.search(label) or _BARE_DECIMAL.fullmatch(label):
            continue
        return _Row(ln, ln.start + lead, label, cells)
    if fallback is not None:
        return _Row(ln, ln.start + lead, "", fallback)
    return None


def _split_endpoint(label: str, st: _RegState) -> str:
    """'OS Primary tumour site' starts the OS block; returns the rest of the label."""
    m = _CODE_FIRST.match(label)
    if m and ep.endpoint_code(m.group(1)) and ep.endpoint_code(m.group(1)) == ep.first_endpoint(m.group(1)):
        _close_block(st)
        st.endpoint = ep.endpoint_code(m.group(1))
        return m.group(2)
    return label


def _close_block(st: _RegState) -> None:
    """End of a variable block: every level gets the block's comparator and (when its row
    printed none) the first p of its column."""
    b = st.block
    if b.levels:
        any_ref = next(iter(b.refs.values()), None)
        for col, f in b.levels:
            ref = b.refs.get(col, any_ref)
            if ref and f.comparator is None and ref != f.group:
                f.comparator = ref
            if f.p_value is None and col in b.first_p:
                f.p_value, f.p_op = b.first_p[col]
        st.closed.append(b)
    st.block = _Block()


def _new_block(st: _RegState, variable: str | None = None, from_header: bool = False) -> None:
    _close_block(st)
    st.block = _Block(variable=variable, from_header=from_header)


def _continues(rows: list[_Row], k: int, cols: set[int], st: _RegState) -> bool:
    """Whether the row after rows[k] is another level of the same p-cell (a p printed once
    for several rows): it has ratio cells and no p of its own in those columns."""
    if k + 1 >= len(rows):
        return False
    nxt = rows[k + 1]
    if not nxt.label and not nxt.cells:
        return False
    placed = _place(nxt, st)
    if not placed:
        return False
    return not any(p is not None for col, (c, p) in placed.items() if col in cols)


def _place(row: _Row, st: _RegState) -> dict[int, tuple[_Cell, _Cell | None]] | None:
    """Column of each anchor cell. A row with fewer cells than columns skips the columns
    its block's reference row marked n/a, else fills columns from the left."""
    anchors = row.anchors
    ncols = len(st.columns)
    if not anchors:
        return None
    if len(anchors) == ncols:
        return dict(enumerate(anchors))
    if len(anchors) > ncols:
        # "0.71 (0.49-1.03) 0.071 – –": a dash for a model's ratio and one for its p.
        merged: list[tuple[_Cell, _Cell | None]] = []
        for a in anchors:
            if merged and a[0].kind == "na" and merged[-1][0].kind == "na" and merged[-1][1] is None and a[1] is None:
                merged[-1] = (merged[-1][0], a[0])
                continue
            merged.append(a)
        if len(merged) != ncols:
            return None
        anchors = [(c, p if p is None or p.kind == "p" else None) for c, p in merged]
        return dict(enumerate(anchors))
    free = [c for c in range(ncols) if c not in st.block.na_cols]
    if len(free) == len(anchors):
        return dict(zip(free, anchors))
    return {c: a for c, a in enumerate(anchors)} | {-1: (None, None)}  # -1 marks a guessed layout


def _regression(text: str, seg: list[Line], st: _RegState, res: TableResult) -> None:
    rows: list[_Row] = []
    for ln in seg:
        raw = ln.text.strip()
        if not _HAS_NUM.search(raw) and not _REF_WORD.search(raw):
            rows.append(_Row(ln, ln.start, raw, []))      # a label-only line
            continue
        row = _parse_row(ln, allow_count=st.has_count_col)
        if row is not None:
            rows.append(row)
    for k, row in enumerate(rows):
        if not row.cells:
            st.pending.append(row.line)
            continue
        label = row.label
        start = row.start
        if st.pending:
            prefix = " ".join(p.text.strip() for p in st.pending)
            pstart = st.pending[0].start + (len(st.pending[0].text) - len(st.pending[0].text.lstrip()))
            st.pending = []
            if not label:
                label, start = prefix, pstart
            else:
                # A label-only line followed by a labelled row: it was a variable header.
                var = _clean_label(_split_endpoint(prefix, st))
                _new_block(st, var, from_header=True)
        label = _clean_label(_split_endpoint(label, st))
        anchors = row.anchors
        if not anchors:
            ps = row.lead_p
            if not ps:
                continue
            if _TREND_LABEL.match(label):
                _trend_row(st, ps)
            else:
                # "T classification < 0.001": a variable with its p, levels to follow.
                _new_block(st, label)
                for col, p in enumerate(ps[:len(st.columns)]):
                    st.block.first_p[col] = st.block.cur_p[col] = (p.value, p.op)
                    st.block.p_source[col] = "row"
            continue
        placed = _place(row, st)
        if placed is None:
            continue
        guessed = placed.pop(-1, None) is not None
        kinds = {c.kind for c, _ in placed.values()}
        if kinds <= {"ref", "na"}:
            # A reference row; a second reference opens a new variable.
            if st.block.refs and any(c.kind == "ref" for c, _ in placed.values()):
                _new_block(st)
            for col, (c, p) in placed.items():
                if c.kind == "ref":
                    st.block.refs[col] = label
                    if label not in st.reference_labels:
                        st.reference_labels.append(label)
                else:
                    st.block.na_cols.add(col)
                if p is not None:
                    st.block.first_p.setdefault(col, (p.value, p.op))
                    st.block.cur_p[col] = (p.value, p.op)
                    st.block.p_source.setdefault(col, "row")
            _row_cohorts(text, row, label, st, res)
            continue
        own = {col for col, (c, p) in placed.items() if p is not None}
        single = False
        if own:
            b = st.block
            # A p on a level row after a variable-level p (printed on the variable's line or
            # its reference line), or after levels that printed none, opens a new variable;
            # a reference line just before keeps the row in its block ("<=2 Ref." then ">2").
            from_row = any(b.p_source.get(col) == "row" for col in own) and (b.levels or not b.refs)
            fresh = not b.levels and not b.refs and not b.from_header and not b.first_p
            bare_levels = bool(b.levels) and all(f.p_value is None for c, f in b.levels if c in own)
            # Levels coded like their reference ("T3" reference, "T4a", "T4b") end at a row
            # that is not such a code ("Lymph node metastasis" with its own ratio and p).
            refs = list(b.refs.values())
            foreign = bool(refs) and all(_LEVEL_CODE.match(r) for r in refs) and not _LEVEL_CODE.match(label)
            if from_row or (fresh and b.variable is None) or bare_levels or foreign:
                cont = _continues(rows, k, own, st)
                _new_block(st)
                single = not cont
        endpoint = st.endpoint or st.caption_endpoint
        _row_cohorts(text, row, label, st, res)
        if endpoint is None:
            continue
        for col, (c, p) in placed.items():
            if c.kind != "ratio":
                continue
            column = st.columns[col] if 0 <= col < len(st.columns) else _Column()
            if p is not None:
                # A level's own p runs down its column (a p printed once for several rows);
                # it is never copied back onto the levels above it.
                st.block.cur_p[col] = (p.value, p.op)
                st.block.p_source.setdefault(col, "level")
            pv = st.block.cur_p.get(col)
            group = label
            if column.name and not guessed:
                group = f"{label} ({column.name})" if label else column.name
            conf = 0.9 if (single or st.block.variable or st.block.refs or len(st.columns) == 1) else 0.7
            if len(st.columns) > 1 and (guessed or not column.confident):
                conf = min(conf, 0.5 if guessed else 0.7)
            # The quote runs from the label to the cell; in a one-column table, to its p.
            end = row.line.start + (p.end if p is not None and len(st.columns) == 1 else c.end)
            f = Figure(endpoint=endpoint, measure=column.measure, value=c.value, unit="ratio", quote=text[start:end], start=start, end=end,
                       group=None if single else (group or None),
                       variable=label if single else st.block.variable,
                       comparator=None, analysis=column.analysis, ci_low=c.lo, ci_high=c.hi,
                       p_value=pv[0] if pv else None, p_op=pv[1] if pv else None,
                       confidence=conf, rule="table.regression", section="table")
            res.figures.append(f)
            if not single:
                st.block.levels.append((col, f))
                if f.variable is None and label:
                    st.unnamed.append((label, f))
        if single:
            _new_block(st)


def _trend_row(st: _RegState, ps: list[_Cell]) -> None:
    """"P-trend 0.37 0.41": one p per column for the current variable. An interaction p
    also goes to the sibling subgroup blocks just before ("X (among men)", "X (among women)")."""
    blocks = [st.block]
    var = st.block.variable or ""
    stem = re.match(r"^(.*?)\s*\(", var)
    if stem:
        for b in reversed(st.closed):
            if b.variable and b.variable.startswith(stem.group(1) + " (") and b.variable != var:
                blocks.append(b)
            else:
                break
    for b in blocks:
        for col, p in enumerate(ps[:len(st.columns)]):
            b.first_p.setdefault(col, (p.value, p.op))
            for c, f in b.levels:
                if c == col and f.p_value is None:
                    f.p_value, f.p_op = p.value, p.op


def _row_cohorts(text: str, row: _Row, label: str, st: _RegState, res: TableResult) -> None:
    """A count column before the ratios states each level's size: "1040/138 359" under
    "Number of cases/non-cases" gives two cohorts."""
    counts = row.counts
    if not counts or not label:
        return
    name = f"{st.block.variable}: {label}" if st.block.variable else label
    c = counts[0]
    end = row.line.start + c.end
    quote = text[row.start:end]
    m = re.match(rf"^({_GROUPED}|\d+)\s*/\s*({_GROUPED}|\d+)", c.text)
    if m and len(st.count_names) == 2:
        for part, nm in zip((m.group(1), m.group(2)), st.count_names):
            res.cohorts.append(Cohort(label=f"{name}, {nm}", n=_int(part), quote=quote, start=row.start, end=end,
                                      rule="table.regression_counts"))
    elif not m and len(counts) == 1:
        n = _int(re.match(rf"{_GROUPED}|\d+", c.text).group(0))
        res.cohorts.append(Cohort(label=name, n=n, quote=quote, start=row.start, end=end, rule="table.regression_counts"))


def _int(s: str) -> int:
    return int(_NON_DIGIT.sub("", s))


# --- baseline tables ----------------------------------------------------------------

def _baseline(text: str, seg: list[Line], res: TableResult) -> None:
    variable = None
    for ln in seg:
        raw = ln.text.strip()
        if not _HAS_NUM.search(raw) or re.fullmatch(r"[A-Za-z][\w /+-]*", raw):
            variable = _clean_label(raw)
            continue
        m = _BASELINE_ROW.match(raw)
        if not m:
            continue
        label = _clean_label(m.group("label"))
        if _NOT_COHORT.match(label) or (variable and _NOT_COHORT.match(variable)):
            continue
        n = int(m.group("n"))
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        full = f"{variable}: {label}" if variable and variable.lower() != label.lower() else label
        res.cohorts.append(Cohort(label=full, n=n, quote=text[start:ln.end], start=start, end=ln.end,
                                  rule="table.baseline"))


# Wide tables: one column per group, each with its size ("n = 4924" or "(n=1878)").
_N_MARK = re.compile(r"\(?\s*\b[nN]\s*=\s*(\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+(?!\d)|\d+)\s*\)?")
_WIDE_NUM = r"(?:\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+(?!\d)|\d+)"
_WIDE_CELL = re.compile(rf"(?P<n>{_WIDE_NUM})(?:\s*\(?\s*(?P<pct>{NUM})\s*%\s*\)?|\s*\(\s*(?P<pct2>{NUM})\s*\))?(?=\s|$)")


def _wide_header(lines: list[Line]) -> tuple[list[str], list[int], int] | None:
    """Column names and sizes, and how many lines the header takes."""
    for k, ln in enumerate(lines[:3]):
        t = ln.text.strip()
        marks = list(_N_MARK.finditer(t))
        if len(marks) < 2:
            continue
        sizes = [_int(m.group(1)) for m in marks]
        rest = _N_MARK.sub("|", t)
        if re.fullmatch(r"[|\s]*", rest):
            # "n = 4924 n = 22 447 ...": names on the line above.
            if k == 0:
                return None
            names = _column_names(lines[k - 1].text, len(marks))
            return (names, sizes, k + 1) if names else None
        names, prev = [], 0
        for m in marks:
            names.append(_STUB_WORDS.sub("", t[prev:m.start()].strip()).strip(" ,;"))
            prev = m.end()
        if all(names) and not t[prev:].strip():
            return names, sizes, k + 1
        return None
    return None


def _outcome_definitions(text: str, tables: list[Span]) -> dict[str, str]:
    """Outcomes that regression captions define as one category versus another:
    "... with advanced stage at diagnosis (stage III/IV versus stage I/II)" ->
    {"stage iii/iv": "advanced stage at diagnosis"}. A descriptive table's row with that
    label then gives the share of each group with the outcome."""
    out: dict[str, str] = {}
    for t in tables:
        caption = text[t.start:t.end].split("\n", 1)[0]
        endpoint = caption_outcome(caption)
        if not endpoint:
            continue
        m = re.search(r"\(\s*([^()]{2,40}?)\s+(?:versus|vs\.?)\s+[^()]{2,40}\)", caption)
        if m:
            out[_label_key(m.group(1))] = endpoint
    return out


def _label_key(s: str) -> str:
    words = re.findall(r"[a-z0-9/+<>≤≥-]+", s.lower())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _wide_cohorts(text: str, seg: list[Line], res: TableResult, outcomes: dict[str, str] | None = None) -> bool:
    """Cohorts of a table with one column per group: each column's size, and each row's
    count in each column ("Bladder: Stage I"). Rows of percentages or means are skipped.
    A row with fewer cells than columns is aligned by its percentages (a count is that
    percentage of its column's size); a row that cannot be aligned is skipped."""
    hdr = _wide_header(seg)
    if not hdr:
        return False
    names, sizes, used = hdr
    k = len(names)
    hl = seg[used - 1]
    hstart = hl.start + (len(hl.text) - len(hl.text.lstrip()))
    for name, n in zip(names, sizes):
        res.cohorts.append(Cohort(label=name, n=n, quote=text[hstart:hl.end], start=hstart, end=hl.end, rule="table.columns"))
    variable = None
    for ln in seg[used:]:
        raw = ln.text.strip()
        if not _HAS_NUM.search(raw):
            variable = _clean_label(raw)
            continue
        parsed = _wide_row(raw, k, sizes)
        if not parsed:
            continue
        label, cells = parsed
        label = _clean_label(label)
        if _NOT_COHORT.match(label) or "%" in label or (variable and _NOT_COHORT.match(variable)):
            continue
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        full = f"{variable}: {label}" if variable else label
        endpoint = (outcomes or {}).get(_label_key(label))
        for col, (n, pct, cend) in cells.items():
            end = start + cend
            res.cohorts.append(Cohort(label=f"{names[col]}: {full}", n=n, quote=text[start:end], start=start, end=end,
                                      rule="table.columns"))
            if endpoint and pct is not None:
                res.figures.append(Figure(endpoint=endpoint, measure="proportion", value=pct, unit="%",
                                          quote=text[start:end], start=start, end=end, group=names[col],
                                          confidence=0.6, rule="table.outcome_share", section="table"))
    return True


def _wide_cells(s: str) -> list[tuple[int, float | None, int]] | None:
    out, i = [], 0
    while True:
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            return out
        m = _WIDE_CELL.match(s, i)
        if not m:
            return None
        pct = m.group("pct") or m.group("pct2")
        out.append((_int(m.group("n")), to_float(pct, percent=True) if pct else None, m.end()))
        i = m.end()


def _wide_row(raw: str, k: int, sizes: list[int]) -> tuple[str, dict[int, tuple[int, float | None, int]]] | None:
    starts = [m.end() for m in _WS.finditer(raw)]
    for pos in starts:
        cells = _wide_cells(raw[pos:])
        if not cells:
            continue
        with_pct = [c[1] is not None for c in cells]
        if any(with_pct) and not all(with_pct):
            continue
        cells = [(n, p, pos + e) for n, p, e in cells]
        if len(cells) == k:
            return raw[:pos], dict(enumerate(cells))
        if len(cells) < k and all(with_pct):
            aligned = _align_by_percent(cells, sizes)
            if aligned:
                return raw[:pos], aligned
            return None
    return None


def _align_by_percent(cells, sizes):
    """Monotone assignment of cells to columns where each count is its percentage of the
    column size (within rounding); None when no such assignment exists or it is not unique."""
    def fits(cell, size):
        n, pct, _ = cell
        return size > 0 and abs(100.0 * n / size - pct) <= 1.0
    ways: list[list[int]] = []

    def walk(ci: int, col: int, acc: list[int]) -> None:
        if len(ways) > 1:
            return
        if ci == len(cells):
            ways.append(list(acc))
            return
        for j in range(col, len(sizes) - (len(cells) - ci - 1)):
            if fits(cells[ci], sizes[j]):
                walk(ci + 1, j + 1, acc + [j])
    walk(0, 0, [])
    if len(ways) != 1:
        return None
    return {j: cells[i] for i, j in enumerate(ways[0])}


# --- adverse-event tables -----------------------------------------------------------

def _grades(header: str) -> list[str]:
    out = []
    for m in _GRADE_COL.finditer(header):
        if m.group(1):
            out.append(f"{m.group(1)}-{m.group(2)}")
        elif m.group(3):
            out.append(f"≥{m.group(3)}")
        elif m.group(4):
            out.append(m.group(4))
        else:
            out.append("any")
    return out


def _adverse_events(text: str, header: Line | None, seg: list[Line], res: TableResult, caption: str = "") -> None:
    grades = _grades(header.text) if header else []
    if not grades:
        return
    # 'Late radiation morbidity': a caption that names one phase gives it to every row (a
    # section line inside the table may change it).
    cap = caption.lower()
    acute, late = re.search(r"\b(?:acute|early)\b", cap), re.search(r"\b(?:late|chronic)\b", cap)
    phase = "acute" if acute and not late else "late" if late and not acute else None
    for ln in seg:
        raw = ln.text.strip()
        if not _HAS_NUM.search(raw):
            low = raw.lower()
            if re.search(r"\bacute\b|\bearly\b", low):
                phase = "acute"
            elif re.search(r"\blate\b|\bchronic\b", low):
                phase = "late"
            continue
        lm = re.match(r"^(?P<label>[^\d]+?)\s+(?=\d)", raw)
        if not lm:
            continue
        label = lm.group("label").strip()
        cells = _AE_CELL.findall(raw[lm.end():])
        if len(cells) != len(grades):
            continue
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        for g, (n, pct) in zip(grades, cells):
            res.adverse_events.append(AdverseEvent(
                event=label, grade=g, phase=phase, n=int(n), percent=to_float(pct) if pct else None,
                quote=text[start:ln.end], start=start, end=ln.end))
