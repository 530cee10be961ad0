"""Tables flattened into lines by PDF extraction: regression, baseline and adverse-event tables.

A table span (from sections.detect_spans) is read line by line. Its kind comes from the
caption and the column header; a column header repeated inside a later span continues an
earlier table (the one marked "(continued)", else the last of that kind), resuming where
that table stopped: the same endpoint block and variable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.extract import endpoints as ep
from kb.extract.numbers import NUM, parse_p_cell, to_float
from kb.extract.sections import Line, lines_of
from kb.models import AdverseEvent, Cohort, Figure, Span

_RATIO_HEADER = re.compile(r"\b(HR|OR|RR|hazard ratio|odds ratio|relative risk|risk ratio)\b", re.I)
_GRADE_COL = re.compile(r"(?:Grades?|G)\s*(\d)\s*(?:[–—-]|to)\s*(\d)|(?:Grades?|G)\s*≥\s*(\d)|(?:Grades?|G)\s*(\d)|(any|all) grades?", re.I)
_ROW_RATIO = re.compile(
    rf"^(?P<label>.*?)\s*(?P<ratio>{NUM})\s*[(\[]\s*(?P<lo>{NUM})\s*(?:,|;|–|-|to)\s*(?P<hi>{NUM})\s*[)\]]"
    rf"\s*(?P<p>(?:[<>≤]\s*)?{NUM})?\s*$")
_ROW_REF = re.compile(r"^(?P<label>.*?)\s*\(?\b(?:reference|ref\.?|referent)\)?\s*(?:1(?:\.0+)?)?\s*$", re.I)
_ROW_REF_ONE = re.compile(r"^(?P<label>.*?)\s+1(?:\.0+)?\s*(?:\((?:reference|ref\.?)\))?\s*$", re.I)
_ROW_P_ONLY = re.compile(rf"^(?P<label>[^\d<>≤].*?)\s+(?P<p>(?:[<>≤]\s*)?{NUM})\s*$")
_HAS_NUM = re.compile(r"\d")
_NOT_COHORT = re.compile(r"^(median|mean|range|iqr|sd|s\.d\.|average|min|max|interquartile)\b", re.I)
_BASELINE_ROW = re.compile(rf"^(?P<label>(?:\d+[A-Za-z]|[^\d]).*?)\s+(?P<n>\d{{1,6}})\s*(?:\(\s*(?P<pct>{NUM})\s*%?\s*\)?)?\s*$")
_AE_CELL = re.compile(rf"(\d+)\s*(?:\(\s*({NUM})\s*%?\s*\)?)?")
_FOOTNOTE = re.compile(r"^\s*([a-z*†‡§¶]\s+[A-Z*]|[*†‡§¶])|\b[A-Z][A-Za-z0-9-]{1,8}[,:] [a-z].*;")


@dataclass
class TableResult:
    figures: list[Figure] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)


@dataclass
class _RegState:
    """Where a regression table stands: its endpoint block and current variable."""
    label: str
    analysis: str | None
    endpoint: str | None = None
    variable: str | None = None
    variable_p: tuple[float, str] | None = None
    comparator: str | None = None
    levels: list[Figure] = field(default_factory=list)
    pending: list[Line] = field(default_factory=list)
    caption_endpoint: str | None = None


def _caption_kind(caption: str) -> str | None:
    c = caption.lower()
    if re.search(r"toxicit|adverse|side effect|complication", c):
        return "ae"
    if re.search(r"characteristic|baseline|demographic", c):
        return "baseline"
    if re.search(r"univariat|multivariat|multivariable|univariable|cox|regression|hazard|odds|prognostic|risk", c):
        return "regression"
    return None


def _caption_analysis(caption: str) -> str | None:
    c = caption.lower()
    if re.search(r"multivariat|multivariable|adjusted", c):
        return "multivariate"
    if re.search(r"univariat|univariable|unadjusted|crude", c):
        return "univariate"
    return None


def _header_kind(line: str) -> str | None:
    if _RATIO_HEADER.search(line) and re.search(r"\bCI\b|confidence|P\s*value|\bP\b", line):
        return "regression"
    if len(_GRADE_COL.findall(line)) >= 1 and not _HAS_NUM.sub("", line).strip() == "" and re.search(r"grade", line, re.I):
        return "ae"
    return None


def parse_tables(text: str, spans: list[Span]) -> TableResult:
    res = TableResult()
    states: dict[str, _RegState] = {}
    order: list[str] = []
    continued: list[str] = []
    tables = [s for s in spans if s.kind == "table"]
    for t in tables:
        lines = [ln for ln in _span_lines(text, t) if ln.text.strip()]
        if not lines:
            continue
        m = re.match(r"\s*(?:Table|TABLE)\s+(\w+)(.*)", lines[0].text)
        label = f"Table {m.group(1)}" if m else "Table"
        caption = (m.group(2) if m else lines[0].text).strip()
        body = lines[1:]
        # A caption wrapped onto a second line that starts in lower case.
        while body and body[0].text.strip()[:1].islower() and not _HAS_NUM.search(body[0].text):
            caption += " " + body[0].text.strip()
            body = body[1:]
        if re.search(r"\(cont(?:inued|\.)\)|continued", caption, re.I):
            continued.append(label)
            st = states.get(label)
            kind = "regression" if st else None
        else:
            kind = _caption_kind(caption)
        segments = _split_segments(body)
        for k, (header, seg) in enumerate(segments):
            hk = _header_kind(header.text) if header else None
            if k > 0 or (hk and kind and hk != kind):
                # A header repeated inside another table's span: a continued page.
                target = next((c for c in reversed(continued) if c in states), None) or \
                    next((o for o in reversed(order) if o in states), None)
                if hk == "regression" and target:
                    _regression(text, seg, states[target], res)
                    continue
            kind_here = hk or kind
            if kind_here == "regression":
                st = states.get(label) or _RegState(label, _caption_analysis(caption),
                                                    caption_endpoint=ep.first_endpoint(caption))
                states[label] = st
                if label not in order:
                    order.append(label)
                _regression(text, seg, st, res)
            elif kind_here == "ae":
                _adverse_events(text, header, seg, res)
            elif kind_here == "baseline" or (kind_here is None and _looks_baseline(seg)):
                _baseline(text, seg, res)
    for st in states.values():
        _close_variable(st)
    return res


def _span_lines(text: str, span: Span) -> list[Line]:
    return [Line(span.start + ln.start, span.start + ln.end, ln.text) for ln in lines_of(text[span.start:span.end])]


def _split_segments(body: list[Line]) -> list[tuple[Line | None, list[Line]]]:
    """Split at column-header lines; footnote lines are dropped."""
    segs: list[tuple[Line | None, list[Line]]] = [(None, [])]
    for ln in body:
        if _FOOTNOTE.search(ln.text) and not _ROW_RATIO.match(ln.text.strip()):
            continue
        if _header_kind(ln.text):
            if segs[-1][0] is None and not any(_HAS_NUM.search(x.text) for x in segs[-1][1]):
                segs[-1] = (ln, [])
            else:
                segs.append((ln, []))
            continue
        segs[-1][1].append(ln)
    # A stretch without a single number before the first header is caption or notes.
    return [s for s in segs if s[0] is not None or any(_HAS_NUM.search(ln.text) for ln in s[1])]


def _looks_baseline(seg: list[Line]) -> bool:
    rows = [ln for ln in seg if _BASELINE_ROW.match(ln.text.strip())]
    return len(rows) >= 3 and len(rows) >= len(seg) // 3


# --- regression tables --------------------------------------------------------------

def _clean_label(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s*\((?:reference|ref\.?|referent)\)\s*", "", s, flags=re.I)
    return s.strip(" :")


def _split_endpoint(label: str, st: _RegState) -> str:
    """'OS Primary tumour site' starts the OS block; returns the rest of the label."""
    m = re.match(r"^\s*([A-Z]{2,6})\s+(.*)$", label)
    if m and ep.endpoint_code(m.group(1)) and ep.endpoint_code(m.group(1)) == ep.first_endpoint(m.group(1)):
        _close_variable(st)
        st.endpoint = ep.endpoint_code(m.group(1))
        st.variable, st.variable_p, st.comparator = None, None, None
        return m.group(2)
    return label


def _close_variable(st: _RegState) -> None:
    """End of a variable block: every level gets the block's comparator and p."""
    for f in st.levels:
        if st.comparator and f.comparator is None:
            f.comparator = st.comparator
        if f.p_value is None and st.variable_p:
            f.p_value, f.p_op = st.variable_p
    st.levels = []
    st.comparator = None


