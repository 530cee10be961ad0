"""Cross-tabulation of the evidence: studies, figures or patients per cell (curated values over
extracted ones, through the figure_values and study_values views)."""
from __future__ import annotations

from collections import defaultdict

from sqlite_utils import Database

from kb.errors import KbError
from kb.query.figures import FigureFilter, filter_sql

# Each axis is an SQL expression over one figure row. A figure about several therapy
# classes counts once in each of them; a figure about none falls under "(none stated)".
AXES = {
    "therapy": "COALESCE(t.class, '(none stated)')",
    "outcome": "f.endpoint",
    "condition": "COALESCE(s.condition, '(unknown)')",
    "design": "COALESCE(s.design, '(unknown)')",
    "measure": "f.measure",
}
COUNTS = ("studies", "figures", "patients")


def crosstab(db: Database, rows: str, cols: str, count: str, flt: FigureFilter) -> tuple[list[str], list[str], dict]:
    for axis in (rows, cols):
        if axis not in AXES:
            raise KbError(f"unknown axis {axis!r}: choose from {', '.join(AXES)}")
    if count not in COUNTS:
        raise KbError(f"unknown count {count!r}: choose from {', '.join(COUNTS)}")
    where, params = filter_sql(flt)
    sql = f"""
        SELECT DISTINCT {AXES[rows]} AS r, {AXES[cols]} AS c_, f.id AS fid, s.id AS sid, s.n_patients AS n
        FROM figure_values f
        JOIN study_values s ON s.id = f.study_id
        LEFT JOIN conditions c ON c.id = (SELECT condition_id FROM studies WHERE id = f.study_id)
        LEFT JOIN figure_therapies ft ON ft.figure_id = f.id
        LEFT JOIN therapies t ON t.id = ft.therapy_id
        WHERE f.superseded = 0 AND {where}
    """
    figs: dict[tuple, set] = defaultdict(set)
    studies: dict[tuple, dict] = defaultdict(dict)
    for r, c, fid, sid, n in db.execute(sql, params).fetchall():
        figs[(r, c)].add(fid)
        studies[(r, c)][sid] = n or 0
    cells = {}
    for key in figs:
        if count == "figures":
            cells[key] = len(figs[key])
        elif count == "studies":
            cells[key] = len(studies[key])
        else:
            cells[key] = sum(studies[key].values())
    row_keys = sorted({k[0] for k in cells})
    col_keys = sorted({k[1] for k in cells})
    return row_keys, col_keys, cells
