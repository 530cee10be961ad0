"""The one place that connects parse -> extract -> store, one transaction per document."""
from __future__ import annotations

import glob
import hashlib
import os
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlite_utils import Database

from kb.errors import KbError, ParseError, UnknownFormat
from kb.extract.article import clear_caches, extract_article, figure_therapies, is_full_text
from kb.match import richness
from kb.models import Document, Extraction
from kb.plugins import ingesters
from kb.store import save

# Larger inputs are refused before they are read: a literature record is never this big,
# and reading one whole would hold it in memory. KB_MAX_FILE_MB overrides.
DEFAULT_MAX_FILE_MB = 200


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    studies: int = 0
    figures: int = 0


def expand_inputs(paths: Iterable[str]) -> Iterator[str]:
    """Files, folders (recursive, sorted) and globs; '-' is standard input."""
    seen: set[str] = set()
    for p in paths:
        if p == "-":
            yield p
            continue
        matches = _glob(p) if glob.has_magic(p) else [p]
        if not matches:
            yield p  # reported as missing by read_document
        for m in matches:
            if os.path.isdir(m):
                for root, dirs, files in os.walk(m, followlinks=False):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for f in sorted(files):
                        if not f.startswith("."):
                            full = os.path.join(root, f)
                            if full not in seen:
                                seen.add(full)
                                yield full
            elif m not in seen:
                seen.add(m)
                yield m


def _glob(pattern: str) -> list[str]:
    """glob.glob(recursive=True), except that ** never follows a symbolic link to a folder: in
    a folder with a link back up the tree, glob.glob walked forever (issue 8). pathlib's **
    does not follow links; names starting with a dot stay out, as with glob.glob."""
    if "**" not in pattern:
        return sorted(glob.glob(pattern))
    parts = Path(pattern).parts
    i = next(k for k, part in enumerate(parts) if glob.has_magic(part))
    base = os.path.join(*parts[:i]) if i else ""
    found = []
    for m in Path(base or ".").glob("/".join(parts[i:])):
        rel = m.relative_to(base or ".")
        if not any(part.startswith(".") for part in rel.parts):
            found.append(os.path.join(base, *rel.parts) if base else str(rel))
    return sorted(found)


