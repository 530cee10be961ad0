"""`kb serve`: browse the store in Datasette, read-only."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from kb.cli.app import app
from kb.cli.output import DbOption
from kb.errors import KbError
from kb.store.db import open_db, resolve_db_path
from kb.store.views import ensure_views


@app.command()
def serve(
    *,
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
    host: Annotated[str, typer.Option(help="Address to bind; other machines can reach it only if you choose so.")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the home page in a web browser.")] = False,
    metadata: Annotated[Optional[Path], typer.Option(help="Datasette metadata (default: schema/metadata.yaml).")] = None,
) -> None:
    """Browse the evidence in Datasette: evidence view, search, facets, forest plots (read-only)."""
    try:
        from kb.serve.app import build_datasette, serve as run
    except ImportError as e:
        raise KbError(f"kb serve needs Datasette ({e.name} is missing): pip install 'kb[serve]'") from None
    store = open_db(db, create=False)
    ensure_views(store)   # the store is brought up to date once, then served read-only
    store.close()
    ds = build_datasette(resolve_db_path(db), metadata=metadata)
    run(ds, host=host, port=port, open_browser=open_browser)
