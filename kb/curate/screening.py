"""Screening: include / exclude / maybe per study, reviewer and stage, with a reason.

Stages: `title` (title and abstract screening) and `full` (full-text eligibility). Each
reviewer has one decision per study and stage (a new one replaces it, logged). A study's
final decision at a stage is the decision marked final (a resolution), else the
reviewers' common decision, else "conflict" while they disagree. Exclusions need a reason
from a configurable list: data/vocab/exclusion_reasons.csv, or the CSV named by
$KB_EXCLUSION_REASONS (first column the reason).
"""
from __future__ import annotations

import csv
import os
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from sqlite_utils import Database

from kb.curate import audit
from kb.curate.layer import _resolve_study
from kb.errors import KbError
from kb.store.save import now

DECISIONS = ("include", "exclude", "maybe")
STAGES = ("title", "full")
REASONS_FILE = Path(__file__).resolve().parents[2] / "data" / "vocab" / "exclusion_reasons.csv"


def exclusion_reasons() -> list[str]:
    path = Path(os.environ.get("KB_EXCLUSION_REASONS") or REASONS_FILE)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except OSError as e:
        raise KbError(f"{path}: exclusion reasons cannot be read ({e.strerror or e})") from None
    if rows and rows[0] and rows[0][0].strip().lower() == "reason":
        rows = rows[1:]
    reasons = [r[0].strip() for r in rows if r and r[0].strip() and not r[0].startswith("#")]
    if not reasons:
        raise KbError(f"{path}: no exclusion reasons listed")
    return reasons


def _state_key(study_id: str, reviewer: str, stage: str) -> str:
    return f"{study_id}|{reviewer}|{stage}"


def _get(db: Database, key: str) -> dict | None:
    sid, reviewer, stage = key.split("|", 2)
    cur = db.execute("SELECT decision, reason, final FROM screening WHERE study_id = ? AND reviewer = ? AND stage = ?",
                     [sid, reviewer, stage])
    row = cur.fetchone()
    return {"status": row[0], "reason": row[1], "final": row[2]} if row else None


def _put(db: Database, key: str, state: dict | None) -> None:
    sid, reviewer, stage = key.split("|", 2)
    if state is None:
        db.execute("DELETE FROM screening WHERE study_id = ? AND reviewer = ? AND stage = ?", [sid, reviewer, stage])
    else:
        db.execute("""INSERT OR REPLACE INTO screening (study_id, reviewer, stage, decision, reason, final, at)
                      VALUES (?, ?, ?, ?, ?, ?, ?)""", [sid, reviewer, stage, state["status"], state.get("reason"),
                                                        int(state.get("final") or 0), now()])


audit.STATES["screening"] = audit.StateKind(get=_get, put=_put)


def screen(db: Database, study: str, decision: str, *, reason: str | None = None, reviewer: str | None = None,
           stage: str = "title", final: bool = False) -> dict:
    decision = decision.lower()
    if decision not in DECISIONS:
        raise KbError(f"decision {decision!r}: use {', '.join(DECISIONS)}")
    if stage not in STAGES:
        raise KbError(f"stage {stage!r}: use title (title/abstract) or full (full text)")
    if decision == "exclude":
        reasons = exclusion_reasons()
        if not reason:
            raise KbError(f"an exclusion needs --reason: {', '.join(reasons)}")
        match = next((r for r in reasons if r.lower() == reason.strip().lower()), None)
        if match is None:
            raise KbError(f"reason {reason!r} is not in the list: {', '.join(reasons)} "
                          "(edit data/vocab/exclusion_reasons.csv or set KB_EXCLUSION_REASONS)")
        reason = match
    sid = _resolve_study(db, study)
    person = audit.who()
    reviewer = reviewer or person
    key = _state_key(sid, reviewer, stage)
    after = {"status": decision, "reason": reason, "final": int(final)}
    with db.atomic():
        before = _get(db, key)
        if before != after:
            _put(db, key, after)
            audit.write(db, audit.next_batch(db), "screen", "screening", key, audit._diff(before, after), before,
                        after, reason, person)
    return {"study_id": sid, "reviewer": reviewer, "stage": stage, "decision": decision, "reason": reason}


def decisions(db: Database, stage: str | None = None) -> list[dict]:
    cur = db.execute(f"""SELECT study_id, reviewer, stage, decision, reason, final, at FROM screening
                         {'WHERE stage = ?' if stage else ''} ORDER BY study_id, stage, reviewer""",
                     [stage] if stage else [])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def final_decisions(db: Database, stage: str) -> dict[str, tuple[str, str | None]]:
    """study -> (decision or 'conflict', reason) at a stage."""
    by_study: dict[str, list[dict]] = defaultdict(list)
    for d in decisions(db, stage):
        by_study[d["study_id"]].append(d)
    out = {}
    for sid, ds in by_study.items():
        finals = [d for d in ds if d["final"]]
        if finals:
            d = max(finals, key=lambda d: d["at"])
            out[sid] = (d["decision"], d["reason"])
            continue
        kinds = {d["decision"] for d in ds}
        if len(kinds) == 1:
            reasons = sorted({d["reason"] for d in ds if d["reason"]})
            out[sid] = (ds[0]["decision"], reasons[0] if reasons else None)
        else:
            out[sid] = ("conflict", None)
    return out


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two raters' labels on the same items; None when undefined (no items,
    or both raters always gave one same label)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    labels = set(a) | set(b)
    po = sum(x == y for x, y in zip(a, b)) / n
    pe = sum((a.count(k) / n) * (b.count(k) / n) for k in labels)
    if pe == 1:
        return None
    return (po - pe) / (1 - pe)


def conflicts(db: Database, stage: str = "title") -> tuple[list[dict], list[dict]]:
    """(studies where reviewers disagree and no final decision settles it, kappa per pair of reviewers)."""
    by_study: dict[str, dict[str, dict]] = defaultdict(dict)
    for d in decisions(db, stage):
        by_study[d["study_id"]][d["reviewer"]] = d
    finals = final_decisions(db, stage)
    rows = []
    for sid, ds in sorted(by_study.items()):
        if finals.get(sid, ("",))[0] == "conflict":
            rows.append({"study_id": sid, "stage": stage,
                         "decisions": "; ".join(f"{r}: {d['decision']}" + (f" ({d['reason']})" if d["reason"] else "")
                                                for r, d in sorted(ds.items()))})
    reviewers = sorted({r for ds in by_study.values() for r in ds})
    pairs = []
    for r1, r2 in combinations(reviewers, 2):
        both = [sid for sid, ds in by_study.items() if r1 in ds and r2 in ds]
        a = [by_study[s][r1]["decision"] for s in both]
        b = [by_study[s][r2]["decision"] for s in both]
        k = cohen_kappa(a, b)
        pairs.append({"reviewer": r1, "other": r2, "stage": stage, "studies": len(both),
                      "agreement": round(sum(x == y for x, y in zip(a, b)) / len(both), 3) if both else None,
                      "kappa": None if k is None else round(k, 3)})
    return rows, pairs


def included_studies(db: Database) -> list[str]:
    """Studies whose final decision is include: at full text when decided there, else at title."""
    title, full = final_decisions(db, "title"), final_decisions(db, "full")
    out = []
    for sid in sorted(set(title) | set(full)):
        d = full.get(sid) or title.get(sid)
        if d[0] == "include" and db.execute("SELECT 1 FROM studies WHERE id = ?", [sid]).fetchone():
            out.append(sid)
    return out
