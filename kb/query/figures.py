"""Figure queries: SQL in, rows out. Shared by the CLI and (later) the Datasette config."""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from kb.extract.vocab import load_vocab

FIGURE_COLUMNS = """
    f.id, f.study_id, s.title AS study_title, s.year, s.doi, c.name AS condition, f.endpoint, f.measure,
    f.timepoint_months, f."group", f.comparator, f.variable, f.analysis, f.value, f.unit, f.ci_low, f.ci_high,
    f.p_value, f.p_op, f.quote, d.name AS document, f.start, f."end", f.confidence, f.rule, f.status
"""


@dataclass
class FigureFilter:
    therapy: str | None = None
    outcome: str | None = None
    condition: str | None = None
    measure: str | None = None
    study: str | None = None


def _in(column: str, values: set[str], params: list) -> str:
    params.extend(sorted(values))
    return f"{column} IN ({', '.join('?' for _ in values)})"


def filter_sql(flt: FigureFilter) -> tuple[str, list]:
    """WHERE clause and parameters; every user value travels as a parameter."""
    where, params = [], []
    vocab = load_vocab()
    if flt.therapy:
        terms = vocab.therapy_terms(flt.therapy)
        if not terms:
            return "0", []
        where.append("f.id IN (SELECT ft.figure_id FROM figure_therapies ft JOIN therapies t ON t.id = ft.therapy_id"
                     f" WHERE {_in('t.canonical', terms, params)})")
    if flt.outcome:
        codes = vocab.endpoint_terms(flt.outcome) | {flt.outcome}
        where.append(f"({_in('f.endpoint', codes, params)} OR f.endpoint LIKE ? ESCAPE '\\')")
        params.append(_like(flt.outcome))
    if flt.condition:
        where.append("(c.name LIKE ? ESCAPE '\\' OR c.canonical LIKE ? ESCAPE '\\')")
        params += [_like(flt.condition), _like(flt.condition)]
    if flt.measure:
        where.append("lower(f.measure) = lower(?)")
        params.append(flt.measure)
    if flt.study:
        where.append("(s.id = ? OR s.doi = lower(?) OR s.pmid = ? OR s.title LIKE ? ESCAPE '\\')")
        params += [flt.study, flt.study, flt.study, _like(flt.study)]
    return (" AND ".join(where) or "1"), params


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def figure_columns(db: Database) -> list[str]:
    """The columns query_figures returns, also when it returns no rows."""
    cur = db.execute(f"SELECT {FIGURE_COLUMNS} FROM figures f JOIN studies s ON s.id = f.study_id "
                     "JOIN documents d ON d.id = f.document_id LEFT JOIN conditions c ON c.id = s.condition_id LIMIT 0")
    return [c[0] for c in cur.description]


def query_figures(db: Database, flt: FigureFilter) -> list[dict]:
    where, params = filter_sql(flt)
    sql = f"""
        SELECT {FIGURE_COLUMNS}
        FROM figures f
        JOIN studies s ON s.id = f.study_id
        JOIN documents d ON d.id = f.document_id
        LEFT JOIN conditions c ON c.id = s.condition_id
        WHERE f.superseded = 0 AND {where}
        ORDER BY s.year DESC, f.study_id, f.start
    """
    cur = db.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
