"""Re-run extraction over stored documents without destroying a person's work.

Per document, in one transaction: the extracted rows nobody has decided on are deleted and
written again from a fresh parse and extraction; rows that carry a decision (accepted,
corrected, rejected) and curator-added rows are kept as they are. Where the new extraction
states an item with a decision differently (same key with other values, or a new item at
the same place about the same thing), or no longer finds it, the disagreement is recorded
in `curation_conflicts` (listed by `kb review --conflicts`), never applied.

The source is the original file when it is still there with the same sha256; for plain
text the stored `documents.text` serves when the file is gone. Otherwise the document is
skipped and reported.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from sqlite_utils import Database

from kb.curate.layer import TABLES, decision
from kb.errors import KbError
from kb.extract.article import extract_article, figure_therapies
from kb.models import Document
from kb.pipeline import RECORD_SEPARATOR, pick_ingester, read_document, shift_offsets
from kb.store import merge
from kb.store.migrations import CURATED_FIELDS
from kb.store.save import (_Known, adverse_event_key, cohort_key, figure_key, now,
                           save_extraction, study_key, therapy_key)

TEXT_FORMATS = ("text",)
# What makes a new item "the same thing" as a curated one found at an overlapping place.
_IDENTITY = {"figure": ("endpoint", "measure"), "cohort": ("label",), "adverse_event": ("event",),
             "therapy": ("mention",)}


@dataclass
class ReextractReport:
    documents: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    figures: int = 0
    kept: int = 0
    conflicts: int = 0


def reextract(db: Database, study: str | None = None) -> ReextractReport:
    if study:
        from kb.curate.layer import _resolve_study
        sid = _resolve_study(db, study)
        docs = db.execute("""SELECT d.id FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                             WHERE sd.study_id = ? ORDER BY d.id""", [sid]).fetchall()
    else:
        docs = db.execute("SELECT id FROM documents ORDER BY id").fetchall()
    report = ReextractReport()
    for (doc_id,) in docs:
        name, path, fmt, sha256, text = db.execute(
            "SELECT name, path, format, sha256, text FROM documents WHERE id = ?", [doc_id]).fetchone()
        doc = _source(name, path, fmt, sha256, text)
        if doc is None:
            report.skipped.append((name, "the original file is gone or changed, and its format is not plain text"))
            continue
        try:
            _reextract_document(db, doc_id, doc, report)
            report.documents.append(name)
        except KbError as e:
            report.skipped.append((name, str(e)))
    return report


def _source(name: str, path: str, fmt: str, sha256: str, text: str) -> Document | None:
    if path and path != "-" and os.path.isfile(path):
        try:
            doc = read_document(path)
            if doc.sha256 == sha256:
                return doc
        except KbError:
            pass
    if fmt in TEXT_FORMATS and text:
        data = text.encode("utf-8")
        return Document(name=name, path=path, data=data, sha256=sha256, size=len(data))
    return None


@dataclass
class _Kept:
    type: str
    key: str
    study_id: str
    start: int | None
    end: int | None
    values: dict            # extracted values of the curatable fields
    decision: dict
    matched: bool = False


def _kept_rows(db: Database, doc_id: int) -> list[_Kept]:
    """Rows of this document that carry a decision."""
    out = []
    for kind, (table, col) in TABLES.items():
        cols = ", ".join(f't."{c}"' for c in CURATED_FIELDS[kind])
        cur = db.execute(f"""SELECT t.[{col}], t.study_id, t.start, t."end", {cols} FROM [{table}] t
                             JOIN curations c ON c.item_type = ? AND c.item_key = t.[{col}]
                             WHERE t.document_id = ? AND t.status != 'added'""", [kind, doc_id])
        for row in cur.fetchall():
            out.append(_Kept(kind, row[0], row[1], row[2], row[3], dict(zip(CURATED_FIELDS[kind], row[4:])),
                             decision(db, kind, row[0])))
    return out


def _delete_undecided(db: Database, doc_id: int) -> None:
    for kind, (table, col) in TABLES.items():
        db.execute(f"""DELETE FROM [{table}] WHERE document_id = ? AND status != 'added' AND [{col}] NOT IN
                       (SELECT item_key FROM curations WHERE item_type = ?)""", [doc_id, kind])


def _study_of(db: Database, doc_id: int, linked: list[str], rec, doc: Document, index: int) -> str | None:
    if len(linked) == 1:
        return linked[0]
    sid, verdict = merge.find_match(db, merge.candidate_of_record(rec))
    if sid in linked and verdict and verdict.relation == "same":
        return sid
    key = study_key(rec, doc, index)
    return key if key in linked else None


def _known_before(db: Database, sid: str, doc_id: int) -> _Known:
    """Values the study's earlier documents state: as at ingest, each value is stored once."""
    known = _Known()
    live = "study_id = ? AND superseded = 0 AND document_id < ?"
    known.cohorts = set(db.execute(f"SELECT label, n FROM cohorts WHERE {live}", [sid, doc_id]).fetchall())
    known.adverse_events = set(db.execute(f"SELECT event, phase, grade, n FROM adverse_events WHERE {live}",
                                          [sid, doc_id]).fetchall())
    for r in db.execute(f"""SELECT endpoint, measure, timepoint_months, "group", comparator, variable, analysis,
                           value, ci_low, ci_high FROM figures WHERE {live}""", [sid, doc_id]).fetchall():
        known.figures.add(tuple(r[:7]) + (round(r[7], 6),) + tuple(r[8:]))
    return known


