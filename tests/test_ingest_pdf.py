"""The PDF ingester on checked-in PDFs made by tests/fixtures/pdf/make_fixtures.py.

seed_article.pdf is the melanoma seed sample laid out on 11 pages with a running head,
a running footer with the page number, and a two-column page 2; the others are one
broken or unusual file each.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import pypdf
import pytest

import kb.ingesters.pdf as pdf_module
from kb.errors import KbError, ParseError
from kb.ingesters.pdf import (PAGE_SEPARATOR, PdfIngester, add_page_locators, find_furniture, join_pages,
                              page_of, parse_pdf)
from kb.models import Cohort, Document, Extraction, Figure, StudyFacts
from kb.pipeline import ingest_paths
from kb.store.db import open_db
from conftest import MELANOMA, SAMPLES, table_counts

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
SEED_PDF = FIXTURES / "seed_article.pdf"
RUNNING_HEAD = "Zhao et al. Head and neck mucosal melanoma: treatment and outcomes"
N_PAGES = 11


def document(path: Path) -> Document:
    data = path.read_bytes()
    return Document(name=path.name, path=str(path), data=data, sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data))


@pytest.fixture(scope="module")
def seed_record():
    return parse_pdf(document(SEED_PDF))


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "kb.db"
    db = open_db(path)
    report = ingest_paths(db, [str(SEED_PDF)])
    assert report.failed == [] and report.ingested == [str(SEED_PDF)]
    db.conn.close()
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def pypdf_pages(path: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(path).pages]


# --- detection ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.pdf")), ids=lambda p: p.name)
def test_sniff_accepts_every_pdf_fixture(path):
    doc = document(path)
    assert PdfIngester().sniff(doc.data[:65536], doc)


NOT_PDF = sorted(SAMPLES.iterdir()) + sorted((Path(__file__).parent / "fixtures" / "pubmed").iterdir())


@pytest.mark.parametrize("path", NOT_PDF, ids=lambda p: p.name)
def test_sniff_refuses_text_xml_and_json_samples(path):
    doc = document(path)
    assert not PdfIngester().sniff(doc.data[:65536], doc)


def test_sniff_refuses_text_that_mentions_the_magic():
    data = b"Notes on file formats\nEvery PDF file starts with %PDF-1.7 and ends with a marker.\n"
    doc = Document("notes.txt", "notes.txt", data, hashlib.sha256(data).hexdigest(), len(data))
    assert not PdfIngester().sniff(data, doc)


def test_sniff_accepts_junk_before_the_header_of_a_real_pdf():
    data = b"Content-Type: application/pdf\r\n\r\n" + SEED_PDF.read_bytes()
    doc = Document("mail.pdf", "mail.pdf", data, hashlib.sha256(data).hexdigest(), len(data))
    assert PdfIngester().sniff(data[:65536], doc)


# --- text and pages -----------------------------------------------------------------------

def test_pages_are_pypdf_text_joined_with_a_blank_line(seed_record):
    pages = seed_record.extra["pages"]
    expected = [t.rstrip() for t in pypdf_pages(SEED_PDF)]
    assert len(pages) == N_PAGES
    assert [seed_record.text[s:e] for s, e in pages] == expected
    assert seed_record.text == PAGE_SEPARATOR.join(expected)
    for (_, end), (start, _) in zip(pages, pages[1:]):
        assert seed_record.text[end:start] == PAGE_SEPARATOR


def test_page_starts_and_ends(seed_record):
    text, pages = seed_record.text, seed_record.extra["pages"]
    first = text[pages[0][0]:pages[0][1]]
    assert first.startswith("Clinical outcomes of multiple treatment modalities")
    assert first.endswith("J Test Oncol (2021) 12:101-112 | Page 1")
    for n, (s, e) in enumerate(pages[1:], start=2):
        assert text[s:e].startswith(RUNNING_HEAD + "\n")
        assert text[s:e].endswith(f"| Page {n}")


def test_two_column_page_reads_left_column_then_right(seed_record, melanoma_text):
    """Page 2 is set in two columns: its body must be the seed's lines in reading order,
    the whole left column before the right one, never interleaved line by line."""
    s, e = seed_record.extra["pages"][1]
    body = [ln.rstrip() for ln in seed_record.text[s:e].split("\n")[1:-1]]
    seed_lines = [ln.rstrip() for ln in melanoma_text.split("\n") if ln.strip()]
    k = seed_lines.index(" Introduction")
    assert len(body) > 100
    assert body == seed_lines[k:k + len(body)]


def test_join_pages_offsets():
    text, pages = join_pages(["one", "", "three"])
    assert text == "one\n\n\n\nthree"
    assert [text[s:e] for s, e in pages] == ["one", "", "three"]


def test_control_characters_are_replaced_one_for_one():
    t = pdf_module.normalise_page_text("a\x00b\r\nc\ud800d\x0c")
    assert t == "a b\nc d"


# --- furniture ----------------------------------------------------------------------------

def test_running_heads_and_footers_are_furniture(seed_record):
    text = seed_record.text
    furniture = sorted(text[s.start:s.end] for s in seed_record.spans if s.kind == "furniture")
    expected = sorted([RUNNING_HEAD] * (N_PAGES - 1) + [f"J Test Oncol (2021) 12:101-112 | Page {n}"
                                                          for n in range(1, N_PAGES + 1)])
    assert furniture == expected
    # They stay in the text: offsets are those of the PDF's own text.
    assert text.count(RUNNING_HEAD) == N_PAGES - 1


def test_furniture_needs_most_pages_and_spares_headings_and_table_titles():
    pages_text = []
    for n in range(1, 7):
        head = "Journal of Tests 12 (2021)" if n % 2 else "Author et al."   # alternating heads
        pages_text.append(f"{head}\nTable 2 (continued)\nA line of prose that is different on page {'x' * n}.\n"
                          f"Results\nLast line {'y' * n}\n{n}")
    text, pages = join_pages(pages_text)
    found = sorted({text[s.start:s.end] for s in find_furniture(text, pages)})
    assert found == ["1", "2", "3", "4", "5", "6", "Author et al.", "Journal of Tests 12 (2021)"]
    # One page: nothing repeats, nothing is furniture.
    one, one_pages = join_pages(pages_text[:1])
    assert find_furniture(one, one_pages) == []


def test_a_table_runs_on_over_a_page_break(seed_record):
    """The running head at the top of a page does not end a table that continues there."""
    text = seed_record.text
    t2 = next(s for s in seed_record.spans if s.kind == "table" and s.title.startswith("Table 2 Summary"))
    assert "0.671 (0.473, 0.952) 0.025" in text[t2.start:t2.end]
    assert RUNNING_HEAD in text[t2.start:t2.end]


# --- metadata -----------------------------------------------------------------------------

def test_metadata(seed_record):
    assert seed_record.source_format == "pdf"
    assert seed_record.title == "Clinical outcomes of multiple treatment modalities for head and neck mucosal melanoma"
    assert seed_record.doi == "10.5555/kb.fixture.2021.000"
    assert seed_record.language == "en"


def test_title_from_the_largest_type_when_metadata_has_none(monkeypatch):
    monkeypatch.setattr(pdf_module, "_metadata_title", lambda reader: None)
    rec = parse_pdf(document(SEED_PDF))
    assert rec.title == "Clinical outcomes of multiple treatment modalities for head and neck mucosal melanoma"


@pytest.mark.parametrize("title, plausible", [
    ("Microsoft Word - manuscript_v3.docx", False),
    ("untitled", False),
    ("paper.pdf", False),
    ("Clinical outcomes of head and neck mucosal melanoma", True),
    ("   ", False),
    (None, False),
])
def test_plausible_metadata_title(title, plausible):
    assert (pdf_module._plausible_title(title) is not None) is plausible


# --- through the pipeline -----------------------------------------------------------------

def test_seed_pdf_gives_the_seeds_key_figures(seed_store):
    doc = seed_store.execute("SELECT * FROM documents").fetchone()
    assert doc["format"] == "pdf"
    figures = seed_store.execute("SELECT * FROM figures").fetchall()
    os5 = [f for f in figures if f["endpoint"] == "OS" and f["measure"] == "rate" and f["value"] == 37.7]
    assert os5 and os5[0]["timepoint_months"] == 60
    hr = [f for f in figures if f["measure"] == "HR" and f["value"] == 0.671]
    assert hr and (hr[0]["ci_low"], hr[0]["ci_high"]) == (0.473, 0.952)
    study = seed_store.execute("SELECT * FROM studies").fetchone()
    assert study["doi"] == "10.5555/kb.fixture.2021.000"
    assert study["n_patients"] == 262


def test_every_quote_is_the_document_text_at_its_offsets(seed_store):
    text = seed_store.execute("SELECT text FROM documents").fetchone()[0]
    assert text == parse_pdf(document(SEED_PDF)).text
    rows = seed_store.execute("SELECT quote, start, \"end\" FROM figures").fetchall()
    assert len(rows) > 100
    assert all(text[r["start"]:r["end"]] == r["quote"] for r in rows)


def test_no_figure_or_cohort_comes_from_furniture(seed_store):
    names = [r[0] for r in seed_store.execute("SELECT label FROM cohorts")]
    quotes = [r[0] for r in seed_store.execute("SELECT quote FROM figures")]
    assert not [x for x in names + quotes if "J Test Oncol" in x]


def test_page_of_maps_figure_offsets_to_their_pages(seed_record):
    from kb.extract.article import extract_article
    ex = extract_article(seed_record)
    pages = seed_record.extra["pages"]
    raw = pypdf_pages(SEED_PDF)
    checked = 0
    for f in ex.figures:
        n = page_of(pages, f.start)
        assert f.quote in raw[n - 1], (f.quote, n)
        checked += 1
    assert checked > 100
    os5 = next(f for f in ex.figures if f.endpoint == "OS" and f.value == 37.7)
    hr = next(f for f in ex.figures if f.measure == "HR" and f.value == 0.671)
    assert page_of(pages, os5.start) == 3    # kept from the results (abstract duplicate dropped)
    assert page_of(pages, hr.start) == 7     # Table 2: title at the foot of page 6, rows on 7


def test_page_of_edges():
    pages = [(0, 10), (12, 20), (22, 30)]
    assert [page_of(pages, o) for o in (0, 9, 10, 11, 12, 21, 22, 29, 30, 99)] == [1, 1, 1, 1, 2, 2, 3, 3, 3, 3]
    with pytest.raises(ValueError):
        page_of(pages, -1)
    with pytest.raises(ValueError):
        page_of([], 0)


def test_add_page_locators():
    pages = [(0, 10), (12, 20)]
    fig = Figure("OS", "rate", 37.7, "%", "q", 13, 14)
    placed = Figure("OS", "HR", 0.6, "ratio", "q", 1, 2, locator="Table 2")
    cohorts = [Cohort("All patients", 262), Cohort("Surgery", 83, start=3, end=5)]
    ex = Extraction(StudyFacts(), cohorts=cohorts, figures=[fig, placed])
    add_page_locators(ex, pages)
    assert [fig.locator, placed.locator] == ["page 2", "Table 2"]
    assert [c.locator for c in cohorts] == [None, "page 1"]


def test_owner_password_only_pdf_is_read(tmp_path):
    db = open_db(tmp_path / "kb.db")
    path = str(FIXTURES / "owner_only.pdf")
    report = ingest_paths(db, [path])
    assert report.failed == [] and report.ingested == [path]
    values = {r[0] for r in db.execute("SELECT value FROM figures")}
    assert 45.0 in values


def test_repairable_pdf_is_read_and_pypdf_stays_quiet(tmp_path, capsys):
    rec = parse_pdf(document(FIXTURES / "repairable.pdf"))
    assert "Results: A total of 120 patients" in rec.text
    assert any("/Root" in w for w in rec.extra["pdf_warnings"])
    assert logging.getLogger("pypdf").propagate
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


BROKEN = [
    ("encrypted.pdf", "encrypted PDF"),
    ("truncated.pdf", "damaged PDF: truncated (no %%EOF marker at the end)"),
    ("image_only.pdf", "no text layer (scanned PDF?)"),
    ("not_a_pdf.pdf", "not a valid PDF"),
    ("page_tree_cycle.pdf", "damaged PDF: page tree unreadable (Detected cyclic page references.)"),
    ("garbled_content.pdf", "damaged PDF: page content unreadable (Error -3 while decompressing data: incorrect header check)"),
]


@pytest.mark.parametrize("name, reason", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_pdf_fails_in_one_line_and_leaves_the_store_alone(tmp_path, name, reason, capsys):
    db_path = tmp_path / "kb.db"
    db = open_db(db_path)
    assert ingest_paths(db, [str(FIXTURES / "owner_only.pdf")]).failed == []
    before = table_counts(db_path)
    path = str(FIXTURES / name)
    report = ingest_paths(db, [path])
    assert report.failed == [(path, reason)]
    assert report.ingested == []
    assert "\n" not in reason
    assert table_counts(db_path) == before
    assert capsys.readouterr().err == ""


def test_broken_pdf_through_the_cli_is_one_line_and_exit_1(kb_main, tmp_path):
    res = kb_main(["ingest", FIXTURES / "encrypted.pdf", "--db", tmp_path / "kb.db"])
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr + res.stdout
    assert [ln for ln in res.stderr.splitlines() if "encrypted PDF" in ln]


def test_page_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_MAX_PDF_PAGES", "5")
    with pytest.raises(ParseError, match=r"11 pages, more than the 5-page limit \(KB_MAX_PDF_PAGES\)"):
        parse_pdf(document(SEED_PDF))
    monkeypatch.setenv("KB_MAX_PDF_PAGES", "many")
    with pytest.raises(KbError, match="KB_MAX_PDF_PAGES must be a whole number"):
        parse_pdf(document(SEED_PDF))
    monkeypatch.setenv("KB_MAX_PDF_PAGES", "11")
    assert len(parse_pdf(document(SEED_PDF)).extra["pages"]) == 11


@pytest.mark.parametrize("exc", [KeyError("/Kids"), ZeroDivisionError("float division"), AssertionError(),
                                 pypdf.errors.PdfReadError("bad\nthing")])
def test_any_pypdf_exception_on_opening_becomes_one_line(monkeypatch, exc):
    def boom(*a, **k):
        raise exc
    monkeypatch.setattr(pypdf, "PdfReader", boom)
    with pytest.raises(ParseError) as e:
        parse_pdf(document(SEED_PDF))
    assert e.value.reason.startswith("damaged PDF: ") and "\n" not in e.value.reason


@pytest.mark.parametrize("exc", [KeyError("/Font"), TypeError("'NoneType' is not subscriptable"), RecursionError()])
def test_any_pypdf_exception_on_a_page_becomes_one_line(monkeypatch, exc):
    def boom(self, *a, **k):
        raise exc
    monkeypatch.setattr(pypdf.PageObject, "extract_text", boom)
    with pytest.raises(ParseError) as e:
        parse_pdf(document(SEED_PDF))
    assert e.value.reason.startswith("damaged PDF: ") and "\n" not in e.value.reason


def test_text_sample_is_still_read_as_text(tmp_path):
    """The PDF ingester, asked first, leaves plain text to the text ingester."""
    db = open_db(tmp_path / "kb.db")
    assert ingest_paths(db, [str(MELANOMA)]).failed == []
    assert db.execute("SELECT format FROM documents").fetchone()[0] == "text"


def test_text_layer_of_symbols_is_refused(monkeypatch):
    """Fonts without a Unicode map give runs of symbols: not text to quote figures from."""
    pages = iter(range(100))
    monkeypatch.setattr(pypdf.PageObject, "extract_text",
                        lambda self, *a, **k: f"#$%&*+=<>#$%&*+=<>#$%&*+=<> {next(pages)}\n" * 20 + "word\n" * 30)
    with pytest.raises(ParseError, match=r"text layer unreadable"):
        parse_pdf(document(SEED_PDF))
