"""A document is stored with a larger SQLite page cache (kb.pipeline.INGEST_CACHE_KIB, issue 4
benchmark); the connection's own setting comes back after, whether the document was stored
or refused."""
from pathlib import Path

import pytest

from kb.errors import ParseError
from kb.pipeline import INGEST_CACHE_KIB, ingest_document, read_document
from kb.store.db import open_db

BASELINE = Path(__file__).parent / "fixtures" / "pubmed" / "medline16n0902.xml.gz"


def _cache_size(db) -> int:
    return db.conn.execute("PRAGMA cache_size").fetchone()[0]


def test_the_page_cache_is_larger_while_storing_and_restored_after(tmp_path):
    db = open_db(tmp_path / "kb.db")
    db.conn.execute("PRAGMA cache_size = -1234")
    seen = []
    studies, _ = ingest_document(db, read_document(str(BASELINE)), on_record=lambda: seen.append(_cache_size(db)))
    assert studies == 604 and set(seen) == {-INGEST_CACHE_KIB}
    assert _cache_size(db) == -1234
    assert db.execute("SELECT count(*) FROM studies").fetchone()[0] == 604


def test_the_page_cache_is_restored_after_a_refused_document(tmp_path):
    db = open_db(tmp_path / "kb.db")
    before = _cache_size(db)
    bad = tmp_path / "empty.xml"
    bad.write_text('<?xml version="1.0"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n')
    with pytest.raises(ParseError):
        ingest_document(db, read_document(str(bad)))
    assert _cache_size(db) == before
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
