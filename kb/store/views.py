"""Read-side shape of the store: the `evidence` view and full-text search on figure quotes.

Declared as data here and applied by `ensure_views`, which is idempotent: it creates what
is missing, replaces a view whose definition changed, and writes nothing when the store
already has this shape. Nothing here changes a stored value; views and the FTS index are
derived from the tables the migrations own.
"""
from __future__ import annotations

from sqlite_utils import Database

# One row per current (not superseded) figure with what a reader needs beside it, read as
# `kb query` reads it: through `figure_values` and `study_values` (curated values over the
# extracted ones, the effective status). The study is its title, or the file name for a
# study without one; the therapies the figure is about are JSON arrays (sorted, so
# Datasette can facet on them with `_facet_array`). Rejected figures stay, with their
# status, so a reader can see what was rejected; the named queries leave them out as
# `kb query` does.
EVIDENCE_SQL = """CREATE VIEW evidence AS
SELECT
    f.id AS figure_id,
    COALESCE(s.title, d.name) AS study,
    s.year,
    f."group",
    f.comparator,
    f.variable,
    f.endpoint,
    f.measure,
    f.timepoint_months,
    f.value,
    f.unit,
    f.ci_low,
    f.ci_high,
    f.p_op,
    f.p_value,
    f.quote,
    f.status,
    (SELECT json_group_array(class) FROM (
        SELECT DISTINCT t.class FROM figure_therapies ft JOIN therapies t ON t.id = ft.therapy_id
        WHERE ft.figure_id = f.id ORDER BY t.class)) AS therapy_classes,
    s.doi,
    f.analysis,
    (SELECT json_group_array(canonical) FROM (
        SELECT t.canonical FROM figure_therapies ft JOIN therapies t ON t.id = ft.therapy_id
        WHERE ft.figure_id = f.id ORDER BY t.canonical)) AS therapies,
    s.condition,
    s.design,
    f.confidence,
    f.rule,
    f.study_id,
    d.name AS document,
    f.start,
    f."end",
    f.locator
FROM figure_values f
JOIN study_values s ON s.id = f.study_id
JOIN documents d ON d.id = f.document_id
WHERE f.superseded = 0"""

VIEWS: dict[str, str] = {"evidence": EVIDENCE_SQL}

# table -> (columns, tokenizer). Triggers keep the index in step with every later write.
FTS: dict[str, tuple[list[str], str]] = {"figures": (["quote"], "porter")}


def _view_sql(db: Database, name: str) -> str | None:
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
    return row[0] if row else None


def ensure_views(db: Database) -> list[str]:
    """Create or update the views and FTS tables above; return what was (re)created."""
    changed: list[str] = []
    for table, (columns, tokenize) in FTS.items():
        if db[table].exists() and not db[f"{table}_fts"].exists():
            db[table].enable_fts(columns, create_triggers=True, tokenize=tokenize)
            changed.append(f"{table}_fts")
    for name, sql in VIEWS.items():
        current = _view_sql(db, name)
        if current is not None and current.strip() == sql.strip():
            continue
        db.execute("SAVEPOINT kb_views")
        try:
            if current is not None:
                db.execute(f"DROP VIEW [{name}]")
            db.execute(sql)
        except BaseException:
            db.execute("ROLLBACK TO kb_views")
            db.execute("RELEASE kb_views")
            raise
        db.execute("RELEASE kb_views")
        changed.append(name)
    return changed
