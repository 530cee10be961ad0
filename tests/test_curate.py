"""The curated layer: decisions apart from extracted values, the audit log with undo,
corrections from a spreadsheet, and re-ingest / re-extraction that keep every decision."""
from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from conftest import MELANOMA, MYELOMA
from test_review_tui import copy_store

import kb.cli.curate  # noqa: F401
import kb.curate.reextract as reextract_module
from kb.curate import layer
from kb.store.db import open_db
from kb.store.save import cohort_key


@pytest.fixture
def store(tmp_path, seeded_db, monkeypatch):
    monkeypatch.setenv("KB_USER", "alice")
    return copy_store(seeded_db, tmp_path / "kb.db")


def one(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def fig(db, value):
    return one(db, "SELECT id FROM figures WHERE value = ? AND status = 'extracted' ORDER BY start", [value])[0]


def query(kb, db, *args):
    result = kb(["query", "--db", db, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return {r["id"]: r for r in json.loads(result.stdout)}


def query_status(db, status):
    """`kb query --status STATUS` (the option is wired in kb/cli/evidence.py by the lead)."""
    from kb.query.figures import FigureFilter, parse_statuses, query_figures
    return {r["id"]: r for r in query_figures(open_db(db), FigureFilter(status=parse_statuses(status)))}


def test_decisions_overlay_the_extracted_values_and_are_logged(kb, store):
    hr, hr2, rate = fig(store, 0.671), fig(store, 0.638), fig(store, 48.6)
    assert kb(["curate", "accept", hr, "--db", store]).exit_code == 0
    assert kb(["curate", "set", hr2, "value=0.7", "ci_low=0.5", "--reason", "typo", "--db", store]).exit_code == 0
    assert kb(["curate", "reject", rate, "--reason", "not this study", "--db", store]).exit_code == 0

    rows = query(kb, store)
    assert rows[hr]["status"] == "accepted" and rows[hr]["value"] == 0.671
    assert (rows[hr2]["status"], rows[hr2]["value"], rows[hr2]["ci_low"], rows[hr2]["ci_high"]) == \
        ("corrected", 0.7, 0.5, 0.934)
    assert rate not in rows                                               # rejected: left out by default
    # the extracted layer is untouched
    assert one(store, "SELECT value, ci_low, status FROM figures WHERE id = ?", [hr2]) == (0.638, 0.435, "extracted")

    export = json.loads(kb(["export", "--db", store]).stdout)
    figs = {f["id"]: f for s in export["studies"] for f in s["figures"]}
    assert figs[hr2]["value"] == 0.7 and figs[hr2]["status"] == "corrected" and rate not in figs

    log = json.loads(kb(["log", "--db", store, "--format", "json"]).stdout)
    assert [(r["who"], r["action"], r["item_key"], r["field"], r["before"], r["after"], r["reason"])
            for r in reversed(log)] == [
        ("alice", "accept", hr, "status", None, "accepted", None),
        ("alice", "set", hr2, "status", None, "corrected", "typo"),
        ("alice", "set", hr2, "ci_low", None, 0.5, "typo"),
        ("alice", "set", hr2, "value", None, 0.7, "typo"),
        ("alice", "reject", rate, "status", None, "rejected", "not this study"),
    ]


def test_status_filter_and_crosstab_read_the_curated_values(store):
    from kb.query.crosstab import crosstab
    from kb.query.figures import FigureFilter, parse_statuses, query_figures
    db = open_db(store)
    hr = fig(store, 0.671)
    layer.reject(db, [hr])
    assert [r["id"] for r in query_figures(db, FigureFilter(status=parse_statuses("rejected")))] == [hr]
    assert hr not in {r["id"] for r in query_figures(db, FigureFilter())}
    assert {r["status"] for r in query_figures(db, FigureFilter(status=parse_statuses("all")))} == {"extracted", "rejected"}
    _, _, before = crosstab(db, "measure", "outcome", "figures", FigureFilter())
    layer.set_fields(db, fig(store, 0.638), {"endpoint": "PFS"})
    _, _, after = crosstab(db, "measure", "outcome", "figures", FigureFilter())
    assert after[("HR", "OS")] == before[("HR", "OS")] - 1 and after[("HR", "PFS")] == before.get(("HR", "PFS"), 0) + 1


def test_study_fields_cohorts_and_therapy_links_take_decisions(kb, store, seeded, study_of):
    sid = study_of(seeded, MELANOMA.name)
    assert kb(["curate", "set", sid, "n_patients=263", "--db", store]).exit_code == 0
    cohort = one(store, "SELECT key FROM cohorts WHERE study_id = ? ORDER BY id", [sid])[0]
    therapy = one(store, "SELECT key FROM study_therapies WHERE study_id = ? ORDER BY id", [sid])[0]
    assert kb(["curate", "reject", cohort, therapy, "--db", store]).exit_code == 0
    study = next(s for s in json.loads(kb(["export", "--db", store]).stdout)["studies"] if s["id"] == sid)
    assert study["n_patients"] == 263
    assert one(store, "SELECT n_patients FROM studies WHERE id = ?", [sid]) == (262,)
    assert one(store, "SELECT status FROM cohort_values WHERE key = ?", [cohort]) == ("rejected",)
    assert one(store, "SELECT n_patients_status FROM study_values WHERE id = ?", [sid]) == ("corrected",)


def test_stable_keys_are_backfilled_like_new_ones(store):
    """Cohort keys hash document, offsets and values, as figure ids do."""
    conn = sqlite3.connect(store)
    for key, sha, start, end, label, n in conn.execute(
            'SELECT c.key, d.sha256, c.start, c."end", c.label, c.n FROM cohorts c JOIN documents d ON d.id = c.document_id'):
        assert key == cohort_key(sha, start, end, label, n)
    assert conn.execute("SELECT count(*) FROM adverse_events WHERE key IS NULL").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM study_therapies WHERE key IS NULL").fetchone() == (0,)


def test_undo_from_the_log(kb, kb_main, store):
    hr, hr2 = fig(store, 0.671), fig(store, 0.638)
    kb(["curate", "set", hr, "value=0.68", "--db", store])
    kb(["curate", "accept", hr2, "--db", store])
    assert kb(["undo", "--db", store]).exit_code == 0                    # my last action: the accept
    assert one(store, "SELECT count(*) FROM curations WHERE item_key = ?", [hr2]) == (0,)
    log_id = one(store, "SELECT min(id) FROM curation_log WHERE item_key = ? AND action = 'set'", [hr])[0]
    kb(["curate", "set", hr, "ci_low=0.4", "--db", store])
    # that item has changed since: the later change is undone first
    refused = kb_main(["undo", str(log_id), "--db", store])
    assert refused.exit_code == 1 and "changed since" in refused.stderr
    kb(["undo", "--db", store])
    assert kb(["undo", str(log_id), "--db", store]).exit_code == 0
    assert one(store, "SELECT count(*) FROM curations WHERE item_key = ?", [hr]) == (0,)
    assert query(kb, store)[hr]["value"] == 0.671


def test_add_a_missed_figure_with_its_quote(kb, kb_main, store, seeded, study_of):
    sid = study_of(seeded, MELANOMA.name)
    text = one(store, "SELECT d.text FROM documents d JOIN study_documents sd ON sd.document_id = d.id "
                      "WHERE sd.study_id = ?", [sid])[0]
    start, end = one(store, 'SELECT start, "end" FROM figures WHERE id = ?', [fig(store, 0.671)])
    quote = text[start:end]
    result = kb(["curate", "add", "--study", sid, "--quote", quote, "--endpoint", "PFS", "--measure", "HR",
                 "--value", "0.671", "--ci-low", "0.473", "--ci-high", "0.952", "--db", store])
    assert result.exit_code == 0, result.output
    fid = result.stdout.strip()
    row = query(kb, store)[fid]
    assert (row["status"], row["rule"], row["unit"], row["quote"]) == ("added", "curator", "ratio", quote)
    assert text[row["start"]:row["end"]] == quote
    bad = kb_main(["curate", "add", "--study", sid, "--quote", "not in the paper 0.5", "--endpoint", "OS",
                   "--measure", "HR", "--value", "0.5", "--db", store])
    assert bad.exit_code == 1 and "quote is not in the text" in bad.stderr and "Traceback" not in bad.stderr
    kb(["undo", "--db", store])                                          # undoing the addition hides it
    assert fid not in query(kb, store)


def test_import_corrections_csv_long_and_wide(kb, kb_main, store, tmp_path):
    hr, hr2, rate = fig(store, 0.671), fig(store, 0.638), fig(store, 48.6)
    long = tmp_path / "corrections.csv"
    long.write_text("id,action,field,value,reason\n"
                    f"{hr},accept,,,checked\n{hr2},set,value,0.64,rounding\n{rate},reject,,,wrong group\n")
    assert kb(["curate", "import", long, "--db", store]).exit_code == 0
    rows = query_status(store, "all")
    assert (rows[hr]["status"], rows[hr2]["value"], rows[rate]["status"]) == ("accepted", 0.64, "rejected")
    # The CSV `kb query` writes, edited in a spreadsheet and read back.
    out = kb(["query", "--measure", "HR", "--format", "csv", "--db", store]).stdout
    table = list(csv.DictReader(out.splitlines()))
    for r in table:
        if r["id"] == hr:
            r["ci_low"] = "0.47"
    wide = tmp_path / "edited.csv"
    with open(wide, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    assert kb(["curate", "import", wide, "--db", store]).exit_code == 0
    assert query(kb, store)[hr]["ci_low"] == 0.47 and query(kb, store)[hr]["status"] == "corrected"
    # A wrong row: nothing of the file is applied, the error names the line.
    before = one(store, "SELECT count(*) FROM curation_log")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,action,field,value\n{hr2},accept,,\n{hr2},set,value,abc\n")
    result = kb_main(["curate", "import", bad, "--db", store])
    assert result.exit_code == 1 and "line 3" in result.stderr and "not a number" in result.stderr
    assert one(store, "SELECT count(*) FROM curation_log") == before


def test_reingest_and_reextract_keep_every_decision_and_list_conflicts(kb, store, monkeypatch):
    hr, hr2, rate = fig(store, 0.671), fig(store, 0.638), fig(store, 48.6)
    kb(["curate", "accept", hr, "--db", store])
    kb(["curate", "set", hr2, "value=0.64", "--db", store])
    kb(["curate", "reject", rate, "--db", store])
    shown = query_status(store, "all")
    n_figures = one(store, "SELECT count(*) FROM figures")

    # Re-ingesting the seeds: unchanged documents, every decision as it was.
    assert kb(["ingest", MELANOMA, MYELOMA, "--db", store]).exit_code == 0
    assert query_status(store, "all") == shown

    # Re-extraction with the same extractor: the same rows, nothing in conflict.
    result = kb(["reextract", "--db", store])
    assert result.exit_code == 0 and "2 documents re-extracted" in result.stderr and "0 new conflicts" in result.stderr
    assert query_status(store, "all") == shown
    assert one(store, "SELECT count(*) FROM figures") == n_figures

    # An "upgraded" extractor that reads two numbers differently.
    real = reextract_module.extract_article

    def upgraded(record):
        ex = real(record)
        for f in ex.figures:
            if f.value == 0.671:
                f.value = 0.672            # a new key: found again at the same place
            if f.value == 0.638:
                f.ci_high = 0.94           # the same key, another CI
        return ex

    monkeypatch.setattr(reextract_module, "extract_article", upgraded)
    result = kb(["reextract", "--db", store])
    assert result.exit_code == 0 and "2 new conflicts" in result.stderr
    after = query_status(store, "all")
    assert after[hr]["value"] == 0.671 and after[hr]["status"] == "accepted"      # not applied
    assert after[hr2]["value"] == 0.64 and after[hr2]["ci_high"] == 0.934
    assert after[rate]["status"] == "rejected"
    conflicts = json.loads(kb(["review", "--conflicts", "--format", "json", "--db", store]).stdout)
    got = {(c["item_key"], c["field"], c["curated"], c["extracted"]) for c in conflicts}
    assert got == {(hr, "value", 0.671, 0.672), (hr2, "ci_high", 0.934, 0.94)}
    assert next(c for c in conflicts if c["item_key"] == hr)["new_key"] not in (None, hr)
    # Running it again lists nothing twice; a decision on the item settles its conflict.
    assert "0 new conflicts" in kb(["reextract", "--db", store]).stderr
    kb(["curate", "set", hr, "value=0.672", "--db", store])
    left = json.loads(kb(["review", "--conflicts", "--format", "json", "--db", store]).stdout)
    assert [c["item_key"] for c in left] == [hr2]
