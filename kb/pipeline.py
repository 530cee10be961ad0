"""The one place that connects parse -> extract -> store, one transaction per document."""
from __future__ import annotations

import gc
import glob
import hashlib
import os
import sqlite3
import sys
from contextlib import contextmanager
from collections import Counter, defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlite_utils import Database

from kb.errors import KbError, ParseError, UnknownFormat
from kb.extract.article import clear_caches, extract_article, figure_therapies, is_full_text
from kb.match import blocking_keys, richness
from kb.models import HEAD_BYTES, ArticleRecord, Compact, Document, Extraction
from kb.plugins import ingesters
from kb.store import save, texts
from kb.store.merge import candidate_of_record

# A format read whole (not streamed) refuses larger inputs: a literature record is never
# this big, and reading one whole would hold it in memory. KB_MAX_FILE_MB overrides.
DEFAULT_MAX_FILE_MB = 200


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)   # ingested paths whose earlier content was stored
    studies: int = 0
    figures: int = 0
    by_format: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    dry_run: bool = False

    def count(self, fmt: str | None, outcome: str) -> None:
        self.by_format[fmt or "unknown"][outcome] += 1


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
    """The input, hashed but not loaded: its bytes are read again, streamed, by the ingester
    (or loaded whole, within KB_MAX_FILE_MB, by one that needs them whole). Standard input
    is read into memory, within the same limit."""
    max_bytes = int(float(os.environ.get("KB_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)) * 1024 * 1024)
    too_big = f"larger than the {max_bytes // (1024 * 1024)} MB limit (KB_MAX_FILE_MB)"
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ParseError(path, too_big)
        if not data.strip():
            raise ParseError(path, "empty file")
        return Document(name="stdin", path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    p = Path(path)
    if not p.exists():
        if p.is_symlink():   # exists() is False for a link that loops or dangles (issue 8)
            raise ParseError(path, "a symbolic link that loops or points to nothing")
        raise ParseError(path, "no such file")
    if not p.is_file():
        raise ParseError(path, "not a regular file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(HEAD_BYTES)
            if not head.strip() and not fh.read(1):
                raise ParseError(path, "empty file")
            fh.seek(0)
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
            size = fh.tell()
    except PermissionError:
        raise ParseError(path, "permission denied") from None
    except OSError as e:
        raise ParseError(path, f"cannot be read ({e.strerror or e})") from None
    return Document(name=p.name, path=path, data=None, sha256=digest, size=size, head=head, max_bytes=max_bytes)


def pick_ingester(doc: Document):
    head = doc.head
    for ing in ingesters():
        if ing.sniff(head, doc):
            return ing
    raise UnknownFormat(doc.path)


# Extraction's per-sentence caches are dropped this often within one multi-record file.
CACHE_RECORDS = 500

# New studies of one document enter full-text search this many at a time (migration 0007).
FTS_BATCH = 500

# Between the texts of the records of one file: offsets count it, as if they were joined.
RECORD_SEPARATOR = "\n\n"


# SQLite's page cache while a document is stored, in KiB (the default is 2 MB). A 30,000-record
# file's transaction touches its indexes (blocks, authors, identifiers) all over; with 2 MB
# their pages went out and came back from the WAL: storing took 0.30 ms a record, 0.24 with
# 32 MB and no less with 64 (issue 4 benchmark). Bounded, so memory stays flat as files grow;
# the connection's own setting is restored after.
INGEST_CACHE_KIB = 32 * 1024


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


@dataclass
class Prepared(Compact):
    """One record parsed and extracted, ready to store (offsets still the record's own)."""
    record: ArticleRecord
    extraction: Extraction
    links: list
    richness: int
    keys: set[str] | None = None   # the record's blocking keys (kb.match), found where it was parsed


def prepare_records(doc: Document, ing=None) -> tuple[str, Iterator[Prepared]]:
    """Parse and extract a document, record by record (lazily: a big file streams)."""
    ing = ing or pick_ingester(doc)

    def items() -> Iterator[Prepared]:
        for n, rec in enumerate(ing.parse(doc), 1):
            ex = extract_article(rec)
            # Blocking keys need no store: found here, in a --workers process, not by the writer.
            yield Prepared(rec, ex, [figure_therapies(f) for f in ex.figures],
                           richness(is_full_text(rec), bool(rec.abstract) or bool(rec.text.strip())),
                           blocking_keys(candidate_of_record(rec)))
            if n % CACHE_RECORDS == 0:
                clear_caches()  # per-sentence caches must not grow with a 30,000-record file
    return ing.format, items()


def ingest_document(db: Database, doc: Document, prepared: tuple[str, Iterable[Prepared]] | None = None,
                    on_record: Callable[[], None] | None = None) -> tuple[int, int]:
    """Store one document's records in one transaction. Returns (studies, figures).

    Records are streamed: each is extracted and saved as it comes, so a 30,000-record
    MEDLINE file is never held whole in memory. A one-record document's text goes to
    documents.text; a file of many records stores each record's text as it goes
    (kb.store.texts), every offset shifted to where the record stands in the document.
    A parse error anywhere rolls the file back. `prepared` is what workers parsed and extracted.
    """
    fmt, items = prepared or prepare_records(doc)
    cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA cache_size = {-INGEST_CACHE_KIB}")
    try:
        return _store_records(db, doc, fmt, items, on_record)
    finally:
        db.conn.execute(f"PRAGMA cache_size = {cache}")


def _store_records(db: Database, doc: Document, fmt: str, items: Iterable[Prepared],
                   on_record: Callable[[], None] | None) -> tuple[int, int]:
    n_studies = n_figures = 0
    first_text: str | None = None   # held until a second record shows the file has many
    base = 0
    with write_transaction(db):
        if save.document_exists(db, doc.sha256):   # checked again now that the lock is held
            raise AlreadyStored(doc.path)
        doc_id = save.save_document(db, doc, fmt, "")
        doc_richness = 0
        ids: dict = {}   # lookups of this transaction (authors, journals, keywords, ...)
        unindexed: list[int] = []   # new studies, added to full-text search in batches
        for i, p in enumerate(items):
            if base:
                shift_offsets(p.extraction, base)
            if p.richness > doc_richness:
                doc_richness = p.richness
                db.conn.execute("UPDATE documents SET richness = ? WHERE id = ?", [p.richness, doc_id])
            save.save_study(db, doc_id, doc, i, p.record, p.extraction, p.links, fmt, p.richness, ids, unindexed,
                            p.keys)
            if len(unindexed) >= FTS_BATCH:
                save.index_studies(db, unindexed)
                unindexed.clear()
            if i == 0:
                first_text = p.record.text
            else:
                if i == 1:
                    texts.add_record_text(db, doc_id, 0, first_text)
                texts.add_record_text(db, doc_id, base, p.record.text)
            base += len(p.record.text) + len(RECORD_SEPARATOR)
            n_studies += 1
            n_figures += len(p.extraction.figures)
            if on_record:
                on_record()
        if not n_studies:
            raise ParseError(doc.path, f"no records found in this {fmt} file")
        save.index_studies(db, unindexed)
        if n_studies == 1:
            db.conn.execute("UPDATE documents SET text = ? WHERE id = ?", [first_text, doc_id])
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


# Files larger than this are parsed in the writing process even with --workers: streamed,
# never held whole in a worker's answer.
WORKER_MAX_BYTES = 20 * 1024 * 1024


def _failure(e: BaseException) -> str | None:
    """The one-line reason a file fails, or None for an error that is a bug."""
    if isinstance(e, KbError):
        return getattr(e, "reason", str(e))
    if isinstance(e, sqlite3.DatabaseError):
        return f"store error: {e}"
    if isinstance(e, RecursionError):
        return "structure nested too deeply"
    if isinstance(e, (TypeError, ValueError, AttributeError, KeyError, IndexError, UnicodeError)):
        # A file shaped in a way no parser expected: that file fails, the batch goes on.
        return f"unexpected content ({type(e).__name__}: {e})"
    return None


# Records in each part when --workers cuts one file into parts (an ingester with split()).
PART_RECORDS = 200

_records_in_worker = 0
_worker_frozen = False


def _freeze_worker() -> None:
    """In a --workers process, after its first piece of work: what is alive then (modules,
    the vocabulary and its compiled patterns) is left out of the cyclic garbage collector's
    passes, which walked it on every full collection: GC took 0.028 ms of a PubMed record's
    0.75 ms there, 0.014 after (issue 4 benchmark). Frozen objects are still freed when no
    longer referenced; the process is the pool's own, so nothing of a caller's is frozen."""
    global _worker_frozen
    if not _worker_frozen:
        gc.freeze()
        _worker_frozen = True


def _prepare_part(part: bytes, name: str, path: str, fmt: str):
    """Worker side of a file cut into parts: parse and extract one part (a file of its own)."""
    global _records_in_worker
    try:
        ing = next(i for i in ingesters() if i.format == fmt)
        if _records_in_worker >= CACHE_RECORDS:   # as prepare_records does within one file
            clear_caches()
            _records_in_worker = 0
        items = list(prepare_records(Document(name=name, path=path, data=part, sha256="", size=len(part)), ing)[1])
        _records_in_worker += len(items)
        _freeze_worker()
        return fmt, items
    except BaseException as e:  # noqa: BLE001 - reported by the writer, which knows what to do
        reason = _failure(e)
        if reason is None:
            raise
        return "error", reason


def prepare_in_parts(doc: Document, ing, pool: ProcessPoolExecutor, workers: int
                     ) -> tuple[str, Iterator[Prepared]] | None:
    """Parse and extract a file of many records in parts, in the pool's processes, yielding
    the records in file order; None when the ingester cannot cut this file. At most two
    parts per worker are in flight, so memory stays flat however big the file."""
    parts = ing.split(doc, PART_RECORDS) if hasattr(ing, "split") else None
    if parts is None:
        return None

    def records(future) -> list[Prepared]:
        fmt, got = future.result()
        if fmt == "error":
            raise ParseError(doc.path, got)
        return got

    def items() -> Iterator[Prepared]:
        window: deque = deque()
        for part in parts:
            window.append(pool.submit(_prepare_part, part, doc.name, doc.path, ing.format))
            if len(window) > 2 * workers:
                yield from records(window.popleft())
        while window:
            yield from records(window.popleft())
    return ing.format, items()


# Smaller files go whole to a worker, all of them submitted at once (a folder of efetch
# files); larger ones of a format that can be cut are cut by the writer into parts.
PART_MIN_BYTES = 512 * 1024


def _cut_in_parts(path: str) -> bool:
    """Whether --workers cuts this file into parts rather than give it whole to one worker."""
    try:
        if os.path.getsize(path) < PART_MIN_BYTES:
            return False   # decided without reading: the worker reads it, once
        return hasattr(pick_ingester(read_document(path)), "split")
    except (KbError, OSError):
        return False   # the writer reports it


def _prepare_in_worker(path: str):
    """Worker side of --workers: read, parse and extract one file; nothing touches the store."""
    try:
        doc = read_document(path)
        if doc.size > WORKER_MAX_BYTES:
            return path, doc.sha256, None, None
        fmt, items = prepare_records(doc)
        items = list(items)
        _freeze_worker()
        return path, doc.sha256, fmt, items
    except BaseException as e:  # noqa: BLE001 - reported by the writer, which knows what to do
        reason = _failure(e)
        if reason is None:
            raise
        return path, None, "error", reason


def ingest_paths(db: Database, paths: Iterable[str], *, on_progress: Callable[[str], None] | None = None,
                 on_record: Callable[[], None] | None = None, workers: int = 1, dry_run: bool = False
                 ) -> IngestReport:
    """Ingest every input; with workers > 1, parse and extract in that many processes while
    this one alone writes; with dry_run, parse and extract only and store nothing.
    on_progress is called after each input, on_record after each record stored (a file of
    30,000 records is one input)."""
    report = IngestReport(dry_run=dry_run)
    own = store_files(db)
    inputs = [p for p in expand_inputs(paths) if p == "-" or os.path.realpath(p) not in own]
    known_paths = {r[0]: r[1] for r in db.execute("SELECT path, format FROM documents")}
    if workers > 1 and not dry_run:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # Files the writer cuts into parts for the pool (one big MEDLINE file) are not
            # handed to a worker whole; the others are, all at once, and stored in order.
            futures = [(p, None if p == "-" or _cut_in_parts(p) else pool.submit(_prepare_in_worker, p))
                       for p in inputs]
            for path, fut in futures:
                _ingest_one(db, path, report, known_paths, fut.result() if fut else None,
                            pool=None if fut else (pool, workers), on_record=on_record)
                if on_progress:
                    on_progress(path)
        return report
    for path in inputs:
        _ingest_one(db, path, report, known_paths, None, on_record=on_record)
        if on_progress:
            on_progress(path)
    return report


def _ingest_one(db: Database, path: str, report: IngestReport, known_paths: dict, from_worker,
                pool: tuple[ProcessPoolExecutor, int] | None = None,
                on_record: Callable[[], None] | None = None) -> None:
    fmt = None
    try:
        if from_worker and from_worker[2] == "error":
            raise ParseError(path, from_worker[3])
        doc = read_document(path)
        stored = db.execute("SELECT format FROM documents WHERE sha256 = ?", [doc.sha256]).fetchone()
        if stored:
            report.unchanged.append(path)
            report.count(stored[0], "unchanged")
            return
        if report.dry_run:
            fmt, items = prepare_records(doc)
            for p in items:
                report.studies += 1
                report.figures += len(p.extraction.figures)
            report.ingested.append(path)
            report.count(fmt, "new")
            return
        prepared = (from_worker[2], from_worker[3]) if from_worker and from_worker[2] else None
        if prepared is None and pool:
            prepared = prepare_in_parts(doc, pick_ingester(doc), *pool)
        fmt = prepared[0] if prepared else pick_ingester(doc).format
        studies, figures = ingest_document(db, doc, prepared, on_record)
        report.ingested.append(path)
        report.studies += studies
        report.figures += figures
        if path in known_paths:
            report.updated.append(path)
            report.count(fmt, "updated")
        else:
            report.count(fmt, "new")
    except AlreadyStored:
        report.unchanged.append(path)
        report.count(fmt, "unchanged")
    except BaseException as e:  # noqa: BLE001 - only the kinds _failure knows are a file's fault
        reason = _failure(e)
        if reason is None:
            raise
        report.failed.append((path, reason))
        report.count(fmt, "failed")
