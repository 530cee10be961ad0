"""Crash safety of `kb ingest` (kb issue 8, part 2).

A large run (the real MEDLINE baseline sample split into many files) is killed with SIGKILL at
several points, then resumed; after every kill the store must pass PRAGMA integrity_check and
foreign_key_check, hold no half-stored document, and the final store must equal the store of
an uninterrupted run, row for row.

Two kinds of crash point:
* by timing: the real console script, killed when a watcher sees the Nth document committed
  (the next document is then mid-transaction), or mid-way through one big document;
* by statement: the same entry point (kb.cli.main) killed by SIGKILL on its own Kth SQL
  statement, which reaches places timing cannot aim at: inside the migrations of a new
  store, on a COMMIT, between the two writes of one document.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import dump_store, env, ingest_folder, split_baseline

from kb.store.db import open_db

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / ".venv" / "bin" / "kb"
BASELINE = Path(__file__).parent / "fixtures" / "pubmed" / "medline16n0902.xml.gz"
FILES, PER_FILE = 36, 8          # 288 real citations in 36 files

# Kills the process on its Kth SQL statement (trace callbacks fire as a statement starts).
KILLER = """
import os, signal, sqlite3, sys
# "120": the 120th statement; "COMMIT:2": the second statement that starts with COMMIT.
at = os.environ["KB_TEST_KILL_AT"]
prefix, _, k = at.rpartition(":")
k = int(k)
n = [0]
real = sqlite3.connect
def trace(sql):
    if not prefix or sql.lstrip().upper().startswith(prefix):
        n[0] += 1
        if n[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
def connect(*a, **kw):
    c = real(*a, **kw)
    c.set_trace_callback(trace)
    return c
sqlite3.connect = connect
from kb.cli import main
sys.argv = ["kb", *sys.argv[1:]]
main()
"""

COUNTER = """
import sqlite3, sys
n = [0]
real = sqlite3.connect
def connect(*a, **kw):
    c = real(*a, **kw)
    c.set_trace_callback(lambda s: n.__setitem__(0, n[0] + 1))
    return c
sqlite3.connect = connect
from kb.cli import main
sys.argv = ["kb", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write(f"STATEMENTS {n[0]}\\n")
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """FILES files of PER_FILE MEDLINE citations each; name -> number of citations."""
    folder = tmp_path_factory.mktemp("corpus")
    return folder, split_baseline(BASELINE, folder, FILES, PER_FILE, "baseline")


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    """The store of one uninterrupted run of the console script."""
    folder, _ = corpus
    return ingest_folder(KB, folder, tmp_path_factory.mktemp("reference") / "kb.db")


dump = dump_store


def check_store(db: Path, counts: dict[str, int]) -> int:
    """Integrity, foreign keys, and every document whole: as many studies as its file has
    citations, its text set, its FTS rows there. Returns the number of documents."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:
            return 0
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        docs = conn.execute("""SELECT d.name, d.text, (SELECT count(*) FROM study_documents sd WHERE sd.document_id = d.id),
                                      (SELECT count(*) FROM document_texts t WHERE t.document_id = d.id)
                               FROM documents d""").fetchall()
        for name, text, n_studies, n_texts in docs:
            assert n_studies == counts[name], f"{name}: {n_studies} of {counts[name]} studies stored"
            # one record: documents.text; many: one stored text per record
            assert (text and not n_texts) if n_studies == 1 else (n_texts == n_studies and not text), \
                f"{name}: stored without its text"
        orphans = conn.execute("SELECT count(*) FROM studies WHERE id NOT IN (SELECT study_id FROM study_documents)")
        assert orphans.fetchone()[0] == 0, "studies without a document"
        assert conn.execute("SELECT count(*) FROM figures WHERE document_id NOT IN (SELECT id FROM documents)"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM studies").fetchone()[0] == \
            conn.execute("SELECT count(*) FROM studies_fts").fetchone()[0], "FTS out of step"
        return len(docs)
    finally:
        conn.close()


def committed(db: Path) -> int:
    """Documents committed so far, seen from a reader (0 while the store is being created)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def run_and_kill_after(db: Path, folder: Path, n_docs: int, delay: float = 0.0) -> bool:
    """Start the console script; SIGKILL it once n_docs documents are committed (plus delay).
    False if it finished first."""
    proc = subprocess.Popen([str(KB), "ingest", str(folder), "--db", str(db)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env())
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if committed(db) >= n_docs:
                if delay:
                    time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                return proc.returncode == -signal.SIGKILL
            time.sleep(0.003)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stderr.close()


def finish(db: Path, folder: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(KB), "ingest", str(folder), "--db", str(db)], capture_output=True, text=True,
                          env=env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


# ---------------------------------------------------------------- crash points by timing

KILL_AFTER = [(1, 0.0), (5, 0.02), (11, 0.0), (19, 0.035), (28, 0.01)]


def test_sigkill_at_several_points_then_resume(corpus, reference, tmp_path):
    folder, counts = corpus
    db = tmp_path / "kb.db"
    kills = 0
    seen = 0
    for n_docs, delay in KILL_AFTER:
        if run_and_kill_after(db, folder, n_docs, delay):
            kills += 1
        stored = check_store(db, counts)
        assert stored >= seen, "a committed document was lost"
        seen = stored
    assert kills >= 4, "the run finished before it could be killed: the corpus is too small"
    proc = finish(db, folder)
    assert re.search(rf"{FILES - seen} ingested .* {seen} unchanged, 0 failed", proc.stderr), proc.stderr
    assert check_store(db, counts) == FILES
    assert dump(db) == dump(reference)


def test_sigkill_inside_one_big_document(tmp_path):
    """604 citations in one file are one transaction: killed half-way, nothing of it remains."""
    db = tmp_path / "kb.db"
    proc = subprocess.Popen([str(KB), "ingest", str(BASELINE), "--db", str(db)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env())
    # wait until the write is well under way: the WAL grows as pages spill from the cache
    wal = tmp_path / "kb.db-wal"
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline and not (wal.exists() and wal.stat().st_size > 200_000):
        time.sleep(0.005)
    time.sleep(0.3)
    assert proc.poll() is None, "finished before the kill"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "studies", "study_documents", "figures", "authors", "studies_fts")] == [0] * 6
    conn.close()


# ---------------------------------------------------------------- crash points by SQL statement

@pytest.fixture(scope="module")
def small_corpus(corpus, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder, counts = corpus
    small = tmp_path_factory.mktemp("small")
    names = sorted(counts)[:6]
    for name in names:
        (small / name).write_bytes((folder / name).read_bytes())
    return small, {n: counts[n] for n in names}


def statements_of_a_run(folder: Path, tmp_path: Path) -> int:
    db = tmp_path / "count.db"
    proc = subprocess.run([sys.executable, "-c", COUNTER, "ingest", str(folder), "--db", str(db)],
                          capture_output=True, text=True, env=env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    total = int(re.search(r"STATEMENTS (\d+)", proc.stderr)[1])
    return total


def test_sigkill_at_chosen_sql_statements(small_corpus, tmp_path):
    """Killed on statement K for K spread over a whole run (migrations of the new store
    first, then documents), resuming each time from the store the last kill left."""
    folder, counts = small_corpus
    total = statements_of_a_run(folder, tmp_path)
    reference = tmp_path / "count.db"
    points = ["3", "25", "90", "COMMIT:1", "COMMIT:3", "UPDATE:2"] + [str(int(total * f)) for f in (0.2, 0.5, 0.8)]
    db = tmp_path / "kb.db"
    killed = 0
    for k in points:
        e = {**env(), "KB_TEST_KILL_AT": k}
        proc = subprocess.run([sys.executable, "-c", KILLER, "ingest", str(folder), "--db", str(db)],
                              capture_output=True, text=True, env=e, timeout=120)
        if proc.returncode == -signal.SIGKILL:
            killed += 1
        else:
            # resumed runs need fewer statements; a run that got to the end must have succeeded
            assert proc.returncode == 0, proc.stderr
        check_store(db, counts)
        # the store still opens: a kill during the migrations must not leave a broken schema
        if db.exists():
            open_db(db).conn.close()
    assert killed >= 7
    finish(db, folder)
    assert check_store(db, counts) == len(counts)
    assert dump(db) == dump(reference)
