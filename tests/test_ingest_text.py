"""The plain-text ingester on the real melanoma PDF text (000_*) and encodings of it."""
from __future__ import annotations

import codecs
import hashlib
import json

import pytest

from conftest import MELANOMA, MYELOMA, connect
from kb.errors import ParseError
from kb.ingesters.base import decode_text, strip_html
from kb.ingesters.text_article import TextArticleIngester, guess_title
from kb.models import Document


def doc_of(data: bytes, name: str = "article.txt") -> Document:
    return Document(name=name, path=name, data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def parse(data: bytes):
    (record,) = list(TextArticleIngester().parse(doc_of(data)))
    return record


def myeloma_as_text() -> str:
    """The myeloma review as a plain-text article: title, authors, Abstract heading, DOI line."""
    inner = json.loads(json.loads(MYELOMA.read_text(encoding="utf-8").split("\n", 1)[0])["resultStr"])
    return (f"{inner['title'].rstrip('.')}\n{inner['authors']}\n\nAbstract\n{strip_html(inner['abstract'])}\n\n"
            f"https://doi.org/10.1007/S10238-025-01821-W\n")


def test_record_text_is_the_file_itself(melanoma_text):
    rec = parse(MELANOMA.read_bytes())
    assert rec.source_format == "text"
    assert rec.text == melanoma_text
    # The PDF text carries no title line, DOI or PMID (the gold says so too).
    assert (rec.title, rec.doi, rec.pmid) == (None, None, None)
    assert rec.spans == []  # structure is found by the extract stage


def test_text_ingester_is_the_fallback():
    ing = TextArticleIngester()
    assert ing.priority == 0
    assert ing.sniff(b"anything", doc_of(b"anything"))


def test_title_doi_from_a_plain_text_header():
    rec = parse(myeloma_as_text().encode())
    assert rec.title == "Therapeutic options for extramedullary involvement in multiple myeloma"
    assert rec.doi == "10.1007/s10238-025-01821-w"


@pytest.mark.parametrize("header, title", [
    ("Therapeutic options for extramedullary involvement in multiple myeloma\n\nAbstract\n",
     "Therapeutic options for extramedullary involvement in multiple myeloma"),
    ("Clin Exp Med (2025) 25:301\n\nAbstract\n", None),          # a citation line is not a title
    ("The study aims to analyze the clinical characteristics.\nAbstract\n", None),  # a sentence
    ("Results\nThe median follow-up time was 34.0 months.\n", None),               # no Abstract heading
    # a page copied from a journal site: its navigation, logo and citation line come first
    ("Skip to main content\nJournal of Rare Tumours logoLink to Journal of Rare Tumours\n"
     ". 2019 Mar 2;11(4):210-218. doi: 10.1000/jrt.2019.11\n\n"
     "Proton therapy for sinonasal mucosal melanoma\n\nA. Author, B. Author\n\nAbstract\n",
     "Proton therapy for sinonasal mucosal melanoma"),
    ("Skip to main content\n\nAbstract\n", None),
])
def test_guess_title(header, title):
    assert guess_title(header + "Objectives: The study aims to analyze MMHN.\n") == title


def test_pmid_in_the_header():
    rec = parse(("PMID: 40848118\n" + myeloma_as_text()).encode())
    assert rec.pmid == "40848118"


def test_bom_utf8_is_removed(melanoma_text):
    assert decode_text(doc_of(codecs.BOM_UTF8 + MELANOMA.read_bytes())) == melanoma_text


def test_utf16_with_bom_is_decoded(melanoma_text):
    assert decode_text(doc_of(melanoma_text.encode("utf-16"))) == melanoma_text


def test_cp1252_text_is_detected(melanoma_text):
    data = melanoma_text.encode("cp1252", errors="replace")
    assert decode_text(doc_of(data)) == data.decode("cp1252")


def test_nul_bytes_refused():
    with pytest.raises(ParseError, match="NUL"):
        parse(MELANOMA.read_bytes()[:3000].replace(b"\n", b"\x00"))


def test_table_dump_without_prose_refused():
    # The numbers of Table 2 without their labels: not an article.
    text = MELANOMA.read_text(encoding="utf-8")
    numbers = "".join(ch for ch in text if ch.isdigit() or ch in " .,()\n")
    with pytest.raises(ParseError, match="too few letters"):
        parse(numbers.encode())


@pytest.mark.parametrize("variant", ["bom", "crlf", "utf16"])
def test_encodings_of_the_same_paper_give_the_same_figures(kb, tmp_path, seeded, study_of, variant):
    text = MELANOMA.read_text(encoding="utf-8")
    data = {"bom": codecs.BOM_UTF8 + text.encode(), "crlf": text.replace("\n", "\r\n").encode(),
            "utf16": text.encode("utf-16")}[variant]
    path = tmp_path / f"{variant}.txt"
    path.write_bytes(data)
    db = tmp_path / "kb.db"
    assert kb(["ingest", path, "--db", db]).exit_code == 0
    conn = connect(db)
    rows = conn.execute('SELECT f.endpoint, f.measure, f.value, f.timepoint_months, f.quote, f.start, f."end", '
                        'd.text FROM figures f JOIN documents d ON d.id = f.document_id').fetchall()
    assert [r["quote"] for r in rows if r["text"][r["start"]:r["end"]] != r["quote"]] == []
    got = sorted((r["endpoint"], r["measure"], r["value"], r["timepoint_months"]) for r in rows)
    want = sorted(tuple(r) for r in seeded.execute(
        "SELECT endpoint, measure, value, timepoint_months FROM figures WHERE study_id = ?",
        [study_of(seeded, MELANOMA.name)]))
    assert got == want


def test_plain_text_version_joins_the_platform_record_of_the_same_paper(kb, tmp_path):
    as_text = tmp_path / "myeloma_text.txt"
    as_text.write_text(myeloma_as_text(), encoding="utf-8")
    db = tmp_path / "kb.db"
    assert kb(["ingest", MYELOMA, as_text, "--db", db]).exit_code == 0
    conn = connect(db)
    (study,) = [dict(r) for r in conn.execute("SELECT id, doi, title, design FROM studies")]
    assert study["doi"] == "10.1007/s10238-025-01821-w"
    assert study["title"] == "Therapeutic options for extramedullary involvement in multiple myeloma."  # kept
    docs = conn.execute("""SELECT d.format FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                           WHERE sd.study_id = ? ORDER BY d.id""", [study["id"]]).fetchall()
    assert [r[0] for r in docs] == ["platform-json", "text"]
    assert conn.execute("SELECT count(*) FROM study_authors").fetchone()[0] == 3  # not duplicated


def test_html_error_page_xml_of_another_kind_and_a_spreadsheet_are_not_articles(tmp_path):
    """Plain text is the fallback: it must not swallow what failed to be recognised
    (regression: the ClinicalTrials.gov HTML error page, an RSS feed and a CSV of
    annotations were each stored as an 'article')."""
    from kb.errors import ParseError
    from kb.ingesters.text_article import refuse_markup_and_tables
    import pytest as _pytest
    html = '<!DOCTYPE html>\n<!-- saved from url -->\n<html lang="en"><head><title>Invalid URL</title></head></html>'
    with _pytest.raises(ParseError, match="HTML page"):
        refuse_markup_and_tables("page.html", html)
    with _pytest.raises(ParseError, match="root <rss>"):
        refuse_markup_and_tables("feed.xml", '<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>')
    table = "a,b,c,d\n1,2,3,4\n5,6,7,8\n9,10,11,12\n"
    with _pytest.raises(ParseError, match="CSV"):
        refuse_markup_and_tables("t.csv", table)
    refuse_markup_and_tables("paper.txt", MELANOMA.read_text(encoding="utf-8"))  # a paper passes


# Plain text is the fallback: a folder of mixed files (a package's test data, a download
# folder) held word lists, file lists, sequences and program output that were stored as
# articles with no title. An article has at least one sentence.
_NOT_PROSE = {
    "stopwords.txt": "\n".join(["och", "det", "att", "i", "en", "jag", "hon", "som", "han", "paa", "den", "med",
                                "var", "sig", "foer", "saa", "till", "aer", "men", "ett", "om", "hade", "de"] * 8),
    "SOURCES.txt": "\n".join(f"kb/ingesters/module_{i}.py" for i in range(40)),
    "seq.fasta.txt": ">sp|P60137|PSBL_ORYSJ Photosystem II reaction center protein L\n"
                     + "MTQSNPNEQNVELNRTSLYWGLLLIFVLAVLFSNYFFN\n" * 6,
}


@pytest.mark.parametrize("name", sorted(_NOT_PROSE))
def test_text_without_a_sentence_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text(_NOT_PROSE[name])
    doc = Document(name=name, path=str(path), data=path.read_bytes(), sha256="x", size=path.stat().st_size)
    with pytest.raises(ParseError, match="not article text: no sentences"):
        list(TextArticleIngester().parse(doc))


@pytest.mark.parametrize("text", [
    "Mucosal melanoma of the head and neck\n\nWe reviewed 44 patients treated with surgery between 1990 and 2010 at "
    "two centres. The 5-year OS was 30%.",
    "鼻腔黏膜黑色素瘤的治疗\n\n我们回顾性分析了四十四例接受手术治疗的患者的临床资料和生存情况。五年总生存率为百分之三十。"
    "手术后辅助放疗的患者局部控制率较高，远处转移仍是主要的死亡原因，需要更有效的全身治疗。免疫治疗的作用仍需前瞻性研究证实。",
    "Меланома слизистой оболочки\n\nМы проанализировали данные сорока четырех пациентов после операции "
    "на базе двух центров в течение двадцати лет.",
])
def test_one_sentence_in_any_script_is_enough(tmp_path, text):
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    doc = Document(name="a.txt", path=str(path), data=path.read_bytes(), sha256="x", size=path.stat().st_size)
    assert [r.text for r in TextArticleIngester().parse(doc)] == [text]
