"""Concurrent readers and writers (kb issue 8, part 3).

* Readers (raw SQLite, `kb query` and `kb studies` processes, Datasette) query while
  `kb ingest` writes: every read succeeds and sees only whole documents.
* Two `kb ingest` processes write into one store at once, on disjoint and on the very same
  files: both finish with exit 0 and the store holds exactly what one run would have stored.
"""
from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import env, ingest_folder, split_baseline

from kb.store.db import open_db

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / ".venv" / "bin" / "kb"
BASELINE = Path(__file__).parent / "fixtures" / "pubmed" / "medline16n0902.xml.gz"
FILES, PER_FILE = 24, 8


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, split_baseline(BASELINE, folder, FILES, PER_FILE, "part")


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    folder, _ = corpus
    return ingest_folder(KB, folder, tmp_path_factory.mktemp("reference") / "kb.db")


def content(db: Path) -> dict:
    """What a store holds, by stable keys (integer ids depend on who wrote first)."""
    conn = sqlite3.connect(db)
    try:
        q = lambda sql: sorted(conn.execute(sql).fetchall(), key=repr)  # noqa: E731
        return {
            "documents": q("SELECT sha256, name, format, size, text FROM documents"),
            "studies": q("SELECT id, title, abstract, doi, pmid, year, n_patients, design FROM studies"),
            "links": q("SELECT sd.study_id, d.sha256 FROM study_documents sd JOIN documents d ON d.id = sd.document_id"),
            "figures": q("SELECT id, study_id, endpoint, measure, value, quote FROM figures"),
            "authors": q("SELECT s.study_id, s.position, a.name FROM study_authors s JOIN authors a ON a.id = s.author_id"),
            "fts": q("SELECT title, abstract FROM studies_fts"),
            "counts": {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
                       for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                       # FTS shadow tables hold segments whose layout depends on the order of writes
                       if t != "_sqlite_migrations" and "_fts_" not in t},
        }
    finally:
        conn.close()


def healthy(db: Path) -> None:
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def start_ingest(db: Path, *paths: Path) -> subprocess.Popen:
    return subprocess.Popen([str(KB), "ingest", *map(str, paths), "--db", str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env())


# ---------------------------------------------------------------- readers while a writer writes

def test_readers_see_whole_documents_while_ingest_writes(corpus, tmp_path):
    from datasette.app import Datasette

    folder, counts = corpus
    db = tmp_path / "kb.db"
    subprocess.run([str(KB), "ingest", str(folder / "part_000.xml"), "--db", str(db)], check=True,
                   capture_output=True, env=env(), timeout=60)
    writer = start_ingest(db, folder)
    ds = Datasette([str(db)])
    errors: list[str] = []
    reads = {"sqlite": 0, "datasette": 0, "cli": 0}
    cli_readers: list[subprocess.Popen] = []

    async def read_loop():
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        while writer.poll() is None or reads["datasette"] < 5:
            try:
                # one snapshot: every document has all its studies
                conn.execute("BEGIN")
                docs = conn.execute("""SELECT d.name, count(sd.study_id) FROM documents d
                                       LEFT JOIN study_documents sd ON sd.document_id = d.id GROUP BY d.id""").fetchall()
                conn.execute("COMMIT")
                for name, n in docs:
                    if n != counts[name]:
                        errors.append(f"half-stored {name}: {n}")
                reads["sqlite"] += 1
            except sqlite3.Error as e:
                errors.append(f"sqlite: {e}")
            for path in ("/kb/documents.json?_shape=array&_size=5", "/kb.json?sql=select+count(*)+from+studies",
                         "/kb/studies.json?_search=cancer&_size=3"):
                r = await ds.client.get(path)
                if r.status_code != 200:
                    errors.append(f"datasette {path}: {r.status_code} {r.text[:200]}")
            reads["datasette"] += 1
            if len(cli_readers) < 3 and writer.poll() is None and reads["sqlite"] % 10 == 1:
                for cmd in (["query", "--outcome", "OS", "-f", "json"], ["studies", "-f", "csv"]):
                    cli_readers.append(subprocess.Popen([str(KB), *cmd, "--db", str(db)], stdout=subprocess.DEVNULL,
                                                        stderr=subprocess.PIPE, text=True, env=env()))
            await asyncio.sleep(0.01)
        conn.close()

    asyncio.run(asyncio.wait_for(read_loop(), 120))
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    for p in cli_readers:
        _, cli_err = p.communicate(timeout=60)
        assert p.returncode == 0, cli_err
        reads["cli"] += 1
    assert errors == []
    assert reads["sqlite"] >= 10 and reads["datasette"] >= 5 and reads["cli"] >= 2, reads
    healthy(db)


# ---------------------------------------------------------------- two writers

def test_two_ingests_of_disjoint_files_at_once(corpus, reference, tmp_path):
    folder, counts = corpus
    names = sorted(counts)
    db = tmp_path / "kb.db"
    open_db(db).conn.close()
    a = start_ingest(db, *[folder / n for n in names[0::2]])
    b = start_ingest(db, *[folder / n for n in names[1::2]])
    for p in (a, b):
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert f"{FILES // 2} ingested" in err and "0 failed" in err, err
    healthy(db)
    assert content(db) == content(reference)


def test_two_ingests_of_the_same_files_at_once(corpus, reference, tmp_path):
    """Both try every file: each file is stored once, by one of them; the other reports it
    unchanged. Neither fails on the other's lock or on the duplicate."""
    folder, counts = corpus
    db = tmp_path / "kb.db"
    open_db(db).conn.close()   # the store exists: both start on documents at once
    a = start_ingest(db, folder)
    b = start_ingest(db, folder)
    ingested = unchanged = 0
    for p in (a, b):
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        m = re.search(r"(\d+) ingested .*, (\d+) unchanged, 0 failed", err)
        assert m, err
        ingested += int(m[1])
        unchanged += int(m[2])
    assert ingested == FILES and unchanged == FILES
    healthy(db)
    assert content(db) == content(reference)


def test_opening_a_new_store_while_another_process_migrates_it(tmp_path):
    """Deterministic form of two `kb ingest` runs creating one store at once: connection X
    runs the migrations in one transaction and holds it for a second, while open_db starts."""
    import threading

    from sqlite_utils import Database

    from kb.store.migrations import migrations

    db = tmp_path / "kb.db"
    began = threading.Event()

    def other_process():
        conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        migrations.apply(Database(conn))
        began.set()
        time.sleep(1.0)
        conn.execute("COMMIT")
        conn.close()

    t = threading.Thread(target=other_process)
    t.start()
    began.wait(10)
    try:
        store = open_db(db)      # must wait for the other migration, then find nothing to do
        store.conn.close()
    finally:
        t.join()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT name) FROM _sqlite_migrations").fetchone()[0] > 0
    conn.close()
