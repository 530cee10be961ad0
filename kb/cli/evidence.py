"""Evidence commands: ingest, query, crosstab, export, studies, dedupe."""
from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb.cli.app import app
from kb.cli.output import DbOption, Format, FormatOption, error, write_rows
from kb.errors import KbError
from kb.pipeline import expand_inputs, ingest_paths
from kb.query.crosstab import AXES, COUNTS, crosstab
from kb.query.export import build_export
from kb.store.merge import dedupe
from kb.query.figures import FigureFilter, figure_columns, parse_statuses, query_figures
from kb.store.db import open_db, resolve_db_path


StatusOption = Annotated[Optional[str], typer.Option(
    help="Curation status: extracted, accepted, corrected, rejected, added, 'curated' or 'all' "
         "(comma-separated); default: all but rejected.")]

FIGURE_TABLE_COLUMNS = ["study", "group", "variable", "endpoint", "measure", "months", "value", "ci", "p", "quote"]


def _display(row: dict) -> dict:
    """One figure as a person reads it: '0.671', '0.473-0.952', '= 0.025'."""
    lo, hi = row.get("ci_low"), row.get("ci_high")
    return {**row, "study": f"{row.get('study_title') or row.get('document')} ({row.get('year') or 'n.d.'})",
            "months": row.get("timepoint_months"),
            "value": f"{row['value']:g}{'%' if row.get('unit') == '%' else ''}",
            "ci": f"{lo:g}-{hi:g}" if lo is not None and hi is not None else None,
            "p": f"{row.get('p_op') or '='} {row['p_value']:g}" if row.get("p_value") is not None else None}


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for standard input.")],
    *,
    workers: Annotated[int, typer.Option(help="Processes that parse and extract in parallel (one writer).",
                                         min=1)] = 1,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and extract only; store nothing.")] = False,
    db: DbOption = None,
) -> None:
    """Ingest article files into the store (format detected from content)."""
    path = resolve_db_path(db)
    # A dry run must not even create the store: it reads an existing one, or none.
    store = open_db(":memory:") if dry_run and not path.exists() else open_db(db)
    inputs = list(expand_inputs(paths))
    console = Console(stderr=True)
    if console.is_terminal:
        # Files done of all, and records stored: one MEDLINE file can hold 30,000 of them.
        with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                      TextColumn("{task.fields[records]:,} records"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("ingest", total=len(inputs), records=0)
            records = 0

            def record() -> None:
                nonlocal records
                records += 1
                if records % 50 == 0:
                    bar.update(task, records=records)
            report = ingest_paths(store, inputs, on_progress=lambda _: bar.advance(task), on_record=record,
                                  workers=workers, dry_run=dry_run)
    else:
        report = ingest_paths(store, inputs, workers=workers, dry_run=dry_run)
    for failed_path, reason in report.failed:
        error(f"{failed_path}: {reason}")
    verb = "would be ingested" if dry_run else "ingested"
    updated = f", {len(report.updated)} of them updated" if report.updated else ""
    console.print(f"{len(report.ingested)} {verb} ({report.studies} studies, {report.figures} figures{updated}), "
                  f"{len(report.unchanged)} unchanged, {len(report.failed)} failed", highlight=False)
    if len(report.by_format) > 1 or dry_run:
        console.print("by format: " + "; ".join(
            f"{fmt} " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            for fmt, counts in sorted(report.by_format.items())), highlight=False)
    if dry_run:
        console.print("dry run: nothing was stored", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def query(
    *,
    therapy: Annotated[Optional[str], typer.Option(help="Therapy, class or synonym (follows the vocabulary hierarchy).")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="Endpoint code or name: OS, 'overall survival', ...")] = None,
    condition: Annotated[Optional[str], typer.Option(help="Condition name (substring).")] = None,
    measure: Annotated[Optional[str], typer.Option(help="rate, HR, OR, RR, median or proportion.")] = None,
    study: Annotated[Optional[str], typer.Option(help="Study id, DOI, PMID or title words.")] = None,
    status: StatusOption = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List outcome figures matching the filters, with study, group, value, CI, p and quote
    (curated values over extracted ones)."""
    store = open_db(db, create=False)
    rows = query_figures(store, FigureFilter(therapy, outcome, condition, measure, study,
                                             status=parse_statuses(status)))
    if fmt is Format.table:
        write_rows([_display(r) for r in rows], FIGURE_TABLE_COLUMNS, fmt, title=f"{len(rows)} figures")
    else:
        write_rows(rows, figure_columns(store), fmt)


@app.command("crosstab")
def crosstab_cmd(
    *,
    rows: Annotated[str, typer.Option(help=f"Row axis: {', '.join(AXES)}.")] = "therapy",
    cols: Annotated[str, typer.Option(help=f"Column axis: {', '.join(AXES)}.")] = "outcome",
    count: Annotated[str, typer.Option(help=f"What each cell counts: {', '.join(COUNTS)}.")] = "studies",
    therapy: Annotated[Optional[str], typer.Option(help="Therapy filter.")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="Outcome filter.")] = None,
    condition: Annotated[Optional[str], typer.Option(help="Condition filter.")] = None,
    measure: Annotated[Optional[str], typer.Option(help="Measure filter.")] = None,
    study: Annotated[Optional[str], typer.Option(help="Study filter.")] = None,
    status: StatusOption = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Cross-tabulate the evidence: e.g. therapy class by outcome, counting studies."""
    store = open_db(db, create=False)
    row_keys, col_keys, cells = crosstab(store, rows, cols, count,
                                         FigureFilter(therapy, outcome, condition, measure, study,
                                                      status=parse_statuses(status)))
    out = [{rows: r, **{c: cells.get((r, c), 0) for c in col_keys}} for r in row_keys]
    write_rows(out, [rows] + col_keys, fmt, title=f"{count} by {rows} and {cols}")


@app.command()
def export(
    *,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (the evidence export) or csv (figures).")] = "json",
    status: StatusOption = None,
    db: DbOption = None,
) -> None:
    """Export the store: JSON per the export contract, or the figures as CSV."""
    store = open_db(db, create=False)
    if fmt == "json":
        sys.stdout.write(json.dumps(build_export(store, statuses=parse_statuses(status)), ensure_ascii=False,
                                    indent=1) + "\n")
    elif fmt == "csv":
        write_rows(query_figures(store, FigureFilter(status=parse_statuses(status))), figure_columns(store),
                   Format.csv)
    else:
        raise KbError(f"unknown export format {fmt!r}: use json or csv")


@app.command("dedupe")
def dedupe_cmd(
    *,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list candidate merges and links.")] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Find records of one paper stored as several studies: merge exact and near-exact
    matches, link preprints and conference abstracts, report near-duplicates."""
    store = open_db(db, create=False)
    pairs = dedupe(store, apply=not dry_run)
    rows = [{"action": _action(p.verdict.relation, dry_run), "relation": p.verdict.relation,
             "score": round(p.verdict.score, 1), "reasons": "; ".join(p.verdict.reasons), "study": p.a,
             "other": p.b, "title": p.title_a, "other_title": p.title_b} for p in pairs]
    write_rows(rows, ["action", "relation", "score", "reasons", "study", "other", "title", "other_title"], fmt,
               title=f"{len(rows)} candidate pairs")


def _action(relation: str, dry_run: bool) -> str:
    if relation == "same":
        return "would merge" if dry_run else "merged"
    if relation == "near_duplicate":
        return "review"
    return "would link" if dry_run else "linked"


@app.command()
def studies(*, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List the studies in the store."""
    store = open_db(db, create=False)
    cur = store.execute("""
        SELECT s.id, s.year, s.design, c.name AS condition, s.n_patients, s.title,
               (SELECT count(*) FROM figures f WHERE f.study_id = s.id) AS figures
        FROM studies s LEFT JOIN conditions c ON c.id = s.condition_id ORDER BY s.year DESC, s.id""")
    cols = [c[0] for c in cur.description]
    write_rows([dict(zip(cols, r)) for r in cur.fetchall()], cols, fmt, title="studies")


