"""Figure queries: SQL in, rows out. Shared by the CLI and (later) the Datasette config.

Figures are read through the `figure_values` view: curated values over extracted ones,
with the effective status (extracted, accepted, corrected, rejected, added). Rejected
figures are left out unless a status filter asks for them; superseded ones always are."""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from kb.extract.vocab import load_vocab

FIGURE_COLUMNS = """
    f.id, f.study_id, s.title AS study_title, s.year, s.doi, s.condition, f.endpoint, f.measure,
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
    status: tuple[str, ...] | None = None   # None: every status but rejected
    confidence_below: float | None = None


STATUSES = ("extracted", "accepted", "corrected", "rejected", "added")
# "curated" names every status a person has given a figure.
STATUS_GROUPS = {"curated": ("accepted", "corrected", "added"), "all": STATUSES}


def parse_statuses(value: str | None) -> tuple[str, ...] | None:
    """'accepted,corrected' or 'curated' or 'all' -> the statuses; None stays None."""
    if not value:
        return None
    out: list[str] = []
    for part in value.split(","):
        part = part.strip().lower()
        if part in STATUS_GROUPS:
            out += STATUS_GROUPS[part]
        elif part in STATUSES:
            out.append(part)
        elif part:
            from kb.errors import KbError
            raise KbError(f"unknown status {part!r}: choose from {', '.join(STATUSES)}, curated or all")
    return tuple(dict.fromkeys(out))


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
    if flt.status:
        where.append(_in("f.status", set(flt.status), params))
    else:
        where.append("f.status != 'rejected'")
    if flt.confidence_below is not None:
        where.append("COALESCE(f.confidence, 0) < ?")
        params.append(flt.confidence_below)
    return (" AND ".join(where) or "1"), params


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def figure_columns(db: Database) -> list[str]:
    """The columns query_figures returns, also when it returns no rows."""
    cur = db.execute(f"SELECT {FIGURE_COLUMNS} FROM figure_values f JOIN study_values s ON s.id = f.study_id "
                     "JOIN documents d ON d.id = f.document_id LEFT JOIN conditions c ON c.id = (SELECT condition_id FROM studies WHERE id = f.study_id) LIMIT 0")
    return [c[0] for c in cur.description]


def query_figures(db: Database, flt: FigureFilter) -> list[dict]:
    where, params = filter_sql(flt)
    sql = f"""
        SELECT {FIGURE_COLUMNS}
        FROM figure_values f
        JOIN study_values s ON s.id = f.study_id
        JOIN documents d ON d.id = f.document_id
        LEFT JOIN conditions c ON c.id = (SELECT condition_id FROM studies WHERE id = f.study_id)
        WHERE f.superseded = 0 AND {where}
        ORDER BY s.year DESC, f.study_id, f.start
    """
    cur = db.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
