"""One study per paper, in the store: find the study a record belongs to, merge two studies,
and list candidate merges (`kb dedupe`)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlite_utils import Database

from kb.match import IDENTIFIER_KINDS, Candidate, Verdict, blocking_keys, compare
from kb.models import ArticleRecord


def candidate_of_record(record: ArticleRecord) -> Candidate:
    ids = {"doi": record.doi, "pmid": record.pmid, "pmcid": record.pmcid, "nct": record.nct_id}
    return Candidate(
        id=None, title=record.title, year=record.year,
        first_author=record.authors[0].name if record.authors else None,
        identifiers={k: v.lower() for k, v in ids.items() if v},
        journal=record.journal.name if record.journal else None,
        publication_types=tuple(record.publication_types),
        volume=record.journal.volume if record.journal else None,
        issue=record.journal.issue if record.journal else None,
        pages=record.journal.pages if record.journal else None,
    )


def candidate_of_study(db: Database, study_id: str) -> Candidate:
    row = db.execute("""
        SELECT s.title, s.year, s.publication_types, j.name, s.volume, s.pages, s.issue,
               (SELECT a.name FROM study_authors sa JOIN authors a ON a.id = sa.author_id
                WHERE sa.study_id = s.id ORDER BY sa.position LIMIT 1)
        FROM studies s LEFT JOIN journals j ON j.id = s.journal_id WHERE s.id = ?""", [study_id]).fetchone()
    ids = dict(db.execute("SELECT kind, value FROM study_identifiers WHERE study_id = ?", [study_id]).fetchall())
    import json
    types = tuple(json.loads(row[2])) if row and row[2] else ()
    return Candidate(id=study_id, title=row[0], year=row[1], first_author=row[7], identifiers=ids,
                     journal=row[3], publication_types=types, volume=row[4], pages=row[5], issue=row[6])


def find_match(db: Database, cand: Candidate, keys: set[str] | None = None) -> tuple[str | None, Verdict | None]:
    """The stored study this record is, or the closest related one (with its verdict).
    `keys`: the candidate's blocking keys, when the caller has them already."""
    present = [(kind, cand.identifiers[kind]) for kind in IDENTIFIER_KINDS if cand.identifiers.get(kind)]
    if present:
        # One statement for all the record's identifiers (a PubMed record has two or three),
        # then tried in IDENTIFIER_KINDS order as before: a (kind, value) names one study.
        where = " OR ".join("(kind = ? AND value = ?)" for _ in present)
        found = dict(db.conn.execute(f"SELECT kind, study_id FROM study_identifiers WHERE {where}",
                                     [x for kv in present for x in kv]).fetchall())
        for kind, _ in present:
            if kind in found:
                verdict = compare(cand, candidate_of_study(db, found[kind]))
                if verdict.relation == "same":
                    return found[kind], verdict
    keys = sorted(blocking_keys(cand) if keys is None else keys)
    if not keys:
        return None, None
    # Studies with another id of a kind that never differs within one paper (two PMIDs are two
    # records, see compare) are left out in SQL: a 30,000-record file of one topic shares
    # title blocks widely, and building every such study to compare it cost more than the rest.
    # The PMID is on the block row itself (migration 0008), so a PubMed record finds by index
    # the few studies of its blocks without a PMID or with its own.
    in_keys = f"b.key IN ({', '.join('?' for _ in keys)})"
    pmid = cand.identifiers.get("pmid")
    clashing = [(k, v) for k, v in cand.identifiers.items() if k not in ("doi", "pmid")]
    exclude = "".join(" AND NOT EXISTS (SELECT 1 FROM study_identifiers i WHERE i.study_id = b.study_id"
                      " AND i.kind = ? AND i.value != ?)" for _ in clashing)
    args = [x for kv in clashing for x in kv]
    if pmid:
        sql = (f"SELECT b.study_id FROM study_blocks b WHERE {in_keys} AND b.pmid IS NULL{exclude} UNION "
               f"SELECT b.study_id FROM study_blocks b WHERE {in_keys} AND b.pmid = ?{exclude}")
        params = keys + args + keys + [pmid] + args
    else:
        sql = f"SELECT DISTINCT b.study_id FROM study_blocks b WHERE {in_keys}{exclude}"
        params = keys + args
    ids = [r[0] for r in db.conn.execute(sql, params)]
    best: tuple[str | None, Verdict | None] = (None, None)
    for sid in ids:
        v = compare(cand, candidate_of_study(db, sid))
        if v.relation == "different":
            continue
        if v.relation == "same":
            return sid, v
        if best[1] is None or v.score > best[1].score:
            best = (sid, v)
    return best


