"""Document texts, which quotes and offsets point into.

A one-record document keeps its text in documents.text. A file of many records keeps one
row per record in document_texts (migration 0006), so that storing it never needs the
whole file's text at once; offsets are the document's either way.
"""
from __future__ import annotations

from typing import Iterator

from sqlite_utils import Database


def add_record_text(db: Database, document_id: int, start: int, text: str) -> None:
    db.conn.execute("INSERT INTO document_texts (document_id, start, text) VALUES (?, ?, ?)",
                    [document_id, start, text])


def text_at(db: Database, document_id: int, offset: int | None) -> tuple[str, int]:
    """The stored text that holds `offset` of a document, and the offset it starts at."""
    row = db.conn.execute("""SELECT start, text FROM document_texts WHERE document_id = ? AND start <= ?
                             ORDER BY start DESC LIMIT 1""", [document_id, offset or 0]).fetchone()
    if row:
        return row[1], row[0]
    row = db.conn.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
    return (row[0] or "") if row else "", 0


def texts_of(db: Database, document_id: int) -> Iterator[tuple[int, str]]:
    """Every stored text of a document with its start offset, in order."""
    found = False
    for row in db.conn.execute("SELECT start, text FROM document_texts WHERE document_id = ? ORDER BY start",
                               [document_id]):
        found = True
        yield row
    if found:
        return
    row = db.conn.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
    if row and row[0]:
        yield 0, row[0]


def slice_of(db: Database, document_id: int, start: int, end: int) -> str:
    """Characters start..end of a document (as a quote's offsets give them)."""
    text, base = text_at(db, document_id, start)
    return text[start - base:end - base]
