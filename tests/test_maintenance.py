"""`kb check` and `kb backup` (kb issue 8, part 6).

check: SQLite integrity, foreign keys, orphan rows, quotes at their offsets, blocking rows with their study's PMID
and FTS indexes in step with their tables,
each shown to catch the damage it is for. backup: SQLite's online backup, a consistent
self-contained copy, safe while `kb ingest` writes.
"""
from __future__ import annotations

import gzip
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import env

from kb.cli import maintenance  # noqa: F401  (registers check and backup until kb.cli imports it)
from kb.store.maintenance import backup_store, check_store

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / ".venv" / "bin" / "kb"
BASELINE = Path(__file__).parent / "fixtures" / "pubmed" / "medline16n0902.xml.gz"


@pytest.fixture
def store(seeded_db, tmp_path) -> Path:
    """A private copy of the seeded store (both samples), to damage."""
    db = tmp_path / "kb.db"
    src, dst = sqlite3.connect(seeded_db), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    return db


def damage(db: Path, *sql: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    for s in sql:
        conn.execute(s)
    conn.close()


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("error:")]


# ---------------------------------------------------------------- check

def test_check_passes_a_healthy_store(store, kb_main):
    r = kb_main(["check", "--db", store])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"{store}: ok (integrity, foreign_keys, orphans, quotes, blocks, fts)" in r.stderr
    report = check_store(store)
    assert report.ok and report.checks == ["integrity", "foreign_keys", "orphans", "quotes", "blocks", "fts"]


DAMAGE = {
    "foreign_keys": ("DELETE FROM studies WHERE id = (SELECT study_id FROM figures LIMIT 1)",),
    "orphan study": ("INSERT INTO studies (id, title, created_at) VALUES ('sorphan', 'Nobody''s study', '2024')",),
    "orphan document": ("INSERT INTO documents (name, path, format, sha256, size, parser_version, ingested_at, text) "
                        "VALUES ('lost.txt', 'lost.txt', 'text', 'abc', 3, '1', '2024', 'abc')",),
    "fts": ("DROP TRIGGER studies_au", "UPDATE studies SET title = 'Changed behind the index' "
                                      "WHERE rowid = (SELECT min(rowid) FROM studies)"),
    "figure quote not in its text": ("UPDATE figures SET quote = 'HR 9.99' WHERE rowid = (SELECT min(rowid) FROM figures)",),
    "cohort offsets moved": ("UPDATE cohorts SET start = start + 1 WHERE rowid = (SELECT min(rowid) FROM cohorts "
                             "WHERE start IS NOT NULL)",),
    "figure on another study's document": (
        "UPDATE figures SET document_id = (SELECT max(id) FROM documents) WHERE rowid = (SELECT min(rowid) FROM figures)"
        " AND document_id != (SELECT max(id) FROM documents)",),
    "block without its study's pmid": (
        "UPDATE study_blocks SET pmid = '1' WHERE rowid = (SELECT min(rowid) FROM study_blocks)",),
}
EXPECT = {"foreign_keys": ("foreign_keys", r"rows point at missing studies rows"),
          "orphan study": ("orphans", r"1 study without a document \(sorphan\)"),
          "orphan document": ("orphans", r"1 document without a study"),
          "fts": ("fts", r"studies_fts|out of step"),
          "figure quote not in its text": ("quotes", r"1 quotes are not the text at their offsets"),
          "cohort offsets moved": ("quotes", r"1 quotes are not the text at their offsets"),
          "figure on another study's document": ("orphans", r"figure whose document is not one of its study's"),
          "block without its study's pmid": ("blocks", r"1 blocking rows do not carry their study's PMID")}


@pytest.mark.parametrize("kind", DAMAGE)
def test_check_finds_each_kind_of_damage(kind, store, kb_main):
    damage(store, *DAMAGE[kind])
    report = check_store(store)
    check, pattern = EXPECT[kind]
    assert any(p.check == check and re.search(pattern, p.detail) for p in report.problems), report.problems
    r = kb_main(["check", "--db", store, "--format", "csv"])
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert r.stdout.startswith("check,table,detail\n") and check in r.stdout
    (line,) = error_lines(r.stderr)
    assert line.startswith(f"error: {store}: ") and "problems" in line


def test_quotes_of_a_file_of_many_records_are_checked_in_its_record_texts(tmp_path):
    """A MEDLINE file keeps one text per record (document_texts); every quote of its 604
    records is found at its offsets there, and a record text changed under them is caught."""
    from kb.pipeline import ingest_paths
    from kb.store.db import open_db
    db = tmp_path / "kb.db"
    ingest_paths(open_db(db), [str(BASELINE)])
    report = check_store(db)
    assert report.ok, report.problems
    n = sqlite3.connect(db).execute("SELECT count(*) FROM figures").fetchone()[0]
    assert n > 20   # the baseline sample states figures in its abstracts
    damage(db, "UPDATE document_texts SET text = 'x' || text WHERE start = (SELECT max(t.start) FROM document_texts t "
               "WHERE t.start <= (SELECT min(start) FROM figures))")
    assert [p.check for p in check_store(db).problems] == ["quotes"]


