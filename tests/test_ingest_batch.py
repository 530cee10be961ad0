"""Batch ingest: --workers gives the same store as one process, --dry-run stores nothing,
the summary counts new, updated, unchanged and failed files by format."""
from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from kb.pipeline import ingest_paths
from kb.store.db import open_db

from conftest import ANSI, MELANOMA, MYELOMA, Terminal

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


def test_workers_cut_a_medline_file_into_parts_and_store_what_one_process_does(tmp_path, monkeypatch):
    """--workers cuts one big MEDLINE file into parts parsed in parallel; the store must be
    the same, row for row, as the one-process ingest (order, offsets, record texts)."""
    from kb import pipeline
    from conftest import dump_store
    monkeypatch.setattr(pipeline, "PART_RECORDS", 50)   # 604 records: 13 parts
    baseline = str(FIXTURES / "pubmed" / "medline16n0902.xml.gz")
    ingest_paths(open_db(tmp_path / "one.db"), [baseline])
    report = ingest_paths(open_db(tmp_path / "two.db"), [baseline], workers=2)
    assert report.failed == [] and report.studies == 604
    one, two = dump_store(tmp_path / "one.db"), dump_store(tmp_path / "two.db")
    assert len(two["document_texts"]) == 604 and two == one


def _medline(tmp_path: Path, between: bytes, prolog: bytes = b'<?xml version="1.0" encoding="UTF-8"?>\n') -> Path:
    """A MEDLINE file of the first three real citations of the baseline sample, with
    `between` written after the first."""
    import gzip
    import re
    data = gzip.decompress((FIXTURES / "pubmed" / "medline16n0902.xml.gz").read_bytes())
    cites = re.findall(rb"<MedlineCitation .*?</MedlineCitation>", data, re.S)[:3]
    body = b"<PubmedArticle>" + cites[0] + b"</PubmedArticle>" + between + \
        b"".join(b"<PubmedArticle>" + c + b"</PubmedArticle>\n" for c in cites[1:])
    path = tmp_path / "three.xml"
    path.write_bytes(prolog + b"<PubmedArticleSet>\n" + body + b"</PubmedArticleSet>\n")
    return path


def test_parts_are_never_cut_inside_a_comment_or_cdata(tmp_path):
    from kb.ingesters.pubmed_xml import split_parts
    from kb.pipeline import pick_ingester, read_document
    path = _medline(tmp_path, b"<!-- </PubmedArticle> a cut here would break the file -->\n"
                              b"<![CDATA[</PubmedArticle>]]>\n")
    doc = read_document(str(path))
    parts = list(split_parts(doc, 1))
    assert len(parts) == 4   # three records, then the root's end tag
    ing = pick_ingester(doc)
    from kb.models import Document
    pmids = [r.pmid for p in parts for r in ing.parse(Document("p.xml", "p.xml", p, "", len(p)))]
    assert pmids == [r.pmid for r in ing.parse(doc)] and len(pmids) == 3


def test_small_medline_files_go_whole_to_the_workers(tmp_path, monkeypatch):
    """A folder of efetch files: each small file goes whole to a worker, all submitted at once
    (cut by the writer one after another, they would be stored as slowly as by one process)."""
    from kb import pipeline
    cut: list[str] = []
    real = pipeline.prepare_in_parts
    monkeypatch.setattr(pipeline, "prepare_in_parts", lambda doc, *a: cut.append(doc.path) or real(doc, *a))
    small = [str(FIXTURES / "pubmed" / n) for n in ("23657305.xml", "34843274.xml")]
    big = str(FIXTURES / "pubmed" / "medline16n0902.xml.gz")
    report = ingest_paths(open_db(tmp_path / "kb.db"), small + [big], workers=2)
    assert report.failed == [] and len(report.ingested) == 3
    assert cut == [big]


def test_a_file_that_cannot_be_cut_on_its_bytes_is_parsed_whole(tmp_path):
    from kb.ingesters.pubmed_xml import split_parts
    from kb.pipeline import read_document
    latin = _medline(tmp_path, b"\n", b'<?xml version="1.0" encoding="windows-1251"?>\n')
    assert split_parts(read_document(str(latin)), 1) is None
    subset = _medline(tmp_path, b"\n", b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [ <!ENTITY a "b"> ]>\n')
    assert split_parts(read_document(str(subset)), 1) is None
    # and the writer still refuses the entity declaration with one line, parts or not
    report = ingest_paths(open_db(tmp_path / "kb.db"), [str(subset)], workers=2)
    assert len(report.failed) == 1 and "declares entities" in report.failed[0][1]


def test_a_terminal_sees_records_counted_while_one_big_file_goes_in(tmp_path):
    """One MEDLINE file of 604 records is one input: on a terminal the bar also counts the
    records stored, so a long file shows progress; piped, the output stays the summary."""
    import os

    baseline = FIXTURES / "pubmed" / "medline16n0902.xml.gz"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | {"COLUMNS": "140", "TERM": "xterm"}
    term = Terminal(["ingest", baseline, "--db", tmp_path / "tty.db"], env)
    term.expect(r"ingested \(604 studies", timeout=120)
    assert term.close() == 0
    counts = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) records", ANSI.sub("", term.raw))]
    assert counts and max(counts) <= 604 and counts == sorted(counts)
    piped = subprocess.run([sys.executable, "-m", "kb", "ingest", str(baseline), "--db", str(tmp_path / "pipe.db")],
                           capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0 and "records" not in piped.stderr and "ingested (604 studies" in piped.stderr
