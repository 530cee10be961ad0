"""One study per paper: records of the same paper from several sources merge; preprints and
conference abstracts are linked; near-duplicates are reported, never merged."""
from __future__ import annotations

import json
import sqlite3

from kb.match import Candidate, compare, normalise_title, surname
from kb.pipeline import ingest_paths
from kb.store.db import open_db
from kb.store.merge import dedupe

from conftest import MYELOMA

TITLE = "Therapeutic options for extramedullary involvement in multiple myeloma."


def platform_record(tmp_path, name, **fields):
    """A literature-platform record of the myeloma review with some fields changed."""
    first, rest = MYELOMA.read_text(encoding="utf-8").split("\n", 1)
    obj = json.loads(first)
    inner = json.loads(obj["resultStr"])
    for o in (obj, inner):
        o.update(fields)
    obj["resultStr"] = json.dumps(inner, ensure_ascii=False)
    path = tmp_path / name
    path.write_text(json.dumps(obj, ensure_ascii=False) + "\n" + rest, encoding="utf-8")
    return path


def rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql)]


def test_same_doi_from_two_sources_is_one_study_with_both_documents(tmp_path):
    a = platform_record(tmp_path, "a.txt")
    b = platform_record(tmp_path, "b.txt", doi="https://doi.org/10.1007/S10238-025-01821-W", citationCount="7")
    db = open_db(tmp_path / "kb.db")
    report = ingest_paths(db, [str(a), str(b)])
    assert not report.failed
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 1
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM study_documents")[0]["n"] == 2


def test_no_shared_identifier_but_same_title_year_and_first_author_merges(tmp_path):
    a = platform_record(tmp_path, "a.txt")
    b = platform_record(tmp_path, "b.txt", doi=None, title=TITLE.upper().rstrip("."))
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(a), str(b)])
    studies = rows(tmp_path / "kb.db", "SELECT id, title FROM studies")
    assert len(studies) == 1 and studies[0]["title"] == TITLE


def test_preprint_and_published_version_are_linked_not_merged(tmp_path):
    pub = platform_record(tmp_path, "pub.txt")
    pre = platform_record(tmp_path, "pre.txt", doi="10.1101/2025.01.02.123456", journal={"name": "medRxiv"})
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(pub), str(pre)])
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 2
    (link,) = rows(tmp_path / "kb.db", "SELECT relation, reason FROM study_links")
    assert link["relation"] == "preprint_of"


def test_near_duplicate_title_is_reported_and_not_merged(tmp_path):
    a = platform_record(tmp_path, "a.txt")
    b = platform_record(tmp_path, "b.txt", doi=None,
                        title="Treatment options for extramedullary involvement in multiple myeloma.")
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(a), str(b)])
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 2
    pairs = dedupe(db, apply=False)
    assert [p.verdict.relation for p in pairs] == ["near_duplicate"]
    assert any(r.startswith("title ") for r in pairs[0].verdict.reasons)


def test_dedupe_merges_studies_stored_before_they_could_be_matched(tmp_path):
    """Two records of one paper ingested into stores that were later combined, or matched
    only after a rule improved: `kb dedupe` merges them and keeps every document."""
    a = platform_record(tmp_path, "a.txt")
    b = platform_record(tmp_path, "b.txt", doi=None)
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(a)])
    # Store b as its own study, as an older kb without matching would have.
    db.execute("DELETE FROM study_blocks")
    db.execute("DELETE FROM study_identifiers")
    ingest_paths(db, [str(b)])
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 2
    db.execute("INSERT OR IGNORE INTO study_identifiers SELECT id, 'doi', doi FROM studies WHERE doi IS NOT NULL")
    from kb.store.merge import candidate_of_study, remember
    for (sid,) in db.execute("SELECT id FROM studies").fetchall():
        remember(db, sid, candidate_of_study(db, sid))
    dry = dedupe(db, apply=False)
    assert [p.verdict.relation for p in dry] == ["same"]
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 2  # dry run changes nothing
    dedupe(db, apply=True)
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 1
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM study_documents")[0]["n"] == 2
    assert rows(tmp_path / "kb.db", "PRAGMA foreign_key_check") == []


def test_full_text_supersedes_the_abstract_figures_of_the_same_paper(tmp_path):
    abstract = tmp_path / "abstract.txt"
    methods = "Methods: We reviewed the records of patients treated with surgery at one centre. "
    abstract.write_text("Survival after surgery: a cohort study\n\ndoi: 10.9999/kb.test.1\n\n" + methods +
                        "Results: The 5-year OS rate was 41.0%.\n", encoding="utf-8")
    full = tmp_path / "full.txt"
    full.write_text("Abstract\n" + methods + "Results: The 5-year OS rate was 41.0%.\ndoi: 10.9999/kb.test.1\n\n"
                    "Results\nThe 5-year OS rate was 41.0% and the 5-year DFS rate was 30.0%.\n", encoding="utf-8")
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(abstract), str(full)])
    assert rows(tmp_path / "kb.db", "SELECT count(*) AS n FROM studies")[0]["n"] == 1
    figs = rows(tmp_path / "kb.db", """SELECT d.name, f.endpoint, f.value, f.superseded FROM figures f
                                       JOIN documents d ON d.id = f.document_id ORDER BY d.name, f.start""")
    assert {(f["name"], f["superseded"]) for f in figs} == {("abstract.txt", 1), ("full.txt", 0)}
    live = {(f["endpoint"], f["value"]) for f in figs if not f["superseded"]}
    assert live == {("OS", 41.0), ("DFS", 30.0)}


def test_titles_compare_without_case_punctuation_or_accents():
    assert normalise_title("Épidémiologie: the <i>KRAS</i> story.") == "epidemiologie the kras story"
    assert surname("Zhao J") == surname("Junmei Zhao") == surname("Zhao, Junmei") == "zhao"


def test_clashing_pmids_are_never_the_same_paper():
    a = Candidate("a", "A study of X", 2020, "Smith J", {"pmid": "1"})
    b = Candidate("b", "A study of X", 2020, "Smith J", {"pmid": "2"})
    assert compare(a, b).relation == "different"


def test_years_far_apart_are_different_papers():
    a = Candidate("a", "Update on myeloma", 2010, "Smith J", {})
    b = Candidate("b", "Update on myeloma", 2020, "Smith J", {})
    assert compare(a, b).relation == "different"
