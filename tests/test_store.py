"""The store: migrations, whole rows, foreign keys, provenance and stable keys."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlite_utils import Database

from conftest import MELANOMA, MYELOMA, connect
from kb.errors import KbError
from kb.pipeline import ingest_paths
from kb.store.db import open_db

MYELOMA_DOI = "10.1007/s10238-025-01821-w"


# --- opening and migrations -----------------------------------------------------------

def test_open_db_applies_migrations_once(tmp_path):
    path = tmp_path / "kb.db"
    db = open_db(path)
    applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied[:2] == ["0001_core", "0002_indexes_and_search"]
    tables = set(db.table_names())
    assert {"documents", "studies", "figures", "figure_therapies", "study_authors", "journals",
            "therapies", "study_therapies", "cohorts", "adverse_events", "studies_fts"} <= tables
    db.conn.close()
    again = open_db(path)  # re-running migrations is harmless
    assert [r[0] for r in again.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == applied
    assert set(again.table_names()) == tables
    assert again.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_open_db_without_create_refuses_a_missing_store(tmp_path):
    with pytest.raises(KbError, match="no such kb store"):
        open_db(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_open_db_refuses_a_folder(tmp_path):
    with pytest.raises(KbError, match="is a folder"):
        open_db(tmp_path)


def test_open_db_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "paper.db"
    path.write_bytes(MELANOMA.read_bytes())
    with pytest.raises(KbError, match="not a usable kb store"):
        open_db(path)
    assert path.read_bytes() == MELANOMA.read_bytes()  # left as it was


def test_kb_db_environment_variable_names_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_DB", str(tmp_path / "from_env.db"))
    db = open_db(None)
    db.conn.close()
    assert (tmp_path / "from_env.db").exists()


# --- whole rows -----------------------------------------------------------------------

def test_myeloma_study_row(seeded, study_of):
    sid = study_of(seeded, MYELOMA.name)
    assert sid == "s" + hashlib.sha1(f"doi:{MYELOMA_DOI}".encode()).hexdigest()[:12]
    row = dict(seeded.execute("SELECT * FROM studies WHERE id = ?", [sid]).fetchone())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row.pop("created_at"))
    abstract = row.pop("abstract")
    journal_id, condition_id = row.pop("journal_id"), row.pop("condition_id")
    assert row == {
        "id": sid,
        "title": "Therapeutic options for extramedullary involvement in multiple myeloma.",
        "title_original": "多发性骨髓瘤髓外受累的治疗选择。",
        "title_language": "zh",
        "doi": MYELOMA_DOI, "pmid": None, "pmcid": None, "nct_id": None,
        "pub_date": "2025-08-23", "year": 2025,
        "volume": "25", "issue": "1", "pages": "301",
        "design": "review", "n_patients": None, "follow_up_median_months": None,
        "language": row["language"],  # the record does not state the article's language
        "oa_url": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC12374916/pdf/",
        "publication_types": '["Journal Article"]',
    }
    assert abstract.startswith("Extramedullary involvement (extramedullary disease, EMD) is an aggressive subtype")
    assert abstract.endswith("aiming to provide evidence-based guidance for EMD treatment.")
    assert "<p>" not in abstract and "</p>" not in abstract
    journal = dict(seeded.execute("SELECT * FROM journals WHERE id = ?", [journal_id]).fetchone())
    assert journal == {"id": journal_id, "name": "Clinical and Experimental Medicine", "issn": None,
                       "impact_factor": 3.5, "quartile": "Q2", "category": "MEDICINE, RESEARCH & EXPERIMENTAL"}
    condition = seeded.execute("SELECT name FROM conditions WHERE id = ?", [condition_id]).fetchone()[0]
    assert "multiple myeloma" in condition.lower()


def test_myeloma_authors_in_order(seeded, study_of):
    sid = study_of(seeded, MYELOMA.name)
    rows = [dict(r) for r in seeded.execute("""
        SELECT sa.position, a.name, a.given, a.family, a.collective FROM study_authors sa
        JOIN authors a ON a.id = sa.author_id WHERE sa.study_id = ? ORDER BY sa.position""", [sid])]
    assert rows == [
        {"position": 0, "name": "Junmei Zhao", "given": "Junmei", "family": "Zhao", "collective": 0},
        {"position": 1, "name": "Yushan Cui", "given": "Yushan", "family": "Cui", "collective": 0},
        {"position": 2, "name": "Baijun Fang", "given": "Baijun", "family": "Fang", "collective": 0},
    ]


def test_myeloma_therapies_are_the_drug_classes_it_reviews(seeded, study_of):
    sid = study_of(seeded, MYELOMA.name)
    rows = {r["mention"]: (r["canonical"], r["class"]) for r in seeded.execute("""
        SELECT st.mention, t.canonical, t.class FROM study_therapies st JOIN therapies t ON t.id = st.therapy_id
        WHERE st.study_id = ? AND st.given = 1""", [sid])}
    assert rows["proteasome inhibitors"] == ("proteasome inhibitor", "targeted therapy")
    assert rows["immunomodulatory drugs"][1] == "immunotherapy"
    assert rows["anti-CD38 monoclonal antibodies"][1] == "immunotherapy"
    assert "immunotherapy" in rows


def test_melanoma_study_row(seeded, study_of):
    sid = study_of(seeded, MELANOMA.name)
    row = dict(seeded.execute("""SELECT s.*, c.name AS condition FROM studies s
                                 LEFT JOIN conditions c ON c.id = s.condition_id WHERE s.id = ?""", [sid]).fetchone())
    doc_sha = hashlib.sha256(MELANOMA.read_bytes()).hexdigest()
    assert sid == "s" + hashlib.sha1(f"sha256:{doc_sha}:0".encode()).hexdigest()[:12]  # no DOI in the text
    assert row["design"] == "retrospective cohort"
    assert row["n_patients"] == 262
    assert row["follow_up_median_months"] == 34.0
    assert "mucosal melanoma" in row["condition"].lower()
    assert (row["doi"], row["pmid"], row["journal_id"]) == (None, None, None)


def test_melanoma_therapies_given_and_discussed(seeded, study_of):
    sid = study_of(seeded, MELANOMA.name)
    given = dict(seeded.execute("""SELECT lower(t.canonical), st.given FROM study_therapies st
        JOIN therapies t ON t.id = st.therapy_id WHERE st.study_id = ?""", [sid]).fetchall())
    for drug in ("dacarbazine", "cisplatin", "paclitaxel", "surgery", "radiotherapy"):
        assert given.get(drug) == 1, drug
    # Named only while discussing other studies (D'Angelo et al.; imatinib trials).
    for drug in ("ipilimumab", "nivolumab", "imatinib", "vemurafenib"):
        assert given.get(drug) == 0, drug


def test_foreign_keys_hold(seeded):
    assert seeded.execute("PRAGMA foreign_key_check").fetchall() == []
    assert seeded.execute("""SELECT count(*) FROM figures f LEFT JOIN study_documents sd
        ON sd.study_id = f.study_id AND sd.document_id = f.document_id WHERE sd.study_id IS NULL""").fetchone()[0] == 0


def test_full_text_search_finds_the_review(seeded, study_of):
    hits = [r[0] for r in seeded.execute("""SELECT s.id FROM studies_fts JOIN studies s ON s.rowid = studies_fts.rowid
                                            WHERE studies_fts MATCH 'extramedullary'""")]
    assert hits == [study_of(seeded, MYELOMA.name)]


# --- provenance -----------------------------------------------------------------------

def test_every_figure_quote_is_the_document_text_at_its_offsets(seeded):
    rows = seeded.execute("""SELECT f.id, f.quote, f.start, f."end", d.text FROM figures f
                             JOIN documents d ON d.id = f.document_id""").fetchall()
    assert len(rows) > 100
    bad = [(r["id"], r["quote"]) for r in rows if r["text"][r["start"]:r["end"]] != r["quote"]]
    assert bad == []
    assert all(r["quote"].strip() and r["end"] > r["start"] for r in rows)


def test_every_figure_carries_rule_status_and_value_in_its_quote(seeded):
    for r in seeded.execute("SELECT value, unit, quote, rule, status, confidence FROM figures"):
        assert r["rule"] and r["status"] == "extracted"
        assert r["confidence"] is None or 0 <= r["confidence"] <= 1
        # The quote states the number: 28.5 may be printed "28,5"; 67 as "67.0".
        digits = re.sub(r"\D", "", r["quote"])
        assert re.sub(r"\D", "", f"{r['value']:g}".lstrip("0")) in digits, (r["value"], r["quote"])


def test_cohort_and_adverse_event_quotes_are_document_text(seeded):
    for table in ("cohorts", "adverse_events"):
        rows = seeded.execute(f"""SELECT x.quote, x.start, x."end", d.text FROM {table} x
                                  JOIN documents d ON d.id = x.document_id WHERE x.start IS NOT NULL""").fetchall()
        assert rows, table
        assert [r["quote"] for r in rows if r["text"][r["start"]:r["end"]] != r["quote"]] == []


def test_therapy_mentions_point_at_their_words(seeded):
    def letters(s):
        return re.sub(r"[^a-z0-9]", "", s.lower())
    rows = seeded.execute("""SELECT st.mention, st.start, st."end", d.text FROM study_therapies st
                             JOIN documents d ON d.id = st.document_id""").fetchall()
    assert rows
    assert [r["mention"] for r in rows if letters(r["text"][r["start"]:r["end"]]) != letters(r["mention"])] == []


# --- stable keys ----------------------------------------------------------------------

def test_figure_ids_are_stable_across_a_fresh_store(tmp_path, seeded):
    first = {r["id"]: (r["start"], r["end"], r["value"], r["endpoint"])
             for r in seeded.execute('SELECT id, start, "end", value, endpoint FROM figures')}
    db = open_db(tmp_path / "fresh.db")
    report = ingest_paths(db, [str(MYELOMA), str(MELANOMA)])  # other order, other store
    assert report.failed == [] and len(report.ingested) == 2
    second = {r[0]: tuple(r[1:]) for r in db.execute('SELECT id, start, "end", value, endpoint FROM figures')}
    assert second == first
    assert len(first) > 100


def test_study_ids_are_stable_across_a_fresh_store(tmp_path, seeded):
    first = sorted(r[0] for r in seeded.execute("SELECT id FROM studies"))
    db = open_db(tmp_path / "fresh.db")
    ingest_paths(db, [str(MELANOMA), str(MYELOMA)])
    assert sorted(r[0] for r in db.execute("SELECT id FROM studies")) == first


def test_ingest_paths_report_and_noop_on_second_run(tmp_path, counts):
    path = tmp_path / "kb.db"
    db = open_db(path)
    report = ingest_paths(db, [str(MELANOMA), str(MYELOMA)])
    assert (report.ingested, report.unchanged, report.failed, report.studies) == (
        [str(MELANOMA), str(MYELOMA)], [], [], 2)
    assert report.figures == db.execute("SELECT count(*) FROM figures").fetchone()[0] > 100
    before = counts(path)
    again = ingest_paths(db, [str(MELANOMA), str(MYELOMA)])
    assert (again.ingested, again.unchanged, again.figures) == ([], [str(MELANOMA), str(MYELOMA)], 0)
    assert counts(path) == before


def test_store_is_a_sqlite_utils_database(seeded_db):
    db = Database(seeded_db)
    fig = db["figures"]
    assert fig.pks == ["id"]
    assert {fk.other_table for fk in fig.foreign_keys} == {"studies", "documents"}
    assert {c.name for c in fig.columns} >= {"quote", "start", "end", "rule", "status", "section", "confidence"}
