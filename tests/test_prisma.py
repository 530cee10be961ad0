"""A scripted review of real PubMed and RIS samples with duplicates across sources:
screening by two reviewers, Cohen's kappa, PRISMA 2020 counts and diagram, and the review
exports (evidence table, RIS, BibTeX) round-tripped."""
from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import pytest
import rispy

import kb.cli.curate  # noqa: F401

FIX = Path(__file__).parent / "fixtures"
PUBMED = [FIX / "pubmed" / f"{p}.xml" for p in ("23657305", "32306807", "34843274")]
ZOTERO = FIX / "refs" / "pubmed_zotero.ris"


@pytest.fixture
def review(kb, tmp_path, monkeypatch):
    """Two PubMed records exported as RIS from another store (another source's export of the
    same papers), then everything ingested into the review's store."""
    monkeypatch.setenv("KB_USER", "alice")
    other = tmp_path / "other.db"
    assert kb(["ingest", *PUBMED[:2], "--db", other]).exit_code == 0
    for (sid,) in sqlite3.connect(other).execute("SELECT id FROM studies"):
        kb(["screen", sid, "include", "--db", other])
    dup = tmp_path / "other_database.ris"
    assert kb(["export-review", "ris", "-o", dup, "--db", other]).exit_code == 0
    db = tmp_path / "kb.db"
    assert kb(["ingest", *PUBMED, ZOTERO, dup, "--db", db]).exit_code == 0
    return db


def ids(db):
    conn = sqlite3.connect(db)
    by_pmid = {p: s for s, p in conn.execute("SELECT id, pmid FROM studies WHERE pmid IS NOT NULL")}
    pubmed = [by_pmid[p.stem] for p in PUBMED]
    ris_only = [r[0] for r in conn.execute("""SELECT id FROM studies WHERE id NOT IN (?, ?, ?) ORDER BY id""", pubmed)]
    return pubmed, ris_only


def test_prisma_counts_of_a_scripted_review(kb, kb_main, review, tmp_path):
    (a, b, c), z = ids(review)
    assert len(z) == 6
    script = [
        ("alice", a, "include", None), ("alice", b, "include", None), ("alice", c, "include", None),
        ("alice", z[0], "include", None), ("alice", z[1], "exclude", "wrong population"),
        ("alice", z[2], "exclude", "wrong design"), ("alice", z[3], "exclude", "Wrong Population"),
        ("alice", z[4], "maybe", None),
        ("bob", a, "include", None), ("bob", b, "include", None), ("bob", c, "exclude", "wrong intervention"),
        ("bob", z[0], "include", None), ("bob", z[1], "exclude", "wrong population"),
        ("bob", z[2], "exclude", "wrong design"),
    ]
    for reviewer, sid, decision, reason in script:
        args = ["screen", sid, decision, "--reviewer", reviewer, "--db", review] + (["--reason", reason] if reason else [])
        assert kb(args).exit_code == 0
    for sid, decision, reason in ((a, "include", None), (b, "exclude", "wrong outcome"), (z[4], "include", None)):
        kb(["screen", sid, decision, "--stage", "full", "--db", review] + (["--reason", reason] if reason else []))

    bad = kb_main(["screen", z[5], "exclude", "--reason", "boring", "--db", review])
    assert bad.exit_code == 1 and "not in the list" in bad.stderr
    assert kb_main(["screen", z[5], "exclude", "--db", review]).exit_code == 1    # a reason is required

    conflicts = kb(["screen", "--conflicts", "--format", "json", "--db", review])
    assert [r["study_id"] for r in json.loads(conflicts.stdout)] == [c]
    assert "kappa alice / bob (6 studies): 0.667" in conflicts.stderr

    svg = tmp_path / "prisma.svg"
    result = kb(["prisma", "--format", "json", "--svg", svg, "--db", review])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert counts == {
        "identified": {"pubmed-xml": 3, "ris": 8}, "identified_total": 11,
        "duplicates_removed": 2,                 # the other database's two records of the PubMed papers
        "screened": 9,
        "excluded_screening": 3, "excluded_screening_reasons": {"wrong population": 2, "wrong design": 1},
        "awaiting_screening": 2,                 # the reviewers disagree on c; z[5] is undecided
        "sought": 4, "not_retrieved": 1, "assessed": 3, "full_texts": 0,
        "excluded_full": 1, "excluded_full_reasons": {"wrong outcome": 1},
        "awaiting_eligibility": 0, "included": 3,
    }
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    texts = [t.text for t in root.iter() if t.tag.endswith("text")]
    assert "Studies included in review (n = 3)" in texts and "  duplicate records (n = 2)" in texts
    assert "  wrong population (n = 2)" in texts

    # A final decision settles the disagreement: c passes screening.
    kb(["screen", c, "include", "--reviewer", "carol", "--final", "--db", review])
    counts = json.loads(kb(["prisma", "--format", "json", "--db", review]).stdout)
    assert (counts["awaiting_screening"], counts["sought"], counts["included"]) == (1, 5, 4)