def remember(db: Database, study_id: str, cand: Candidate, keys: set[str] | None = None, *, new: bool = False) -> None:
    """Record the identifiers and blocking keys a study can be found by. `new`: the study was
    just made from this candidate, so its PMID is the candidate's and no earlier row lacks it."""
    db.conn.executemany("INSERT OR IGNORE INTO study_identifiers (study_id, kind, value) VALUES (?, ?, ?)",
                        [(study_id, kind, value) for kind, value in cand.identifiers.items()])
    pmid = cand.identifiers.get("pmid") if new else study_pmid(db, study_id)
    db.conn.executemany("INSERT OR IGNORE INTO study_blocks (study_id, key, pmid) VALUES (?, ?, ?)",
                        [(study_id, key, pmid) for key in (blocking_keys(cand) if keys is None else keys)])
    if pmid and not new:   # a study without a PMID may have just got one: its earlier rows too
        refresh_block_pmid(db, study_id, pmid)


def study_pmid(db: Database, study_id: str) -> str | None:
    # (+kind: by the study's index; by the (kind, value) key, min() read every PMID of the store)
    return db.conn.execute("SELECT min(value) FROM study_identifiers WHERE study_id = ? AND +kind = 'pmid'",
                           [study_id]).fetchone()[0]


def refresh_block_pmid(db: Database, study_id: str, pmid: str | None) -> None:
    """The study's PMID on all its block rows (it may have come with a later source)."""
    db.conn.execute("UPDATE study_blocks SET pmid = ? WHERE study_id = ? AND pmid IS NOT ?", [pmid, study_id, pmid])


def link(db: Database, study_id: str, other_id: str, verdict: Verdict) -> None:
    db.execute("INSERT OR REPLACE INTO study_links (study_id, other_id, relation, score, reason) VALUES (?, ?, ?, ?, ?)",
               [study_id, other_id, verdict.relation, verdict.score, "; ".join(verdict.reasons)])


# Rows owned by a study, moved when two studies merge.
_OWNED = ("study_documents", "cohorts", "figures", "adverse_events", "study_keywords", "field_conflicts")


