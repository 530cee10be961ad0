"""Pages kb adds to Datasette. The forest plot asks `kb.query.figures.query_figures`, the
same query as `kb query --therapy --outcome --measure`, on Datasette's read-only connection."""
from __future__ import annotations

from urllib.parse import urlencode

from datasette.utils.asgi import Response
from sqlite_utils import Database

from kb.query.figures import FigureFilter, query_figures
from kb.serve.forest import RATIO_MEASURES, forest_rows, forest_svg
from kb.serve.render import highlight_quote

EVIDENCE_QUERY = "evidence_for"


def _figures(conn, flt: FigureFilter) -> list[dict]:
    # Wrap Datasette's connection as it is: no pragmas, no plugin hooks run on it.
    return query_figures(Database(conn, recursive_triggers=False, execute_plugins=False), flt)


def _options(conn) -> tuple[list[str], list[str]]:
    therapies = [r[0] for r in conn.execute(
        "SELECT class FROM therapies UNION SELECT canonical FROM therapies ORDER BY 1")]
    outcomes = [r[0] for r in conn.execute(
        "SELECT DISTINCT endpoint FROM figures WHERE superseded = 0 AND measure IN ('HR', 'OR', 'RR') ORDER BY 1")]
    return therapies, outcomes


async def render_forest(datasette, request, database: str) -> Response:
    therapy = (request.args.get("therapy") or "").strip()
    outcome = (request.args.get("outcome") or "").strip()
    measure = (request.args.get("measure") or "HR").strip()
    if measure not in RATIO_MEASURES:
        return Response.html(f"measure must be one of {', '.join(RATIO_MEASURES)}", status=400)
    db = datasette.get_database(database)
    flt = FigureFilter(therapy=therapy or None, outcome=outcome or None, measure=measure)
    figures = await db.execute_fn(lambda conn: _figures(conn, flt))
    therapies, outcomes = await db.execute_fn(_options)
    rows = forest_rows(figures)
    skipped = len(figures) - len(rows)

    def href(r):
        return datasette.urls.row(database, "figures", r.figure_id)

    evidence_url = datasette.urls.database(database) + "/" + EVIDENCE_QUERY + "?" + urlencode(
        {"therapy": therapy, "outcome": outcome})
    json_url = request.path + "?" + urlencode({"therapy": therapy, "outcome": outcome, "measure": measure,
                                               "_format": "json"})
    if request.args.get("_format") == "json":
        return Response.json({
            "database": database, "therapy": therapy, "outcome": outcome, "measure": measure,
            "studies": len({r.study_id for r in rows}), "skipped": skipped,
            "rows": [{"figure_id": r.figure_id, "study_id": r.study_id, "study": r.study, "year": r.year,
                      "label": r.label, "detail": r.detail, "value": r.value, "ci_low": r.ci_low,
                      "ci_high": r.ci_high, "p_op": r.p_op, "p_value": r.p_value, "status": r.status}
                     for r in rows],
        })
    html = await datasette.render_template(
        "kb_forest.html",
        {
            "database": database, "therapy": therapy, "outcome": outcome, "measure": measure,
            "measures": RATIO_MEASURES, "rows": rows, "skipped": skipped,
            "studies": len({r.study_id for r in rows}),
            "svg": forest_svg(rows, measure, row_href=href), "href": href,
            "quote": lambda r: highlight_quote(r.quote, r.value),
            "therapy_options": therapies, "outcome_options": outcomes,
            "evidence_url": evidence_url, "json_url": json_url,
            "study_url": lambda r: datasette.urls.row(database, "studies", r.study_id),
        },
        request=request,
        view_name="kb_forest",
    )
    return Response.html(html)
