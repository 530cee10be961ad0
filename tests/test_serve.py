"""`kb serve`: kb's Datasette face, through Datasette's own test client.

Every page, table, view and named query answers; JSON has the shape clients rely on; the
named queries agree with `kb query` and `kb crosstab`; the plugin renders links and marked
quotes; nothing is written and no page refers to anything beyond the server.
"""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import yaml

datasette = pytest.importorskip("datasette", reason="kb serve needs Datasette (pip install -e '.[serve]')")

from conftest import MELANOMA, MYELOMA, invoke  # noqa: E402
from kb.query.crosstab import crosstab  # noqa: E402
from kb.query.figures import FigureFilter, query_figures  # noqa: E402
from kb.serve.app import METADATA, build_datasette, ensure_plugin_registered, load_metadata  # noqa: E402
from kb.serve.forest import ForestRow, forest_rows, forest_svg, log_domain  # noqa: E402
from kb.serve.render import highlight_quote, identifier_link, value_span  # noqa: E402
from kb.serve.sqlfunctions import outcome_match, therapy_terms_json  # noqa: E402
from kb.store.db import open_db  # noqa: E402
from kb.store.views import ensure_views  # noqa: E402

import kb.cli.serve  # noqa: E402,F401  (registers `kb serve` until kb/cli/__init__ imports it)

