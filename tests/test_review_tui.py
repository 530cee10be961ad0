"""`kb review` driven as a person would: keys into a pseudo-terminal, the screen read back,
and the store and the log checked after each step."""
from __future__ import annotations

import os
import re
import sqlite3

import pytest

from conftest import ANSI, MELANOMA, Terminal

import kb.cli.curate  # noqa: F401  (registers the curation commands until kb.cli imports them)

@pytest.fixture
def store(tmp_path, seeded_db):
    return copy_store(seeded_db, tmp_path / "kb.db")


def copy_store(src, dest):
    """A copy of a store (its WAL included, through SQLite's backup)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dest


def env_for(user: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_USER=user, TERM="xterm-256color", COLUMNS="140", LINES="40", PYTHONIOENCODING="utf-8")
    env.pop("NO_COLOR", None)
    return env


def decision(db, fid):
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT status, fields, reviewer FROM curations WHERE item_key = ?", [fid]).fetchone()
        return row
    finally:
        conn.close()


def log_rows(db, fid=None):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        sql = "SELECT * FROM curation_log" + (" WHERE item_key = ?" if fid else "") + " ORDER BY id"
        return [dict(r) for r in conn.execute(sql, [fid] if fid else [])]
    finally:
        conn.close()


def current_figure(screen: str) -> str:
    return re.findall(r"Figure (f[0-9a-f]{16})", screen)[-1]


def test_review_keys_change_the_store_and_the_log_and_resume(store, seeded, study_of):
    study = study_of(seeded, MELANOMA.name)
    total = seeded.execute("SELECT count(*) FROM figures WHERE study_id = ?", [study]).fetchone()[0]
    term = Terminal(["review", "--study", study, "--db", store], env_for("alice"))

    screen = term.expect(r"\[a\]ccept .*\[q\]uit")
    assert f"[1/{total}]" in screen and "Source: " + MELANOMA.name in screen
    first = current_figure(screen)
    quote = sqlite3.connect(store).execute("SELECT quote FROM figures WHERE id = ?", [first]).fetchone()[0]
    assert " ".join(quote.split())[:40] in screen          # the quote, in its context
    assert "\x1b[" in term.raw and "7m" in term.raw           # the number is highlighted (reverse video)

    term.send("a")                                          # accept
    screen = term.expect(rf"\[2/{total}\].*\[q\]uit")
    assert f"accepted {first}" in screen
    assert decision(store, first)[0::2] == ("accepted", "alice")
    assert [(r["who"], r["action"], r["field"], r["after"]) for r in log_rows(store, first)] == [
        ("alice", "accept", "status", '"accepted"')]

    second = current_figure(screen)
    term.send("r")                                          # reject
    screen = term.expect(rf"\[3/{total}\].*\[q\]uit")
    assert decision(store, second)[0] == "rejected"

    third = current_figure(screen)
    term.send("e")                                          # edit a field
    term.expect(r"field=value")
    term.send("value=12.5\n")
    screen = term.expect(rf"corrected {third}.*\[q\]uit")
    assert "value=12.5" in screen and "(was " in screen
    status, fields, _ = decision(store, third)
    assert status == "corrected" and '"value": 12.5' in fields
    assert [r["field"] for r in log_rows(store, third)] == ["status", "value"]

    term.send("s")                                          # skip: nothing changes
    screen = term.expect(rf"\[4/{total}\].*\[q\]uit")
    assert decision(store, current_figure(screen)) is None

    term.send("u")                                          # undo the edit: back on the third figure
    screen = term.expect(rf"undone: {third}.*\[q\]uit")
    assert f"[3/{total}]" in screen and current_figure(screen) == third
    assert decision(store, third) is None
    undo = [r for r in log_rows(store, third) if r["action"] == "undo"]
    assert undo and undo[0]["who"] == "alice"
    assert all(r["undone_by"] == undo[0]["batch"] for r in log_rows(store, third) if r["action"] == "set")

    term.send("s")
    screen = term.expect(rf"\[4/{total}\].*\[q\]uit")
    left_at = current_figure(screen)
    term.send("q")                                          # quit, keeping the place
    term.expect(r"left at 4/")
    assert term.close() == 0
    assert decision(store, first)[0] == "accepted" and decision(store, second)[0] == "rejected"

    # The next session over the same queue starts where alice left off (accepted and
    # rejected figures have left the queue of extracted ones).
    term = Terminal(["review", "--study", study, "--db", store], env_for("alice"))
    screen = term.expect(r"\[a\]ccept .*\[q\]uit")
    assert f"resuming at {left_at}" in screen and current_figure(screen) == left_at
    term.send("q")
    assert term.close() == 0

    # Another reviewer has a place of their own.
    term = Terminal(["review", "--study", study, "--db", store], env_for("bob"))
    screen = term.expect(r"\[a\]ccept .*\[q\]uit")
    assert "resuming" not in screen and f"[1/{total - 2}]" in screen
    term.send("q")
    assert term.close() == 0


def test_review_reads_lines_when_not_a_terminal(kb, store, seeded, study_of, monkeypatch):
    """Piped input (a script, no terminal): one key per line, end of input quits."""
    monkeypatch.setenv("KB_USER", "carol")
    study = study_of(seeded, MELANOMA.name)
    result = kb(["review", "--study", study, "--confidence-below", "0.7", "--db", store], input="a\ns\nr\n")
    assert result.exit_code == 0, result.output
    rows = log_rows(store)
    assert [(r["who"], r["action"]) for r in rows if r["field"] == "status"] == [("carol", "accept"), ("carol", "reject")]
    conn = sqlite3.connect(store)
    low = {r[0] for r in conn.execute("SELECT id FROM figures WHERE confidence < 0.7")}
    assert {r["item_key"] for r in rows} <= low
