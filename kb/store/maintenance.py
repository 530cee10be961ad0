"""Checking and backing up a store: `kb check` and `kb backup`.

Both read the store through a read-only connection of their own (never open_db, which would
apply migrations): a check must not change what it checks, and a backup must work while an
ingest is writing. SQLite's WAL mode lets them read a consistent snapshot without blocking
the writer.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import KbError
from kb.store.db import BUSY_TIMEOUT_MS, resolve_db_path

# PRAGMA integrity_check stops after this many problems; a store with more is beyond listing.
MAX_INTEGRITY_ERRORS = 100

# Rows that nothing points at although every row should be pointed at: a study belongs to at
# least one document and a document to at least one study (ingest writes both in one
# transaction). (name, SQL counting them, SQL listing a few of them)
ORPHANS = [
    ("study without a document",
     "SELECT id FROM studies WHERE id NOT IN (SELECT study_id FROM study_documents)"),
    ("document without a study",
     "SELECT id FROM documents WHERE id NOT IN (SELECT document_id FROM study_documents)"),
    ("figure whose document is not one of its study's",
     "SELECT f.id FROM figures f WHERE NOT EXISTS (SELECT 1 FROM study_documents sd "
     "WHERE sd.study_id = f.study_id AND sd.document_id = f.document_id) "
     "AND f.study_id IN (SELECT id FROM studies)"),
]

# Rows whose quote is not the text of their document at their offsets: provenance broken.
# A one-record document's text is documents.text; a file of many records keeps one text per
# record in document_texts (kb.store.texts), the one that starts last at or before the quote.
_QUOTE_TEXT = """COALESCE(
    (SELECT substr(t.text, x.start - t.start + 1, x."end" - x.start) FROM document_texts t
     WHERE t.document_id = x.document_id AND t.start <= x.start ORDER BY t.start DESC LIMIT 1),
    (SELECT substr(d.text, x.start + 1, x."end" - x.start) FROM documents d WHERE d.id = x.document_id))"""
QUOTED = ("figures", "cohorts", "adverse_events")

# Blocking rows whose PMID is not their study's (migration 0008): such a study would be missed,
# or wrongly met, when a record of the same or another PubMed paper comes.
STALE_BLOCKS = """SELECT b.rowid FROM study_blocks b WHERE b.pmid IS NOT (SELECT min(i.value) FROM study_identifiers i
                  WHERE i.study_id = b.study_id AND +i.kind = 'pmid')"""


def misquoted_sql(table: str) -> str:
    return (f"SELECT x.rowid FROM [{table}] x WHERE x.quote IS NOT NULL AND x.start IS NOT NULL "
            f"AND x.\"end\" IS NOT NULL AND x.document_id IS NOT NULL AND x.quote IS NOT {_QUOTE_TEXT}")


@dataclass
class Problem:
    check: str       # integrity, foreign_keys, orphans, quotes, blocks, fts
    table: str | None
    detail: str


@dataclass
class CheckReport:
    path: str
    checks: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def connect_readonly(db_path: str | os.PathLike | None) -> tuple[sqlite3.Connection, Path]:
    path = resolve_db_path(db_path)
    if not path.exists():
        raise KbError(f"{path}: no such kb store")
    if path.is_dir():
        raise KbError(f"{path}: is a folder, not a kb store")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        raise KbError(f"{path}: not a usable kb store ({e})") from None
    return conn, path


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def fts_tables(conn: sqlite3.Connection) -> list[str]:
    """The FTS5 tables of the store (studies_fts, figures_fts, ...), not their shadow tables."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    return sorted(name for name, sql in rows if "fts5" in sql.lower())


