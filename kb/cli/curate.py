"""Curation commands: review, curate, log, undo, reextract, screen, prisma, export-review."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from kb.cli.app import app
from kb.cli.output import DbOption, Format, FormatOption, error, write_rows
from kb.curate import audit, exports, layer, prisma as prisma_mod, screening
from kb.curate.reextract import list_conflicts, reextract as reextract_docs
from kb.curate.review import Keys, run_review
from kb.errors import KbError
from kb.query.figures import FigureFilter, parse_statuses
from kb.store.db import open_db

curate_app = typer.Typer(help="Decide on extracted items without the review screen: accept, reject, "
                              "correct, add, import.", no_args_is_help=True)
app.add_typer(curate_app, name="curate")

ReasonOption = Annotated[Optional[str], typer.Option("--reason", help="Why (kept in the log).")]


def _say(message: str) -> None:
    Console(stderr=True).print(message, highlight=False, soft_wrap=True)


# --- review ----------------------------------------------------------------------------

@app.command()
def review(
    *,
    study: Annotated[Optional[str], typer.Option(help="Study id, DOI, PMID or title words.")] = None,
    therapy: Annotated[Optional[str], typer.Option(help="Therapy, class or synonym.")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="Endpoint code or name.")] = None,
    status: Annotated[str, typer.Option(help="Statuses to review, comma-separated (or curated, all).")] = "extracted",
    confidence_below: Annotated[Optional[float], typer.Option("--confidence-below",
                                                              help="Only figures less sure than this.")] = None,
    conflicts: Annotated[bool, typer.Option("--conflicts", help="List where a re-extraction disagrees with a "
                                                               "decision, and stop.")] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Review figures one at a time: the quote in context, a/r/e/s/u/q keys; resumes where you left off."""
    store = open_db(db, create=False)
    if conflicts:
        rows = list_conflicts(store, study=study)
        write_rows(rows, ["id", "item_type", "item_key", "study_id", "field", "curated", "extracted", "new_key",
                          "found_at"], fmt, title=f"{len(rows)} conflicts between decisions and the new extraction")
        return
    flt = FigureFilter(therapy=therapy, outcome=outcome, study=study, status=parse_statuses(status),
                       confidence_below=confidence_below)
    run_review(store, flt, keys=Keys(sys.stdin))


# --- curate ----------------------------------------------------------------------------

@curate_app.command("accept")
def curate_accept(ids: Annotated[list[str], typer.Argument(help="Item keys (f..., c..., e..., t..., STUDY:FIELD).")],
                  *, reason: ReasonOption = None, db: DbOption = None) -> None:
    """Accept items: the values shown are right."""
    n = layer.accept(open_db(db, create=False), ids, reason=reason)
    _say(f"{n} accepted, {len(ids) - n} unchanged")


@curate_app.command("reject")
def curate_reject(ids: Annotated[list[str], typer.Argument(help="Item keys.")],
                  *, reason: ReasonOption = None, db: DbOption = None) -> None:
    """Reject items: wrong, or not a result of this study."""
    n = layer.reject(open_db(db, create=False), ids, reason=reason)
    _say(f"{n} rejected, {len(ids) - n} unchanged")


@curate_app.command("set")
def curate_set(item: Annotated[str, typer.Argument(help="Item key, or a study (with one study field).")],
               assignments: Annotated[list[str], typer.Argument(help="FIELD=VALUE ... (empty VALUE clears).")],
               *, reason: ReasonOption = None, db: DbOption = None) -> None:
    """Correct fields of an item; the extracted value stays underneath."""
    store = open_db(db, create=False)
    values = layer.parse_assignments(assignments)
    changed = layer.set_fields(store, layer.study_field_ref(store, item, values), values, reason=reason)
    _say("corrected" if changed else "unchanged")


