"""The Typer application every command module adds its commands to."""
from __future__ import annotations

import typer

app = typer.Typer(help="kb: a literature knowledge base for clinical evidence.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
