"""kb's Datasette plugin: vocabulary SQL functions, identifier links, marked quotes, the
forest-plot page, kb's stylesheet, and no write permission for anyone.

Registered through the `datasette` entry point (`kb = "kb.serve"`) and, for `kb serve`,
directly by `kb.serve.app.build_datasette` when the entry point is not installed.
"""
from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response, asgi_static

from kb.serve.render import IDENTIFIER_COLUMNS, highlight_quote, identifier_link, row_link
from kb.serve.sqlfunctions import register_functions

STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/-/kb/static/"
# Tables and views a figure_id / study_id cell links from (tables link their foreign keys
# themselves; views and query results have none). None is a query's result.
_LINKED_FROM = {None, "evidence"}
# Actions that change data (Datasette 1.0 names; 0.65 has no write API, canned queries
# here are read-only). Refused whatever another plugin or the metadata says.
WRITE_ACTIONS = frozenset({"insert-row", "delete-row", "update-row", "create-table", "alter-table",
                           "drop-table", "upsert-row"})


@hookimpl
def prepare_connection(conn):
    register_functions(conn)


def _get(row, name):
    try:
        return row[name] if name in row.keys() else None
    except (AttributeError, IndexError, KeyError, TypeError):
        return None


def _has(row, name) -> bool:
    try:
        return name in row.keys()
    except AttributeError:
        return False


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None:
        return None
    if column in IDENTIFIER_COLUMNS and isinstance(value, (str, int)):
        return identifier_link(IDENTIFIER_COLUMNS[column], value)
    if table == "study_identifiers" and column == "value":
        return identifier_link(_get(row, "kind") or "", value)
    if column == "quote" and _has(row, "value") and isinstance(value, str):
        return highlight_quote(value, _get(row, "value"))
    if table in _LINKED_FROM and isinstance(value, str):
        if column == "figure_id":
            return row_link(datasette.urls.row(database, "figures", value), value)
        if column == "study_id":
            return row_link(datasette.urls.row(database, "studies", value), value)
    return None


@hookimpl
def extra_css_urls():
    return [STATIC_PREFIX + "kb.css"]


@hookimpl
def extra_js_urls():
    return [STATIC_PREFIX + "kb.js"]


@hookimpl
def permission_allowed(action):
    if action in WRITE_ACTIONS:
        return False
    return None


async def _kb_databases(datasette) -> list[str]:
    """Databases that are kb stores (they have figures and the evidence view)."""
    names = []
    for name, db in datasette.databases.items():
        if name == "_internal" or db.is_memory:
            continue
        if await db.table_exists("figures") and "evidence" in await db.view_names():
            names.append(name)
    return names


@hookimpl
def menu_links(datasette):
    async def links():
        out = []
        for name in await _kb_databases(datasette):
            out.append({"href": datasette.urls.table(name, "evidence"), "label": f"Evidence ({name})"})
            out.append({"href": datasette.urls.database(name) + "/-/forest", "label": f"Forest plot ({name})"})
        return out
    return links


async def forest_page(datasette, request):
    from kb.serve.pages import render_forest  # the page's queries, kept apart from the hooks
    database = request.url_vars["database"]
    if database not in await _kb_databases(datasette):
        return Response.html("Not a kb store: " + database.replace("<", "&lt;"), status=404)
    return await render_forest(datasette, request, database)


@hookimpl
def register_routes():
    return [
        (r"^/(?P<database>[^/]+)/-/forest$", forest_page),
        (r"^" + STATIC_PREFIX + r"(?P<path>.*)$", asgi_static(STATIC)),
    ]
