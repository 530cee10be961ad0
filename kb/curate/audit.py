"""The audit log: every change a person makes, and undo from it.

A change is one row per field (status included) with who, when, the item, before, after
and the reason. The rows of one action share a batch number; each row also keeps the whole
state of the item before and after, so undo restores it exactly. Undo is itself an action
in the log (and can be undone), and it refuses when the item has changed since: the later
change has to be undone first.

Kinds of state the log knows how to restore are registered in STATES by item type.
"""
from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from typing import Callable

from sqlite_utils import Database

from kb.errors import KbError
from kb.store.save import now


def who() -> str:
    """The person acting: $KB_USER, else the operating-system user."""
    name = os.environ.get("KB_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (some containers)
        return "unknown"


@dataclass
class StateKind:
    """How to read and restore the state of one kind of item."""
    get: Callable[[Database, str], dict | None]
    put: Callable[[Database, str, dict | None], None]


STATES: dict[str, StateKind] = {}


def _dump(v) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)


def _load(s: str | None):
    return None if s is None else json.loads(s)


def next_batch(db: Database) -> int:
    return (db.execute("SELECT max(batch) FROM curation_log").fetchone()[0] or 0) + 1


def write(db: Database, batch: int, action: str, item_type: str, item_key: str,
          changes: list[tuple[str, object, object]], state_before: dict | None, state_after: dict | None,
          reason: str | None, person: str, undoes: int | None = None) -> None:
    """Log one action on one item: a row per changed field."""
    at = now()
    for field, before, after in changes or [("(none)", None, None)]:
        db.execute("""INSERT INTO curation_log (batch, at, who, action, item_type, item_key, field, before, after,
                      reason, state_before, state_after, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                   [batch, at, person, action, item_type, item_key, field, _dump(before), _dump(after), reason,
                    _dump(state_before), _dump(state_after), undoes])


def read_log(db: Database, *, item: str | None = None, person: str | None = None, study: str | None = None,
             limit: int | None = None) -> list[dict]:
    where, params = [], []
    if item:
        where.append("(l.item_key = ? OR l.item_key LIKE ? ESCAPE '\\')")
        params += [item, item.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ":%"]
    if person:
        where.append("l.who = ?")
        params.append(person)
    if study:
        where.append("""(l.item_key IN (SELECT item_key FROM curations WHERE study_id = ?)
                         OR l.item_key LIKE ? ESCAPE '\\')""")
        params += [study, study.replace("_", "\\_").replace("%", "\\%") + ":%"]
    sql = f"""SELECT l.id, l.batch, l.at, l.who, l.action, l.item_type, l.item_key, l.field, l.before, l.after,
                     l.reason, l.undoes, l.undone_by FROM curation_log l
              WHERE {' AND '.join(where) or '1'} ORDER BY l.id DESC"""
    if limit:
        sql += f" LIMIT {int(limit)}"
    cur = db.execute(sql, params)
    cols = [c[0] for c in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    for r in rows:
        r["before"], r["after"] = _load(r["before"]), _load(r["after"])
    return rows


def _diff(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """Field-level changes between two states (status first)."""
    b, a = before or {}, after or {}
    changes = []
    if b.get("status") != a.get("status"):
        changes.append(("status", b.get("status"), a.get("status")))
    bf, af = b.get("fields") or {}, a.get("fields") or {}
    for k in sorted(set(bf) | set(af)):
        if bf.get(k) != af.get(k) or (k in bf) != (k in af):
            changes.append((k, bf.get(k), af.get(k)))
    # A decision's reason goes in the log's reason column; a screening decision's reason is a field.
    skip = {"status", "fields", "updated_at", "reviewer", "basis", "at", "study_id"}
    if "fields" in b or "fields" in a:
        skip.add("reason")
    for k in sorted(set(b) | set(a)):
        if k not in skip and b.get(k) != a.get(k):
            changes.append((k, b.get(k), a.get(k)))
    return changes


def last_batch(db: Database, person: str) -> int | None:
    """The person's latest action that is neither undone nor itself an undo."""
    row = db.execute("""SELECT max(batch) FROM curation_log WHERE who = ? AND undone_by IS NULL
                        AND undoes IS NULL""", [person]).fetchone()
    return row[0]


def undo(db: Database, log_id: int | None = None, *, person: str | None = None, reason: str | None = None) -> list[dict]:
    """Undo a log entry's change to its item (with log_id), or the person's latest action
    (every item of it). Returns the undone log rows. Refuses when an item changed since."""
    person = person or who()
    with db.atomic():
        if log_id is None:
            batch = last_batch(db, person)
            if batch is None:
                raise KbError(f"nothing of {person}'s to undo")
            rows = db.execute("SELECT id, batch, item_type, item_key, state_before, state_after, undone_by "
                              "FROM curation_log WHERE batch = ? ORDER BY id", [batch]).fetchall()
        else:
            row = db.execute("SELECT batch, item_type, item_key FROM curation_log WHERE id = ?", [log_id]).fetchone()
            if not row:
                raise KbError(f"no log entry {log_id}")
            batch = row[0]
            rows = db.execute("SELECT id, batch, item_type, item_key, state_before, state_after, undone_by "
                              "FROM curation_log WHERE batch = ? AND item_type = ? AND item_key = ? ORDER BY id",
                              [batch, row[1], row[2]]).fetchall()
        items: dict[tuple[str, str], tuple] = {}
        for r in rows:
            if r[6] is not None:
                raise KbError(f"log entry {r[0]} was already undone (by action {r[6]})")
            items.setdefault((r[2], r[3]), r)
        new_batch = next_batch(db)
        undone = []
        for (item_type, item_key), r in items.items():
            kind = STATES.get(item_type)
            if kind is None:
                raise KbError(f"log entry {r[0]}: cannot undo a change to a {item_type}")
            current = kind.get(db, item_key)
            before, after = _load(r[4]), _load(r[5])
            if _comparable(current) != _comparable(after):
                later = db.execute("""SELECT max(batch) FROM curation_log WHERE item_type = ? AND item_key = ?
                                      AND batch > ?""", [item_type, item_key, batch]).fetchone()[0]
                raise KbError(f"{item_key} changed since (action {later}); undo that first")
            kind.put(db, item_key, before)
            write(db, new_batch, "undo", item_type, item_key, _diff(after, before), after, before,
                  reason or f"undo of action {batch}", person, undoes=batch)
            db.execute("UPDATE curation_log SET undone_by = ? WHERE batch = ? AND item_type = ? AND item_key = ?",
                       [new_batch, batch, item_type, item_key])
            undone.append({"batch": batch, "item_type": item_type, "item_key": item_key, "undo": new_batch})
    return undone


def _comparable(state: dict | None) -> dict | None:
    if state is None:
        return None
    return {k: v for k, v in state.items() if k not in ("updated_at", "at", "basis")}
