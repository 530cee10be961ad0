"""Opening the store: path resolution, pragmas, migrations. The only module that connects."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from sqlite_utils import Database

from kb.errors import KbError
from kb.store.migrations import migrations
from kb.store.views import ensure_views

DEFAULT_DB = "kb.db"
# Writers wait this long for a lock before giving up; an ingest holds one only per document.
BUSY_TIMEOUT_MS = 30_000


def resolve_db_path(db_path: str | os.PathLike | None) -> Path:
    """--db wins, then KB_DB, then kb.db in the working directory."""
    return Path(db_path or os.environ.get("KB_DB") or DEFAULT_DB)


def open_db(db_path: str | os.PathLike | None = None, *, create: bool = True) -> Database:
    path = resolve_db_path(db_path)
    if not create and not path.exists():
        raise KbError(f"{path}: no such kb store (run `kb ingest` first or pass --db)")
    if path.exists() and path.is_dir():
        raise KbError(f"{path}: is a folder, not a kb store")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        db = Database(conn)
        _migrate(db)
    except sqlite3.DatabaseError as e:
        raise KbError(f"{path}: not a usable kb store ({e})") from None
    return db


# Two processes opening a new store at once both see pending migrations; the one that
# loses the race finds a table already made or the store locked. It retries: by then the
# other has applied the migration, which is no longer pending.
_MIGRATION_RETRIES = 50


def _migrate(db: Database) -> None:
    for attempt in range(_MIGRATION_RETRIES):
        try:
            migrations.apply(db)
            ensure_views(db)
            return
        except sqlite3.OperationalError as e:
            racing = "already exists" in str(e) or "locked" in str(e)
            if not racing or attempt == _MIGRATION_RETRIES - 1:
                raise
            if db.conn.in_transaction:
                db.conn.rollback()
            time.sleep(0.1 + 0.05 * attempt)