def read_document(path: str) -> Document:
    max_bytes = int(float(os.environ.get("KB_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)) * 1024 * 1024)
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "stdin"
    else:
        p = Path(path)
        if not p.exists():
            if p.is_symlink():   # exists() is False for a link that loops or dangles (issue 8)
                raise ParseError(path, "a symbolic link that loops or points to nothing")
            raise ParseError(path, "no such file")
        if not p.is_file():
            raise ParseError(path, "not a regular file")
        try:
            if p.stat().st_size > max_bytes:
                raise ParseError(path, f"larger than the {max_bytes // (1024 * 1024)} MB limit (KB_MAX_FILE_MB)")
            data = p.read_bytes()
        except PermissionError:
            raise ParseError(path, "permission denied") from None
        except OSError as e:
            raise ParseError(path, f"cannot be read ({e.strerror or e})") from None
        name = p.name
    if len(data) > max_bytes:
        raise ParseError(path, f"larger than the {max_bytes // (1024 * 1024)} MB limit (KB_MAX_FILE_MB)")
    if not data.strip():
        raise ParseError(path, "empty file")
    return Document(name=name, path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def pick_ingester(doc: Document):
    head = doc.data[:65536]
    for ing in ingesters():
        if ing.sniff(head, doc):
            return ing
    raise UnknownFormat(doc.path)


# Extraction's per-sentence caches are dropped this often within one multi-record file.
CACHE_RECORDS = 500

# Between the texts of the records of one file, in documents.text.
RECORD_SEPARATOR = "\n\n"


class AlreadyStored(Exception):
    """Another process stored this document while this one waited for the write lock."""


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One document's transaction, begun IMMEDIATE: the write lock is taken (waiting up to the
    busy timeout) before the first read. db.atomic()'s deferred BEGIN read first, and when
    another process committed before its first write, SQLite refused at once with "database is
    locked", busy timeout or not: two ingests into one store failed file after file (issue 8).
    Inside a caller's transaction it is a savepoint, as before."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


def ingest_document(db: Database, doc: Document) -> tuple[int, int]:
    """Parse, extract and store one document in one transaction. Returns (studies, figures).

    Records are streamed: each is extracted and saved as it comes, so a 600-record MEDLINE
    file is never held whole in memory. documents.text is the records' texts joined, and
    every offset is shifted to point into it. A parse error anywhere rolls the file back.
    """
    ing = pick_ingester(doc)
    n_studies = n_figures = 0
    parts: list[str] = []
    base = 0
    with write_transaction(db):
        if save.document_exists(db, doc.sha256):   # checked again now that the lock is held
            raise AlreadyStored(doc.path)
        doc_id = save.save_document(db, doc, ing.format, "")
        doc_richness = 0
        for i, rec in enumerate(ing.parse(doc)):
            ex = extract_article(rec)
            if base:
                shift_offsets(ex, base)
            links = [figure_therapies(f) for f in ex.figures]
            r = richness(is_full_text(rec), bool(rec.abstract) or bool(rec.text.strip()))
            if r > doc_richness:
                doc_richness = r
                db.execute("UPDATE documents SET richness = ? WHERE id = ?", [r, doc_id])
            save.save_study(db, doc_id, doc, i, rec, ex, links, ing.format, r)
            parts.append(rec.text)
            base += len(rec.text) + len(RECORD_SEPARATOR)
            n_studies += 1
            n_figures += len(ex.figures)
            if n_studies % CACHE_RECORDS == 0:
                clear_caches()  # per-sentence caches must not grow with a 30,000-record file
        if not n_studies:
            raise ParseError(doc.path, f"no records found in this {ing.format} file")
        db.execute("UPDATE documents SET text = ? WHERE id = ?", [RECORD_SEPARATOR.join(parts), doc_id])
    return n_studies, n_figures


def shift_offsets(ex: Extraction, base: int) -> None:
    """Offsets of a record's extraction, moved to where its text stands in the document."""
    for item in [*ex.figures, *ex.cohorts, *ex.therapies, *ex.adverse_events]:
        if item.start is not None:
            item.start += base
        if item.end is not None:
            item.end += base


def store_files(db: Database) -> set[str]:
    """The store's own files (database, WAL, shared memory): never ingested as input."""
    row = db.execute("PRAGMA database_list").fetchone()
    main = os.path.realpath(row[2]) if row and row[2] else None
    return {main + suffix for suffix in ("", "-wal", "-shm", "-journal")} if main else set()


def ingest_paths(db: Database, paths: Iterable[str], *, on_progress: Callable[[str], None] | None = None) -> IngestReport:
    report = IngestReport()
    own = store_files(db)
    for path in expand_inputs(paths):
        if path != "-" and os.path.realpath(path) in own:
            continue
        try:
            doc = read_document(path)
            if save.document_exists(db, doc.sha256):
                report.unchanged.append(path)
            else:
                studies, figures = ingest_document(db, doc)
                report.ingested.append(path)
                report.studies += studies
                report.figures += figures
        except AlreadyStored:
            report.unchanged.append(path)
        except KbError as e:
            report.failed.append((path, getattr(e, "reason", str(e))))
        except sqlite3.DatabaseError as e:
            report.failed.append((path, f"store error: {e}"))
        except RecursionError:
            report.failed.append((path, "structure nested too deeply"))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, UnicodeError) as e:
            # A file shaped in a way no parser expected: that file fails, the batch goes on.
            report.failed.append((path, f"unexpected content ({type(e).__name__}: {e})"))
        if on_progress:
            on_progress(path)
    return report
