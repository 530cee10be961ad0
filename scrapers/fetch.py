"""Fetch records by id or by query and save their raw payloads: the library behind `kb fetch`
and `kb search`.

    ids -> plan (each id to the source that serves its kind) -> batches -> payload files
        -> <raw>/<source>/<file>, and a line in the manifest per id

Nothing here touches the store: the caller ingests `FetchReport.files` with the normal
ingesters, so every file can be ingested again offline later.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import httpx

from scrapers.base import Failure, Note, Payload, Result, Source
from scrapers.crossref import Crossref
from scrapers.ctgov import ClinicalTrials
from scrapers.europepmc import EuropePmc
from scrapers.http import FetchError, HttpSettings, SourceUnreachable, make_client, write_atomic
from scrapers.ids import BadId, RecordId, parse_id
from scrapers.manifest import Entry, Manifest
from scrapers.openalex import OpenAlex
from scrapers.pubmed import PubMed
from scrapers.semantic_scholar import SemanticScholar

SOURCES: dict[str, Source] = {s.name: s for s in (PubMed(), EuropePmc(), Crossref(), OpenAlex(),
                                                  SemanticScholar(), ClinicalTrials())}
# Where each kind of id goes unless --source says otherwise.
DEFAULT_SOURCE = {"doi": "crossref", "pmid": "pubmed", "pmcid": "europepmc", "nct": "ctgov", "openalex": "openalex"}
FULL_TEXT_SOURCE = "europepmc"
CACHE_FOLDER = ".cache"   # inside the raw folder; hidden, so `kb ingest <raw>` skips it


@dataclass
class Problem:
    id: str
    source: str
    reason: str


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)     # ids fetched by this run
    skipped: list[str] = field(default_factory=list)     # ids fetched by an earlier run
    full_texts: list[str] = field(default_factory=list)  # ids whose open-access full text was saved now
    failed: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)   # e.g. no open-access full text
    files: list[Path] = field(default_factory=list)      # payload files of the ids asked for, old and new
    unreachable: dict[str, str] = field(default_factory=dict)  # host -> one-line message

    @property
    def ok(self) -> bool:
        return not self.failed and not self.unreachable


def source_named(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise SourceChoiceError(f"unknown source {name!r}: use one of {', '.join(SOURCES)}") from None


class SourceChoiceError(FetchError):
    pass


def plan(ids: Iterable[str], source: str | None = None) -> tuple[dict[str, list[RecordId]], list[Problem]]:
    """Ids (as typed) -> {source name: [ids]} in first-seen order, and the ids that are not ids.
    `source` serves every id of a kind it can fetch; the others go to their default source."""
    chosen = source_named(source) if source else None
    by_source: dict[str, list[RecordId]] = {}
    bad: list[Problem] = []
    seen: set[RecordId] = set()
    for text in ids:
        try:
            rid = parse_id(text)
        except BadId as e:
            bad.append(Problem(text, "-", str(e)))
            continue
        if rid in seen:
            continue
        seen.add(rid)
        name = chosen.name if chosen and rid.kind in chosen.kinds else DEFAULT_SOURCE[rid.kind]
        by_source.setdefault(name, []).append(rid)
    return by_source, bad


class Fetcher:
    """One run: the clients (made lazily, one per source), the manifest and the report."""

    def __init__(self, raw_dir: Path | str, settings: HttpSettings | None = None,
                 on_progress: Callable[[str], None] | None = None):
        self.raw_dir = Path(raw_dir)
        self.settings = settings or HttpSettings(cache_dir=self.raw_dir / CACHE_FOLDER)
        self.manifest = Manifest(self.raw_dir)
        self.report = FetchReport()
        self.on_progress = on_progress or (lambda _id: None)
        self._clients: dict[str, httpx.Client] = {}

    def client(self, source: Source) -> httpx.Client:
        if source.name not in self._clients:
            self._clients[source.name] = make_client(source.base_url, rate=source.rate(), settings=self.settings,
                                                     limiter_key=f"{source.name} {httpx.URL(source.base_url).netloc.decode()}",
                                                     headers=source.headers())
        return self._clients[source.name]

    def close(self) -> None:
        for c in self._clients.values():
            c.close()

    # ------------------------------------------------------------ by id

    def fetch_ids(self, ids: Iterable[str], *, source: str | None = None, full_text: bool = False) -> FetchReport:
        by_source, bad = plan(ids, source)
        for p in bad:
            self.report.failed.append(p)
            self.on_progress(p.id)
        for name, rids in by_source.items():
            self._fetch_from(SOURCES[name], rids, full_text)
        return self.report

    def _fetch_from(self, source: Source, rids: list[RecordId], full_text: bool) -> None:
        todo: list[RecordId] = []
        for rid in rids:
            entry = None if self.settings.refresh else self.manifest.done(source.name, "record", str(rid))
            if entry is None:
                todo.append(rid)
            else:
                self.report.skipped.append(str(rid))
                self._keep(entry)
        host = httpx.URL(source.base_url).host
        if todo and host in self.report.unreachable:
            for rid in todo:
                self.report.failed.append(Problem(str(rid), source.name, f"not fetched: cannot reach {host}"))
                self.on_progress(str(rid))
            return
        try:
            for start in range(0, len(todo), source.batch_size):
                batch = todo[start:start + source.batch_size]
                for result in source.fetch(self.client(source), batch):
                    self._record(source, "record", result)
                    if full_text and isinstance(result, Payload) and result.id and result.id.kind in ("doi", "pmid"):
                        self._full_text(result.id)
            if full_text:
                for rid in rids:
                    if rid.kind in ("doi", "pmid") and str(rid) in self.report.skipped:
                        self._full_text(rid)
        except SourceUnreachable as e:
            self._unreachable(e, source, [r for r in todo if not self._settled(r)])

    def _full_text(self, rid: RecordId) -> None:
        """Europe PMC's open-access JATS for a DOI or PMID, when there is one."""
        epmc: EuropePmc = SOURCES[FULL_TEXT_SOURCE]  # type: ignore[assignment]
        key = str(rid)
        entry = None if self.settings.refresh else self.manifest.done(epmc.name, "fulltext", key)
        if entry is not None:
            self._keep(entry)
            return
        host = httpx.URL(epmc.base_url).host
        if host in self.report.unreachable:
            self.report.failed.append(Problem(key, epmc.name, f"full text not fetched: cannot reach {host}"))
            return
        try:
            found = epmc.find_full_text(self.client(epmc), rid)
            if isinstance(found, str):
                found = epmc.fetch_full_text(self.client(epmc), rid, found)
        except SourceUnreachable as e:
            self.report.unreachable[e.host] = str(e)
            self.report.failed.append(Problem(key, epmc.name, f"full text not fetched: cannot reach {e.host}"))
            return
        self._record(epmc, "fulltext", found, progress=False)

    # ------------------------------------------------------------ by query

    def search(self, query: str, *, source: str = "pubmed", limit: int = 500) -> FetchReport:
        src = source_named(source)
        try:
            for result in src.search(self.client(src), query, limit):
                self._record(src, "record", result)
        except SourceUnreachable as e:
            self._unreachable(e, src, [])
        return self.report

    # ------------------------------------------------------------ bookkeeping

    def _record(self, source: Source, kind: str, result: Result, progress: bool = True) -> None:
        label = str(result.id) if result.id else None
        if isinstance(result, Payload):
            path = self._save(source, result)
            if path is None:
                return
            rel = path.relative_to(self.raw_dir).as_posix()
            self.manifest.add(Entry(source.name, kind, label or f"{source.name}:{result.name}", (rel,)))
            self.report.files.append(path)
            if kind == "record":
                self.report.fetched.append(label or rel)
            else:
                self.report.full_texts.append(label or rel)
        elif isinstance(result, Note):
            self.manifest.add(Entry(source.name, kind, str(result.id), (), result.message))
            self.report.notes.append(Problem(str(result.id), source.name, result.message))
        elif isinstance(result, Failure):
            self.report.failed.append(Problem(label or "-", source.name, result.reason))
        if progress and kind == "record":
            self.on_progress(label or "")

    def _save(self, source: Source, payload: Payload) -> Path | None:
        name = payload.name
        if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
            self.report.failed.append(Problem(str(payload.id or "-"), source.name, f"refused file name {name!r}"))
            return None
        folder = self.raw_dir / source.name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        write_atomic(path, payload.data)
        return path

    def _keep(self, entry: Entry) -> None:
        self.report.files.extend(self.raw_dir / f for f in entry.files)
        if entry.note:
            self.report.notes.append(Problem(entry.id, entry.source, entry.note))

    def _settled(self, rid: RecordId) -> bool:
        key = str(rid)
        return key in self.report.fetched or any(p.id == key for p in self.report.failed)

    def _unreachable(self, e: SourceUnreachable, source: Source, left: list[RecordId]) -> None:
        self.report.unreachable[e.host] = str(e)
        for rid in left:
            self.report.failed.append(Problem(str(rid), source.name, f"not fetched: cannot reach {e.host}"))
            self.on_progress(str(rid))


def fetch_ids(ids: Iterable[str], raw_dir: Path | str, *, source: str | None = None, full_text: bool = False,
              settings: HttpSettings | None = None, on_progress: Callable[[str], None] | None = None) -> FetchReport:
    """Fetch every id not fetched before; save payloads under raw_dir/<source>/."""
    f = Fetcher(raw_dir, settings, on_progress)
    try:
        return f.fetch_ids(ids, source=source, full_text=full_text)
    finally:
        f.close()


def search(query: str, raw_dir: Path | str, *, source: str = "pubmed", limit: int = 500,
           settings: HttpSettings | None = None, on_progress: Callable[[str], None] | None = None) -> FetchReport:
    """Save up to `limit` records matching `query` from one source under raw_dir/<source>/."""
    f = Fetcher(raw_dir, settings, on_progress)
    try:
        return f.search(query, source=source, limit=limit)
    finally:
        f.close()

