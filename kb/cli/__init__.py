"""The `kb` command line: thin commands over the library, one exit path for errors.

Commands live in one module per group; importing a module adds its commands to `app`.
"""
from __future__ import annotations

import os
import sys

import typer

from kb.cli import curate, evidence, fetch, maintenance, serve  # noqa: F401  (each registers its commands)
from kb.cli.app import app
from kb.cli.output import error
from kb.errors import KbError

__all__ = ["app", "main"]


def main() -> None:
    try:
        # With standalone_mode off, click returns the exit code of typer.Exit instead of exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except KbError as e:
        error(str(e))
        sys.exit(1)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(130)
    except Exception as e:  # usage errors and the like
        # Typer vendors its own click; match its exceptions by their shape, not their module.
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            sys.exit(e.exit_code)
        if type(e).__name__ == "Abort":
            sys.exit(1)
        if os.environ.get("KB_DEBUG"):
            raise
        error(f"internal error ({type(e).__name__}: {e}); set KB_DEBUG=1 for the traceback")
        sys.exit(2)
