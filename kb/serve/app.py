"""Build and run the Datasette instance `kb serve` starts: one kb store, read-only, named
`kb` (so URLs and the metadata do not depend on the file name), kb's metadata and plugin."""
from __future__ import annotations

import asyncio
import webbrowser
from pathlib import Path

from datasette.app import Datasette
from datasette.database import Database as DatasetteDatabase
from datasette.plugins import pm
from datasette.utils import parse_metadata

import kb.serve as plugin
from kb.errors import KbError

DATABASE_NAME = "kb"
# schema/ beside the kb package (the metadata is part of the repository, like data/vocab).
METADATA = Path(__file__).resolve().parents[2] / "schema" / "metadata.yaml"
# Datasette settings for a browsing face: the full-text search box on FTS tables, facet
# suggestions kept quick, SQL time limit of 3 s so a runaway query cannot hold the server.
SETTINGS = {"sql_time_limit_ms": 3000, "facet_time_limit_ms": 400, "default_facet_size": 15,
            "allow_download": False}


def load_metadata(path: str | Path | None = None) -> dict:
    path = Path(path) if path else METADATA
    try:
        return parse_metadata(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KbError(f"{path}: Datasette metadata not found (pass --metadata)") from None
    except Exception as e:  # parse_metadata raises BadMetadataError or a YAML/JSON error
        raise KbError(f"{path}: not valid Datasette metadata ({e})") from None


def ensure_plugin_registered() -> None:
    """The `datasette` entry point registers the plugin when kb is installed with it;
    register it here otherwise (e.g. a checkout installed before the entry point existed)."""
    if not pm.is_registered(plugin) and not any(p is plugin for p in pm.get_plugins()):
        pm.register(plugin, name="kb")


def build_datasette(db_path: str | Path, *, metadata: str | Path | dict | None = None) -> Datasette:
    """A Datasette serving the store at `db_path` read-only as database `kb`.

    The store is opened with read-only connections (Datasette's `mode=ro` for a mutable
    file), so an ingest running beside the server is seen and nothing is ever written.
    """
    path = Path(db_path)
    if not path.is_file():
        raise KbError(f"{path}: no such kb store (run `kb ingest` first or pass --db)")
    ensure_plugin_registered()
    meta = metadata if isinstance(metadata, dict) else load_metadata(metadata)
    ds = Datasette(files=[], metadata=meta, settings=SETTINGS)
    ds.remove_database("_memory")
    ds.add_database(DatasetteDatabase(ds, path=str(path), is_mutable=True), name=DATABASE_NAME)
    return ds


def serve(ds: Datasette, *, host: str = "127.0.0.1", port: int = 8001, open_browser: bool = False) -> None:
    """Run the server until interrupted (uvicorn, one worker, as `datasette serve` does)."""
    import uvicorn

    asyncio.run(ds.invoke_startup())
    url = f"http://{host}:{port}/"
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
