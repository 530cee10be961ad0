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
    r"|(?P<n>\b(?:n|No\.?|N)\b(?!\s*\())"
    r"|(?P<outcome>(?:(?:median|\d+(?:\.\d+)?[\s-]*(?:years?|yrs?|months?|mo)|one|two|three|five|ten)[\s-]+)*"
    r"(?!(?:n|No|N|P)\b)[A-Za-z][\w/-]*(?:[\s-]+(?!(?:n|No|N|P)\b)[\w/-]+){0,4}?\s*(?:\((?:%|months?|mo)\)|%|rates?))",
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
    return cols if any(c.kind == "outcome" for c in cols) else None


def _cells(row: str) -> tuple[str, list[re.Match]] | None:
    """The row's label and its cells, read from the right of the label."""
    m = re.match(r"\s*(?P<label>(?:\d+[A-Za-z][^\s]*|[^\d<>≤–—\s][^\d<>≤]*?))\s+(?=[\d<>≤–—]|NR\b|NE\b|NA\b|n/a)", row)
    if not m:
        return None
    cells = list(_CELL.finditer(row, m.end()))
    return m.group("label").strip(), cells


def read_outcome_table(text: str, header: Line, rows: list[Line], caption: str) -> tuple[list[Figure], list[Cohort]]:
    cols = _columns(header.text)
    first = _COLUMN.search(header.text)
    # The label column's heading names short labels: "Stage" + "II" -> "Stage II".
    stub = header.text[:first.start()].strip() if first else ""
    figures: list[Figure] = []
    cohorts: list[Cohort] = []
    if not cols:
        return figures, cohorts
    for ln in rows:
        parsed = _cells(ln.text)
        if not parsed:
            continue
        label, cells = parsed
        if stub and len(label) <= 4 and re.fullmatch(r"[A-Za-z]+", stub) and stub.lower() not in ("group", "variable"):
            label = f"{stub} {label}"
        if len(cells) != len(cols):
            continue          # cells that do not line up with the columns are not guessed at
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        p_col = next((c for c, col in zip(cells, cols) if col.kind == "p"), None)
        p = parse_p_cell(p_col.group(0)) if p_col else None
        for k, (cell, col) in enumerate(zip(cells, cols)):
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
            if k + 1 < len(cols) and cols[k + 1].kind == "ci" and cells[k + 1].group("range"):
                bounds = re.findall(NUM, cells[k + 1].group("range"))
                lo, hi = to_float(bounds[0]), to_float(bounds[1])
                if lo is None or hi is None or not lo <= value <= hi:
                    lo = hi = None
            figures.append(Figure(
                endpoint=col.endpoint, measure=col.measure, value=value, unit=col.unit,
                quote=text[start:ln.start + cell.end()], start=start, end=ln.start + cell.end(),
                timepoint_months=col.timepoint, group=label, ci_low=lo, ci_high=hi,
                p_value=p[0] if p else None, p_op=p[1] if p else None,
                confidence=0.7, rule="table.outcomes", section="table"))
    return figures, cohorts
