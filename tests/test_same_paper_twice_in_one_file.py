"""Issue 4 regression: a paper twice in one file, the second record adding a field.

New studies enter full-text search in batches (migration 0007); the second record updated
its study before the study was in the index, the FTS5 update trigger deleted an entry that
was not there, and the whole file was refused as 'database disk image is malformed'."""
import sqlite3

from kb.pipeline import ingest_paths
from kb.store.db import open_db
from kb.store.maintenance import check_store

RIS = ("TY  - JOUR\nTI  - Adjuvant radiotherapy for sinonasal mucosal melanoma\nDO  - 10.1000/xyz\nPY  - 2020\nER  - \n\n"
       "TY  - JOUR\nTI  - Adjuvant radiotherapy for sinonasal mucosal melanoma\nDO  - 10.1000/xyz\nPY  - 2020\n"
       "AB  - Five-year overall survival was 35%.\nER  - \n\n"
       "TY  - JOUR\nTI  - Another paper on extramedullary myeloma\nPY  - 2021\nER  - \n")


def test_second_record_of_a_paper_fills_its_abstract_and_search_finds_it(tmp_path):
    (tmp_path / "dup.ris").write_text(RIS)
    db = open_db(tmp_path / "kb.db")
    report = ingest_paths(db, [str(tmp_path / "dup.ris")])
    assert report.failed == [] and report.studies == 3
    con = sqlite3.connect(tmp_path / "kb.db")
    assert con.execute("SELECT title, abstract FROM studies ORDER BY title").fetchall() == [
        ("Adjuvant radiotherapy for sinonasal mucosal melanoma", "Five-year overall survival was 35%."),
        ("Another paper on extramedullary myeloma", None)]
    hits = con.execute("SELECT s.title FROM studies_fts f JOIN studies s ON s.rowid = f.rowid "
                       "WHERE studies_fts MATCH ? ORDER BY s.title", ["survival OR myeloma"]).fetchall()
    assert hits == [("Adjuvant radiotherapy for sinonasal mucosal melanoma",),
                    ("Another paper on extramedullary myeloma",)]
    assert con.execute("SELECT count(*) FROM study_documents").fetchone()[0] == 2
    assert not check_store(tmp_path / "kb.db").problems