def _reextract_document(db: Database, doc_id: int, doc: Document, report: ReextractReport) -> None:
    ing = pick_ingester(doc)
    linked = [r[0] for r in db.execute("SELECT study_id FROM study_documents WHERE document_id = ? ORDER BY study_id",
                                       [doc_id]).fetchall()]
    richness, = db.execute("SELECT richness FROM documents WHERE id = ?", [doc_id]).fetchone()
    with db.atomic():
        kept = _kept_rows(db, doc_id)
        report.kept += len(kept)
        _delete_undecided(db, doc_id)
        base = 0
        studies = set()
        for i, rec in enumerate(ing.parse(doc)):
            ex = extract_article(rec)
            if base:
                shift_offsets(ex, base)
            base += len(rec.text) + len(RECORD_SEPARATOR)
            sid = _study_of(db, doc_id, linked, rec, doc, i)
            if sid is None:
                continue
            studies.add(sid)
            new_items = _new_items(doc, sid, ex)
            drop = {id(obj) for obj, kind, key, start, end, values in new_items
                    if _matches_kept(db, kind, key, start, end, values, [k for k in kept if k.study_id == sid],
                                     report)}
            links = [figure_therapies(f) for f in ex.figures]
            pairs = [(f, lk) for f, lk in zip(ex.figures, links) if id(f) not in drop]
            ex.figures = [f for f, _ in pairs]
            ex.cohorts = [c for c in ex.cohorts if id(c) not in drop]
            ex.adverse_events = [a for a in ex.adverse_events if id(a) not in drop]
            ex.therapies = [t for t in ex.therapies if id(t) not in drop]
            report.figures += save_extraction(db, sid, doc_id, doc, ex, [lk for _, lk in pairs], 0,
                                              _known_before(db, sid, doc_id))
            _study_fields(db, sid, ex, richness, report)
        for k in kept:
            if not k.matched and k.decision["status"] != "rejected":
                report.conflicts += _conflict(db, k.type, k.key, k.study_id, "(item)", _shown(k), None, None)
        for sid in studies:
            merge.resupersede(db, sid)


def _new_items(doc: Document, sid: str, ex) -> list[tuple]:
    out = []
    for f in ex.figures:
        out.append((f, "figure", figure_key(doc, f), f.start, f.end,
                    {c: getattr(f, c) for c in CURATED_FIELDS["figure"]}))
    for c in ex.cohorts:
        out.append((c, "cohort", cohort_key(doc.sha256, c.start, c.end, c.label, c.n), c.start, c.end,
                    {"label": c.label, "n": c.n}))
    for a in ex.adverse_events:
        out.append((a, "adverse_event", adverse_event_key(doc.sha256, a.start, a.end, a.event, a.phase, a.grade, a.n,
                                                          a.percent), a.start, a.end,
                    {c: getattr(a, c) for c in CURATED_FIELDS["adverse_event"]}))
    for t in ex.therapies:
        out.append((t, "therapy", therapy_key(doc.sha256, sid, t.start, t.end, t.mention), t.start, t.end,
                    {"given": int(t.given), "mention": t.mention}))
    return out


