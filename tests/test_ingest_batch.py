"""Batch ingest: --workers gives the same store as one process, --dry-run stores nothing,
the summary counts new, updated, unchanged and failed files by format."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from kb.pipeline import ingest_paths
from kb.store.db import open_db

from conftest import MELANOMA, MYELOMA

FIXTURES = Path(__file__).parent / "fixtures"
INPUTS = [MELANOMA, MYELOMA, FIXTURES / "pubmed" / "23657305.xml", FIXTURES / "pubmed" / "34843274.xml",
          FIXTURES / "jats" / "6605965a.nxml"]


def content(db_path: Path) -> dict:
    conn = sqlite3.connect(db_path)
    return {
        "studies": sorted(r[0] for r in conn.execute("SELECT id FROM studies")),
        "figures": sorted(r[0] for r in conn.execute("SELECT id FROM figures")),
        "cohorts": conn.execute("SELECT count(*) FROM cohorts").fetchone()[0],
        "documents": sorted(r[0] for r in conn.execute("SELECT sha256 FROM documents")),
    }


def test_workers_build_the_same_store_as_one_process(tmp_path):
    one = open_db(tmp_path / "one.db")
    ingest_paths(one, [str(p) for p in INPUTS])
    two = open_db(tmp_path / "two.db")
    report = ingest_paths(two, [str(p) for p in INPUTS], workers=2)
    assert not report.failed and len(report.ingested) == len(INPUTS)
    assert content(tmp_path / "two.db") == content(tmp_path / "one.db")


def test_dry_run_parses_and_extracts_but_stores_nothing(tmp_path):
    db = open_db(tmp_path / "kb.db")
    report = ingest_paths(db, [str(p) for p in INPUTS], dry_run=True)
    assert len(report.ingested) == len(INPUTS) and report.figures > 100
    assert sqlite3.connect(tmp_path / "kb.db").execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_summary_by_format_counts_new_updated_unchanged_failed(tmp_path):
    work = tmp_path / "in"
    work.mkdir()
    paper = work / "paper.txt"
    shutil.copy(MELANOMA, paper)
    (work / "empty.txt").write_text("")
    db = open_db(tmp_path / "kb.db")
    first = ingest_paths(db, [str(work), str(MYELOMA)])
    assert dict(first.by_format["text"]) == {"new": 1}
    assert dict(first.by_format["platform-json"]) == {"new": 1}
    assert dict(first.by_format["unknown"]) == {"failed": 1}
    paper.write_text(MELANOMA.read_text(encoding="utf-8") + "\nAcknowledgements\nWe thank the patients.\n",
                     encoding="utf-8")
    second = ingest_paths(db, [str(work), str(MYELOMA)])
    assert second.updated == [str(paper)]
    assert dict(second.by_format["text"]) == {"updated": 1}
    assert dict(second.by_format["platform-json"]) == {"unchanged": 1}


def test_cli_dry_run_does_not_create_the_store(kb, tmp_path):
    db = tmp_path / "never.db"
    result = kb(["ingest", MELANOMA, "--dry-run", "--db", db])
    assert result.exit_code == 0
    assert "nothing was stored" in result.stderr + result.stdout
    assert not db.exists()
