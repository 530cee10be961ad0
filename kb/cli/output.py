"""Shared options and writers for the CLI: one way to print rows as a table, CSV or JSON."""
from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

DbOption = Annotated[Optional[str], typer.Option("--db", help="Store path (default: $KB_DB or ./kb.db).")]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def write_rows(rows: list[dict], columns: list[str], fmt: Format, title: str | None = None) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif fmt is Format.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold", max_width=60 if c in ("quote", "study") else None)
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in columns))
        console = Console()
        if not console.is_terminal:
            console = Console(width=200)  # piped: do not squeeze columns to 80
        console.print(table)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    return " ".join(str(v).split())


def error(message: str) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
