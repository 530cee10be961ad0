"""`kb ingest` and `kb studies` through the CLI, then a look in the store with sqlite3.

Bad inputs: exit code 1, one error line naming the file, no traceback, the store
unchanged for the bad file while good files in the same command still go in.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil

import pytest
from pathlib import Path

from conftest import MELANOMA, MYELOMA, connect

SUMMARY = re.compile(r"(\d+) ingested \((\d+) studies, (\d+) figures\), (\d+) unchanged, (\d+) failed")


def summary(result) -> tuple[int, ...]:
    m = SUMMARY.search(result.stderr)
    assert m, f"no summary line in {result.stderr!r}"
    return tuple(int(g) for g in m.groups())


def error_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("error:")]


# --- good inputs ----------------------------------------------------------------------

def test_ingest_both_samples_creates_two_studies_and_documents(kb, tmp_path):
    db = tmp_path / "kb.db"
    result = kb(["ingest", MELANOMA, MYELOMA, "--db", db])
    assert result.exit_code == 0, result.output
    ingested, studies, figures, unchanged, failed = summary(result)
    assert (ingested, studies, unchanged, failed) == (2, 2, 0, 0)
    assert figures > 100

    conn = connect(db)
    docs = [dict(r) for r in conn.execute(
        "SELECT name, path, format, sha256, size, parser_version FROM documents ORDER BY name")]
    assert docs == [
        {"name": MELANOMA.name, "path": str(MELANOMA), "format": "text",
         "sha256": hashlib.sha256(MELANOMA.read_bytes()).hexdigest(), "size": MELANOMA.stat().st_size,
         "parser_version": docs[0]["parser_version"]},
        {"name": MYELOMA.name, "path": str(MYELOMA), "format": "platform-json",
         "sha256": hashlib.sha256(MYELOMA.read_bytes()).hexdigest(), "size": MYELOMA.stat().st_size,
         "parser_version": docs[1]["parser_version"]},
    ]
    assert all(d["parser_version"] for d in docs)
    assert conn.execute("SELECT count(*) FROM studies").fetchone()[0] == 2
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_ingest_figure_counts_per_study(seeded, study_of):
    def n_figures(doc):
        return seeded.execute("SELECT count(*) FROM figures WHERE study_id = ?", [study_of(seeded, doc)]).fetchone()[0]
    assert n_figures(MELANOMA.name) > 100
    assert n_figures(MYELOMA.name) == 0  # a narrative review states no results of its own


def test_ingest_a_folder_walks_it(kb, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(MELANOMA, folder / MELANOMA.name)
    shutil.copy(MYELOMA, folder / "sub" / MYELOMA.name)
    (folder / ".hidden.txt").write_text("not read: hidden files are skipped")
    db = tmp_path / "kb.db"
    result = kb(["ingest", folder, "--db", db])
    assert result.exit_code == 0, result.output
    assert summary(result)[0] == 2
    names = {r[0] for r in connect(db).execute("SELECT name FROM documents")}
    assert names == {MELANOMA.name, MYELOMA.name}


def test_ingest_from_stdin(kb, tmp_path):
    db = tmp_path / "kb.db"
    result = kb(["ingest", "-", "--db", db], input=MYELOMA.read_bytes())
    assert result.exit_code == 0, result.output
    row = connect(db).execute("SELECT name, path, format, sha256 FROM documents").fetchone()
    assert dict(row) == {"name": "stdin", "path": "-", "format": "platform-json",
                         "sha256": hashlib.sha256(MYELOMA.read_bytes()).hexdigest()}


def test_reingest_same_files_adds_no_rows(kb, tmp_path, counts):
    db = tmp_path / "kb.db"
    assert kb(["ingest", MELANOMA, MYELOMA, "--db", db]).exit_code == 0
    before = counts(db)
    assert before["figures"] > 100 and before["studies"] == 2
    again = kb(["ingest", MELANOMA, MYELOMA, "--db", db])
    assert again.exit_code == 0, again.output
    assert summary(again) == (0, 0, 0, 2, 0)
    assert counts(db) == before


def test_reingest_a_renamed_copy_is_recognised_by_content(kb, tmp_path, counts):
    db = tmp_path / "kb.db"
    assert kb(["ingest", MELANOMA, "--db", db]).exit_code == 0
    before = counts(db)
    copy = tmp_path / "renamed.txt"
    shutil.copy(MELANOMA, copy)
    result = kb(["ingest", copy, "--db", db])
    assert result.exit_code == 0
    assert summary(result)[3] == 1
    assert counts(db) == before


def test_studies_command_lists_both(kb, seeded_db, seeded, study_of):
    result = kb(["studies", "--db", seeded_db, "--format", "json"])
    assert result.exit_code == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    mel, mye = study_of(seeded, MELANOMA.name), study_of(seeded, MYELOMA.name)
    assert set(rows) == {mel, mye}
    assert rows[mye]["design"] == "review" and rows[mye]["figures"] == 0 and rows[mye]["year"] == 2025
    assert rows[mel]["design"] == "retrospective cohort" and rows[mel]["n_patients"] == 262
    assert rows[mel]["figures"] == seeded.execute(
        "SELECT count(*) FROM figures WHERE study_id = ?", [mel]).fetchone()[0]


def _commands() -> list[str]:
    from kb.cli import app
    return sorted(c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_and_is_documented(kb, command):
    """Docs that cannot drift: every registered command answers --help and the README
    (or the docs it links) names it."""
    result = kb([command, "--help"])
    assert result.exit_code == 0
    assert "--db" in result.stdout
    docs = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "docs").glob("*.md"))
    assert f"kb {command}" in docs


# --- bad inputs -----------------------------------------------------------------------

def _bad_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\n \t\n")
    # Real binary: the melanoma paper gzipped (fixed mtime, so the bytes are stable).
    junk = tmp_path / "paper.txt.gz"
    junk.write_bytes(gzip.compress(MELANOMA.read_bytes(), mtime=0))
    nul = tmp_path / "nul.txt"
    nul.write_bytes(MELANOMA.read_bytes()[:2000].replace(b" ", b"\x00"))
    # A platform record cut short in its JSON line.
    truncated = tmp_path / "truncated.txt"
    truncated.write_bytes(MYELOMA.read_bytes()[:400] + b"\nTherapeutic options\n")
    return [empty, blank, junk, nul, truncated]


@pytest.mark.parametrize("index", range(5), ids=["empty", "blank", "gzip", "nul", "truncated-json"])
def test_bad_file_fails_with_one_line_and_leaves_store_unchanged(kb, tmp_path, counts, index):
    bad = _bad_files(tmp_path)[index]
    db = tmp_path / "kb.db"
    assert kb(["ingest", MYELOMA, "--db", db]).exit_code == 0
    before = counts(db)
    result = kb(["ingest", bad, "--db", db])
    assert result.exit_code == 1
    errors = error_lines(result.stderr)
    assert len(errors) == 1 and str(bad) in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert summary(result) == (0, 0, 0, 0, 1)
    assert counts(db) == before


def test_missing_file_is_reported_by_name(kb, tmp_path):
    missing = tmp_path / "nope.txt"
    result = kb(["ingest", missing, "--db", tmp_path / "kb.db"])
    assert result.exit_code == 1
    (line,) = error_lines(result.stderr)
    assert str(missing) in line and "no such file" in line


def test_folder_with_one_good_and_one_bad_file(kb, tmp_path, counts):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(MYELOMA, folder / MYELOMA.name)
    bad = folder / "zz_bad.txt"
    bad.write_bytes(gzip.compress(MYELOMA.read_bytes(), mtime=0))
    db = tmp_path / "kb.db"
    result = kb(["ingest", folder, "--db", db])
    assert result.exit_code == 1
    (line,) = error_lines(result.stderr)
    assert str(bad) in line
    assert "Traceback" not in result.output
    assert summary(result) == (1, 1, 0, 0, 1)
    conn = connect(db)
    assert [r[0] for r in conn.execute("SELECT name FROM documents")] == [MYELOMA.name]
    assert conn.execute("SELECT count(*) FROM studies").fetchone()[0] == 1


def test_bad_file_between_good_ones_does_not_stop_the_batch(kb, tmp_path):
    bad = _bad_files(tmp_path)[2]
    db = tmp_path / "kb.db"
    result = kb(["ingest", MYELOMA, bad, MELANOMA, "--db", db])
    assert result.exit_code == 1
    assert summary(result)[:2] == (2, 2)
    names = {r[0] for r in connect(db).execute("SELECT name FROM documents")}
    assert names == {MYELOMA.name, MELANOMA.name}


def test_oversize_file_is_refused_before_reading(kb, tmp_path, counts, monkeypatch):
    monkeypatch.setenv("KB_MAX_FILE_MB", "0.001")  # about 1 KB; the melanoma text is ~24 KB
    db = tmp_path / "kb.db"
    result = kb(["ingest", MELANOMA, "--db", db])
    assert result.exit_code == 1
    (line,) = error_lines(result.stderr)
    assert str(MELANOMA) in line and "KB_MAX_FILE_MB" in line
    assert counts(db)["documents"] == 0


def test_console_script_exits_1_when_a_file_fails(kb_main, tmp_path):
    """The real entry point, not only CliRunner: main() runs click with standalone_mode off."""
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = kb_main(["ingest", bad, "--db", tmp_path / "kb.db"])
    assert str(bad) in result.stderr
    assert result.exit_code == 1


def test_console_script_exits_0_on_success_and_2_on_usage_errors(kb_main, tmp_path):
    ok = kb_main(["ingest", MYELOMA, "--db", tmp_path / "kb.db"])
    assert ok.exit_code == 0 and error_lines(ok.stderr) == []
    usage = kb_main(["query", "--no-such-option", "--db", tmp_path / "kb.db"])
    assert usage.exit_code == 2
    assert "--no-such-option" in usage.stderr and "Traceback" not in usage.stderr


def test_console_script_reports_missing_store_in_one_line(kb_main, tmp_path):
    missing = tmp_path / "absent.db"
    result = kb_main(["query", "--outcome", "OS", "--db", missing])
    assert result.exit_code == 1
    assert error_lines(result.stderr) == [f"error: {missing}: no such kb store (run `kb ingest` first or pass --db)"]
    assert "Traceback" not in result.stderr + result.stdout
    assert not missing.exists()  # a query never creates a store


def test_console_script_refuses_a_non_store_file(kb_main, tmp_path):
    not_a_store = tmp_path / "notes.db"
    not_a_store.write_bytes(MELANOMA.read_bytes()[:4096])
    result = kb_main(["studies", "--db", not_a_store])
    assert result.exit_code == 1
    (line,) = error_lines(result.stderr)
    assert str(not_a_store) in line and "not a usable kb store" in line
    assert "Traceback" not in result.stderr


def test_console_script_unknown_export_format(kb_main, seeded_db):
    result = kb_main(["export", "--format", "xml", "--db", seeded_db])
    assert result.exit_code == 1
    assert error_lines(result.stderr) == ["error: unknown export format 'xml': use json or csv"]
    assert result.stdout == ""


def _platform_record_with(**fields) -> bytes:
    """The real myeloma record with some fields replaced (in the top level and in resultStr)."""
    first, rest = MYELOMA.read_text(encoding="utf-8").split("\n", 1)
    obj = json.loads(first)
    inner = json.loads(obj["resultStr"])
    for o in (obj, inner):
        for k, v in fields.items():
            if k == "volume":
                o["journal"]["volume"] = v
            else:
                o[k] = v
    obj["resultStr"] = json.dumps(inner, ensure_ascii=False)
    return (json.dumps(obj, ensure_ascii=False) + "\n" + rest).encode("utf-8")


def test_platform_record_with_numeric_volume_is_ingested(kb, tmp_path):
    """Regression: journal.volume given as a JSON number (25) raised AttributeError in build_record."""
    odd = tmp_path / "numeric_volume.txt"
    odd.write_bytes(_platform_record_with(volume=25))
    db = tmp_path / "kb.db"
    result = kb(["ingest", odd, "--db", db])
    assert result.exit_code == 0, result.output
    row = connect(db).execute("SELECT volume, doi FROM studies").fetchone()
    assert tuple(row) == ("25", "10.1007/s10238-025-01821-w")


@pytest.mark.parametrize("fields", [
    {"title": 5}, {"publicationDate": 20250823}, {"doi": 1007}, {"authors": [None, 3]},
    {"journal": "Clinical and Experimental Medicine"}, {"resultStr": "[1, 2]"},
], ids=["title", "date", "doi", "authors", "journal", "resultStr"])
def test_platform_record_with_odd_field_types_does_not_stop_the_batch(kb, tmp_path, fields):
    """Regression: an unexpected JSON type in one record (TypeError/AttributeError) killed the
    whole command with an internal error, and later good files were not ingested."""
    odd = tmp_path / "odd.txt"
    odd.write_bytes(_platform_record_with(**fields))
    db = tmp_path / "kb.db"
    result = kb(["ingest", odd, MELANOMA, "--db", db])
    assert "Traceback" not in result.output
    names = {r[0] for r in connect(db).execute("SELECT name FROM documents")}
    assert MELANOMA.name in names
    if odd.name in names:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 1
        (line,) = error_lines(result.stderr)
        assert str(odd) in line
