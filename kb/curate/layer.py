"""Decisions on extracted items, kept apart from them.

Items are figures, cohorts, therapy links, adverse events and key study fields. Each is
named by a stable key: a figure's id ("f..."), the `key` of a cohort ("c..."), adverse
event ("e...") or therapy link ("t..."), or "<study id>:<field>" for a study field. A
decision (table `curations`) has a status (accepted, corrected, rejected, added) and the
corrected field values; the `*_values` views lay them over the extracted rows, so the
extracted layer is never written here (except a curator-added figure, a row of its own
with rule 'curator' and status 'added').
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from sqlite_utils import Database

from kb.curate import audit
from kb.errors import KbError
from kb.extract.article import figure_therapies
from kb.models import Figure
from kb.store import texts
from kb.store.migrations import CURATED_FIELDS
from kb.store.save import figure_key, now, therapy_id

STATUSES = ("extracted", "accepted", "corrected", "rejected", "added")
# item type -> (table, key column)
TABLES = {"figure": ("figures", "id"), "cohort": ("cohorts", "key"), "adverse_event": ("adverse_events", "key"),
          "therapy": ("study_therapies", "key")}
PREFIXES = {"f": "figure", "c": "cohort", "e": "adverse_event", "t": "therapy"}
STUDY_FIELD_COLUMNS = {"title": "s.title", "year": "s.year", "design": "s.design", "condition": "cn.name",
                       "n_patients": "s.n_patients", "follow_up_median_months": "s.follow_up_median_months"}

_FLOAT = {"timepoint_months", "value", "ci_low", "ci_high", "p_value", "percent", "follow_up_median_months"}
_INT = {"n", "year", "n_patients", "given"}
_CHOICES = {
    "measure": ("rate", "HR", "OR", "RR", "median", "proportion"),
    "unit": ("%", "ratio", "months"),
    "analysis": ("univariate", "multivariate", None),
    "p_op": ("=", "<", None),
    "phase": ("acute", "late", None),
}
_REQUIRED = {"endpoint", "measure", "value", "unit", "label", "event", "grade"}
DEFAULT_UNIT = {"rate": "%", "proportion": "%", "HR": "ratio", "OR": "ratio", "RR": "ratio", "median": "months"}


@dataclass
class Item:
    type: str
    key: str
    study_id: str | None


# --- naming items -----------------------------------------------------------------------

def resolve(db: Database, ref: str) -> Item:
    """The item a reference names: a full key, or an unambiguous prefix of one (6+ characters)."""
    ref = ref.strip()
    if ":" in ref:
        sid, field = ref.split(":", 1)
        if field not in CURATED_FIELDS["study"]:
            raise KbError(f"{ref}: a study field is one of {', '.join(CURATED_FIELDS['study'])}")
        sid = _resolve_study(db, sid)
        return Item("study", f"{sid}:{field}", sid)
    kind = PREFIXES.get(ref[:1])
    if kind is None:
        raise KbError(f"{ref}: not an item key (figure f..., cohort c..., adverse event e..., therapy link t..., "
                      "or STUDY:FIELD)")
    table, col = TABLES[kind]
    row = db.execute(f"SELECT [{col}], study_id FROM [{table}] WHERE [{col}] = ?", [ref]).fetchone()
    if not row and len(ref) >= 6:
        rows = db.execute(f"SELECT DISTINCT [{col}], study_id FROM [{table}] WHERE [{col}] LIKE ? LIMIT 2",
                          [ref.replace("%", "").replace("_", "") + "%"]).fetchall()
        if len(rows) > 1:
            raise KbError(f"{ref}: more than one {kind.replace('_', ' ')} starts with this; give more of the key")
        row = rows[0] if rows else None
    if not row:
        raise KbError(f"{ref}: no such {kind.replace('_', ' ')}")
    return Item(kind, row[0], row[1])


def _resolve_study(db: Database, ref: str) -> str:
    row = db.execute("""SELECT id FROM studies WHERE id = ? OR doi = lower(?) OR pmid = ?
                        UNION SELECT study_id FROM study_identifiers WHERE value = lower(?) LIMIT 2""",
                     [ref, ref, ref, ref]).fetchall()
    if len(row) != 1:
        raise KbError(f"{ref}: no such study" if not row else f"{ref}: names more than one study")
    return row[0][0]


def extracted(db: Database, item: Item) -> dict:
    """The extracted values of an item's curatable fields."""
    if item.type == "study":
        sid, field = item.key.split(":", 1)
        row = db.execute(f"""SELECT {STUDY_FIELD_COLUMNS[field]} FROM studies s
                             LEFT JOIN conditions cn ON cn.id = s.condition_id WHERE s.id = ?""", [sid]).fetchone()
        return {field: row[0] if row else None}
    table, col = TABLES[item.type]
    cols = ", ".join(f'"{c}"' for c in CURATED_FIELDS[item.type])
    cur = db.execute(f"SELECT {cols} FROM [{table}] WHERE [{col}] = ? LIMIT 1", [item.key])
    row = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], row)) if row else {}