def _regression(text: str, seg: list[Line], st: _RegState, res: TableResult) -> None:
    for ln in seg:
        raw = ln.text.strip()
        if not _HAS_NUM.search(raw) and not re.search(r"\breference\b|\bref\b", raw, re.I):
            st.pending.append(ln)
            continue
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        if st.pending:
            label_prefix = " ".join(p.text.strip() for p in st.pending)
            start = st.pending[0].start + (len(st.pending[0].text) - len(st.pending[0].text.lstrip()))
            st.pending = []
            if _ROW_RATIO.match(raw) and not _ROW_RATIO.match(raw).group("label").strip():
                raw = label_prefix + " " + raw
            else:
                # A label-only line followed by a labelled row: it was a variable header.
                _close_variable(st)
                st.variable, st.variable_p = _clean_label(_split_endpoint(label_prefix, st)), None
                start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        m = _ROW_RATIO.match(raw)
        if m:
            label = _clean_label(_split_endpoint(m.group("label"), st))
            value, lo, hi = to_float(m.group("ratio")), to_float(m.group("lo")), to_float(m.group("hi"))
            own_p = parse_p_cell(m.group("p")) if m.group("p") else None
            endpoint = st.endpoint or st.caption_endpoint
            if value is None or endpoint is None:
                continue
            # A row with its own p after a variable header that had one is a new one-row variable.
            single = own_p is not None and (st.variable is None or st.variable_p is not None)
            if single:
                _close_variable(st)
                st.variable, st.variable_p = None, None
            f = Figure(endpoint=endpoint, measure=_measure(st), value=value, unit="ratio",
                       quote=text[start:ln.end], start=start, end=ln.end,
                       group=None if single else label, variable=label if single else st.variable,
                       comparator=None, analysis=st.analysis, ci_low=lo, ci_high=hi,
                       p_value=own_p[0] if own_p else None, p_op=own_p[1] if own_p else None,
                       confidence=0.9 if (single or st.variable) else 0.7, rule="table.regression",
                       section="table")
            res.figures.append(f)
            if not single:
                st.levels.append(f)
            continue
        m = _ROW_REF.match(raw) or _ROW_REF_ONE.match(raw)
        if m and m.group("label").strip() and (re.search(r"ref", raw, re.I) or raw.rstrip().endswith(" 1")):
            st.comparator = _clean_label(_split_endpoint(m.group("label"), st))
            for f in st.levels:
                f.comparator = f.comparator or st.comparator
            continue
        m = _ROW_P_ONLY.match(raw)
        if m and parse_p_cell(m.group("p")):
            label = _clean_label(_split_endpoint(m.group("label"), st))
            _close_variable(st)
            st.variable, st.variable_p = label, parse_p_cell(m.group("p"))


def _measure(st: _RegState) -> str:
    return "HR"


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


def _adverse_events(text: str, header: Line | None, seg: list[Line], res: TableResult) -> None:
    grades = _grades(header.text) if header else []
    if not grades:
        return
    phase = None
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
