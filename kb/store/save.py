"""Writes. Everything for one document goes in one transaction (see kb.pipeline)."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlite_utils import Database

from kb.match import blocking_keys, normalise_title
from kb.models import ArticleRecord, Document, Extraction, Figure
from kb.store import merge

PARSER_VERSION = "kb-1"


_now: tuple[int, str] = (-1, "")


def now() -> str:
    """The time in UTC to the second, formatted once a second: a 30,000-record file asked
    for it for every study (5 us each)."""
    global _now
    second = int(time.time())
    if second != _now[0]:
        _now = (second, datetime.fromtimestamp(second, timezone.utc).isoformat(timespec="seconds"))
    return _now[1]


def study_key(record: ArticleRecord, doc: Document, index: int) -> str:
    """Stable study id: from the strongest identifier the record has, else the file and position."""
    for prefix, value in (("doi", record.doi), ("pmid", record.pmid), ("pmcid", record.pmcid), ("nct", record.nct_id)):
        if value:
            basis = f"{prefix}:{value.lower()}"
            break
    else:
        basis = f"sha256:{doc.sha256}:{index}"
    return "s" + hashlib.sha1(basis.encode()).hexdigest()[:12]


def figure_key(doc: Document, f: Figure) -> str:
    basis = json.dumps([doc.sha256, f.start, f.end, f.endpoint, f.measure, f.timepoint_months, f.group,
                        f.variable, f.comparator, f.analysis, f.value])
    return "f" + hashlib.sha1(basis.encode()).hexdigest()[:16]


def _stable_key(prefix: str, parts: list) -> str:
    """A key that is the same whenever the same document states the same values at the same
    place: what curated decisions are keyed by, so they survive re-extraction."""
    def norm(v):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    return prefix + hashlib.sha1(json.dumps([norm(p) for p in parts]).encode()).hexdigest()[:16]


def cohort_key(sha256: str | None, start, end, label: str, n) -> str:
    return _stable_key("c", [sha256, start, end, label, n])


def adverse_event_key(sha256: str | None, start, end, event: str, phase, grade, n, percent) -> str:
    return _stable_key("e", [sha256, start, end, event, phase, grade, n, percent])


def therapy_key(sha256: str | None, study_id: str, start, end, mention: str) -> str:
    # A therapy link is one per study and mention; a link without a document keys on its study.
    return _stable_key("t", [sha256 or study_id, start, end, mention])


# INSERT statements by table and columns. Rows go through the connection, not sqlite-utils'
# table objects, which read the schema on every insert: on a 30,000-record file that
# introspection cost more than the writes (issue 4 benchmark).
_INSERTS: dict[tuple, str] = {}


def insert(db: Database, table: str, row: dict, *, ignore: bool = False) -> int:
    """Insert one row; returns its rowid."""
    return db.conn.execute(_insert_sql(table, tuple(row), ignore), list(row.values())).lastrowid


def insert_many(db: Database, table: str, rows: list[dict], *, ignore: bool = False) -> None:
    """Insert rows that all have the same columns."""
    if rows:
        db.conn.executemany(_insert_sql(table, tuple(rows[0]), ignore), [list(r.values()) for r in rows])


def _insert_sql(table: str, columns: tuple, ignore: bool) -> str:
    key = (table, columns, ignore)
    sql = _INSERTS.get(key)
    if sql is None:
        names = ", ".join(f"[{c}]" for c in columns)
        sql = _INSERTS[key] = (f"INSERT {'OR IGNORE ' if ignore else ''}INTO [{table}] ({names}) "
                               f"VALUES ({', '.join('?' for _ in columns)})")
    return sql


def update(db: Database, table: str, key, values: dict, *, pk: str = "id") -> None:
    """Set columns of one row, leaving it untouched when they already hold these values."""
    if values:
        sets = ", ".join(f"[{c}] = ?" for c in values)
        differ = " OR ".join(f"[{c}] IS NOT ?" for c in values)
        db.conn.execute(f"UPDATE [{table}] SET {sets} WHERE [{pk}] = ? AND ({differ})",
                        [*values.values(), key, *values.values()])


def index_studies(db: Database, rowids: list[int]) -> None:
    """Add new studies to full-text search (title, abstract); see migration 0007."""
    for i in range(0, len(rowids), 500):
        batch = rowids[i:i + 500]
        db.conn.execute("INSERT INTO studies_fts (rowid, title, abstract) SELECT rowid, title, abstract FROM studies "
                        f"WHERE rowid IN ({', '.join('?' for _ in batch)})", batch)


def document_exists(db: Database, sha256: str) -> bool:
    return bool(db.execute("SELECT 1 FROM documents WHERE sha256 = ?", [sha256]).fetchone())


def save_document(db: Database, doc: Document, fmt: str, text: str, richness_: int = 2) -> int:
    return insert(db, "documents", {
        "name": doc.name, "path": doc.path, "format": fmt, "sha256": doc.sha256, "size": doc.size,
        "parser_version": PARSER_VERSION, "ingested_at": now(), "text": text, "richness": richness_,
    })


def _lookup(db: Database, table: str, column: str, value: str, extra: dict | None = None,
            ids: dict | None = None) -> int:
    """The id of the row whose `column` is `value`, made when missing; non-empty `extra`
    values are set on it. `ids` remembers answers within one transaction (rolled back with
    it, never reused after): a 30,000-record file names the same authors and keywords often."""
    key = (table, value, tuple(extra.values()) if extra else None)
    if ids is not None and key in ids:
        return ids[key]
    row = db.conn.execute(f"SELECT id FROM [{table}] WHERE [{column}] = ?", [value]).fetchone()
    if row:
        if extra:
            update(db, table, row[0], {k: v for k, v in extra.items() if v is not None})
        found = row[0]
    else:
        found = insert(db, table, {column: value, **(extra or {})})
    if ids is not None:
        ids[key] = found
    return found


def therapy_id(db: Database, canonical: str, therapy_class: str, parent: str | None = None,
               ids: dict | None = None) -> int:
    if ids is not None and ("therapies", canonical) in ids:
        return ids[("therapies", canonical)]
    found = _therapy_id(db, canonical, therapy_class, parent)
    if ids is not None:
        ids[("therapies", canonical)] = found
    return found


def _therapy_id(db: Database, canonical: str, therapy_class: str, parent: str | None) -> int:
    row = db.conn.execute("SELECT id FROM therapies WHERE canonical = ?", [canonical]).fetchone()
    if row:
        return row[0]
    return insert(db, "therapies", {"canonical": canonical, "class": therapy_class, "parent": parent})


# Where two sources of one paper disagree, who wins depends on the field: bibliographic
# fields from a source that states them (a PubMed or publisher record) over what was
# guessed from a text's first lines; extracted facts from the richer text (full text over
# abstract). The losing value is kept in field_conflicts, never lost.
_BIBLIOGRAPHIC = ("title", "abstract", "pub_date", "year", "journal_id", "volume", "issue", "pages")
_EXTRACTED = ("design", "condition_id", "n_patients", "follow_up_median_months")
_GUESSED_METADATA = ("text", "pdf")


def _same_value(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return normalise_title(a) == normalise_title(b)
    return str(a) == str(b)


def _merge_fields(db: Database, sid: str, row: dict, doc_id: int, mine: int, fmt: str) -> None:
    """Another source of a stored paper: fill what is missing, settle disagreements by the
    rules above."""
    cur = db.execute("SELECT * FROM studies WHERE id = ?", [sid])
    current = dict(zip([c[0] for c in cur.description], cur.fetchone()))
    theirs = db.execute("""SELECT max(d.richness), min(d.format IN ('text', 'pdf')) FROM study_documents sd
                           JOIN documents d ON d.id = sd.document_id WHERE sd.study_id = ?""", [sid]).fetchone()
    their_richness, their_guessed = (theirs[0] or 0), bool(theirs[1])
    updates = {}
    for k, v in row.items():
        if k in ("id", "created_at") or v is None:
            continue
        old = current.get(k)
        if old is None:
            updates[k] = v
            continue
        if k not in _BIBLIOGRAPHIC + _EXTRACTED or _same_value(old, v):
            continue
        if k in _BIBLIOGRAPHIC:
            new_wins = their_guessed and fmt not in _GUESSED_METADATA
            rule = "bibliographic field: a record that states it over text guessing"
        else:
            new_wins = mine > their_richness
            rule = "extracted fact: full text over abstract over reference"
        kept, other = (v, old) if new_wins else (old, v)
        if new_wins:
            updates[k] = v
        insert(db, "field_conflicts", {"study_id": sid, "field": k, "kept": str(kept), "other": str(other),
                                       "document_id": None if new_wins else doc_id, "rule": rule})
    update(db, "studies", sid, updates)


@dataclass
class _Known:
    cohorts: set = field(default_factory=set)
    figures: set = field(default_factory=set)
    adverse_events: set = field(default_factory=set)


def _figure_value_key(f) -> tuple:
    return (f.endpoint, f.measure, f.timepoint_months, f.group, f.comparator, f.variable, f.analysis,
            round(f.value, 6), f.ci_low, f.ci_high)


def _known_values(db: Database, sid: str) -> _Known:
    """What a study already states (from its other documents), to store each value once."""
    known = _Known()
    live = "study_id = ? AND superseded = 0"  # a richer source's values are not blocked by what it supersedes
    known.cohorts = set(db.execute(f"SELECT label, n FROM cohorts WHERE {live}", [sid]).fetchall())
    known.adverse_events = set(db.execute(f"SELECT event, phase, grade, n FROM adverse_events WHERE {live}",
                                          [sid]).fetchall())
    for r in db.execute(f"""SELECT endpoint, measure, timepoint_months, "group", comparator, variable, analysis,
                           value, ci_low, ci_high FROM figures WHERE {live}""", [sid]).fetchall():
        known.figures.add(tuple(r[:7]) + (round(r[7], 6),) + tuple(r[8:]))
    return known


def save_study(db: Database, doc_id: int, doc: Document, index: int, record: ArticleRecord,
               ex: Extraction, figure_links: list[list[tuple[str, str]]], fmt: str = "text",
               mine: int = 2, ids: dict | None = None, unindexed: list[int] | None = None,
               keys: set[str] | None = None) -> str:
    """Store one record of a document as a study (or as another source of a stored one).
    `ids`: lookups remembered for the length of the caller's transaction (see _lookup).
    `unindexed`: a new study's rowid goes there for the caller to index_studies() in a
    batch; without it the study is indexed at once. `keys`: the record's blocking keys, when
    the caller found them already."""
    sid = study_key(record, doc, index)
    j = record.journal
    journal_id = _lookup(db, "journals", "name", j.name, {
        "issn": j.issn, "impact_factor": j.impact_factor, "quartile": j.quartile, "category": j.category,
    }, ids) if j and j.name else None
    condition_id = _lookup(db, "conditions", "name", ex.study.condition, None, ids) if ex.study.condition else None
    row = {
        "id": sid, "title": record.title, "title_original": record.title_original,
        "title_language": record.title_language, "abstract": record.abstract, "doi": record.doi,
        "pmid": record.pmid, "pmcid": record.pmcid, "nct_id": record.nct_id, "pub_date": record.pub_date,
        "year": record.year, "journal_id": journal_id, "volume": j.volume if j else None,
        "issue": j.issue if j else None, "pages": j.pages if j else None, "design": ex.study.design,
        "condition_id": condition_id, "n_patients": ex.study.n_patients,
        "follow_up_median_months": ex.study.follow_up_median_months, "language": record.language,
        "oa_url": record.oa_url, "publication_types": json.dumps(record.publication_types) if record.publication_types else None,
        "created_at": now(),
    }
    cand = merge.candidate_of_record(record)
    if keys is None:
        keys = blocking_keys(cand)   # once: finding and remembering the study both need them
    match_id, verdict = merge.find_match(db, cand, keys)
    if match_id and verdict and verdict.relation == "same":
        sid = match_id
    # Made unless it exists: the insert itself tells (one statement a new study, not two).
    # (A matched study is in the store: its identifiers' rows cascade with it.)
    row["id"] = sid
    cur = db.conn.execute(_insert_sql("studies", tuple(row), False) + " ON CONFLICT (id) DO NOTHING",
                          list(row.values()))
    existing = not cur.rowcount
    if existing:
        if unindexed:
            # The study may be one of this file's, not in full-text search yet: updating it
            # first would have its FTS5 trigger delete an entry that is not there, which
            # corrupts the index (and the file was refused). A paper twice in one file is rare.
            index_studies(db, unindexed)
            unindexed.clear()
        _merge_fields(db, sid, row, doc_id, mine, fmt)
    else:
        rowid = cur.lastrowid
        if unindexed is None:
            index_studies(db, [rowid])
        else:
            unindexed.append(rowid)
        if match_id and verdict:
            merge.link(db, sid, match_id, verdict)  # preprint, conference abstract or near-duplicate
    merge.remember(db, sid, cand, keys, new=not existing)
    # (a study just made has no documents yet)
    before = db.execute("""SELECT max(d.richness) FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                           WHERE sd.study_id = ?""", [sid]).fetchone()[0] if existing else None
    insert(db, "study_documents", {"study_id": sid, "document_id": doc_id}, ignore=True)
    # The richest source's figures are the study's: a full text supersedes an abstract.
    superseded = int(before is not None and mine < before)
    if before is not None and mine > before:
        for table in ("figures", "cohorts", "adverse_events"):
            db.execute(f"UPDATE [{table}] SET superseded = 1 WHERE study_id = ?", [sid])

    if not existing:
        insert_many(db, "study_authors", [{"study_id": sid, "author_id": _lookup(
            db, "authors", "name", a.name, {"family": a.family, "given": a.given, "collective": int(a.collective)}, ids),
            "position": pos} for pos, a in enumerate(record.authors)], ignore=True)
    insert_many(db, "study_keywords", [{"study_id": sid, "keyword_id": _lookup(db, "keywords", "keyword", kw, None, ids)}
                                       for kw in dict.fromkeys(k.strip() for k in record.keywords if k.strip())],
                ignore=True)

    known = _known_values(db, sid) if existing else _Known()
    save_extraction(db, sid, doc_id, doc, ex, figure_links, superseded, known, ids)
    return sid


def save_extraction(db: Database, sid: str, doc_id: int, doc: Document, ex: Extraction,
                    figure_links: list[list[tuple[str, str]]], superseded: int, known: _Known,
                    ids: dict | None = None) -> int:
    """The extracted rows of one record of a document: therapy links, cohorts, figures and
    adverse events, each with its stable key. Returns the number of figures written."""
    n_figures = 0
    for t in ex.therapies:
        tid = therapy_id(db, t.canonical, t.therapy_class, ids=ids)
        insert(db, "study_therapies", {
            "study_id": sid, "therapy_id": tid, "mention": t.mention, "given": int(t.given),
            "document_id": doc_id, "start": t.start, "end": t.end,
            "key": therapy_key(doc.sha256, sid, t.start, t.end, t.mention),
        }, ignore=True)
    # A second source of the same study states many of the same values: store each once.
    insert_many(db, "cohorts", [{
        "study_id": sid, "document_id": doc_id, "label": c.label, "n": c.n, "quote": c.quote,
        "start": c.start, "end": c.end, "rule": c.rule, "locator": c.locator, "superseded": superseded,
        "key": cohort_key(doc.sha256, c.start, c.end, c.label, c.n),
    } for c in ex.cohorts if (c.label, c.n) not in known.cohorts])
    for f, links in zip(ex.figures, figure_links):
        if _figure_value_key(f) in known.figures:
            continue
        fid = figure_key(doc, f)
        insert(db, "figures", {
            "id": fid, "study_id": sid, "document_id": doc_id, "endpoint": f.endpoint, "measure": f.measure,
            "timepoint_months": f.timepoint_months, "group": f.group, "comparator": f.comparator,
            "variable": f.variable, "analysis": f.analysis, "value": f.value, "unit": f.unit,
            "ci_low": f.ci_low, "ci_high": f.ci_high, "p_value": f.p_value, "p_op": f.p_op,
            "quote": f.quote, "start": f.start, "end": f.end, "section": f.section,
            "confidence": f.confidence, "rule": f.rule, "locator": f.locator, "superseded": superseded,
        }, ignore=True)
        n_figures += 1
        for canonical, cls in links:
            insert(db, "figure_therapies", {"figure_id": fid, "therapy_id": therapy_id(db, canonical, cls, ids=ids)},
                   ignore=True)
    insert_many(db, "adverse_events", [{
        "study_id": sid, "document_id": doc_id, "event": a.event, "phase": a.phase, "grade": a.grade,
        "n": a.n, "percent": a.percent, "quote": a.quote, "start": a.start, "end": a.end,
        "locator": a.locator, "superseded": superseded,
        "key": adverse_event_key(doc.sha256, a.start, a.end, a.event, a.phase, a.grade, a.n, a.percent),
    } for a in ex.adverse_events if (a.event, a.phase, a.grade, a.n) not in known.adverse_events])
    return n_figures