def merge_studies(db: Database, keep: str, absorb: str) -> None:
    """Move everything of `absorb` into `keep` and delete `absorb` (one transaction)."""
    with db.atomic():
        for table in _OWNED:
            db.execute(f"UPDATE OR IGNORE [{table}] SET study_id = ? WHERE study_id = ?", [keep, absorb])
        db.execute("UPDATE OR IGNORE study_therapies SET study_id = ? WHERE study_id = ?", [keep, absorb])
        db.execute("UPDATE OR IGNORE study_identifiers SET study_id = ? WHERE study_id = ?", [keep, absorb])
        db.execute("UPDATE OR IGNORE study_blocks SET study_id = ? WHERE study_id = ?", [keep, absorb])
        refresh_block_pmid(db, keep, study_pmid(db, keep))
        if not db.execute("SELECT 1 FROM study_authors WHERE study_id = ?", [keep]).fetchone():
            db.execute("UPDATE study_authors SET study_id = ? WHERE study_id = ?", [keep, absorb])
        # Fill what the kept study lacks from the absorbed one.
        cols = [c.name for c in db["studies"].columns if c.name not in ("id", "created_at")]
        sets = ", ".join(f"[{c}] = COALESCE(studies.[{c}], (SELECT [{c}] FROM studies o WHERE o.id = ?))" for c in cols)
        db.execute(f"UPDATE studies SET {sets} WHERE id = ?", [absorb] * len(cols) + [keep])
        db.execute("DELETE FROM study_links WHERE (study_id = ? AND other_id = ?) OR (study_id = ? AND other_id = ?)",
                   [keep, absorb, absorb, keep])
        db.execute("UPDATE OR IGNORE study_links SET study_id = ? WHERE study_id = ?", [keep, absorb])
        db.execute("UPDATE OR IGNORE study_links SET other_id = ? WHERE other_id = ?", [keep, absorb])
        # A reviewer's screening decisions and field corrections follow the paper.
        db.execute("UPDATE OR IGNORE screening SET study_id = ? WHERE study_id = ?", [keep, absorb])
        db.execute("UPDATE curations SET study_id = ? WHERE study_id = ?", [keep, absorb])
        db.execute("""UPDATE OR IGNORE curations SET item_key = ? || substr(item_key, length(?) + 1)
                      WHERE item_type = 'study' AND item_key LIKE ? || ':%'""", [keep, absorb, absorb])
        db.execute("DELETE FROM studies WHERE id = ?", [absorb])
        resupersede(db, keep)


def resupersede(db: Database, study_id: str) -> None:
    """Figures, cohorts and events count from the study's richest documents only."""
    best = db.execute("""SELECT max(d.richness) FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                         WHERE sd.study_id = ?""", [study_id]).fetchone()[0]
    for table in ("figures", "cohorts", "adverse_events"):
        db.execute(f"""UPDATE [{table}] SET superseded = (SELECT d.richness < ? FROM documents d
                       WHERE d.id = [{table}].document_id) WHERE study_id = ?""", [best, study_id])


@dataclass
class Pair:
    a: str
    b: str
    verdict: Verdict
    title_a: str | None
    title_b: str | None


def candidate_pairs(db: Database) -> list[Pair]:
    """Every pair of studies that meets under a blocking key and is not plainly different."""
    blocks: dict[str, list[str]] = defaultdict(list)
    for key, sid in db.execute("SELECT key, study_id FROM study_blocks ORDER BY study_id"):
        blocks[key].append(sid)
    seen: set[tuple[str, str]] = set()
    cache: dict[str, Candidate] = {}
    out = []
    for ids in blocks.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pair = (min(a, b), max(a, b))
                if pair in seen or a == b:
                    continue
                seen.add(pair)
                ca = cache.setdefault(pair[0], candidate_of_study(db, pair[0]))
                cb = cache.setdefault(pair[1], candidate_of_study(db, pair[1]))
                v = compare(ca, cb)
                if v.relation != "different":
                    out.append(Pair(pair[0], pair[1], v, ca.title, cb.title))
    return sorted(out, key=lambda p: -p.verdict.score)


def dedupe(db: Database, apply: bool) -> list[Pair]:
    """List candidate merges; with apply, merge the 'same' pairs and link the others."""
    pairs = candidate_pairs(db)
    if apply:
        for p in pairs:
            if not db.execute("SELECT 1 FROM studies WHERE id = ?", [p.b]).fetchone() or \
                    not db.execute("SELECT 1 FROM studies WHERE id = ?", [p.a]).fetchone():
                continue  # already merged into another
            if p.verdict.relation == "same":
                keep, absorb = sorted((p.a, p.b), key=lambda s: db.execute(
                    "SELECT created_at FROM studies WHERE id = ?", [s]).fetchone()[0])
                merge_studies(db, keep, absorb)
            else:
                with db.atomic():
                    link(db, p.a, p.b, p.verdict)
    return pairs
