"""JATS XML ingester (PMC .nxml), on checked-in real files (tests/fixtures/jats, see SOURCES.md).

Hostile and odd inputs (truncation, entity declarations, a pmc-articleset) are written under
tmp_path or built in memory by the tests themselves. Nothing here touches the network.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from kb import pipeline
from kb.errors import ParseError
from kb.extract.article import extract_article
from kb.ingesters import jats_xml
from kb.ingesters.jats_xml import JatsXmlIngester
from kb.models import Document

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "jats"
ALL = sorted(FIXTURES.glob("*.nxml"))
BJC = FIXTURES / "6605965a.nxml"            # Br J Cancer 2010: untitled introduction, floats-group, HR table
ANNALS = FIXTURES / "mds526.nxml"           # Ann Oncol 2013: lower-case headings, tables inside <p>, 2 figures
BMC = FIXTURES / "1471-2180-11-174.nxml"    # BMC Microbiol: nested sections, Methods last, [n] citations
POSTER = FIXTURES / "cc11003.nxml"          # Crit Care abstract supplement: no PMID, no <abstract>, body only
PLOS = FIXTURES / "pone.0000217.nxml"       # PLoS ONE (DTD 2.3): "Model and Results", nested "Conclusions"
EPMC_SEARCH = FIXTURES / "europepmc_search_cancer.xml"   # Europe PMC search response: XML, not JATS
PUBMED = sorted((Path(__file__).parent / "fixtures" / "pubmed").iterdir())
SEEDS = sorted((ROOT / "data" / "samples").iterdir())
EVAL_DOCS = ROOT / "eval" / "docs"
EVAL_GOLD = ROOT / "eval" / "gold"

ING = JatsXmlIngester()


def make_doc(path: Path | str, data: bytes | None = None) -> Document:
    data = Path(path).read_bytes() if data is None else data
    return Document(name=Path(path).name, path=str(path), data=data,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def sniff(doc: Document) -> bool:
    return ING.sniff(doc.data[:65536], doc)


def records(path: Path | str, data: bytes | None = None):
    return list(ING.parse(make_doc(path, data)))


_CACHE: dict[Path, object] = {}


def record(path: Path):
    """The one record of a fixture (parsed once per test session; tests never mutate it)."""
    if path not in _CACHE:
        (rec,) = records(path)
        _CACHE[path] = rec
    return _CACHE[path]


def kinds(rec) -> list[tuple[str, str | None]]:
    return [(s.kind, s.title) for s in rec.spans]


# ---------------------------------------------------------------- every file

@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_every_real_file_parses_with_exact_spans(path):
    rec = record(path)
    assert rec.source_format == "jats-xml"
    assert rec.title and rec.pmcid and rec.pmcid.startswith("PMC") and rec.doi
    assert rec.journal is not None and rec.journal.name and rec.authors
    text = rec.text
    by_kind = {}
    for s in rec.spans:
        assert 0 <= s.start < s.end <= len(text), s
        by_kind.setdefault(s.kind, []).append(text[s.start:s.end])
    assert by_kind["title"] == [rec.title] and text.startswith(rec.title + "\n")
    if rec.abstract:
        assert by_kind["abstract"] == [rec.abstract]
    # Spans never overlap (extraction would read a sentence twice) and come in text order.
    ordered = sorted(rec.spans, key=lambda s: s.start)
    assert ordered == rec.spans
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))
    # A section span starts at its heading line.
    for s in rec.spans:
        if s.title and s.kind not in ("table", "caption"):
            assert text[s.start:s.end].split("\n", 1)[0] == s.title
    # The reference list is dropped; no markup leaks into the text.
    assert "</" not in text and "xlink:" not in text


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_every_table_cell_points_at_its_text(path):
    rec = record(path)
    table_spans = [s for s in rec.spans if s.kind == "table"]
    assert len(rec.tables) == len(table_spans)
    for table, span in zip(rec.tables, table_spans):
        assert (table.start, table.end) == (span.start, span.end)
        lines = rec.text[table.start:table.end].split("\n")
        assert lines[0] == span.title and lines[0].startswith(table.label)
        assert table.rows, table.label
        for row in table.rows:
            for cell in row:
                assert rec.text[cell.start:cell.end] == cell.text
            filled = [c for c in row if c.text]
            # One line per row: the non-empty cells joined by single spaces.
            line_start = rec.text.rfind("\n", 0, filled[0].start) + 1
            line_end = rec.text.find("\n", filled[-1].end)
            assert rec.text[line_start:line_end] == " ".join(c.text for c in filled)
        if table.footnotes:
            assert rec.text[table.start:table.end].endswith(table.footnotes)


def test_number_of_tables_and_figures_per_file():
    counts = {p.name: (len(record(p).tables), sum(s.kind == "caption" for s in record(p).spans)) for p in ALL}
    assert counts == {
        "1471-2180-11-174.nxml": (3, 4), "1472-6831-8-11.nxml": (4, 0), "6605965a.nxml": (2, 0),
        "cc11003.nxml": (0, 0), "ehp-116-1694.nxml": (0, 3), "mds526.nxml": (4, 2),
        "pntd.0002065.nxml": (5, 1), "pone.0000217.nxml": (0, 3), "pone.0046493.nxml": (3, 4),
    }


# ---------------------------------------------------------------- metadata, field by field

def test_bjc_metadata():
    rec = record(BJC)
    assert (rec.pmid, rec.pmcid, rec.doi) == ("21045829", "PMC2994229", "10.1038/sj.bjc.6605965")
    assert rec.title == ("Oral contraceptives, reproductive history and risk of colorectal cancer in the "
                         "European Prospective Investigation into Cancer and Nutrition")
    assert rec.title_original is None and rec.title_language is None
    assert (rec.pub_date, rec.year) == ("2010-11", 2010)      # the issue date (ppub), as PubMed files it
    assert rec.journal.name == "British Journal of Cancer"
    assert (rec.journal.issn, rec.journal.volume, rec.journal.issue, rec.journal.pages) == \
        ("0007-0920", "103", "11", "1755-1759")
    assert rec.extra["journal_abbrev"] == "Br J Cancer"
    assert rec.keywords == ["oral contraceptives", "reproductive history", "colorectal cancer", "cohort study"]
    assert rec.publication_types == ["research-article"]
    assert rec.language == "en"
    assert len(rec.authors) == 46
    first = rec.authors[0]
    assert (first.name, first.family, first.given, first.collective) == ("K K Tsilidis", "Tsilidis", "K K", False)
    assert [a.family for a in rec.authors[:4]] == ["Tsilidis", "Allen", "Key", "Bakken"]
    assert rec.abstract.split("\n")[0] == ("Background: Oral contraceptive use and reproductive factors may "
                                           "initiate long-term changes to the hormonal milieu and thereby, possibly "
                                           "influence colorectal cancer risk.")
    assert [p.split(":", 1)[0] for p in rec.abstract.split("\n")] == ["Background", "Methods", "Results", "Conclusion"]
    # Character references stay as the characters they name: thin space, en dash.
    assert "among 337\u2009802 women" in rec.abstract and "0.83\u20131.02" in rec.abstract


def test_annals_metadata():
    rec = record(ANNALS)
    assert (rec.pmid, rec.pmcid, rec.doi) == ("23149571", "PMC3574550", "10.1093/annonc/mds526")
    assert (rec.pub_date, rec.year) == ("2013-03", 2013)      # ppub 2013-03 wins over epub 2012-11-12
    j = rec.journal
    assert (j.name, j.issn, j.volume, j.issue, j.pages) == ("Annals of Oncology", "0923-7534", "24", "3", "843-850")
    assert [a.name for a in rec.authors] == ["G. Lyratzopoulos", "G. A. Abel", "C. H. Brown", "B. A. Rous",
                                             "S. A. Vernon", "M. Roland", "D. C. Greenberg"]
    assert rec.keywords == ["cancer", "demographic", "diagnosis", "inequalities", "socio-economic", "stage"]
    # "Patients and methods" has no colon in the XML; the record writes "LABEL: text".
    assert [p.split(":", 1)[0] for p in rec.abstract.split("\n")] == \
        ["Background", "Patients and methods", "Results", "Conclusions"]


def test_poster_abstract_without_pmid_or_abstract():
    rec = record(POSTER)
    assert (rec.pmid, rec.pmcid, rec.doi) == (None, "PMC3363814", "10.1186/cc11003")
    assert rec.abstract is None and "abstract" not in [k for k, _ in kinds(rec)]
    assert rec.publication_types == ["abstract"]
    assert (rec.journal.name, rec.journal.issue, rec.journal.pages) == ("Critical Care", "Suppl 1", "P396")
    assert (rec.pub_date, rec.year) == ("2012", 2012)
    assert [a.name for a in rec.authors][:2] == ["JF Figueira", "MO Oliveros"]


def test_bmc_metadata_and_electronic_date():
    rec = record(BMC)
    assert (rec.pmid, rec.doi, rec.pub_date) == ("21810267", "10.1186/1471-2180-11-174", "2011-08-02")
    assert (rec.journal.name, rec.journal.issn, rec.journal.volume, rec.journal.issue, rec.journal.pages) == \
        ("BMC Microbiology", "1471-2180", "11", None, "174")
    assert rec.title == "Factors influencing lysis time stochasticity in bacteriophage λ"


# ---------------------------------------------------------------- sections

def test_bjc_section_kinds():
    assert kinds(record(BJC)) == [
        ("title", None), ("abstract", None),
        ("introduction", None),                     # body paragraphs before the first <sec>
        ("methods", "Materials and Methods"), ("results", "Results"), ("discussion", "Discussion"),
        ("other", None),                            # the untitled acknowledgement
        ("table", record(BJC).spans[-2].title), ("table", record(BJC).spans[-1].title),
    ]


def test_annals_section_kinds_lower_case_headings_and_floats_out_of_paragraphs():
    rec = record(ANNALS)
    assert kinds(rec)[:11] == [
        ("title", None), ("abstract", None), ("introduction", "introduction"), ("methods", "methods"),
        ("methods", "data"), ("methods", "analysis"), ("results", "results"), ("discussion", "discussion"),
        ("other", "funding"), ("other", "disclosure"), ("other", "Supplementary Material"),
    ]
    assert [k for k, _ in kinds(rec)[11:]] == ["other", "caption", "caption", "table", "table", "table", "table"]
    results = next(s for s in rec.spans if s.kind == "results")
    # The four tables and two figures nested in the results' <p> are rendered after the back matter.
    assert "Table 1." not in rec.text[results.start:results.end].split("\n", 1)[1][:20]
    assert rec.text.index("Figure 1. Deprivation inequalities") > results.end


def test_plos_heading_words_and_nested_kinds():
    got = {title: kind for kind, title in kinds(record(PLOS)) if title}
    assert got["Model and Results"] == "results"                        # a kind word in a top-level heading
    assert got["Linear Fitness Decline"] == "results"                   # nested: the parent's kind
    assert got["Conclusions"] == "conclusions"                          # nested under Discussion, own heading
    assert got["Appendix A: Derivation of Fitness Equilibriums"] == "methods"


def test_bmc_sections_in_document_order_methods_last():
    seq = [(k, t) for k, t in kinds(record(BMC)) if k not in ("table", "caption")]
    assert seq[2:5] == [("introduction", "Background"), ("results", "Results"),
                        ("results", "Effect of allelic variation in holin sequence")]
    assert ("conclusions", "Conclusions") in seq and ("other", "Appendix A") in seq
    assert seq[seq.index(("methods", "Methods")) + 5] == ("methods", "Statistical analysis")
    assert seq[-2:] == [("other", "Supplementary Material"), ("other", "Acknowledgements")]


# ---------------------------------------------------------------- the rendering

def _lines_from(text: str, marker: str) -> list[str]:
    return text[text.index(marker):].rstrip("\n").split("\n")


def test_tables_render_exactly_as_the_eval_documents():
    """eval/docs/jats_*.txt were rendered from the same XML by a documented script: the
    tables must come out line for line the same (mds526 Table 4 was cut from the .txt)."""
    bjc = record(BJC).text
    assert _lines_from(bjc, "Table 1 Participant") == \
        _lines_from((EVAL_DOCS / "jats_6605965a.txt").read_text(encoding="utf-8"), "Table 1 Participant")
    annals = record(ANNALS).text
    mine = annals[annals.index("Table 1. Distribution"):annals.index("\n\nTable 4.")].split("\n")
    theirs = _lines_from((EVAL_DOCS / "jats_mds526.txt").read_text(encoding="utf-8"), "Table 1. Distribution")
    assert mine == theirs


def test_bjc_table_structure():
    t2 = record(BJC).tables[1]
    assert t2.label == "Table 2" and t2.caption.startswith("Hazard ratio (HR) and 95% confidence interval (CI)")
    header, first_block, never, ever = t2.rows[0], t2.rows[1], t2.rows[2], t2.rows[3]
    assert [c.text for c in header] == ["Variable", "Number of cases/non-casesa",
                                        "Age and center-stratified, HR (95% CI)",
                                        "Multivariable adjusted, HR (95% CI)b"]
    assert [c.text for c in first_block] == ["Oral contraceptive use"]         # a colspan row, given once
    assert [c.text for c in never] == ["Never", "1040/138\u2009359", "1.00 (reference)", "1.00 (reference)"]
    assert [c.text for c in ever] == ["Ever", "822/196\u2009040", "0.93 (0.84–1.03)", "0.92 (0.83–1.02)"]
    assert t2.footnotes.split("\n")[0].startswith("a The number of cases and non-cases do not add up")


def test_annals_empty_cells_stay_in_the_row_with_zero_width():
    t1 = record(ANNALS).tables[0]
    head = t1.rows[0]
    assert len(head) == 12 and head[0].text == "" and head[0].start == head[0].end == head[1].start
    assert [c.text for c in head[1:4]] == ["Bladder", "Breast", "Colon"]
    assert [c.text for c in t1.rows[2][:3]] == ["Stage I", "2219 45%", "8595 38%"]    # <break/> is a space


def test_citations_keep_their_text_and_bare_numbers_get_brackets():
    assert "(Bosetti et al, 2009)" in record(BJC).text                     # author-year xref text as is
    assert "common cancers, 2006–2010" in record(ANNALS).text
    assert "[1]" in record(ANNALS).text and "[[" not in record(ANNALS).text  # already bracketed: unchanged
    xml = (b'<article><front><article-meta><title-group><article-title>T</article-title></title-group>'
           b'</article-meta></front><body><sec><title>Results</title>'
           b'<p>Survival was 45%<sup><xref ref-type="bibr" rid="b1">12</xref></sup> at 5 years.</p>'
           b'<p>As before <xref ref-type="bibr" rid="b2">3</xref>, and [<xref ref-type="bibr" rid="b1">1</xref>'
           b'\xe2\x80\x93<xref ref-type="bibr" rid="b3">3</xref>] and (<xref ref-type="bibr" rid="b4">4</xref>).</p>'
           b'<p>See <xref ref-type="fig" rid="f1">Figure 1</xref> and <xref ref-type="table" rid="t1">2</xref>.</p>'
           b'</sec></body></article>')
    (rec,) = records("x.nxml", xml)
    assert rec.text == ("T\n\nResults\nSurvival was 45%[12] at 5 years.\n"
                        "As before [3], and [1–3] and (4).\nSee Figure 1 and 2.\n")


def test_table_without_label_spans_spacers_and_footnote_forms():
    xml = ('<article><front><article-meta><title-group><article-title>T</article-title></title-group>'
           '</article-meta></front><body><sec><title>Results</title><p>Before.</p>'
           '<table-wrap><caption><title>Outcomes.</title><p>By arm.</p></caption><table>'
           '<thead><tr><th/><th colspan="2">HR (95% CI)</th></tr></thead><tbody>'
           '<tr><td rowspan="2">OS</td><td>0.80 (0.70\u20130.90)</td><td>&#x02003;0.85</td></tr>'
           '<tr><td>\u00a0</td><td>\u00a0</td></tr>'
           '<tr><td>0.81</td><td/></tr></tbody></table>'
           '<table-wrap-foot><p><sup>*</sup>Adjusted.</p><fn><label>a</label>Bare text.</fn></table-wrap-foot>'
           '</table-wrap><p>After.</p></sec><p>Trailing note.</p></body></article>')
    (rec,) = records("t.nxml", xml.encode())
    assert rec.text == ("T\n\nResults\nBefore.\nAfter.\n\nTrailing note.\n\n"
                        "Table 1 Outcomes. By arm.\nHR (95% CI)\nOS 0.80 (0.70–0.90) 0.85\n0.81\n"
                        "*Adjusted.\na Bare text.\n")
    (table,) = rec.tables
    assert (table.label, table.caption, table.footnotes) == ("Table 1", "Outcomes. By arm.", "*Adjusted.\na Bare text.")
    assert [[c.text for c in row] for row in table.rows] == [["", "HR (95% CI)"], ["OS", "0.80 (0.70–0.90)", "0.85"],
                                                             ["0.81", ""]]
    assert kinds(rec) == [("title", None), ("results", "Results"), ("other", None),
                          ("table", "Table 1 Outcomes. By arm.")]


def test_lists_boxes_and_alternatives():
    xml = ('<article xmlns:mml="http://www.w3.org/1998/Math/MathML"><front><article-meta><title-group>'
           '<article-title>T</article-title></title-group></article-meta></front><body>'
           '<sec><title>Patients and methods</title>'
           '<p>Eligible if:<list><list-item><p>age \u226518;</p></list-item><list-item><p>ECOG 0\u20131.</p>'
           '</list-item></list></p>'
           '<list list-type="bullet"><list-item><p>First item.</p></list-item><list-item><p>Second item.</p>'
           '</list-item></list>'
           '<boxed-text><caption><title>Box 1</title></caption><p>Boxed.</p></boxed-text>'
           '<p>Dose <inline-formula><alternatives><mml:math><mml:mi>D</mml:mi></mml:math>'
           '<tex-math>D</tex-math></alternatives></inline-formula> = 2 Gy.</p>'
           '<sec><title>Statistical analysis</title><p>Cox models.</p></sec></sec></body></article>')
    (rec,) = records("l.nxml", xml.encode())
    assert rec.text == ("T\n\nPatients and methods\nEligible if: age ≥18; ECOG 0–1.\nFirst item.\nSecond item.\n"
                        "Box 1\nBoxed.\nDose D = 2 Gy.\n\nStatistical analysis\nCox models.\n")
    assert kinds(rec) == [("title", None), ("methods", "Patients and methods"), ("methods", "Statistical analysis")]


def test_whitespace_only_xml_whitespace_collapses():
    xml = ('<article><front><article-meta><title-group><article-title>  A\n  <italic>b</italic>\tc  '
           '</article-title></title-group></article-meta></front><body><p>n\u2009=\u2009138\u00a0359\n  cases'
           '</p></body></article>').encode()
    (rec,) = records("x.nxml", xml)
    assert rec.title == "A b c"
    assert rec.text == "A b c\n\nn\u2009=\u2009138\u00a0359 cases\n"
    assert kinds(rec) == [("title", None), ("results", None)]             # a body without sections


# ---------------------------------------------------------------- extraction on the record

def _figure_key(f) -> tuple:
    return (str(f["endpoint"] if isinstance(f, dict) else f.endpoint).lower(),
            (f["measure"] if isinstance(f, dict) else f.measure).lower(),
            round(float(f["value"] if isinstance(f, dict) else f.value), 3))


@pytest.mark.parametrize("path, gold_name, min_recall", [(BJC, "jats_6605965a.json", 0.95),
                                                         (ANNALS, "jats_mds526.json", 0.9)])
def test_extracted_quotes_are_exact_and_gold_figures_are_found(path, gold_name, min_recall):
    rec = record(path)
    ex = extract_article(rec)
    assert ex.figures and ex.cohorts
    for item in [*ex.figures, *ex.cohorts, *ex.adverse_events]:
        assert rec.text[item.start:item.end] == item.quote
    gold = json.loads((EVAL_GOLD / gold_name).read_text(encoding="utf-8"))["figures"]
    found = [_figure_key(f) for f in ex.figures]
    hits = 0
    for g in gold:
        if _figure_key(g) in found:
            found.remove(_figure_key(g))
            hits += 1
    assert hits / len(gold) >= min_recall


# ---------------------------------------------------------------- sniffing

@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_sniff_accepts_every_nxml(path):
    assert sniff(make_doc(path))


def test_sniff_is_by_content_not_name(tmp_path):
    disguised = tmp_path / "article.txt"
    disguised.write_bytes(BJC.read_bytes())
    assert sniff(make_doc(disguised))
    assert [r.pmid for r in records(disguised)] == ["21045829"]


@pytest.mark.parametrize("path", PUBMED + SEEDS + [EPMC_SEARCH], ids=lambda p: p.name)
def test_sniff_rejects_pubmed_xml_seed_text_and_other_xml(path):
    assert not sniff(make_doc(path))


def test_sniff_needs_jats_evidence_beyond_an_article_root():
    assert not sniff(make_doc("a", b"<?xml version='1.0'?>\n<article><h1>Blog post</h1></article>"))
    assert not sniff(make_doc("b", b"We saved <article><front><article-meta> from PMC.\n"))
    # Europe PMC fullTextXML: no DOCTYPE, but front matter; a pmc-articleset from efetch.
    assert sniff(make_doc("c", b'<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">'
                               b'<front><journal-meta/><article-meta/></front></article>'))
    assert sniff(make_doc("d", b"<?xml version='1.0'?>\n<pmc-articleset><article/></pmc-articleset>"))
    assert sniff(make_doc("e", b'<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Publishing DTD v3.0 20080202//EN" '
                               b'"journalpublishing3.dtd">\n<article/>'))


def test_pipeline_picks_jats_for_jats_only():
    assert pipeline.pick_ingester(make_doc(BJC)).format == "jats-xml"
    assert pipeline.pick_ingester(make_doc(POSTER)).format == "jats-xml"
    assert pipeline.pick_ingester(make_doc(PUBMED[0])).format != "jats-xml"
    assert pipeline.pick_ingester(make_doc(EPMC_SEARCH)).format != "jats-xml"


# ---------------------------------------------------------------- broken and hostile files

def _one_line_reason(path: str, data: bytes) -> str:
    with pytest.raises(ParseError) as err:
        records(path, data)
    reason = err.value.reason
    assert "\n" not in reason and err.value.source == path
    return reason


def test_truncated_file_is_a_one_line_parse_error():
    reason = _one_line_reason("cut.nxml", BJC.read_bytes()[:5000])
    assert reason.startswith("malformed JATS XML: ")


def test_not_xml_and_wrong_root_are_parse_errors():
    assert _one_line_reason("a.nxml", b"\x00\x01 not xml").startswith("malformed JATS XML: ")
    assert _one_line_reason("b.nxml", PUBMED[0].read_bytes()) == \
        "not JATS XML: the root element is <PubmedArticleSet>"
    assert _one_line_reason("c.nxml", b"<article><body><p>x</p></body></article>") == \
        "JATS article without <front><article-meta>"


@pytest.mark.parametrize("subset", [
    b'<!ENTITY e "expanded">',
    b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">',
    b'<!ENTITY x SYSTEM "file:///etc/passwd">',
], ids=["internal", "expansion", "external"])
def test_entity_declarations_are_refused(subset):
    data = BJC.read_bytes()
    head, rest = data.split(b"\n", 1)
    assert head.startswith(b"<!DOCTYPE article PUBLIC") and head.endswith(b'dtd">')
    hostile = head[:-1] + b" [" + subset + b"]>\n" + rest.replace(b"<p>Men tend", b"<p>&e;&c;&x;Men tend", 1)
    assert sniff(make_doc("h.nxml", hostile))                  # still looks like JATS: parse() must refuse it
    t0 = time.perf_counter()
    reason = _one_line_reason("h.nxml", hostile)
    assert reason.startswith("refusing JATS XML that declares entities (") and reason.endswith("PMC files never do")
    assert time.perf_counter() - t0 < 1.0


def test_pmc_articleset_yields_each_article_in_order():
    def body(p: Path) -> bytes:
        return p.read_bytes().split(b"\n", 1)[1]               # drop the DOCTYPE line
    data = b"<?xml version='1.0'?>\n<pmc-articleset>" + body(BJC) + body(ANNALS) + b"</pmc-articleset>"
    recs = records("set.xml", data)
    assert [r.pmid for r in recs] == ["21045829", "23149571"]
    assert recs[1].text == record(ANNALS).text
    assert records("empty.xml", b"<pmc-articleset></pmc-articleset>") == []


# ---------------------------------------------------------------- through the pipeline

def test_ingest_through_pipeline(store, tmp_path):
    report = pipeline.ingest_paths(store, [str(BJC)])
    assert report.ingested == [str(BJC)] and report.failed == [] and report.studies == 1
    assert report.figures >= 48

    assert store.execute("SELECT name, format FROM documents").fetchall() == [("6605965a.nxml", "jats-xml")]
    study = dict(zip(
        ["pmid", "pmcid", "doi", "pub_date", "year", "volume", "issue", "pages", "language", "publication_types",
         "journal", "issn"],
        store.execute("""SELECT s.pmid, s.pmcid, s.doi, s.pub_date, s.year, s.volume, s.issue, s.pages, s.language,
                                s.publication_types, j.name, j.issn
                         FROM studies s JOIN journals j ON j.id = s.journal_id""").fetchone()))
    assert study == {"pmid": "21045829", "pmcid": "PMC2994229", "doi": "10.1038/sj.bjc.6605965",
                     "pub_date": "2010-11", "year": 2010, "volume": "103", "issue": "11", "pages": "1755-1759",
                     "language": "en", "publication_types": json.dumps(["research-article"]),
                     "journal": "British Journal of Cancer", "issn": "0007-0920"}
    authors = store.execute("""SELECT a.name, a.family, a.given FROM study_authors sa
                               JOIN authors a ON a.id = sa.author_id ORDER BY sa.position""").fetchall()
    assert len(authors) == 46 and authors[0] == ("K K Tsilidis", "Tsilidis", "K K")
    assert authors[-1] == tuple(
        [f"{record(BJC).authors[-1].given} {record(BJC).authors[-1].family}",
         record(BJC).authors[-1].family, record(BJC).authors[-1].given])
    # Every stored quote is the stored text at its offsets.
    (text,) = store.execute("SELECT text FROM documents").fetchone()
    assert text == record(BJC).text
    for quote, start, end in store.execute("SELECT quote, start, \"end\" FROM figures"):
        assert text[start:end] == quote

    # Re-ingesting adds nothing, under its own name or another.
    copy = tmp_path / "same.txt"
    copy.write_bytes(BJC.read_bytes())
    again = pipeline.ingest_paths(store, [str(BJC), str(copy)])
    assert again.unchanged == [str(BJC), str(copy)] and again.studies == 0 and again.figures == 0
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 1
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_pipeline_reports_broken_jats_and_keeps_nothing(store, tmp_path):
    cut = tmp_path / "cut.nxml"
    cut.write_bytes(ANNALS.read_bytes()[:20000])
    report = pipeline.ingest_paths(store, [str(cut)])
    ((path, reason),) = report.failed
    assert path == str(cut) and reason.startswith("malformed JATS XML: ")
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM studies").fetchone()[0] == 0