def decision(db: Database, item_type: str, item_key: str) -> dict | None:
    cur = db.execute("""SELECT status, fields, basis, reviewer, reason, study_id, updated_at FROM curations
                        WHERE item_type = ? AND item_key = ?""", [item_type, item_key])
    row = cur.fetchone()
    if not row:
        return None
    d = dict(zip([c[0] for c in cur.description], row))
    d["fields"] = json.loads(d["fields"] or "{}")
    d["basis"] = json.loads(d["basis"]) if d["basis"] else None
    return d


def _put(db: Database, item_type: str, item_key: str, state: dict | None) -> None:
    if state is None:
        db.execute("DELETE FROM curations WHERE item_type = ? AND item_key = ?", [item_type, item_key])
        return
    db.execute("""INSERT OR REPLACE INTO curations (item_type, item_key, study_id, status, fields, basis, reviewer,
                  reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
               [item_type, item_key, state.get("study_id"), state["status"],
                json.dumps(state.get("fields") or {}, ensure_ascii=False, sort_keys=True),
                json.dumps(state["basis"], ensure_ascii=False, sort_keys=True) if state.get("basis") else None,
                state.get("reviewer") or audit.who(), state.get("reason"), state.get("updated_at") or now()])


for _t in (*TABLES, "study"):
    audit.STATES[_t] = audit.StateKind(get=lambda db, key, t=_t: decision(db, t, key),
                                       put=lambda db, key, state, t=_t: _put(db, t, key, state))


def effective(db: Database, item: Item) -> dict:
    """What the store shows for an item: extracted values with the curated ones over them."""
    values = extracted(db, item)
    d = decision(db, item.type, item.key)
    if d:
        values.update(d["fields"])
    values["status"] = d["status"] if d else _extracted_status(db, item)
    return values


def _extracted_status(db: Database, item: Item) -> str:
    if item.type == "study":
        return "extracted"
    table, col = TABLES[item.type]
    row = db.execute(f"SELECT status FROM [{table}] WHERE [{col}] = ? LIMIT 1", [item.key]).fetchone()
    return row[0] if row else "extracted"


# --- values typed by the reviewer -------------------------------------------------------

def coerce(item_type: str, field: str, raw) -> object:
    """A field value as typed ('0.71', '', 'null', '60') to the stored type; KbError if invalid."""
    if field not in CURATED_FIELDS[item_type]:
        raise KbError(f"{field!r} is not a field of a {item_type.replace('_', ' ')}: "
                      f"choose from {', '.join(CURATED_FIELDS[item_type])}")
    if isinstance(raw, str):
        raw = raw.strip()
        if raw.lower() in ("", "null", "none", "-"):
            raw = None
    if raw is None:
        if field in _REQUIRED:
            raise KbError(f"{field} cannot be empty")
        return None
    try:
        if field in _FLOAT:
            value = float(str(raw).rstrip("%"))
        elif field in _INT:
            value = {"yes": 1, "true": 1, "no": 0, "false": 0}.get(str(raw).lower(), None)
            value = int(float(raw)) if value is None else value
        else:
            value = str(raw)
    except ValueError:
        raise KbError(f"{field}: {raw!r} is not a number") from None
    if field in _CHOICES:
        allowed = _CHOICES[field]
        match = next((c for c in allowed if c is not None and c.lower() == str(value).lower()), None)
        if match is None:
            raise KbError(f"{field}: {value!r} is not one of {', '.join(c for c in allowed if c)}")
        value = match
    return value


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise KbError(f"{p!r}: write FIELD=VALUE")
        k, v = p.split("=", 1)
        out[k.strip()] = v
    return out


# --- decisions --------------------------------------------------------------------------

class Session:
    """One action of one person: a batch in the log, inside one transaction."""

    def __init__(self, db: Database, person: str | None = None, action: str = "curate"):
        self.db, self.person, self.action = db, person or audit.who(), action
        self.batch = None

    def __enter__(self):
        self._tx = self.db.atomic()
        self._tx.__enter__()
        self.batch = audit.next_batch(self.db)
        return self

    def __exit__(self, *exc):
        return self._tx.__exit__(*exc)

    def change(self, item: Item, status: str, fields: dict, reason: str | None, action: str) -> bool:
        """Move an item to a new decision; False when nothing changes."""
        before = decision(self.db, item.type, item.key)
        base = extracted(self.db, item)
        # A correction equal to the extracted value is no correction.
        fields = {k: v for k, v in fields.items() if k not in base or base[k] != v}
        if status == "corrected" and not fields:
            status = "accepted"
        after = {"status": status, "fields": fields, "basis": base, "reviewer": self.person, "reason": reason,
                 "study_id": item.study_id, "updated_at": now()}
        if before and before["status"] == status and before["fields"] == fields:
            return False
        _put(self.db, item.type, item.key, after)
        audit.write(self.db, self.batch, action, item.type, item.key, audit._diff(before, after),
                    before, after, reason, self.person)
        # A decision on an item settles the conflicts listed for it.
        self.db.execute("""UPDATE curation_conflicts SET resolved_at = ? WHERE item_type = ? AND item_key = ?
                           AND resolved_at IS NULL""", [now(), item.type, item.key])
        return True


def accept(db: Database, refs: list[str], *, reason: str | None = None, person: str | None = None) -> int:
    """The values shown are right. A correction or an addition stays what it is."""
    n = 0
    with Session(db, person) as s:
        for ref in refs:
            item = resolve(db, ref)
            d = decision(db, item.type, item.key)
            if d and d["status"] in ("corrected", "added"):
                continue
            n += s.change(item, "accepted", {}, reason, "accept")
    return n


def reject(db: Database, refs: list[str], *, reason: str | None = None, person: str | None = None) -> int:
    n = 0
    with Session(db, person) as s:
        for ref in refs:
            item = resolve(db, ref)
            d = decision(db, item.type, item.key)
            n += s.change(item, "rejected", d["fields"] if d else {}, reason, "reject")
    return n


def set_fields(db: Database, ref: str, assignments: dict[str, object], *, reason: str | None = None,
               person: str | None = None, session: Session | None = None) -> bool:
    """Correct fields of an item (FIELD=VALUE); its status becomes corrected (added stays added)."""
    item = resolve(db, ref)
    if item.type == "study":
        field = item.key.split(":", 1)[1]
        if set(assignments) - {field}:
            raise KbError(f"{ref} is the study field {field}; set it as {field}=VALUE")
    values = {k: coerce(item.type, k, v) for k, v in assignments.items()}
    d = decision(db, item.type, item.key)
    fields = {**(d["fields"] if d else {}), **values}
    status = "added" if (d and d["status"] == "added") else "corrected"
    if session:
        return session.change(item, status, fields, reason, "set")
    with Session(db, person) as s:
        return s.change(item, status, fields, reason, "set")


def study_field_ref(db: Database, ref: str, assignments: dict) -> str:
    """`kb curate set STUDY field=value` names the item STUDY:field."""
    if ref[:1] in PREFIXES or ":" in ref or len(assignments) != 1:
        return ref
    (field,) = assignments
    if field in CURATED_FIELDS["study"]:
        return f"{_resolve_study(db, ref)}:{field}"
    return ref


def add_figure(db: Database, study: str, quote: str, values: dict[str, object], *, reason: str | None = None,
               person: str | None = None) -> str:
    """A figure the extractor missed. Its quote must stand in one of the study's documents
    (exact text); it is stored with rule 'curator' and status 'added'."""
    sid = _resolve_study(db, study)
    values = {k: coerce("figure", k, v) for k, v in values.items() if v is not None}
    for need in ("endpoint", "measure", "value"):
        if values.get(need) is None:
            raise KbError(f"a figure needs {need}")
    values.setdefault("unit", DEFAULT_UNIT[values["measure"]])
    if not quote or not quote.strip():
        raise KbError("a figure needs the quote that states it")
    docs = db.execute("""SELECT d.id, d.sha256, d.name FROM study_documents sd JOIN documents d
                         ON d.id = sd.document_id WHERE sd.study_id = ? ORDER BY d.richness DESC, d.id""",
                      [sid]).fetchall()
    for doc_id, sha256, _ in docs:
        start = _find_quote(db, doc_id, quote)
        if start is not None:
            break
    else:
        raise KbError(f"the quote is not in the text of {sid} ({', '.join(d[2] for d in docs) or 'no documents'}); "
                      "copy it exactly")
    end = start + len(quote)
    fig = Figure(quote=quote, start=start, end=end, confidence=1.0, rule="curator", **values)
    fid = figure_key(SimpleNamespace(sha256=sha256), fig)
    item = Item("figure", fid, sid)
    with Session(db, person) as s:
        db["figures"].insert({
            "id": fid, "study_id": sid, "document_id": doc_id, "quote": quote, "start": start, "end": end,
            "confidence": 1.0, "rule": "curator", "status": "added", "superseded": 0,
            **{k: values.get(k) for k in CURATED_FIELDS["figure"]},
        }, ignore=True)
        for canonical, cls in figure_therapies(fig):
            db["figure_therapies"].insert({"figure_id": fid, "therapy_id": therapy_id(db, canonical, cls)},
                                          ignore=True)
        s.change(item, "added", {}, reason, "add")
    return fid


# --- corrections from a spreadsheet ------------------------------------------------------

_ACTIONS = ("accept", "reject", "set")


def _find_quote(db: Database, doc_id: int, quote: str) -> int | None:
    """Where the quote stands in a document (its offset), or None."""
    for base, text in texts.texts_of(db, doc_id):
        at = text.find(quote)
        if at >= 0:
            return base + at
    return None


def import_corrections(db: Database, path: str | Path, *, person: str | None = None) -> dict[str, int]:
    """Apply a CSV of decisions in one transaction (nothing is applied if a row is wrong).

    Two shapes are read:
    - long: columns id, action (accept|reject|set), field, value, reason; one change a row;
    - wide: an `id` column, optional `status` (accepted|rejected) and `reason`, and any
      curatable field columns, as `kb query --format csv` writes them: every field whose
      value differs from what the store shows becomes a correction.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as e:
        raise KbError(f"{path}: cannot be read ({e.strerror or e})") from None
    except (csv.Error, UnicodeDecodeError) as e:
        raise KbError(f"{path}: not a CSV file ({e})") from None
    if not rows:
        raise KbError(f"{path}: no rows")
    header = set(rows[0])
    if "id" not in header:
        raise KbError(f"{path}: needs an id column")
    counts = {"accepted": 0, "rejected": 0, "corrected": 0, "unchanged": 0}
    with Session(db, person) as s:
        for line, row in enumerate(rows, start=2):
            try:
                _import_row(db, s, row, "action" in header, counts)
            except KbError as e:
                raise KbError(f"{path}, line {line}: {e}") from None
    return counts


def _import_row(db: Database, s: Session, row: dict, long: bool, counts: dict) -> None:
    ref = (row.get("id") or "").strip()
    reason = (row.get("reason") or "").strip() or None
    if long:
        action = (row.get("action") or "").strip().lower()
        if action not in _ACTIONS:
            raise KbError(f"action {action!r}: use {', '.join(_ACTIONS)}")
        if action == "set":
            field = (row.get("field") or "").strip()
            ref = study_field_ref(db, ref, {field: None})
            changed = set_fields(db, ref, {field: row.get("value")}, reason=reason, session=s)
            counts["corrected" if changed else "unchanged"] += 1
            return
        item = resolve(db, ref)
        d = decision(db, item.type, item.key)
        if action == "accept" and d and d["status"] in ("corrected", "added"):
            counts["unchanged"] += 1
            return
        changed = s.change(item, "accepted" if action == "accept" else "rejected",
                           (d["fields"] if d and action == "reject" else {}), reason, action)
        counts[("accepted" if action == "accept" else "rejected") if changed else "unchanged"] += 1
        return
    item = resolve(db, ref)
    shown = effective(db, item)
    edits = {}
    for field in CURATED_FIELDS[item.type]:
        if field in row and row[field] is not None:
            new = coerce(item.type, field, row[field])
            old = shown.get(field)
            if not _same(old, new):
                edits[field] = new
    status = (row.get("status") or "").strip().lower()
    if status and status not in STATUSES:
        raise KbError(f"status {status!r}: use accepted or rejected")
    if edits:
        set_fields(db, item.key, edits, reason=reason, session=s)
        counts["corrected"] += 1
    if status == "rejected":
        d = decision(db, item.type, item.key)
        counts["rejected" if s.change(item, "rejected", d["fields"] if d else {}, reason, "reject") else "unchanged"] += 1
    elif status == "accepted" and not edits:
        d = decision(db, item.type, item.key)
        if d and d["status"] in ("corrected", "added"):
            counts["unchanged"] += 1
        else:
            counts["accepted" if s.change(item, "accepted", {}, reason, "accept") else "unchanged"] += 1
    elif not edits:
        counts["unchanged"] += 1


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-12
    return a == b