def _overlap(a0, a1, b0, b1) -> bool:
    return None not in (a0, a1, b0, b1) and a0 < b1 and b0 < a1


def _shown(k: _Kept) -> dict:
    return {**k.values, **(k.decision.get("fields") or {}), "status": k.decision["status"]}


def _matches_kept(db: Database, kind: str, key: str, start, end, values: dict, kept: list[_Kept],
                  report: ReextractReport) -> bool:
    """Whether a new item is a kept (decided) one again; record what it now says differently."""
    for k in kept:
        if k.type != kind:
            continue
        same_key = k.key == key
        successor = not same_key and _overlap(k.start, k.end, start, end) and all(
            _norm(k.values.get(f, values.get(f))) == _norm(values.get(f)) for f in _IDENTITY[kind]
            if f in CURATED_FIELDS[kind])
        if kind == "therapy" and not same_key:
            successor = _overlap(k.start, k.end, start, end)
        if not (same_key or successor):
            continue
        k.matched = True
        shown = _shown(k)
        for f in CURATED_FIELDS[kind]:
            if f not in values:
                continue
            new, old = _norm(values[f]), _norm(k.values.get(f))
            if new != old and new != _norm(shown.get(f)):
                report.conflicts += _conflict(db, kind, k.key, k.study_id, f, shown.get(f), values[f],
                                              None if same_key else key)
        return True
    return False


def _norm(v):
    if isinstance(v, float):
        return round(v, 9)
    return v


def _study_fields(db: Database, sid: str, ex, richness: int, report: ReextractReport) -> None:
    """Study facts from the new extraction: written to the extracted layer when this is the
    study's richest document, and compared with any decision on them."""
    best = db.execute("""SELECT max(d.richness) FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                         WHERE sd.study_id = ?""", [sid]).fetchone()[0]
    new = {"design": ex.study.design, "condition": ex.study.condition, "n_patients": ex.study.n_patients,
           "follow_up_median_months": ex.study.follow_up_median_months}
    for f, value in new.items():
        d = decision(db, "study", f"{sid}:{f}")
        if d and value is not None:
            old = (d.get("basis") or {}).get(f)
            shown = d["fields"].get(f, old) if d["status"] != "rejected" else None
            if _norm(value) != _norm(old) and _norm(value) != _norm(shown):
                report.conflicts += _conflict(db, "study", f"{sid}:{f}", sid, f, shown, value, None)
    if richness < (best or 0):
        return
    updates = {k: v for k, v in new.items() if v is not None and k != "condition"}
    if ex.study.condition:
        from kb.store.save import _lookup
        updates["condition_id"] = _lookup(db, "conditions", "name", ex.study.condition)
    if updates:
        db["studies"].update(sid, updates)


def _conflict(db: Database, kind: str, key: str, sid: str | None, field: str, curated, extracted,
              new_key: str | None) -> int:
    cur_j = json.dumps(curated, ensure_ascii=False, sort_keys=True)
    ext_j = json.dumps(extracted, ensure_ascii=False, sort_keys=True)
    if db.execute("""SELECT 1 FROM curation_conflicts WHERE item_type = ? AND item_key = ? AND field = ?
                     AND extracted IS ? AND resolved_at IS NULL""", [kind, key, field, ext_j]).fetchone():
        return 0  # listed already
    db.execute("""INSERT INTO curation_conflicts (item_type, item_key, study_id, field, curated, extracted, new_key,
                  found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", [kind, key, sid, field, cur_j, ext_j, new_key, now()])
    return 1


def list_conflicts(db: Database, *, study: str | None = None, include_resolved: bool = False) -> list[dict]:
    where, params = ["1"], []
    if not include_resolved:
        where.append("resolved_at IS NULL")
    if study:
        where.append("study_id = ?")
        params.append(study)
    cur = db.execute(f"""SELECT id, item_type, item_key, study_id, field, curated, extracted, new_key, found_at,
                         resolved_at FROM curation_conflicts WHERE {' AND '.join(where)} ORDER BY id""", params)
    cols = [c[0] for c in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    for r in rows:
        r["curated"], r["extracted"] = json.loads(r["curated"]), json.loads(r["extracted"])
    return rows

