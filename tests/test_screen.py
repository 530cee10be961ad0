"""Screening decisions: Cohen's kappa, the configurable list of exclusion reasons, the log and undo."""
from __future__ import annotations

import json
import sqlite3

import kb.cli.curate  # noqa: F401
from kb.curate.screening import cohen_kappa
from test_prisma import ids, review  # noqa: F401  (the scripted review's store)


def test_kappa():
    assert cohen_kappa(["include"] * 3 + ["exclude"], ["include"] * 3 + ["exclude"]) == 1
    assert round(cohen_kappa(["i", "i", "e", "e"], ["i", "e", "i", "e"]), 6) == 0
    assert cohen_kappa(["i", "i"], ["i", "i"]) is None and cohen_kappa([], []) is None


def test_exclusion_reasons_are_configurable(kb, kb_main, review, tmp_path, monkeypatch):
    (a, _, _), _ = ids(review)
    custom = tmp_path / "reasons.csv"
    custom.write_text("reason\nanimal study\n")
    monkeypatch.setenv("KB_EXCLUSION_REASONS", str(custom))
    assert json.loads(kb(["screen", "--reasons", "--format", "json"]).stdout) == [{"reason": "animal study"}]
    assert kb_main(["screen", a, "exclude", "--reason", "wrong design", "--db", review]).exit_code == 1
    assert kb(["screen", a, "exclude", "--reason", "animal study", "--db", review]).exit_code == 0
    log = json.loads(kb(["log", "--format", "json", "--db", review]).stdout)
    last = {r["field"]: r for r in log if r["batch"] == log[0]["batch"]}
    assert (last["status"]["action"], last["status"]["after"], last["status"]["who"]) == ("screen", "exclude", "alice")
    assert last["reason"]["after"] == "animal study"
    assert kb(["undo", "--db", review]).exit_code == 0
    assert sqlite3.connect(review).execute("SELECT count(*) FROM screening WHERE study_id = ?", [a]).fetchone() == (0,)
