"""The evidence export (../shared/eval/EXPORT_FORMAT.md): one JSON object of studies.

Values are read through the curated views (study_values, figure_values, cohort_values,
study_therapy_values, adverse_event_values): a curated value shows over the extracted
one, each figure carries its effective status, and rejected items are left out."""
from __future__ import annotations

from sqlite_utils import Database


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    cur = db.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def build_export(db: Database, *, study_ids: list[str] | None = None,
                 statuses: tuple[str, ...] | None = None) -> dict:
    """Every study (or the ones named), with figures of any status but rejected (or of the
    statuses named)."""
    where, params = "1", []
    if study_ids is not None:
        where = f"s.id IN ({', '.join('?' for _ in study_ids)})"
        params = list(study_ids)
    if statuses:
        fig_status = f"f.status IN ({', '.join('?' for _ in statuses)})"
        fig_params = list(statuses)
    else:
        fig_status, fig_params = "f.status != 'rejected'", []
    studies = []
    for s in _rows(db, f"""
            SELECT s.*, j.name AS journal, j.impact_factor, j.quartile
            FROM study_values s LEFT JOIN journals j ON j.id = s.journal_id WHERE {where} ORDER BY s.id""", params):
        sid = s["id"]
        studies.append({
            "id": sid, "title": s["title"], "title_original": s["title_original"], "doi": s["doi"],
            "pmid": s["pmid"], "pmcid": s["pmcid"], "nct_id": s["nct_id"], "year": s["year"],
            "journal": s["journal"], "impact_factor": s["impact_factor"], "quartile": s["quartile"],
            "design": s["design"], "condition": s["condition"], "n_patients": s["n_patients"],
            "follow_up_median_months": s["follow_up_median_months"], "oa_url": s["oa_url"],
            "authors": [r["name"] for r in _rows(db, """SELECT a.name FROM study_authors sa JOIN authors a
                ON a.id = sa.author_id WHERE sa.study_id = ? ORDER BY sa.position""", [sid])],
            "documents": _rows(db, """SELECT d.name, d.path, d.format, d.sha256 FROM study_documents sd
                JOIN documents d ON d.id = sd.document_id WHERE sd.study_id = ? ORDER BY d.id""", [sid]),
            "cohorts": _rows(db, """SELECT label, n FROM cohort_values WHERE study_id = ? AND status != 'rejected'
                AND superseded = 0 ORDER BY id""", [sid]),
            "therapies": _rows(db, """SELECT mention, canonical, class FROM study_therapy_values
                WHERE study_id = ? AND given = 1 AND status != 'rejected' ORDER BY id""", [sid]),
            "figures": _rows(db, f"""SELECT f.id, f.endpoint, f.measure, f.timepoint_months, f."group",
                f.comparator, f.variable, f.analysis, f.value, f.unit, f.ci_low, f.ci_high, f.p_value, f.p_op,
                f.quote, d.name AS document, f.start, f."end", f.confidence, f.rule, f.status
                FROM figure_values f JOIN documents d ON d.id = f.document_id
                WHERE f.study_id = ? AND {fig_status} AND f.superseded = 0 ORDER BY d.id, f.start, f.id""",
                             [sid, *fig_params]),
            "adverse_events": _rows(db, """SELECT event, phase, grade, n, percent FROM adverse_event_values
                WHERE study_id = ? AND status != 'rejected' AND superseded = 0 ORDER BY id""", [sid]),
        })
    return {"studies": studies}
