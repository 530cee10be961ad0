"""Blocking keys carry their study's PMID (migration 0008), so a PubMed record is compared only
with studies of its blocks that have no PMID or its own. The PMID must follow the study when
it arrives with a later source or a merge, or a paper would be missed or wrongly matched."""
from __future__ import annotations

import sqlite3

from kb.pipeline import ingest_paths
from kb.store.db import open_db

from test_one_study_three_sources import jats_record, pubmed_xml, ris


def block_pmids(db_path, sid):
    conn = sqlite3.connect(db_path)
    return {p for (p,) in conn.execute("SELECT pmid FROM study_blocks WHERE study_id = ?", [sid])}


def study_of(db_path, kind, value):
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT study_id FROM study_identifiers WHERE kind = ? AND value = ?", [kind, value]).fetchone()
    return row[0] if row else None


def test_a_pmid_from_a_later_source_reaches_every_block_of_the_study(tmp_path):
    rec = jats_record()
    (tmp_path / "export.ris").write_text(ris(rec), encoding="utf-8")
    (tmp_path / "pubmed.xml").write_text(pubmed_xml(rec), encoding="utf-8")
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(tmp_path / "export.ris")])
    sid = study_of(tmp_path / "kb.db", "doi", rec.doi.lower())
    assert block_pmids(tmp_path / "kb.db", sid) == {None}   # the RIS entry has no PMID
    ingest_paths(db, [str(tmp_path / "pubmed.xml")])
    assert study_of(tmp_path / "kb.db", "pmid", rec.pmid) == sid
    assert block_pmids(tmp_path / "kb.db", sid) == {rec.pmid}


def test_a_record_with_another_pmid_and_the_same_title_is_another_paper(tmp_path):
    rec = jats_record()
    (tmp_path / "export.ris").write_text(ris(rec), encoding="utf-8")
    (tmp_path / "pubmed.xml").write_text(pubmed_xml(rec), encoding="utf-8")
    other = pubmed_xml(rec).replace(rec.pmid, "99999991").replace(rec.doi, "10.9999/another.paper")
    (tmp_path / "other.xml").write_text(other, encoding="utf-8")
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(tmp_path / "export.ris"), str(tmp_path / "pubmed.xml"), str(tmp_path / "other.xml")])
    first, second = study_of(tmp_path / "kb.db", "pmid", rec.pmid), study_of(tmp_path / "kb.db", "pmid", "99999991")
    assert first and second and first != second
    # A source without a PMID still finds the paper by its title, year and first author.
    no_ids = ris(rec).replace(f"DO  - {rec.doi.upper()}\n", "")
    (tmp_path / "again.ris").write_text(no_ids.replace("An unrelated paper", "Another unrelated paper"), encoding="utf-8")
    ingest_paths(db, [str(tmp_path / "again.ris")])
    conn = sqlite3.connect(tmp_path / "kb.db")
    docs = conn.execute("SELECT count(*) FROM study_documents WHERE study_id = ?", [first]).fetchone()[0]
    assert docs == 3


def test_migration_fills_the_pmid_of_blocks_stored_before_it(tmp_path):
    rec = jats_record()
    (tmp_path / "pubmed.xml").write_text(pubmed_xml(rec), encoding="utf-8")
    db = open_db(tmp_path / "kb.db")
    ingest_paths(db, [str(tmp_path / "pubmed.xml")])
    # As a store written before migration 0008 left it: no PMID on its blocks.
    db.execute("UPDATE study_blocks SET pmid = NULL")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = '0008_study_blocks_pmid'")
    db.execute("DROP INDEX idx_study_blocks_key_pmid")
    db.execute("ALTER TABLE study_blocks DROP COLUMN pmid")
    db.conn.commit()
    open_db(tmp_path / "kb.db")
    sid = study_of(tmp_path / "kb.db", "pmid", rec.pmid)
    assert block_pmids(tmp_path / "kb.db", sid) == {rec.pmid}