@curate_app.command("add")
def curate_add(
    *,
    study: Annotated[str, typer.Option(help="Study id, DOI or PMID.")],
    quote: Annotated[str, typer.Option(help="The exact text that states the figure.")],
    endpoint: Annotated[str, typer.Option(help="OS, PFS, ... or words.")],
    measure: Annotated[str, typer.Option(help="rate, HR, OR, RR, median or proportion.")],
    value: Annotated[float, typer.Option(help="The number.")],
    unit: Annotated[Optional[str], typer.Option(help="%, ratio or months (default from the measure).")] = None,
    timepoint: Annotated[Optional[float], typer.Option("--timepoint", help="Months (60 for 5 years).")] = None,
    group: Annotated[Optional[str], typer.Option()] = None,
    comparator: Annotated[Optional[str], typer.Option()] = None,
    variable: Annotated[Optional[str], typer.Option()] = None,
    analysis: Annotated[Optional[str], typer.Option(help="univariate or multivariate.")] = None,
    ci_low: Annotated[Optional[float], typer.Option("--ci-low")] = None,
    ci_high: Annotated[Optional[float], typer.Option("--ci-high")] = None,
    p_value: Annotated[Optional[float], typer.Option("--p-value")] = None,
    p_op: Annotated[Optional[str], typer.Option("--p-op", help="= or <.")] = None,
    reason: ReasonOption = None,
    db: DbOption = None,
) -> None:
    """Add a figure the extractor missed; its quote must stand in the study's text."""
    store = open_db(db, create=False)
    fid = layer.add_figure(store, study, quote, {
        "endpoint": endpoint, "measure": measure, "value": value, "unit": unit, "timepoint_months": timepoint,
        "group": group, "comparator": comparator, "variable": variable, "analysis": analysis, "ci_low": ci_low,
        "ci_high": ci_high, "p_value": p_value, "p_op": p_op}, reason=reason)
    sys.stdout.write(fid + "\n")


@curate_app.command("import")
def curate_import(path: Annotated[Path, typer.Argument(help="corrections.csv (id,action,field,value,reason "
                                                             "or kb query's CSV, edited).")],
                  *, db: DbOption = None) -> None:
    """Apply a CSV of decisions in one transaction (all or nothing)."""
    counts = layer.import_corrections(open_db(db, create=False), path)
    _say(", ".join(f"{n} {k}" for k, n in counts.items()))


# --- log, undo, reextract ----------------------------------------------------------------