def test_references_round_trip_through_ris_and_bibtex(kb, review, tmp_path):
    (a, b, _), z = ids(review)
    for sid in (a, b, z[0]):
        kb(["screen", sid, "include", "--db", review])
    conn = sqlite3.connect(review)
    want = {r[0] for r in conn.execute("SELECT lower(doi) FROM studies WHERE id IN (?, ?, ?)", [a, b, z[0]])}
    ris, bib = tmp_path / "included.ris", tmp_path / "included.bib"
    assert kb(["export-review", "ris", "-o", ris, "--db", review]).exit_code == 0
    assert kb(["export-review", "bibtex", "-o", bib, "--db", review]).exit_code == 0
    entries = rispy.loads(ris.read_text(encoding="utf-8"))
    assert {e["doi"].lower() for e in entries} == want and all(e["authors"] and e["title"] for e in entries)
    parsed = bibtexparser.loads(bib.read_text(encoding="utf-8")).entries
    assert {e["doi"].lower() for e in parsed} == want and len({e["ID"] for e in parsed}) == 3
    for path in (ris, bib):                    # and back into kb: the same papers
        fresh = tmp_path / f"{path.suffix[1:]}.db"
        assert kb(["ingest", path, "--db", fresh]).exit_code == 0
        got = sqlite3.connect(fresh).execute("SELECT lower(doi), pmid, title, year FROM studies").fetchall()
        orig = conn.execute("SELECT lower(doi), pmid, title, year FROM studies WHERE id IN (?, ?, ?)", [a, b, z[0]])
        assert sorted(got) == sorted(orig.fetchall())


def test_evidence_table_of_included_studies(kb, tmp_path, seeded_db, monkeypatch):
    from test_review_tui import copy_store
    db = copy_store(seeded_db, tmp_path / "kb.db")
    conn = sqlite3.connect(db)
    sid = conn.execute("SELECT study_id FROM figures LIMIT 1").fetchone()[0]
    hr, hr2 = [conn.execute("SELECT id FROM figures WHERE value = ?", [v]).fetchone()[0] for v in (0.671, 0.638)]
    kb(["screen", sid, "include", "--db", db])
    kb(["curate", "accept", hr, "--db", db])
    kb(["curate", "set", hr2, "value=0.64", "--db", db])
    rows = list(__import__("csv").DictReader(kb(["export-review", "--db", db]).stdout.splitlines()))
    assert [(r["figure_id"], r["value"], r["status"]) for r in rows] == [(hr, "0.671", "accepted"), (hr2, "0.64", "corrected")]
    md = kb(["export-review", "evidence", "-f", "md", "--db", db]).stdout
    assert md.startswith("| study_id |") and md.count("\n") == 4
    data = json.loads(kb(["export-review", "evidence", "-f", "json", "--db", db]).stdout)
    assert [s["id"] for s in data["studies"]] == [sid]
    assert {f["id"]: f["value"] for f in data["studies"][0]["figures"]} == {hr: 0.671, hr2: 0.64}
