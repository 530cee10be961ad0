"""The literature-platform JSON ingester on the real myeloma review record (002_*)."""
from __future__ import annotations

import hashlib
import json

import pytest

from conftest import MELANOMA, MYELOMA, connect
from kb.errors import ParseError
from kb.extract.article import extract_article
from kb.ingesters.base import iso_date, normalise_doi, strip_html
from kb.ingesters.platform_json import PlatformJsonIngester
from kb.models import Document
from kb.pipeline import ingest_paths, pick_ingester, read_document
from kb.store.db import open_db

DOI = "10.1007/s10238-025-01821-w"
TITLE = "Therapeutic options for extramedullary involvement in multiple myeloma."


def doc_of(data: bytes, name: str = "record.txt") -> Document:
    return Document(name=name, path=name, data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def parse(data: bytes):
    (record,) = list(PlatformJsonIngester().parse(doc_of(data)))
    return record


def split_record() -> tuple[dict, dict, str]:
    """(top-level object, nested English object, the plain lines after the JSON line)."""
    first, rest = MYELOMA.read_text(encoding="utf-8").split("\n", 1)
    obj = json.loads(first)
    return obj, json.loads(obj["resultStr"]), rest


def join_record(obj: dict, rest: str) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n" + rest).encode("utf-8")


@pytest.fixture(scope="module")
def record():
    return parse(MYELOMA.read_bytes())


def test_sniffed_by_content_not_name():
    ing = PlatformJsonIngester()
    myeloma, melanoma = read_document(str(MYELOMA)), read_document(str(MELANOMA))
    assert ing.sniff(myeloma.data[:65536], myeloma)
    assert not ing.sniff(melanoma.data[:65536], melanoma)
    assert pick_ingester(myeloma).format == "platform-json"
    assert pick_ingester(melanoma).format == "text"
    renamed = doc_of(MYELOMA.read_bytes(), "paper.pdf.txt")
    assert pick_ingester(renamed).format == "platform-json"


def test_titles_english_and_original_chinese(record):
    assert record.title == TITLE
    assert record.title_original == "多发性骨髓瘤髓外受累的治疗选择。"
    assert record.title_language == "zh"


def test_identifiers_and_dates(record):
    assert record.doi == DOI
    assert record.pmid is None and record.pmcid is None
    assert record.pub_date == "2025-08-23"
    assert record.year == 2025
    assert record.oa_url == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC12374916/pdf/"
    assert record.publication_types == ["Journal Article"]
    assert record.extra["platform"] == "Semanticscholar"


def test_authors_in_order(record):
    assert [(a.name, a.given, a.family, a.collective) for a in record.authors] == [
        ("Junmei Zhao", "Junmei", "Zhao", False),
        ("Yushan Cui", "Yushan", "Cui", False),
        ("Baijun Fang", "Baijun", "Fang", False),
    ]


def test_journal_with_impact_factor_and_quartile(record):
    j = record.journal
    assert (j.name, j.volume, j.issue, j.pages) == ("Clinical and Experimental Medicine", "25", "1", "301")
    assert (j.impact_factor, j.quartile, j.category) == (3.5, "Q2", "MEDICINE, RESEARCH & EXPERIMENTAL")


def test_abstract_is_plain_text(record):
    assert record.abstract.startswith("Extramedullary involvement (extramedullary disease, EMD)")
    assert record.abstract.endswith("evidence-based guidance for EMD treatment.")
    assert "<" not in record.abstract and ">" not in record.abstract
    assert "期刊介绍" not in record.abstract and "CEM is now published" not in record.abstract


def test_spans_keep_the_journal_description_out_of_the_study(record):
    kinds = [(s.kind, s.title) for s in record.spans]
    assert kinds == [("front", None), ("title", None), ("abstract", None), ("other", "journal description")]
    text = record.text
    title, abstract, other = record.spans[1:]
    assert text[title.start:title.end] == TITLE
    assert "proteasome inhibitors" in text[abstract.start:abstract.end]
    assert text[other.start:other.end].startswith("期刊介绍:")
    assert record.text == MYELOMA.read_text(encoding="utf-8")  # offsets refer to the file itself


def test_extraction_of_the_review():
    rec = parse(MYELOMA.read_bytes())
    ex = extract_article(rec)
    assert ex.study.design == "review"
    assert "multiple myeloma" in ex.study.condition.lower()
    assert ex.figures == []
    assert ex.cohorts == []
    classes = {t.mention: t.therapy_class for t in ex.therapies if t.given}
    assert classes.get("proteasome inhibitors") == "targeted therapy"
    assert classes.get("anti-CD38 monoclonal antibodies") == "immunotherapy"


def test_doi_from_url_in_upper_case_is_normalised():
    obj, inner, rest = split_record()
    for o in (obj, inner):
        o["doi"] = "https://doi.org/10.1007/S10238-025-01821-W"
    obj["resultStr"] = json.dumps(inner, ensure_ascii=False)
    assert parse(join_record(obj, rest)).doi == DOI


def test_flat_english_record_without_result_str():
    _, inner, rest = split_record()
    rec = parse(join_record(inner, rest))
    assert rec.title == TITLE
    assert rec.title_original is None
    assert rec.title_language == "en"
    assert rec.journal.impact_factor == 3.5


def test_abstract_falls_back_to_the_json_with_html_stripped():
    obj, _, _ = split_record()
    rec = parse(join_record(obj, ""))
    assert rec.abstract.startswith("Extramedullary involvement")
    assert "<p>" not in rec.abstract and "</p>" not in rec.abstract


def test_first_line_that_is_not_a_record_is_a_parse_error():
    data = MYELOMA.read_bytes()
    broken = data[:500] + b"\n" + data.split(b"\n", 1)[1]
    with pytest.raises(ParseError, match="JSON of a kind kb does not read: a literature-platform record's first line"):
        parse(broken)


def test_a_pretty_printed_json_object_with_a_title_is_named_as_json_kb_does_not_read(tmp_path):
    # papis's downloader outputs and Zenodo metadata are JSON objects with a title over many lines.
    (tmp_path / "out.json").write_text('{\n  "title": "None"\n}\n')
    report = ingest_paths(open_db(tmp_path / "kb.db"), [str(tmp_path / "out.json")])
    assert [reason for _, reason in report.failed] == [
        "JSON of a kind kb does not read: a literature-platform record's first line is one JSON object with a "
        "title and a DOI, abstract, authors or journal"]


def test_nested_result_str_that_is_not_json_is_a_parse_error():
    obj, _, rest = split_record()
    obj["resultStr"] = '{"title": "Therapeutic options'
    with pytest.raises(ParseError, match="resultStr"):
        parse(join_record(obj, rest))


@pytest.mark.parametrize("raw, iso", [
    ("2025-08-23", "2025-08-23"), ("2025-8-3", "2025-08-03"), ("2025/08", "2025-08"), ("2025", "2025"),
    ("2025-08-23T00:00:00Z", "2025-08-23"), ("", None), (None, None), ("Aug 2025", None),
])
def test_iso_date(raw, iso):
    assert iso_date(raw) == iso


@pytest.mark.parametrize("raw, doi", [
    ("10.1007/s10238-025-01821-w", DOI), ("https://doi.org/10.1007/S10238-025-01821-W", DOI),
    ("http://dx.doi.org/10.1007/s10238-025-01821-w", DOI), ("doi: 10.1007/s10238-025-01821-W", DOI),
    ("", None), (None, None),
])
def test_normalise_doi(raw, doi):
    assert normalise_doi(raw) == doi


def test_strip_html_on_the_platform_abstract():
    obj, _, _ = split_record()
    plain = strip_html(obj["abstract"])
    assert plain.startswith("Extramedullary involvement") and plain.endswith("EMD treatment.")
    assert "<" not in plain
    assert strip_html(None) is None
    assert strip_html("<p> </p>") is None  # missing is None, never ""
    assert strip_html("HR < 1 and > 0") == "HR < 1 and > 0"  # comparison signs are not markup


def test_ingested_record_in_the_store(kb, tmp_path):
    db = tmp_path / "kb.db"
    assert kb(["ingest", MYELOMA, "--db", db]).exit_code == 0
    conn = connect(db)
    row = conn.execute("""SELECT s.doi, s.title, s.title_original, s.title_language, s.pub_date, s.design,
        j.impact_factor, j.quartile, d.format, d.text FROM studies s JOIN journals j ON j.id = s.journal_id
        JOIN study_documents sd ON sd.study_id = s.id JOIN documents d ON d.id = sd.document_id""").fetchone()
    assert tuple(row)[:9] == (DOI, TITLE, "多发性骨髓瘤髓外受累的治疗选择。", "zh", "2025-08-23", "review",
                              3.5, "Q2", "platform-json")
    assert row["text"] == MYELOMA.read_text(encoding="utf-8")
