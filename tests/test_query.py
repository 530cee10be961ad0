"""`kb query`, `kb crosstab` and `kb export` on a store holding both samples."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest

from conftest import MELANOMA, MYELOMA
from kb.query.figures import FigureFilter, query_figures
from kb.store.db import open_db


def query_json(kb, db, *args) -> list[dict]:
    result = kb(["query", *args, "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- query ----------------------------------------------------------------------------

def test_immunotherapy_os_returns_the_melanoma_figures(kb, seeded_db, seeded, study_of):
    rows = query_json(kb, seeded_db, "--therapy", "immunotherapy", "--outcome", "OS")
    melanoma = study_of(seeded, MELANOMA.name)
    assert rows and {r["study_id"] for r in rows} == {melanoma}
    assert all(r["endpoint"] == "OS" for r in rows)
    got = {(r["measure"], r["value"], r["timepoint_months"], r["analysis"]) for r in rows}
    assert ("HR", 0.671, None, "univariate") in got      # Table 2
    assert ("HR", 0.638, None, "multivariate") in got    # Table 3
    assert ("rate", 62.2, 60, None) in got               # 5-year OS with immunologic/targeted therapy
    # The comparison group, "without immunologic/targeted therapy" (48.6%), is not about the therapy.
    assert 48.6 not in {r["value"] for r in rows}
    hr = next(r for r in rows if r["value"] == 0.671)
    assert (hr["ci_low"], hr["ci_high"], hr["p_value"], hr["p_op"]) == (0.473, 0.952, 0.025, "=")
    assert hr["document"] == MELANOMA.name and hr["quote"].endswith("0.671 (0.473, 0.952) 0.025")


def test_nothing_from_the_myeloma_review(kb, seeded_db, seeded, study_of):
    myeloma = study_of(seeded, MYELOMA.name)
    for args in (["--therapy", "immunotherapy"], ["--therapy", "proteasome inhibitor"], ["--condition", "myeloma"],
                 ["--study", "10.1007/s10238-025-01821-w"]):
        assert [r for r in query_json(kb, seeded_db, *args) if r["study_id"] == myeloma] == [], args


@pytest.mark.parametrize("name", ["overall survival", "Overall Survival", "os"])
def test_outcome_by_name_is_the_same_as_by_code(kb, seeded_db, name):
    by_code = query_json(kb, seeded_db, "--therapy", "immunotherapy", "--outcome", "OS")
    by_name = query_json(kb, seeded_db, "--therapy", "immunotherapy", "--outcome", name)
    assert [r["id"] for r in by_name] == [r["id"] for r in by_code]
    all_os = query_json(kb, seeded_db, "--outcome", name)
    assert len(all_os) > 20 and {r["endpoint"] for r in all_os} == {"OS"}


def test_filters_narrow_consistently(kb, seeded_db, seeded):
    total = seeded.execute("SELECT count(*) FROM figures").fetchone()[0]
    assert len(query_json(kb, seeded_db)) == total
    hrs = query_json(kb, seeded_db, "--measure", "HR", "--outcome", "OS")
    assert hrs and all(r["measure"] == "HR" and r["endpoint"] == "OS" for r in hrs)
    assert len(hrs) == seeded.execute("SELECT count(*) FROM figures WHERE measure = 'HR' AND endpoint = 'OS'").fetchone()[0]
    melanoma = query_json(kb, seeded_db, "--condition", "mucosal melanoma")
    assert len(melanoma) == total  # every figure is the melanoma paper's
    radio = query_json(kb, seeded_db, "--therapy", "radiotherapy")
    assert radio and all(any(w in " ".join(filter(None, (r["group"], r["variable"]))).lower()
                             for w in ("radiotherapy", "rt", "irradiation")) for r in radio)


@pytest.mark.parametrize("option, value", [
    ("--therapy", "'; DROP TABLE figures;--"),
    ("--therapy", "%"),
    ("--outcome", "%"),
    ("--outcome", "_"),
    ("--outcome", "OS' OR '1'='1"),
    ("--condition", "%"),
    ("--condition", "_%_"),
    ("--condition", "melanoma' OR 1=1;--"),
    ("--measure", "rate' --"),
    ("--study", "%"),
    ("--study", "x' OR 1=1;--"),
    ("--therapy", "免疫疗法"),
    ("--outcome", "Überleben"),
    ("--condition", "骨髓瘤"),
    ("--study", "\\"),
])
def test_hostile_filters_do_not_error_and_match_nothing(kb, seeded_db, counts, option, value):
    before = counts(seeded_db)
    assert query_json(kb, seeded_db, option, value) == []
    table = kb(["query", option, value, "--db", seeded_db])
    assert table.exit_code == 0
    assert "0 figures" in table.stdout
    assert counts(seeded_db) == before


def test_quoted_endpoint_resolves_to_that_endpoint_only(kb, seeded_db):
    rows = query_json(kb, seeded_db, "--outcome", 'OS" --')
    assert {r["endpoint"] for r in rows} <= {"OS"}


def test_table_format_shows_values_ci_and_p(kb, seeded_db):
    result = kb(["query", "--therapy", "immunotherapy", "--outcome", "OS", "--db", seeded_db])
    assert result.exit_code == 0
    for text in ("0.671", "0.473-0.952", "0.025", "62.2%"):
        assert text in result.stdout


def test_csv_format_one_record_per_figure(kb, seeded_db):
    rows = query_json(kb, seeded_db, "--outcome", "OS")
    result = kb(["query", "--outcome", "OS", "--db", seeded_db, "--format", "csv"])
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert records[0]["quote"] == rows[0]["quote"]


def test_csv_with_no_matches_still_has_the_header(kb, seeded_db):
    """Regression: the header once came from the first row, so an empty result printed a blank line."""
    full = kb(["query", "--outcome", "OS", "--db", seeded_db, "--format", "csv"]).stdout.splitlines()[0]
    empty = kb(["query", "--outcome", "no such endpoint", "--db", seeded_db, "--format", "csv"])
    assert empty.stdout.splitlines() == [full]


def test_query_library_matches_the_cli(kb, seeded_db):
    db = open_db(seeded_db, create=False)
    lib = query_figures(db, FigureFilter(therapy="immunotherapy", outcome="OS"))
    assert [r["id"] for r in lib] == [r["id"] for r in query_json(kb, seeded_db, "--therapy", "immunotherapy",
                                                                  "--outcome", "OS")]


def test_surgery_plus_ct_figures_count_as_chemotherapy(kb, seeded_db):
    """Regression: 'Surgery + CT' figures were linked to surgery only (CT not read as chemotherapy)."""
    rows = query_json(kb, seeded_db, "--therapy", "chemotherapy", "--outcome", "OS")
    values = {r["value"] for r in rows if r["measure"] == "rate" and r["timepoint_months"] == 60}
    assert {45.5, 37.4} <= values


# --- crosstab -------------------------------------------------------------------------

def figure_classes(conn) -> dict[str, set[str]]:
    """figure id -> therapy classes it is about ('(none stated)' when none)."""
    out: dict[str, set[str]] = defaultdict(set)
    for fid, cls in conn.execute("""SELECT f.id, t.class FROM figures f LEFT JOIN figure_therapies ft
                                    ON ft.figure_id = f.id LEFT JOIN therapies t ON t.id = ft.therapy_id"""):
        out[fid].add(cls or "(none stated)")
    return out


def expected_cells(conn, count: str) -> dict[tuple[str, str], int]:
    classes = figure_classes(conn)
    figs, studies = defaultdict(set), defaultdict(dict)
    for fid, endpoint, sid, n in conn.execute("""SELECT f.id, f.endpoint, s.id, s.n_patients FROM figures f
                                                 JOIN studies s ON s.id = f.study_id"""):
        for cls in classes[fid]:
            figs[(cls, endpoint)].add(fid)
            studies[(cls, endpoint)][sid] = n or 0
    if count == "figures":
        return {k: len(v) for k, v in figs.items()}
    if count == "studies":
        return {k: len(v) for k, v in studies.items()}
    return {k: sum(v.values()) for k, v in studies.items()}


@pytest.mark.parametrize("count", ["studies", "figures", "patients"])
def test_crosstab_csv_matches_the_figures_table(kb, seeded_db, seeded, count):
    result = kb(["crosstab", "--rows", "therapy", "--cols", "outcome", "--count", count, "--db", seeded_db,
                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames[0] == "therapy"
    got = {(row["therapy"], col): int(v) for row in reader for col, v in row.items() if col != "therapy"}
    want = expected_cells(seeded, count)
    assert {k: v for k, v in got.items() if v} == want
    endpoints = {r[0] for r in seeded.execute("SELECT DISTINCT endpoint FROM figures")}
    assert set(reader.fieldnames[1:]) == endpoints
    if count == "patients":
        assert set(want.values()) == {262}


def test_crosstab_json_equals_csv(kb, seeded_db):
    args = ["crosstab", "--rows", "therapy", "--cols", "outcome", "--db", seeded_db]
    as_json = json.loads(kb(args + ["--format", "json"]).stdout)
    as_csv = list(csv.DictReader(io.StringIO(kb(args + ["--format", "csv"]).stdout)))
    assert [{k: str(v) for k, v in row.items()} for row in as_json] == as_csv
    by_class = {row["therapy"]: row for row in as_json}
    assert by_class["immunologic/targeted therapy"]["OS"] == 1
    assert "(none stated)" in by_class


def test_crosstab_figures_add_up(kb, seeded_db, seeded):
    rows = json.loads(kb(["crosstab", "--rows", "design", "--cols", "measure", "--count", "figures",
                          "--db", seeded_db, "--format", "json"]).stdout)
    by_measure = dict(seeded.execute("SELECT measure, count(*) FROM figures GROUP BY measure").fetchall())
    assert rows == [{"design": "retrospective cohort", **by_measure}]  # the review has no figures


def test_crosstab_with_a_filter(kb, seeded_db):
    rows = json.loads(kb(["crosstab", "--therapy", "immunotherapy", "--count", "figures", "--db", seeded_db,
                          "--format", "json"]).stdout)
    assert [r["therapy"] for r in rows] == ["immunologic/targeted therapy"]
    immuno = query_json(kb, seeded_db, "--therapy", "immunotherapy")
    assert sum(v for k, v in rows[0].items() if k != "therapy") == len(immuno)


def test_crosstab_unknown_axis_is_a_one_line_error(kb_main, seeded_db):
    result = kb_main(["crosstab", "--rows", "drug", "--db", seeded_db])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: unknown axis 'drug': choose from therapy, outcome, condition, design, measure"


# --- export ---------------------------------------------------------------------------

STUDY_KEYS = {"id", "title", "doi", "pmid", "pmcid", "year", "journal", "design", "condition", "n_patients",
              "follow_up_median_months", "documents", "cohorts", "therapies", "figures", "adverse_events"}
FIGURE_KEYS = {"id", "endpoint", "measure", "timepoint_months", "group", "comparator", "variable", "analysis",
               "value", "unit", "ci_low", "ci_high", "p_value", "p_op", "quote", "document", "start", "end",
               "confidence", "rule", "status"}


@pytest.fixture(scope="module")
def export(seeded_db):
    from conftest import invoke
    result = invoke(["export", "--format", "json", "--db", seeded_db])
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_export_json_follows_the_contract(export, seeded, study_of):
    assert set(export) >= {"studies"}
    studies = {s["id"]: s for s in export["studies"]}
    assert set(studies) == {study_of(seeded, MELANOMA.name), study_of(seeded, MYELOMA.name)}
    for s in studies.values():
        assert STUDY_KEYS <= set(s)
        for d in s["documents"]:
            assert {"name", "path", "format", "sha256"} <= set(d)
        for c in s["cohorts"]:
            assert {"label", "n"} <= set(c) and isinstance(c["label"], str)
        for t in s["therapies"]:
            assert {"mention", "canonical", "class"} <= set(t)
        for a in s["adverse_events"]:
            assert {"event", "phase", "grade", "n", "percent"} <= set(a)
            assert a["phase"] in ("acute", "late", None)
        for f in s["figures"]:
            assert FIGURE_KEYS <= set(f)
            assert f["measure"] in ("rate", "HR", "OR", "RR", "median", "proportion")
            assert f["unit"] in ("%", "ratio", "months")
            assert f["analysis"] in ("univariate", "multivariate", None)
            assert f["p_op"] in ("=", "<", None)
            assert isinstance(f["value"], (int, float)) and isinstance(f["start"], int)
            assert f["status"] == "extracted"
            assert f["document"] in {d["name"] for d in s["documents"]}


def test_export_json_values(export, seeded, study_of):
    studies = {s["id"]: s for s in export["studies"]}
    mel = studies[study_of(seeded, MELANOMA.name)]
    mye = studies[study_of(seeded, MYELOMA.name)]
    assert len(mel["figures"]) == seeded.execute("SELECT count(*) FROM figures").fetchone()[0] > 100
    assert {f["id"] for f in mel["figures"]} == {r[0] for r in seeded.execute("SELECT id FROM figures")}
    text = seeded.execute("SELECT text FROM documents WHERE name = ?", [MELANOMA.name]).fetchone()[0]
    assert [f["id"] for f in mel["figures"] if text[f["start"]:f["end"]] != f["quote"]] == []
    assert (mel["design"], mel["n_patients"], mel["follow_up_median_months"]) == ("retrospective cohort", 262, 34.0)
    assert "vemurafenib" not in {t["mention"] for t in mel["therapies"]}  # only therapies given in this study
    assert mye["figures"] == [] and mye["design"] == "review"
    assert (mye["doi"], mye["year"], mye["journal"]) == ("10.1007/s10238-025-01821-w", 2025,
                                                        "Clinical and Experimental Medicine")
    assert mye["documents"][0]["format"] == "platform-json"


def test_export_csv_has_a_header_and_one_record_per_figure(kb, seeded_db, seeded):
    result = kb(["export", "--format", "csv", "--db", seeded_db])
    assert result.exit_code == 0
    records = list(csv.reader(io.StringIO(result.stdout)))
    header, body = records[0], records[1:]
    assert {"id", "endpoint", "measure", "value", "quote", "start", "end"} <= set(header)
    assert len(body) == seeded.execute("SELECT count(*) FROM figures").fetchone()[0]
    ids = [row[header.index("id")] for row in body]
    assert len(set(ids)) == len(ids)


def test_export_csv_header_does_not_depend_on_content(kb, seeded_db, tmp_path):
    """Regression: an empty export printed the table-display header instead of the figure columns."""
    full = kb(["export", "--format", "csv", "--db", seeded_db]).stdout.splitlines()[0]
    db = tmp_path / "review_only.db"
    assert kb(["ingest", MYELOMA, "--db", db]).exit_code == 0
    assert kb(["export", "--format", "csv", "--db", db]).stdout.splitlines() == [full]