QUERIES = ["evidence_for", "therapy_by_outcome", "studies_without_figures", "low_confidence_figures"]


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(seeded_db, tmp_path_factory) -> Path:
    """A copy of the seeded store (both samples) with the views: the shared one stays as is."""
    path = tmp_path_factory.mktemp("serve") / "kb.db"
    src, dst = sqlite3.connect(seeded_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    db = open_db(path)
    ensure_views(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def ds(store, loop):
    ds = build_datasette(store)
    loop.run_until_complete(ds.invoke_startup())
    return ds


@pytest.fixture(scope="module")
def get(ds, loop):
    def fetch(path: str):
        return loop.run_until_complete(ds.client.get(path))
    return fetch


@pytest.fixture(scope="module")
def figures_db(store):
    db = open_db(store, create=False)
    yield db
    db.close()


def table_names(path: Path, kind: str = "table") -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = ? ORDER BY name", [kind])]
    finally:
        conn.close()


def columns_of(path: Path, name: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
    finally:
        conn.close()


def is_fts(name: str) -> bool:
    return bool(re.search(r"_fts(_data|_idx|_docsize|_config|_content)?$", name))


# --- every page answers ------------------------------------------------------------------

def test_home_page_shows_title_description_source_and_licence(get):
    r = get("/")
    assert r.status_code == 200
    for text in ("kb: clinical evidence knowledge base", "quote and character offsets", "Data license",
                 "Quotes and values remain under the licences", "Data source", "Ingested article files"):
        assert text in r.text
    data = get("/.json").json()
    assert list(data) == ["kb"] and data["kb"]["name"] == "kb"


def test_database_page_lists_tables_views_and_queries(get, store):
    r = get("/kb.json")
    assert r.status_code == 200
    data = r.json()
    assert {t["name"] for t in data["tables"]} == set(table_names(store))
    assert "evidence" in {v["name"] for v in data["views"]}
    assert [q["name"] for q in data["queries"]] == QUERIES
    html = get("/kb").text
    for q in QUERIES:
        assert f'href="/kb/{q}"' in html


def test_every_table_page_and_its_json(get, store):
    for name in table_names(store):
        html = get(f"/kb/{name}")
        assert html.status_code == 200, name
        r = get(f"/kb/{name}.json?_shape=objects&_size=5")
        assert r.status_code == 200, name
        data = r.json()
        assert data["table"] == name and isinstance(data["rows"], list)
        assert data["columns"] == columns_of(store, name)[:len(data["columns"])] or name.endswith("_fts")
        assert data["filtered_table_rows_count"] == sqlite3.connect(store).execute(
            f"SELECT count(*) FROM [{name}]").fetchone()[0]


def test_every_view_page_and_its_json(get, store):
    for name in table_names(store, "view"):
        assert get(f"/kb/{name}").status_code == 200, name
        data = get(f"/kb/{name}.json?_size=3").json()
        assert data["is_view"] is True and data["columns"] == columns_of(store, name)


def test_row_pages_of_a_figure_and_a_study(get, figures_db):
    fid, sid = figures_db.execute("SELECT id, study_id FROM figures LIMIT 1").fetchone()
    for path in (f"/kb/figures/{fid}", f"/kb/studies/{sid}"):
        assert get(path).status_code == 200
    data = get(f"/kb/figures/{fid}.json?_shape=objects").json()
    assert data["rows"][0]["id"] == fid


@pytest.mark.parametrize("query", QUERIES)
def test_every_named_query_page_and_its_json(get, query):
    assert get(f"/kb/{query}").status_code == 200
    data = get(f"/kb/{query}.json?_shape=objects").json()
    assert data["database"] == "kb" and isinstance(data["rows"], list) and data["columns"]


def test_static_files_are_served(get):
    for name in ("kb.css", "kb.js"):
        r = get(f"/-/kb/static/{name}")
        assert r.status_code == 200 and len(r.text) > 100
    assert get("/-/kb/static/../app.py").status_code == 404


# --- metadata ---------------------------------------------------------------------------

def test_metadata_describes_every_table_view_and_column(store):
    tables = load_metadata()["databases"]["kb"]["tables"]
    missing = []
    for name in table_names(store) + table_names(store, "view"):
        if is_fts(name):
            continue
        meta = tables.get(name) or {}
        if not meta.get("description"):
            missing.append(name)
        described = meta.get("columns") or {}
        missing += [f"{name}.{c}" for c in columns_of(store, name) if not described.get(c)]
    assert missing == [], f"{METADATA}: describe these"


def test_metadata_names_no_column_the_store_lacks(store):
    """A description of a column that is gone is a description that drifted."""
    tables = load_metadata()["databases"]["kb"]["tables"]
    present = set(table_names(store)) | set(table_names(store, "view"))
    stale = [f"{t}.{c}" for t, meta in tables.items() if t in present
             for c in (meta.get("columns") or {}) if c not in columns_of(store, t)]
    assert stale == []


def test_internal_tables_are_hidden(get):
    tables = {t["name"]: t for t in get("/kb.json").json()["tables"]}
    hidden = {n for n, t in tables.items() if t["hidden"]}
    assert {"_sqlite_migrations", "study_blocks", "studies_fts", "studies_fts_data", "figures_fts",
            "figures_fts_idx", "figures_fts_config", "figures_fts_docsize"} <= hidden
    assert not hidden & {"studies", "figures", "documents", "therapies", "cohorts", "adverse_events"}


def test_label_columns_show_names_for_foreign_keys(get, figures_db):
    data = get("/kb/figure_therapies.json?_labels=on&_shape=objects&_size=200").json()
    names = dict(figures_db.execute("SELECT id, canonical FROM therapies").fetchall())
    assert data["rows"]
    for row in data["rows"]:
        assert row["therapy_id"]["label"] == names[row["therapy_id"]["value"]]
    study = get(f"/kb/study_documents.json?_labels=on&_shape=objects").json()["rows"]
    titles = {r["study_id"]["label"] for r in study}
    assert "Therapeutic options for extramedullary involvement in multiple myeloma." in titles
    assert {r["document_id"]["label"] for r in study} == {MELANOMA.name, MYELOMA.name}


def test_default_facets_and_sort_of_the_evidence(get):
    data = get("/kb/evidence.json?_size=5").json()
    assert {"condition", "therapy_classes", "endpoint", "measure", "design", "year"} <= set(data["facet_results"])
    classes = {r["value"] for r in data["facet_results"]["therapy_classes"]["results"]}
    assert {"surgery", "radiotherapy", "immunologic/targeted therapy"} <= classes
    measures = {r["value"]: r["count"] for r in data["facet_results"]["measure"]["results"]}
    assert measures["HR"] > 0 and measures["rate"] > 0
    assert data["human_description_en"] == "sorted by year descending"
    studies = get("/kb/studies.json").json()
    assert {"design", "year", "condition_id"} <= set(studies["facet_results"])
    assert studies["human_description_en"] == "sorted by year descending"


def test_a_facet_filters_the_evidence(get, figures_db):
    data = get("/kb/evidence.json?measure=HR&_shape=objects&_size=max").json()
    n = figures_db.execute("SELECT count(*) FROM figures WHERE measure = 'HR' AND superseded = 0").fetchone()[0]
    assert data["filtered_table_rows_count"] == n and {r["measure"] for r in data["rows"]} == {"HR"}
    arr = get("/kb/evidence.json?_array_contains=x").status_code  # unknown filters do not break the page
    assert arr in (200, 400)
    surgery = get("/kb/evidence.json?therapy_classes__arraycontains=surgery&_shape=objects&_size=max").json()
    assert surgery["rows"] and all("surgery" in json.loads(r["therapy_classes"]) for r in surgery["rows"])


# --- full-text search -------------------------------------------------------------------

def test_full_text_search_on_studies(get):
    data = get("/kb/studies.json?_search=myeloma&_shape=objects").json()
    assert [r["title"] for r in data["rows"]] == ["Therapeutic options for extramedullary involvement in multiple myeloma."]
    assert get("/kb/studies.json?_search=zebrafish&_shape=objects").json()["rows"] == []
    assert 'name="_search"' in get("/kb/studies").text


def test_full_text_search_on_figure_quotes(get, figures_db):
    data = get("/kb/figures.json?_search=metastasis&_shape=objects&_size=max").json()
    assert data["rows"] and all(re.search(r"metasta", r["quote"], re.I) for r in data["rows"])
    # porter stemming: "recurrences" finds "recurrence" too
    one = get("/kb/figures.json?_search=recurrence&_shape=objects&_size=max").json()["rows"]
    many = get("/kb/figures.json?_search=recurrences&_shape=objects&_size=max").json()["rows"]
    assert one and {r["id"] for r in one} == {r["id"] for r in many}


# --- the evidence view and the named queries --------------------------------------------

def test_evidence_view_has_one_row_per_current_figure(get, figures_db):
    n = figures_db.execute("SELECT count(*) FROM figure_values WHERE superseded = 0").fetchone()[0]
    data = get("/kb/evidence.json?_shape=objects&_size=max").json()
    assert data["filtered_table_rows_count"] == n == len({r["figure_id"] for r in data["rows"]})
    row = next(r for r in data["rows"] if r["value"] == 0.671)
    assert row["study"] == MELANOMA.name           # untitled study: its file name, as kb query shows it
    assert (row["measure"], row["endpoint"], row["ci_low"], row["ci_high"], row["p_op"], row["p_value"]) == (
        "HR", "OS", 0.473, 0.952, "=", 0.025)
    assert json.loads(row["therapy_classes"]) == ["immunologic/targeted therapy"]
    assert row["status"] == "extracted" and row["quote"].endswith("0.671 (0.473, 0.952) 0.025")
    for column in ("study", "year", "doi", "group", "therapy_classes", "endpoint", "measure", "timepoint_months",
                   "value", "ci_low", "ci_high", "p_value", "quote", "status"):
        assert column in data["columns"]


def test_evidence_leaves_out_superseded_figures(store, tmp_path):
    path = tmp_path / "kb.db"
    src, dst = sqlite3.connect(store), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    fid = dst.execute("SELECT id FROM figures WHERE value = 0.671").fetchone()[0]
    dst.execute("UPDATE figures SET superseded = 1 WHERE id = ?", [fid])
    dst.commit()
    assert dst.execute("SELECT count(*) FROM evidence WHERE figure_id = ?", [fid]).fetchone()[0] == 0
    dst.close()


def evidence_for(get, therapy: str, outcome: str) -> list[dict]:
    r = get("/kb/evidence_for.json?" + urlencode({"therapy": therapy, "outcome": outcome, "_shape": "array"}))
    assert r.status_code == 200, r.text
    return r.json()


def test_evidence_for_immunotherapy_and_os_returns_the_mmhn_figures(get, figures_db):
    rows = evidence_for(get, "immunotherapy", "OS")
    assert sorted(r["figure_id"] for r in rows) == sorted(
        r["id"] for r in query_figures(figures_db, FigureFilter(therapy="immunotherapy", outcome="OS")))
    assert len(rows) == 3
    assert {r["condition"] for r in rows} == {"head and neck mucosal melanoma (MMHN)"}
    assert {(r["measure"], r["value"]) for r in rows} == {("HR", 0.671), ("HR", 0.638), ("rate", 62.2)}
    assert all(r["endpoint"] == "OS" for r in rows)


@pytest.mark.parametrize("therapy, outcome", [
    ("immunotherapy", "overall survival"),  # endpoint by name
    ("Immunotherapy", "os"),                # case
    ("radiotherapy", "survival"),           # a word of endpoint names: OS, DMFS, LRRFS, ...
    ("RT", "OS"),                           # a synonym of radiotherapy
    ("postoperative radiotherapy", ""),     # a child canonical; any outcome
    ("surgery", "local control"),
    ("", "DMFS"),                           # any therapy
    ("", ""),                               # everything
    ("zebrafish therapy", "OS"),            # unknown therapy: nothing, as kb query
    ("immunotherapy", "zzz"),
    ("immunotherapy", "OS' OR '1'='1"),     # parameters, never SQL
])
def test_evidence_for_agrees_with_kb_query(get, figures_db, therapy, outcome):
    expected = query_figures(figures_db, FigureFilter(therapy=therapy or None, outcome=outcome or None))
    rows = evidence_for(get, therapy, outcome)
    assert sorted(r["figure_id"] for r in rows) == sorted(r["id"] for r in expected)
    # kb query's order: newest first, then by study and place in the text (figure id breaks ties)
    keys = [(-(r["year"] or -1), r["study_id"], r["start"], r["figure_id"]) for r in rows]
    assert keys == sorted(keys)


def test_evidence_for_follows_the_hierarchy_not_a_plain_like(get):
    # "immunotherapy" is the class of "immunologic/targeted therapy": no LIKE finds it by name.
    rows = evidence_for(get, "immunotherapy", "OS")
    assert rows and not any("immunotherapy" in (r["group"] or "").lower() + (r["variable"] or "").lower()
                            for r in rows)


def test_therapy_by_outcome_matches_kb_crosstab(get, figures_db):
    rows = get("/kb/therapy_by_outcome.json?_shape=array&_size=max").json()
    assert rows and set(rows[0]) == {"therapy_class", "outcome", "studies", "figures", "patients"}
    got = {(r["therapy_class"], r["outcome"]): r for r in rows}
    for count in ("studies", "figures", "patients"):
        row_keys, col_keys, cells = crosstab(figures_db, "therapy", "outcome", count, FigureFilter())
        assert {k: v for k, v in cells.items()} == {k: r[count] for k, r in got.items()}, count


def test_studies_without_figures(get, figures_db):
    rows = get("/kb/studies_without_figures.json?_shape=array").json()
    assert [r["study"] for r in rows] == ["Therapeutic options for extramedullary involvement in multiple myeloma."]
    assert rows[0]["doi"] == "10.1007/s10238-025-01821-w" and rows[0]["documents"] == 1


def test_low_confidence_figures(get, figures_db):
    rows = get("/kb/low_confidence_figures.json?_shape=array&_size=max").json()
    expected = query_figures(figures_db, FigureFilter(confidence_below=0.7))   # as kb review --confidence-below
    n = len(expected)
    assert {r["figure_id"] for r in rows} == {r["id"] for r in expected}
    assert len(rows) == n > 0 and all(r["confidence"] < 0.7 for r in rows)
    assert [r["confidence"] for r in rows] == sorted(r["confidence"] for r in rows)
    more = get("/kb/low_confidence_figures.json?below=0.85&_shape=array&_size=max").json()
    assert len(more) > len(rows) and all(r["confidence"] < 0.85 for r in more)


# --- forest plot ------------------------------------------------------------------------

def test_forest_plot_of_immunotherapy_and_os(get, figures_db):
    data = get("/kb/-/forest?therapy=immunotherapy&outcome=OS&_format=json").json()
    expected = query_figures(figures_db, FigureFilter(therapy="immunotherapy", outcome="OS", measure="HR"))
    assert sorted(r["figure_id"] for r in data["rows"]) == sorted(r["id"] for r in expected)
    assert {(r["value"], r["ci_low"], r["ci_high"]) for r in data["rows"]} == {(0.671, 0.473, 0.952),
                                                                              (0.638, 0.435, 0.934)}
    assert data["measure"] == "HR" and data["studies"] == 1
    html = get("/kb/-/forest?therapy=immunotherapy&outcome=OS").text
    assert html.count('class="kb-forest-row"') == 2
    assert "0.671 (0.473–0.952)" in html and '<mark class="kb-value">0.671</mark>' in html
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_forest_plot_form_defaults_and_errors(get):
    html = get("/kb/-/forest").text
    assert 'name="therapy"' in html and 'name="outcome"' in html and "<svg" in html
    assert get("/kb/-/forest?measure=median").status_code == 400
    assert get("/nope/-/forest").status_code == 404
    none = get("/kb/-/forest?therapy=zebrafish&_format=json").json()
    assert none["rows"] == [] and "no HR figures match" in get("/kb/-/forest?therapy=zebrafish").text


def test_forest_rows_and_svg():
    figs = [
        {"id": "f1", "study_id": "s1", "study_title": "A", "year": 2020, "group": "x", "comparator": "y",
         "endpoint": "OS", "value": 0.5, "ci_low": 0.25, "ci_high": 1.0, "p_value": 0.05, "p_op": "=", "quote": "q"},
        {"id": "f2", "study_id": "s2", "document": "b.txt", "variable": "Age", "endpoint": "OS",
         "value": 4.0, "ci_low": None, "ci_high": None, "quote": "<b>4.0</b>"},
        {"id": "f3", "study_id": "s3", "value": 0.0, "quote": "no"},             # not drawable on a log scale
        {"id": "f4", "study_id": "s3", "value": 2.0, "ci_low": -1, "ci_high": 3, "quote": "bad bound"},
    ]
    rows = forest_rows(figs)
    assert [r.figure_id for r in rows] == ["f1", "f2", "f4"]
    assert rows[0].label == "x vs y" and rows[1].label == "Age" and rows[1].study == "b.txt"
    assert rows[2].has_ci is False
    lo, hi = log_domain(rows)
    assert lo < 0.25 and hi > 4.0
    svg = str(forest_svg(rows, "HR", row_href=lambda r: f"/kb/figures/{r.figure_id}"))
    assert svg.count('class="kb-forest-row"') == 3 and 'href="/kb/figures/f2"' in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg          # quotes are escaped in tooltips
    assert 'fill="#fff"' in svg                                 # hollow square: no interval
    assert ">1</text>" in svg                                   # the null line's tick
    empty = str(forest_svg([], "OR"))
    assert "no OR figures match" in empty


# --- rendering ----------------------------------------------------------------------------

def test_identifiers_render_as_links(get):
    html = get("/kb/studies").text
    assert '<a class="kb-id kb-id-doi" href="https://doi.org/10.1007/s10238-025-01821-w"' in html
    idents = get("/kb/study_identifiers").text
    assert 'href="https://doi.org/10.1007/s10238-025-01821-w"' in idents
    assert identifier_link("pmid", "12345678").startswith('<a class="kb-id kb-id-pmid" href="https://pubmed.ncbi.nlm.nih.gov/12345678/"')
    assert "ncbi.nlm.nih.gov/pmc/articles/PMC123/" in identifier_link("pmcid", "PMC123")
    assert "clinicaltrials.gov/study/NCT01234567" in identifier_link("nct", "NCT01234567")
    assert identifier_link("doi", "not a doi") is None and identifier_link("pmid", "12a") is None
    assert identifier_link("doi", '10.1/x"><script>') is None


def test_evidence_page_marks_values_and_links_figures(get):
    html = get("/kb/evidence_for?therapy=immunotherapy&outcome=OS").text
    assert '<mark class="kb-value">0.671</mark>' in html and '<mark class="kb-value">62.2</mark>' in html
    assert re.search(r'<a href="/kb/figures/f[0-9a-f]+">f[0-9a-f]+</a>', html)
    assert '<mark class="kb-value">' in get("/kb/figures?measure=HR").text


@pytest.mark.parametrize("quote, value, marked", [
    ("OS rate (HR = 0.733, \n95% CI 0.349–1.540, P = 0.413", 0.733, "0.733"),
    ("95% CI 0.349–1.540", 1.54, "1.540"),                  # trailing zero
    ("MMHN were 67.0%, 24.1% and 8.3%", 8.3, "8.3"),
    ("a HR of 0,71 (0,5-0,9)", 0.71, "0,71"),               # decimal comma
    ("in 1,234 patients", 1234, "1,234"),                   # thousands separator
    ("a difference of −2.5 points", -2.5, "2.5"),           # sign aside
    ("the rate 12.5% vs 112.5%", 112.5, "112.5"),           # whole numbers only
    ("no number here", 3.0, None),
])
def test_value_is_marked_in_its_quote(quote, value, marked):
    span = value_span(" ".join(quote.split()), value)
    text = " ".join(quote.split())
    assert (text[span[0]:span[1]] if span else None) == marked
    html = str(highlight_quote(quote, value))
    assert ("<mark" in html) == (marked is not None) and "\n" not in html


def test_quotes_are_escaped():
    html = str(highlight_quote("<script>alert(1)</script> HR 0.5", 0.5))
    assert "<script>" not in html and "&lt;script&gt;" in html and '<mark class="kb-value">0.5</mark>' in html


def test_sql_functions_follow_the_vocabulary():
    terms = json.loads(therapy_terms_json("immunotherapy"))
    assert {"nivolumab", "interleukin-2", "immunologic/targeted therapy"} <= set(terms)
    assert therapy_terms_json("") == "[]" and therapy_terms_json(None) == "[]"
    assert json.loads(therapy_terms_json("zebrafish therapy")) == []
    assert outcome_match("OS", "overall survival") == 1 and outcome_match("overall survival", "OS") == 1
    assert outcome_match("PFS", "survival") == 1 and outcome_match("local control", "OS") == 0
    assert outcome_match("local control", "CONTROL") == 1   # LIKE: contains, ASCII case-insensitive
    assert outcome_match(None, "OS") == 0 and outcome_match("OS", "") == 0


# --- nothing from elsewhere, nothing written ---------------------------------------------

class _Assets(HTMLParser):
    """URLs a browser would load by itself: scripts, styles, images, frames, fonts."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and (a.get("rel") or "") not in ("alternate",):
            self.urls.append(a["href"])
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])


PAGES = ["/", "/kb", "/kb/evidence", "/kb/studies?_search=myeloma", "/kb/figures?_search=metastasis",
         "/kb/evidence_for?therapy=immunotherapy&outcome=OS", "/kb/therapy_by_outcome",
         "/kb/studies_without_figures", "/kb/low_confidence_figures", "/kb/-/forest?therapy=immunotherapy&outcome=OS",
         "/kb/study_identifiers", "/kb/documents"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_elsewhere(get, path):
    r = get(path)
    assert r.status_code == 200
    parser = _Assets()
    parser.feed(r.text)
    assert parser.urls, "a page without its stylesheet?"
    foreign = [u for u in parser.urls if urlsplit(u).netloc not in ("", "127.0.0.1") or u.startswith("//")]
    assert foreign == []
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", r.text) and "@import" not in r.text


def test_no_write_is_possible(get, ds, loop, store):
    before = sqlite3.connect(store).execute("SELECT count(*) FROM studies").fetchone()[0]
    r = get("/kb.json?" + urlencode({"sql": "DELETE FROM studies"}))
    assert r.status_code == 400
    db = ds.get_database("kb")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        loop.run_until_complete(db.execute("DELETE FROM studies"))
    assert sqlite3.connect(store).execute("SELECT count(*) FROM studies").fetchone()[0] == before
    for action in ("insert-row", "update-row", "delete-row", "create-table", "drop-table", "alter-table"):
        assert loop.run_until_complete(ds.permission_allowed(None, action, ("kb", "studies"), default=True)) is False
    assert not any(q.get("write") for q in load_metadata()["databases"]["kb"]["queries"].values())


def test_plugin_registers_once(ds):
    from datasette.plugins import pm
    import kb.serve
    ensure_plugin_registered()
    ensure_plugin_registered()
    assert sum(p is kb.serve for p in pm.get_plugins()) == 1


def test_pyproject_declares_the_datasette_entry_point():
    import tomllib
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    eps = pyproject["project"].get("entry-points", {}).get("datasette", {})
    if not eps:
        pytest.skip("pyproject.toml has no [project.entry-points.datasette] yet: kb = \"kb.serve\"")
    assert "kb.serve" in eps.values()


# --- the views module -------------------------------------------------------------------

def test_ensure_views_is_idempotent_and_keeps_search_in_step(tmp_path):
    from sqlite_utils import Database
    from kb.store.migrations import migrations

    bare = Database(tmp_path / "bare.db")          # migrations only, as before ensure_views
    migrations.apply(bare)
    assert set(ensure_views(bare)) == {"figures_fts", "evidence"}
    assert ensure_views(bare) == []
    bare.close()
    path = tmp_path / "kb.db"
    assert invoke(["ingest", MELANOMA, "--db", path]).exit_code == 0
    db = open_db(path)
    ensure_views(db)                                 # open_db may have done it already
    assert ensure_views(db) == [] and db["figures_fts"].exists() and "evidence" in db.view_names()
    db.close()
    assert invoke(["ingest", MYELOMA, "--db", path]).exit_code == 0   # triggers keep the index current
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM figures_fts").fetchone()[0] == conn.execute(
        "SELECT count(*) FROM figures").fetchone()[0]
    conn.execute("DROP VIEW evidence")
    conn.execute("CREATE VIEW evidence AS SELECT 1 AS old")
    conn.commit()
    conn.close()
    db = Database(path)
    assert ensure_views(db) == ["evidence"]                           # a changed definition is replaced
    assert "figure_id" in [c.name for c in db["evidence"].columns]
    db.close()


def test_evidence_shows_curated_values_and_named_queries_leave_rejected_out(store, tmp_path, kb):
    """The evidence reads the curated layer as `kb query` does: a correction shows, a
    rejected figure keeps its row with status 'rejected' and drops out of evidence_for."""
    path = tmp_path / "kb.db"
    src, dst = sqlite3.connect(store), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    hr671, hr638 = [dst.execute("SELECT id FROM figures WHERE value = ?", [v]).fetchone()[0] for v in (0.671, 0.638)]
    dst.close()
    assert kb(["curate", "set", hr671, "value=0.7", "--db", path]).exit_code == 0
    assert kb(["curate", "reject", hr638, "--db", path]).exit_code == 0
    conn = connect_ro(path)
    rows = {r["figure_id"]: r for r in conn.execute("SELECT * FROM evidence WHERE figure_id IN (?, ?)", [hr671, hr638])}
    conn.close()
    assert (rows[hr671]["value"], rows[hr671]["status"]) == (0.7, "corrected")
    assert rows[hr638]["status"] == "rejected"
    ds, loop = build_datasette(path), asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        got = loop.run_until_complete(ds.client.get(
            "/kb/evidence_for.json?therapy=immunotherapy&outcome=OS&_shape=array")).json()
        forest = loop.run_until_complete(ds.client.get(
            "/kb/-/forest?therapy=immunotherapy&outcome=OS&_format=json")).json()
    finally:
        loop.close()
    db = open_db(path, create=False)
    expected = query_figures(db, FigureFilter(therapy="immunotherapy", outcome="OS"))
    db.close()
    assert sorted(r["figure_id"] for r in got) == sorted(r["id"] for r in expected)
    assert hr638 not in {r["figure_id"] for r in got} and {r["value"] for r in got} >= {0.7}
    assert [(r["figure_id"], r["value"]) for r in forest["rows"]] == [(hr671, 0.7)]


def connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


# --- the command ----------------------------------------------------------------------------

def test_serve_help_names_its_options(kb):
    result = kb(["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--port", "--host", "--open", "127.0.0.1"):
        assert option in result.stdout


def test_serve_binds_to_localhost_and_prepares_the_store(kb, tmp_path, monkeypatch):
    path = tmp_path / "kb.db"
    assert invoke(["ingest", MELANOMA, "--db", path]).exit_code == 0
    calls = []
    monkeypatch.setattr("kb.serve.app.serve", lambda ds, **kw: calls.append((ds, kw)))
    result = kb(["serve", "--db", path, "--port", "8123"])
    assert result.exit_code == 0, result.output
    (ds, kw), = calls
    assert kw == {"host": "127.0.0.1", "port": 8123, "open_browser": False}
    assert list(ds.databases) == ["_internal", "kb"] and ds.get_database("kb").path == str(path)
    assert "evidence" in table_names(path, "view")


def test_serve_refuses_a_missing_store(kb_main, tmp_path):
    result = kb_main(["serve", "--db", tmp_path / "none.db"])
    assert result.exit_code == 1 and "no such kb store" in result.stderr


def test_metadata_file_is_valid_yaml_with_the_queries():
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    queries = meta["databases"]["kb"]["queries"]
    assert list(queries) == QUERIES
    assert queries["evidence_for"]["params"] == ["therapy", "outcome"]
    assert meta["title"] and meta["description_html"] and meta["license"] and meta["source"]
