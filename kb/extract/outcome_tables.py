"""Outcome tables flattened into lines: one row per group, columns of rates or medians.

    Table 3 Five-year survival outcomes by treatment group
    Group n 5-year OS (%) 5-year DFS (%) P
    Surgery alone 83 45.2 38.1 0.02

The header names the columns: an endpoint with a timepoint and "%" is a rate, "median"
or "(months)" a median; "n" gives the group's size, "95% CI" the interval of the column
before it, "P" a p-value. Rows are read only when their cells line up with the columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.extract import endpoints as ep
from kb.extract.numbers import NUM, find_timepoint, parse_p_cell, to_float
from kb.extract.sections import Line
from kb.models import Cohort, Figure

# One column heading in a flattened header line.
_COLUMN = re.compile(
    r"(?P<ci>95\s?%\s*CI|CI\s*95\s?%)"
    r"|(?P<p>\bP(?:[\s-]*values?)?\b)"
    r"|(?P<n>\b(?:n|No\.?|N)(?:\s+of\s+(?:patients|cases|pts))?\b(?!\s*\())"
    r"|(?P<outcome>(?:(?:median|\d+(?:\.\d+)?[\s-]*(?:years?|yrs?|months?|mo)|one|two|three|five|ten)[\s-]+)*"
    r"(?!(?:n|No|N|P)\b)[A-Za-z][\w/-]*(?:[\s-]+(?!(?:n|No|N|P)\b)[\w/-]+){0,4}?\s*"
    # "5-year OS (%)", "OS rate", "Median OS, months", "Median OS, mo (95% CI)": a unit after a
    # comma, and an interval printed in the value's own cell ("27.5 (19.8-35.2)").
    r"(?:\((?:%|months?|mo)\)|%|rates?|,\s*(?:%|(?:months?|mo)\b))(?P<in_ci>\s*[(\[]\s*95\s?%\s*CI\s*[)\]])?)",
    re.I)
_CELL = re.compile(
    rf"(?P<range>{NUM}\s*(?:–|-|to)\s*{NUM})|(?P<p>[<>≤]\s*{NUM})|(?P<missing>\bNR\b|\bNE\b|\bNA\b|n/a|–|—)"
    rf"|(?P<num>{NUM})(?:\s*\(\s*{NUM}\s*%?\s*\))?", re.I)


@dataclass
class _Col:
    kind: str                 # outcome, n, ci, p
    endpoint: str | None = None
    measure: str | None = None
    timepoint: float | None = None
    unit: str | None = None


def _columns(header: str) -> list[_Col] | None:
    """The columns after the first (label) column, or None when this is not an outcome header."""
    cols: list[_Col] = []
    for m in _COLUMN.finditer(header):
        if m.group("ci"):
            cols.append(_Col("ci"))
        elif m.group("p"):
            cols.append(_Col("p"))
        elif m.group("n"):
            cols.append(_Col("n"))
        else:
            name = m.group("outcome")
            endpoint = ep.first_endpoint(name)
            if endpoint is None:
                continue          # the label column's heading ("Group", "Stage", "Variable")
            endpoint = "OS" if endpoint.lower() == "survival" else endpoint
            tp = find_timepoint(name)
            if re.search(r"median|\(months?\)|\(mo\)", name, re.I):
                cols.append(_Col("outcome", endpoint, "median", None, "months"))
            elif tp is not None:
                cols.append(_Col("outcome", endpoint, "rate", tp, "%"))
            elif ep.is_response(endpoint) or "%" in name:
                cols.append(_Col("outcome", endpoint, "proportion", None, "%"))
            else:
                continue
            if m.group("in_ci"):
                cols.append(_Col("ci"))
    return cols if any(c.kind == "outcome" for c in cols) else None


_NOT_CELL = r"[\d<>≤–—]|NR\b|NE\b|NA\b|n/a"
# A row's label: words up to the first cell. A word may hold digits after its first character
# ("T3", "N2b", "Age ≥70"); a label may start with digits and a letter ("2DRT").
_ROW_LABEL = re.compile(
    rf"\s*(?P<label>(?:\d+[A-Za-z]\S*|[^\d<>≤–—\s]\S*)(?:\s+(?!{_NOT_CELL})\S+)*?)\s+(?={_NOT_CELL})")


def _cells(row: str, fits: tuple[int, ...] = ()) -> tuple[str, list[re.Match]] | None:
    """The row's label and its cells, read from the right of the label. A label that reads as
    a cell ("0", "1–2", "<60 years") is the text before the first wide gap, or the first word,
    when that leaves a number of cells that fits the columns."""
    m = _ROW_LABEL.match(row)
    if m:
        cells = list(_CELL.finditer(row, m.end()))
        if not fits or len(cells) in fits:
            return m.group("label").strip(), cells
    for gap in (re.compile(r"\S.*?(?=\s{2,}|\t)"), re.compile(r"\S+(?=\s)")):
        g = gap.match(row.lstrip())
        if g:
            end = len(row) - len(row.lstrip()) + g.end()
            cells = list(_CELL.finditer(row, end))
            if len(cells) in fits:
                return g.group(0).strip(), cells
    return None


def _p_columns(cols: list[_Col]) -> dict[int, int]:
    """The p column of each outcome column: the first one after it, before the next outcome;
    a single p column serves every outcome ("Group n 5-year OS (%) 5-year DFS (%) P")."""
    ps = [k for k, c in enumerate(cols) if c.kind == "p"]
    out: dict[int, int] = {}
    for k, c in enumerate(cols):
        if c.kind != "outcome":
            continue
        after = next((j for j in range(k + 1, len(cols)) if cols[j].kind in ("p", "outcome")), None)
        if after is not None and cols[after].kind == "p":
            out[k] = after
        elif len(ps) == 1:
            out[k] = ps[0]
    return out


def read_outcome_table(text: str, header: Line, rows: list[Line], caption: str) -> tuple[list[Figure], list[Cohort]]:
    cols = _columns(header.text)
    first = _COLUMN.search(header.text)
    # The label column's heading names short labels: "Stage" + "II" -> "Stage II".
    stub = header.text[:first.start()].strip() if first else ""
    figures: list[Figure] = []
    cohorts: list[Cohort] = []
    if not cols:
        return figures, cohorts
    p_of = _p_columns(cols)
    no_p = [k for k, c in enumerate(cols) if c.kind != "p"]
    # A p printed once for a variable's levels (on its first row) is every level's p, as the
    # gold schema records it; a line of only a label ("Sex", "T stage") starts the next variable.
    block_p: dict[int, tuple[float, str]] = {}
    for ln in rows:
        parsed = _cells(ln.text, (len(cols), len(no_p)))
        if not parsed:
            if ln.text.strip() and not re.search(r"\d", ln.text):
                block_p = {}
            continue
        label, cells = parsed
        if stub and re.fullmatch(r"[IVX]{1,4}[A-Ca-c]?|\d[A-Ca-c]?", label) and re.fullmatch(r"[A-Za-z]+", stub) \
                and not re.fullmatch(r"groups?|variables?|characteristics?|factors?|subgroups?|categor(?:y|ies)|"
                                     r"parameters?|features?", stub, re.I):
            label = f"{stub} {label}"
        if len(cells) == len(cols):
            at = list(range(len(cols)))
        elif len(cells) == len(no_p) < len(cols):
            at = no_p           # a row whose p cells are blank
        else:
            continue            # cells that do not line up with the columns are not guessed at
        by_col = dict(zip(at, cells))
        for k in set(p_of.values()):
            pv = parse_p_cell(by_col[k].group(0)) if k in by_col else None
            if pv:
                block_p[k] = pv
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        for k, cell in by_col.items():
            col = cols[k]
            if col.kind == "n" and cell.group("num"):
                n = to_float(cell.group("num"))
                if n is not None and n == int(n):
                    cohorts.append(Cohort(label=label, n=int(n), quote=text[start:ln.end], start=start, end=ln.end,
                                          rule="table.outcome_n"))
            if col.kind != "outcome" or not cell.group("num"):
                continue
            value = to_float(cell.group("num"), percent=col.unit == "%")
            if value is None:
                continue
            lo = hi = None
            ci = by_col.get(k + 1) if k + 1 < len(cols) and cols[k + 1].kind == "ci" else None
            if ci is not None and ci.group("range"):
                bounds = re.findall(NUM, ci.group("range"))
                lo, hi = to_float(bounds[0]), to_float(bounds[1])
                if lo is None or hi is None or not lo <= value <= hi:
                    lo = hi = None
            p = block_p.get(p_of.get(k, -1))
            figures.append(Figure(
                endpoint=col.endpoint, measure=col.measure, value=value, unit=col.unit,
                quote=text[start:ln.start + cell.end()], start=start, end=ln.start + cell.end(),
                timepoint_months=col.timepoint, group=label, ci_low=lo, ci_high=hi,
                p_value=p[0] if p else None, p_op=p[1] if p else None,
                confidence=0.7, rule="table.outcomes", section="table"))
    return figures, cohorts