def test_check_reports_a_corrupted_file(store, kb_main):
    """Pages overwritten in the middle of the file: integrity_check names them, one exit 1."""
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA journal_mode = DELETE")       # fold the WAL into the file first
    (page,) = conn.execute("PRAGMA page_size").fetchone()
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.close()
    with open(store, "r+b") as f:
        for k in range(pages // 3, pages // 3 + 3):      # whole b-tree pages, headers and all
            f.seek(k * page)
            f.write(b"\xde\xad\xbe\xef" * (page // 4))
    r = kb_main(["check", "--db", store])
    assert r.exit_code == 1 and "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert error_lines(r.stderr)


def test_check_refuses_what_is_not_a_store(tmp_path, kb_main):
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are not the pages you are looking for" * 100)
    for path, reason in ((junk, "not a usable kb store"), (tmp_path / "missing.db", "no such kb store"),
                         (tmp_path, "is a folder")):
        r = kb_main(["check", "--db", path])
        assert r.exit_code == 1, r.stderr
        (line,) = error_lines(r.stderr)
        assert reason in line and "Traceback" not in r.stderr


def test_check_changes_nothing(store):
    files = lambda: {p.name: p.read_bytes() for p in store.parent.iterdir()}  # noqa: E731
    before = files()
    assert check_store(store).ok
    assert files() == before


# ---------------------------------------------------------------- backup

def rows(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr)
                for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_backup_is_an_exact_self_contained_copy(store, tmp_path, kb_main):
    target = tmp_path / "copies" / "kb-backup.db"
    target.parent.mkdir()
    r = kb_main(["backup", target, "--db", store])
    assert r.exit_code == 0, r.stderr
    assert re.search(r"backed up .* to .*kb-backup\.db \(\d+ pages, [\d.]+ MB, integrity ok\)", r.stderr)
    assert rows(target) == rows(store)
    assert sorted(p.name for p in target.parent.iterdir()) == ["kb-backup.db"], "no -wal, no temporary file"
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert check_store(target).ok
    # and the copy works as a store
    q = kb_main(["query", "--outcome", "OS", "-f", "json", "--db", target])
    assert q.exit_code == 0 and q.stdout.strip().startswith("[")


def test_backup_into_a_folder_and_refusals(store, tmp_path, kb_main):
    folder = tmp_path / "backups"
    folder.mkdir()
    assert kb_main(["backup", folder, "--db", store]).exit_code == 0
    assert (folder / "kb.db").exists()
    again = kb_main(["backup", folder / "kb.db", "--db", store])
    assert again.exit_code == 1 and "already exists (pass --force" in again.stderr
    assert kb_main(["backup", folder / "kb.db", "--force", "--db", store]).exit_code == 0
    same = kb_main(["backup", store, "--force", "--db", store])
    assert same.exit_code == 1 and "is the store itself" in same.stderr
    nowhere = kb_main(["backup", tmp_path / "no" / "such" / "dir" / "x.db", "--db", store])
    assert nowhere.exit_code == 1 and "no such folder" in nowhere.stderr
    missing = kb_main(["backup", folder / "y.db", "--db", tmp_path / "missing.db"])
    assert missing.exit_code == 1 and "no such kb store" in missing.stderr
    for r in (again, same, nowhere, missing):
        assert len(error_lines(r.stderr)) == 1 and "Traceback" not in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["kb.db"]


def test_backup_and_check_while_ingest_writes(tmp_path):
    """Backups and checks taken while `kb ingest` commits document after document: every one
    succeeds, and every backup is a consistent store holding whole documents only."""
    src = gzip.decompress(BASELINE.read_bytes()).decode("utf-8")
    head = src[: src.index("<MedlineCitation ")]
    citations = re.findall(r"<MedlineCitation .*?</MedlineCitation>", src, re.S)
    folder = tmp_path / "in"
    folder.mkdir()
    per_file = 8
    for i in range(24):
        (folder / f"part_{i:03d}.xml").write_text(
            head + "\n".join(citations[i * per_file:(i + 1) * per_file]) + "\n</MedlineCitationSet>\n",
            encoding="utf-8")
    db = tmp_path / "kb.db"
    subprocess.run([str(KB), "ingest", str(folder / "part_000.xml"), "--db", str(db)], check=True,
                   capture_output=True, env=env(), timeout=60)
    writer = subprocess.Popen([str(KB), "ingest", str(folder), "--db", str(db)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, env=env())
    backups, checks = [], 0
    while writer.poll() is None or not backups:
        target = tmp_path / f"backup_{len(backups):02d}.db"
        backup_store(db, target)
        backups.append(target)
        assert check_store(db).ok
        checks += 1
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert len(backups) >= 2 and checks >= 2
    sizes = []
    for b in backups:
        assert check_store(b).ok, b
        conn = sqlite3.connect(b)
        per_doc = conn.execute("""SELECT count(sd.study_id) FROM documents d
                                  LEFT JOIN study_documents sd ON sd.document_id = d.id GROUP BY d.id""").fetchall()
        assert all(n == per_file for (n,) in per_doc), "a backup caught a document half-written"
        sizes.append(len(per_doc))
        conn.close()
    assert sizes == sorted(sizes)
    shutil.rmtree(folder)