@app.command("log")
def log_cmd(
    *,
    item: Annotated[Optional[str], typer.Option(help="Only this item (key or STUDY:FIELD).")] = None,
    who: Annotated[Optional[str], typer.Option("--who", help="Only this person's changes.")] = None,
    study: Annotated[Optional[str], typer.Option(help="Only changes to this study's items.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="The latest N changes.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The audit log: who changed what, when, from what to what, and why."""
    rows = audit.read_log(open_db(db, create=False), item=item, person=who, study=study, limit=limit)
    write_rows(rows, ["id", "batch", "at", "who", "action", "item_type", "item_key", "field", "before", "after",
                      "reason", "undone_by"], fmt, title=f"{len(rows)} changes")


@app.command()
def undo(log_id: Annotated[Optional[int], typer.Argument(help="A log entry (kb log); default: your last action.")] = None,
         *, reason: ReasonOption = None, db: DbOption = None) -> None:
    """Undo a change from the log (itself logged, and undoable)."""
    undone = audit.undo(open_db(db, create=False), log_id, reason=reason)
    for u in undone:
        _say(f"undone action {u['batch']} on {u['item_key']}")


@app.command()
def reextract(*, study: Annotated[Optional[str], typer.Option(help="Only this study's documents.")] = None,
              db: DbOption = None) -> None:
    """Re-run extraction over stored documents; decisions are kept, disagreements listed."""
    report = reextract_docs(open_db(db, create=False), study)
    for name, why in report.skipped:
        error(f"{name}: skipped ({why})")
    _say(f"{len(report.documents)} documents re-extracted ({report.figures} figures), {report.kept} decided items kept, "
         f"{report.conflicts} new conflicts (kb review --conflicts), {len(report.skipped)} skipped")


# --- screening and PRISMA ----------------------------------------------------------------

@app.command()
def screen(
    study: Annotated[Optional[str], typer.Argument(help="Study id, DOI or PMID.")] = None,
    decision: Annotated[Optional[str], typer.Argument(help="include, exclude or maybe.")] = None,
    *,
    reason: Annotated[Optional[str], typer.Option(help="Exclusion reason from the list (--reasons).")] = None,
    reviewer: Annotated[Optional[str], typer.Option(help="Default: $KB_USER or your user name.")] = None,
    stage: Annotated[str, typer.Option(help="title (title/abstract) or full (full text).")] = "title",
    final: Annotated[bool, typer.Option("--final", help="This decision settles the reviewers' disagreement.")] = False,
    conflicts: Annotated[bool, typer.Option("--conflicts", help="List disagreements and Cohen's kappa.")] = False,
    reasons: Annotated[bool, typer.Option("--reasons", help="List the exclusion reasons.")] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a screening decision; or list conflicts between reviewers with Cohen's kappa."""
    if reasons:
        write_rows([{"reason": r} for r in screening.exclusion_reasons()], ["reason"], fmt, title="exclusion reasons")
        return
    store = open_db(db, create=False)
    if conflicts:
        rows, pairs = screening.conflicts(store, stage)
        write_rows(rows, ["study_id", "stage", "decisions"], fmt, title=f"{len(rows)} studies the reviewers disagree on")
        if fmt is Format.table:
            write_rows(pairs, ["reviewer", "other", "stage", "studies", "agreement", "kappa"], fmt,
                       title="agreement (Cohen's kappa)")
        else:
            for p in pairs:
                _say(f"kappa {p['reviewer']} / {p['other']} ({p['studies']} studies): {p['kappa']}")
        return
    if not study or not decision:
        raise KbError("give STUDY and include|exclude|maybe (or --conflicts, --reasons)")
    d = screening.screen(store, study, decision, reason=reason, reviewer=reviewer, stage=stage, final=final)
    _say(f"{d['study_id']}: {d['decision']} by {d['reviewer']} ({d['stage']})" + (f": {d['reason']}" if d["reason"] else ""))


@app.command()
def prisma(*, svg: Annotated[Optional[Path], typer.Option(help="Write the flow diagram here (SVG).")] = None,
           db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """PRISMA 2020 flow counts: identified per source, duplicates, screened, excluded with reasons, included."""
    counts = prisma_mod.prisma_counts(open_db(db, create=False))
    if fmt is Format.json:
        sys.stdout.write(exports.dumps_json(counts.as_dict()))
    else:
        write_rows(prisma_mod.prisma_rows(counts), ["stage", "box", "n"], fmt, title="PRISMA 2020 flow")
    if svg:
        try:
            svg.write_text(prisma_mod.prisma_svg(counts), encoding="utf-8")
        except OSError as e:
            raise KbError(f"{svg}: cannot be written ({e.strerror or e})") from None
        _say(f"flow diagram written to {svg}")


@app.command("export-review")
def export_review(
    kind: Annotated[str, typer.Argument(help="evidence (table of curated figures), ris or bibtex.")] = "evidence",
    *,
    fmt: Annotated[str, typer.Option("--format", "-f", help="For evidence: csv, md or json.")] = "csv",
    status: Annotated[str, typer.Option(help="Figure statuses, comma-separated (or curated, all).")] = "curated",
    study: Annotated[Optional[list[str]], typer.Option(help="These studies instead of the included ones.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    db: DbOption = None,
) -> None:
    """Exports for the review: the included studies' evidence table, or their references as RIS or BibTeX."""
    store = open_db(db, create=False)
    statuses = parse_statuses(status) or exports.CURATED
    if kind == "evidence":
        if fmt == "json":
            text = exports.dumps_json(exports.evidence_json(store, statuses=statuses, studies=study))
        elif fmt in ("csv", "md", "markdown"):
            rows = exports.evidence_table(store, statuses=statuses, studies=study)
            if fmt == "csv":
                import csv
                import io
                buf = io.StringIO()
                w = csv.DictWriter(buf, fieldnames=exports.TABLE_COLUMNS, extrasaction="ignore", lineterminator="\n")
                w.writeheader()
                w.writerows(rows)
                text = buf.getvalue()
            else:
                text = exports.to_markdown(rows, exports.TABLE_COLUMNS)
        else:
            raise KbError(f"unknown format {fmt!r}: use csv, md or json")
    elif kind == "ris":
        text = exports.to_ris(exports.references(store, study))
    elif kind in ("bibtex", "bib"):
        text = exports.to_bibtex(exports.references(store, study))
    else:
        raise KbError(f"unknown export {kind!r}: use evidence, ris or bibtex")
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise KbError(f"{output}: cannot be written ({e.strerror or e})") from None
    else:
        sys.stdout.write(text)
