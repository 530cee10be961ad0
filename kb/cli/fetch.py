"""Network commands: `kb fetch ID...` and `kb search QUERY`.

Each saves raw payloads under the raw folder (scrapers/), then ingests those files through
the normal ingesters (kb.pipeline), exactly as `kb ingest <raw folder>` would later, offline.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb.cli.app import app
from kb.cli.output import DbOption, error
from kb.errors import KbError
from kb.pipeline import IngestReport, ingest_paths
from kb.store.db import open_db
from scrapers import fetch as fetcher
from scrapers.http import HttpSettings
from scrapers.ids import BadId, read_id_file

DEFAULT_RAW = "data/raw"

RawOption = Annotated[Path, typer.Option("--raw", envvar="KB_RAW_DIR",
                                         help="Folder for raw payloads, one subfolder per source (default: "
                                              "$KB_RAW_DIR, else data/raw).")]
NoIngestOption = Annotated[bool, typer.Option("--no-ingest", help="Only save the payloads; do not ingest them.")]
RefreshOption = Annotated[bool, typer.Option("--refresh", help="Fetch again from the network: bypass the response "
                                                               "cache and ids already fetched.")]


@app.command("fetch")
def fetch_cmd(
    ids: Annotated[Optional[list[str]], typer.Argument(
        help="Ids: doi:10.1056/..., pmid:123, pmcid:PMC123, nct:NCT01234567, openalex:W123; bare ids "
             "are recognised by their shape.", show_default=False)] = None,
    *,
    from_file: Annotated[Optional[Path], typer.Option("--from", help="A file with one id per line (# comments).")] = None,
    source: Annotated[Optional[str], typer.Option(
        help=f"Fetch the ids this source can serve from it ({', '.join(fetcher.SOURCES)}); others go to their "
             "default: DOIs to crossref, PMIDs to pubmed, PMCIDs to europepmc (JATS full text), NCT to ctgov.")] = None,
    full_text: Annotated[bool, typer.Option("--full-text", help="Also fetch the open-access full text (JATS from "
                                                                "Europe PMC) of DOIs and PMIDs that have one.")] = False,
    raw: RawOption = Path(DEFAULT_RAW),
    no_ingest: NoIngestOption = False,
    refresh: RefreshOption = False,
    db: DbOption = None,
) -> None:
    """Fetch records by id from PubMed, Europe PMC, Crossref, OpenAlex, Semantic Scholar or
    ClinicalTrials.gov, save them under the raw folder and ingest them. Resumable: ids already
    fetched are skipped."""
    wanted = list(ids or [])
    if from_file is not None:
        try:
            wanted += read_id_file(from_file)
        except BadId as e:
            raise KbError(str(e)) from None
    if not wanted:
        raise KbError("no ids: give ids (doi:..., pmid:..., nct:...) or --from FILE")
    if source is not None:
        fetcher.source_named(source)
    store = None if no_ingest else open_db(db)     # a bad --db fails before any request
    settings = HttpSettings(cache_dir=raw / fetcher.CACHE_FOLDER, refresh=refresh)
    with _progress("fetching", len(wanted)) as advance:
        report = fetcher.fetch_ids(wanted, raw, source=source, full_text=full_text, settings=settings,
                                   on_progress=advance)
    line = f"{len(report.fetched)} fetched, {len(report.skipped)} already fetched"
    if full_text:
        line += f", {len(report.full_texts)} open-access full texts"
    _finish(report, store, line)


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="The query, in the source's own syntax (PubMed: "
                                              "'melanoma[ti] AND nivolumab').", show_default=False)],
    *,
    source: Annotated[str, typer.Option(help=f"Where to search: {', '.join(fetcher.SOURCES)}.")] = "pubmed",
    limit: Annotated[int, typer.Option(min=1, help="Fetch at most this many records.")] = 500,
    raw: RawOption = Path(DEFAULT_RAW),
    no_ingest: NoIngestOption = False,
    refresh: RefreshOption = False,
    db: DbOption = None,
) -> None:
    """Search one source, save the matching records under the raw folder and ingest them."""
    fetcher.source_named(source)
    store = None if no_ingest else open_db(db)
    settings = HttpSettings(cache_dir=raw / fetcher.CACHE_FOLDER, refresh=refresh)
    with _progress(f"searching {source}", limit) as advance:
        report = fetcher.search(query, raw, source=source, limit=limit, settings=settings, on_progress=advance)
    _finish(report, store, f"{len(report.fetched)} records saved from {source}")


def _finish(report: fetcher.FetchReport, store, fetched_line: str) -> None:
    """Ingest the files, print one line per problem and a summary; exit 1 when anything failed."""
    console = Console(stderr=True)
    unreachable_hosts = set(report.unreachable)
    for p in report.failed:
        if not any(p.reason.endswith(f"cannot reach {h}") for h in unreachable_hosts):
            error(f"{p.id} ({p.source}): {p.reason}")
    for p in report.notes:
        console.print(f"note: {p.id} ({p.source}): {p.reason}", highlight=False, soft_wrap=True)
    ingest: IngestReport | None = None
    if store is not None and report.files:
        files = [str(f) for f in dict.fromkeys(report.files)]
        with _progress("ingesting", len(files)) as advance:
            ingest = ingest_paths(store, files, on_progress=advance)
        for path, reason in ingest.failed:
            error(f"{path}: {reason}")
    summary = f"{fetched_line}, {len(report.failed)} failed"
    if ingest is not None:
        summary += (f"; {len(ingest.ingested)} ingested ({ingest.studies} studies, {ingest.figures} figures), "
                    f"{len(ingest.unchanged)} unchanged, {len(ingest.failed)} failed")
    console.print(summary, highlight=False, soft_wrap=True)
    for message in report.unreachable.values():
        error(message)
    if not report.ok or (ingest is not None and ingest.failed):
        raise typer.Exit(1)


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[str], None]]:
    console = Console(stderr=True)
    if not console.is_terminal or total < 2:
        yield lambda _id: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda rid: bar.update(task, advance=1, description=rid)
