"""The evidence export (../shared/eval/EXPORT_FORMAT.md): one JSON object of studies."""
from __future__ import annotations

from sqlite_utils import Database


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    cur = db.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def build_export(db: Database) -> dict:
    studies = []
    for s in _rows(db, """
            SELECT s.*, j.name AS journal, j.impact_factor, j.quartile, c.name AS condition
            FROM studies s LEFT JOIN journals j ON j.id = s.journal_id
            LEFT JOIN conditions c ON c.id = s.condition_id ORDER BY s.id""", []):
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
            "cohorts": _rows(db, """SELECT label, n FROM cohorts WHERE study_id = ? AND status != 'rejected' AND superseded = 0
                ORDER BY id""", [sid]),
            "therapies": _rows(db, """SELECT st.mention, t.canonical, t.class FROM study_therapies st
                JOIN therapies t ON t.id = st.therapy_id WHERE st.study_id = ? AND st.given = 1
                AND st.status != 'rejected' ORDER BY st.id""", [sid]),
            "figures": _rows(db, """SELECT f.id, f.endpoint, f.measure, f.timepoint_months, f."group",
                f.comparator, f.variable, f.analysis, f.value, f.unit, f.ci_low, f.ci_high, f.p_value, f.p_op,
                f.quote, d.name AS document, f.start, f."end", f.confidence, f.rule, f.status
                FROM figures f JOIN documents d ON d.id = f.document_id
                WHERE f.study_id = ? AND f.status != 'rejected' AND f.superseded = 0 ORDER BY d.id, f.start, f.id""", [sid]),
            "adverse_events": _rows(db, """SELECT event, phase, grade, n, percent FROM adverse_events
                WHERE study_id = ? AND status != 'rejected' AND superseded = 0 ORDER BY id""", [sid]),
        })
    return {"studies": studies}