def check_store(db_path: str | os.PathLike | None = None) -> CheckReport:
    """Integrity, foreign keys, orphan rows, quotes that are the text at their offsets,
    blocking rows that carry their study's PMID, and full-text indexes in step with their tables.

    Read in one snapshot, so a check running beside an ingest sees whole documents only."""
    conn, path = connect_readonly(db_path)
    report = CheckReport(str(path))
    try:
        conn.execute("BEGIN")
        report.checks.append("integrity")
        for (msg,) in conn.execute(f"PRAGMA integrity_check({MAX_INTEGRITY_ERRORS})"):
            if msg != "ok":
                report.problems.append(Problem("integrity", None, msg))
        if report.problems:
            return report        # the rest reads through a damaged file: not worth trusting

        report.checks.append("foreign_keys")
        broken: dict[tuple[str, str], list] = {}
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            broken.setdefault((table, parent), []).append(rowid)
        for (table, parent), rowids in broken.items():
            report.problems.append(Problem("foreign_keys", table, f"{len(rowids)} rows point at missing {parent} rows "
                                                                  f"(rowid {_few(rowids)})"))

        tables = _tables(conn)
        report.checks.append("orphans")
        if {"studies", "documents", "study_documents", "figures"} <= tables:
            for what, sql in ORPHANS:
                ids = [r[0] for r in conn.execute(sql + " LIMIT 20")]
                if ids:
                    (n,) = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()
                    table = sql.split("FROM ", 1)[1].split()[0]
                    report.problems.append(Problem("orphans", table, f"{n} {what} ({_few(ids, n)})"))
        report.checks.append("quotes")
        for table in QUOTED if "documents" in tables else ():
            if table in tables:
                ids = [r[0] for r in conn.execute(misquoted_sql(table) + " LIMIT 20")]
                if ids:
                    (n,) = conn.execute(f"SELECT count(*) FROM ({misquoted_sql(table)})").fetchone()
                    report.problems.append(Problem("quotes", table, f"{n} quotes are not the text at their offsets "
                                                                    f"(rowid {_few(ids, n)})"))
        report.checks.append("blocks")
        if "study_blocks" in tables and "pmid" in {r[1] for r in conn.execute("PRAGMA table_info(study_blocks)")}:
            ids = [r[0] for r in conn.execute(STALE_BLOCKS + " LIMIT 20")]
            if ids:
                (n,) = conn.execute(f"SELECT count(*) FROM ({STALE_BLOCKS})").fetchone()
                report.problems.append(Problem("blocks", "study_blocks", f"{n} blocking rows do not carry their "
                                                                        f"study's PMID (rowid {_few(ids, n)})"))
        fts = fts_tables(conn)
    except sqlite3.DatabaseError as e:
        report.problems.append(Problem("integrity", None, str(e)))
        return report
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()

    report.checks.append("fts")
    for table in fts:
        problem = _fts_problem(path, table)
        if problem:
            report.problems.append(Problem("fts", table, f"full-text index out of step with its table: {problem}"))
    return report


def _few(ids: list, n: int | None = None) -> str:
    n = len(ids) if n is None else n
    return ", ".join(map(str, ids[:5])) + (" ..." if n > 5 else "")


def _fts_problem(path: Path, table: str) -> str | None:
    """FTS5's own 'integrity-check': every index entry matches the content table and back.

    It is an INSERT command, so it needs a read-write connection and the write lock for the
    moment it runs (waiting for an ingest's current document, as any writer does); it
    changes nothing, and its transaction is rolled back all the same."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        # rank = 1: compare with the external content table too, not only the index with itself
        conn.execute(f"INSERT INTO [{table}]([{table}], rank) VALUES ('integrity-check', 1)")
        return None
    except sqlite3.DatabaseError as e:
        # SQLite reports a mismatch as SQLITE_CORRUPT_VTAB, "database disk image is malformed"
        return f"{e}; rebuild with INSERT INTO {table}({table}) VALUES ('rebuild')"
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


@dataclass
class BackupResult:
    source: str
    target: str
    pages: int
    bytes: int


def backup_store(db_path: str | os.PathLike | None, target: str | os.PathLike, *, force: bool = False) -> BackupResult:
    """Copy the store with SQLite's online backup, safe while other processes read and write.

    The copy is one consistent snapshot (the backup runs as a single step inside one read
    transaction, so a concurrent ingest shows up wholly or not at all), is written to a
    temporary file beside the target, checked with PRAGMA integrity_check, turned into a
    self-contained file (rollback journal, no -wal beside it) and only then renamed to the
    target: an interrupted backup never leaves a half-written file under the target name."""
    src, path = connect_readonly(db_path)
    target = Path(target)
    try:
        if target.exists() and target.is_dir():
            target = target / path.name
        if target.exists() and target.resolve() == path.resolve():
            raise KbError(f"{target}: is the store itself; back up to another path")
        if target.exists() and not force:
            raise KbError(f"{target}: already exists (pass --force to replace it)")
        if not target.parent.is_dir():
            raise KbError(f"{target.parent}: no such folder")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        os.close(fd)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)                      # pages=-1: all pages in one step, one snapshot
                dst.execute("PRAGMA journal_mode = DELETE")
                (ok,) = dst.execute("PRAGMA integrity_check").fetchone()
                if ok != "ok":
                    raise KbError(f"{target}: the copy failed its integrity check ({ok})")
                (pages,) = dst.execute("PRAGMA page_count").fetchone()
            finally:
                dst.close()
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except sqlite3.DatabaseError as e:
        raise KbError(f"{path}: backup failed ({e})") from None
    except OSError as e:
        raise KbError(f"{target}: cannot write the backup ({e.strerror or e})") from None
    finally:
        src.close()
    return BackupResult(str(path), str(target), pages, target.stat().st_size)
