"""Maintenance commands: check, backup."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kb.cli.app import app
from kb.cli.output import DbOption, Format, FormatOption, error, write_rows
from kb.store.maintenance import backup_store, check_store


@app.command()
def check(*, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Check the store: SQLite integrity, foreign keys, orphan rows, full-text indexes in step.
    Exit 1 when anything is wrong. Safe while an ingest runs."""
    report = check_store(db)
    if report.problems:
        write_rows([p.__dict__ for p in report.problems], ["check", "table", "detail"], fmt,
                   title=f"{len(report.problems)} problems in {report.path}")
        error(f"{report.path}: {len(report.problems)} problems ({', '.join(sorted({p.check for p in report.problems}))})")
        raise typer.Exit(1)
    Console(stderr=True).print(f"{report.path}: ok ({', '.join(report.checks)})", highlight=False, soft_wrap=True)


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="Where to write the copy (a file, or a folder to put it in).")],
    *,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file at PATH.")] = False,
    db: DbOption = None,
) -> None:
    """Copy the store with SQLite's online backup: a consistent snapshot, safe while the store
    is being read and written; the copy is checked before it takes PATH's name."""
    result = backup_store(db, path, force=force)
    Console(stderr=True).print(f"backed up {result.source} to {result.target} "
                               f"({result.pages} pages, {result.bytes / 1e6:.1f} MB, integrity ok)", highlight=False,
                               soft_wrap=True)
