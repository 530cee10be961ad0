"""Issue 4: the multi-record ingesters stream (constant memory whatever the file size).

* Every real sample of a streaming format (the copies in tests/fixtures of
  ../shared/realdata, plus the written variants) is sniffed and parsed from a Document whose
  `data` raises: only `head` and `open()` are used. Its records are those the ingesters gave
  before streaming: EXPECTED below holds, per file, the format and the record count and a
  digest of the records (every field but `stated`, which extraction's vocabulary shapes), or
  the error, computed with the whole-file ingesters they replace (as of commit 586534a).
  After a deliberate change to what records hold, print it anew with
  `python tests/test_streaming_ingesters.py` and review the difference.
* The helpers in kb.ingesters.stream read JSON and text exactly as json.loads and
  decode_text did, including the errors, and BibTeX pieces fall back to the whole-file
  reading when a piece does not read as it declares.
* A file above KB_MAX_FILE_MB is read (the limit is for formats read whole).
"""
from __future__ import annotations

import codecs
import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from kb.errors import KbError, ParseError
from kb.ingesters import bibtex, crossref, europepmc, ris
from kb.ingesters.base import decode_text
from kb.ingesters.stream import JsonBroken, StreamJsonError, Streamed, json_items, scan_json, text_info, text_lines
from kb.models import HEAD_BYTES, Document
from kb.pipeline import pick_ingester

FIX = Path(__file__).parent / "fixtures"
# Broken JSON: its error is worded by the json module on the whole file, as before.
READ_WHOLE_FOR_ITS_ERROR = {"hostile/truncated_crossref.json"}

# tests/fixtures path -> (format, records, digest) or (format, error reason), before streaming.
EXPECTED = {
    "api/crossref_json/test_works_query.json": ("crossref-json", 2, "922ff4b3257e6104"),
    "api/crossref_json/test_works_with_many_ids__0.json": ("crossref-json", 1, "f6e8c6020afb2dc6"),
    "api/crossref_json/test_works_with_many_ids__1.json": ("crossref-json", 1, "1394caf644c65f0e"),
    "api/crossref_json/test_works_with_many_ids__2.json": ("crossref-json", 1, "009fd4d34680df7f"),
    "api/crossref_json/test_works_with_many_ids__3.json": ("crossref-json", 1, "82ccad4928189d82"),
    "api/crossref_json/test_works_with_many_ids__4.json": ("crossref-json", 1, "b89d9439dd11b313"),
    "api/crossref_json/test_works_with_one_id.json": ("crossref-json", 1, "6ef0281159d863b8"),
    "api/europepmc_json/search_cancer.json": ("europepmc-json", 25, "5ab7f590518434b3"),
    "api/europepmc_json/search_cancer_core.json": ("europepmc-json", 25, "6ddb4cd260c29e85"),
    "api/europepmc_json/search_cancer_idlist.json": ("europepmc-json", 0, "4f53cda18c2baa0c"),
    "api/europepmc_json/search_cancer_page2.json": ("europepmc-json", 5, "12aba70b3f3c0165"),
    "api/europepmc_json/search_no_results.json": ("europepmc-json", 0, "4f53cda18c2baa0c"),
    "api/europepmc_json/search_post_cancer.json": ("europepmc-json", 25, "db6bfc0cd9fb18eb"),
    "api/europepmc_xml/search_cancer.xml": ("europepmc-xml", 25, "700fc0b0ae0be837"),
    "api/europepmc_xml/search_cancer_dc.xml": ("europepmc-xml", 25, "24cc58d3e9a8ff57"),
    "api/openalex_json/W2741809807.json": ("openalex-json", 1, "4bd993cc0d792116"),
    "api/other/NCT00973089.json": ("ctgov-json", 1, "20df3dfa6a6283f3"),
    "api/other/test_content_negotiation_citeproc_json__1.json": ("csl-json", 1, "96cde4f658f81b1b"),
    "api/semanticscholar_json/Citation.json": ("semantic-scholar-json", 1, "e5592f0dc3c4d23e"),
    "api/semanticscholar_json/PaperWithNullValues.json": ("semantic-scholar-json", 0, "4f53cda18c2baa0c"),
    "api/semanticscholar_json/Reference.json": ("semantic-scholar-json", 1, "da156f0d6ea9ee16"),
    "api/semanticscholar_json/test_get_paper_references__0.json": ("semantic-scholar-json", 50, "579ea6763ab27238"),
    "api/semanticscholar_json/test_get_papers.json": ("semantic-scholar-json", 0, "4f53cda18c2baa0c"),
    "api/semanticscholar_json/test_get_papers_return_not_found.json": ("semantic-scholar-json", 3, "5a40626fc1d659ba"),
    "api/semanticscholar_json/test_not_found__0.json": ("semantic-scholar-json",
        "Semantic Scholar error response: Paper with id 0 not found"),
    "api/semanticscholar_json/test_search_paper.json": ("semantic-scholar-json", 100, "884226deb51837f0"),
    "ctgov/classic/NCT00023673.json": ("ctgov-json", 1, "52ee361b8a0c4af2"),
    "ctgov/classic/NCT02028676.json": ("ctgov-json", 1, "567dfb3ea40575ff"),
    "ctgov/v2/NCT00763412.json": ("ctgov-json", 1, "85996f0aded5824b"),
    "ctgov/v2/NCT00973089.json": ("ctgov-json", 1, "20df3dfa6a6283f3"),
    "ctgov/v2/NCT02210780.json": ("ctgov-json", 1, "58d17da78f402c3b"),
    "ctgov/v2/NCT02278341.json": ("ctgov-json", 1, "1470270da67a8614"),
    "ctgov/v2/NCT05594173.json": ("ctgov-json", 1, "dc57593597a24c58"),
    "fetch/crossref/test_works_query.json": ("crossref-json", 2, "922ff4b3257e6104"),
    "fetch/crossref/test_works_with_many_ids__4.json": ("crossref-json", 1, "b89d9439dd11b313"),
    "fetch/crossref/test_works_with_one_id.json": ("crossref-json", 1, "6ef0281159d863b8"),
    "fetch/ctgov/NCT00973089.json": ("ctgov-json", 1, "20df3dfa6a6283f3"),
    "fetch/ctgov/NCT05594173.json": ("ctgov-json", 1, "dc57593597a24c58"),
    "fetch/europepmc/search_cancer.json": ("europepmc-json", 25, "5ab7f590518434b3"),
    "fetch/europepmc/search_cancer_page2.json": ("europepmc-json", 5, "12aba70b3f3c0165"),
    "fetch/europepmc/search_no_results.json": ("europepmc-json", 0, "4f53cda18c2baa0c"),
    "fetch/openalex/W2741809807.json": ("openalex-json", 1, "4bd993cc0d792116"),
    "fetch/semanticscholar/test_get_papers_return_not_found.json": ("semantic-scholar-json", 3, "5a40626fc1d659ba"),
    "fetch/semanticscholar/test_not_found__0.json": ("semantic-scholar-json",
        "Semantic Scholar error response: Paper with id 0 not found"),
    "fetch/semanticscholar/test_search_paper.json": ("semantic-scholar-json", 100, "884226deb51837f0"),
    "hostile/malformed_endnote.xml": ("endnote-xml",
        "malformed EndNote XML after record 0: Opening and ending tag mismatch: style line 4 and "
        "abstract, line 4, column 67 (<string>, line 4)"),
    "hostile/truncated_crossref.json": ("crossref-json",
        "malformed Crossref JSON: Expecting value (line 1, column 901)"),
    "hostile/type_confused_crossref.json": ("crossref-json", 0, "4f53cda18c2baa0c"),
    "hostile/type_confused_openalex.json": ("openalex-json", 1, "8846ee9bad2c01a6"),
    "jats/europepmc_search_cancer.xml": ("europepmc-xml", 25, "700fc0b0ae0be837"),
    "refs/EndnoteXmlImporterTestArticle.xml": ("endnote-xml", 1, "6102baf6fd2d1a0b"),
    "refs/embase.csv": ("csv-export", 6, "b192a620ea48c3d1"),
    "refs/embase.ris": ("ris", 6, "3204112c8f7689f6"),
    "refs/example_bom.ris": ("ris", 1, "0c4ea9e338d7269b"),
    "refs/example_empty_tag.ris": ("ris", 1, "10e0897e96fe4f0a"),
    "refs/example_pubmed.txt": ("medline-nbib", 10, "e5570f20f84e45ec"),
    "refs/example_utf_chars.ris": ("ris", 1, "e4b930d6a6f969fe"),
    "refs/example_wos.ris": ("wos-tagged", 2, "85b70b244ad71de8"),
    "refs/ovid_zotero.ris": ("ris", 6, "0aa36f4f04461e92"),
    "refs/proquest.ris": ("ris", 6, "9ef5745c03409c1c"),
    "refs/pubmed_endnote.txt": ("ris", 6, "112b76b5ffb28079"),
    "refs/pubmed_zotero.ris": ("ris", 6, "b977b28a0fca13e6"),
    "refs/ris_issue_992.txt": ("ris", 19, "1e5aaca624d81862"),
    "refs/scopus.ris": ("ris", 6, "8999dbadbf1e766d"),
    "refs/test_content_negotiation__1.bib": ("bibtex", 1, "9bd4627f1c7f4e7e"),
    "refs/test_content_negotiation_citeproc_json__1.json": ("csl-json", 1, "96cde4f658f81b1b"),
    "refs/web_of_science.txt": ("ris", 10, "f1db75ef885498d7"),
    "refs/written_cite.nbib": ("medline-nbib", 2, "44b3a543ffeed1cd"),
    "refs/written_endnote20.xml": ("endnote-xml", 2, "99a255d715eeaf75"),
    "refs/written_ovid_medline.ris": ("ris", 2, "aae2f276fe5c255c"),
    "refs/written_pubmed.csv": ("csv-export", 2, "0e543310dbefbef2"),
    "refs/written_refs.bib": ("bibtex", 2, "47a1732d4899869f"),
    "refs/written_scopus.csv": ("csv-export", 3, "9fb93e790bd818eb"),
    "refs/written_zotero_csl.json": ("csl-json", 2, "594e3132368cc7be"),
}


class NoData(Document):
    """A document from disk whose bytes may only be streamed."""

    @property
    def data(self) -> bytes:
        raise AssertionError(f"{self.path}: doc.data read by a streaming ingester")


def file_doc(path: Path, cls=Document, max_bytes: int | None = None, name: str | None = None) -> Document:
    raw = path.read_bytes()
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    return cls(name=path.name, path=name or str(path), data=None, sha256=hashlib.sha256(raw).hexdigest(),
               size=len(raw), head=head, max_bytes=max_bytes)


def mem_doc(data: bytes, name: str = "mem") -> Document:
    return Document(name=name, path=name, data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def digest(recs) -> str:
    """The first 16 hex digits of the SHA-256 of the records as JSON, `stated` left out."""
    rows = []
    for r in recs:
        d = dataclasses.asdict(r)
        d.pop("stated")
        rows.append(d)
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=True).encode()).hexdigest()[:16]


def outcome(doc: Document) -> tuple:
    """(format, records, digest), or (format, error reason) for a file that is refused."""
    ing = pick_ingester(doc)
    try:
        recs = list(ing.parse(doc))
    except ParseError as e:
        return ing.format, e.reason
    return ing.format, len(recs), digest(recs)


# ---------------------------------------------------------------- the real samples

def test_expected_covers_every_streaming_format():
    assert {v[0] for v in EXPECTED.values()} == {
        "bibtex", "crossref-json", "csl-json", "csv-export", "ctgov-json", "endnote-xml", "europepmc-json",
        "europepmc-xml", "medline-nbib", "openalex-json", "ris", "semantic-scholar-json", "wos-tagged"}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_sample_streams_the_records_it_gave_before(rel, monkeypatch):
    monkeypatch.chdir(FIX)
    cls = Document if rel in READ_WHOLE_FOR_ITS_ERROR else NoData
    assert outcome(file_doc(FIX / rel, cls, name=rel)) == EXPECTED[rel]


@pytest.mark.parametrize("rel", [r for r, v in sorted(EXPECTED.items()) if len(v) == 3][::4])
def test_real_sample_from_memory_gives_the_same_records(rel):
    """A document in memory (standard input) goes through the same streaming code."""
    doc = mem_doc((FIX / rel).read_bytes(), rel)
    assert outcome(doc) == EXPECTED[rel]


def test_streaming_ignores_the_whole_file_limit(tmp_path):
    """KB_MAX_FILE_MB is for formats read whole: a RIS export above it is read all the same."""
    one = (FIX / "refs" / "scopus.ris").read_bytes()
    big = tmp_path / "big.ris"
    big.write_bytes(one * 6)
    doc = file_doc(big, NoData, max_bytes=len(one))
    assert len(list(pick_ingester(doc).parse(doc))) == 36


# ---------------------------------------------------------------- errors as before

def test_cut_europepmc_xml_is_worded_as_when_parsed_whole(tmp_path):
    """lxml words some errors differently when streaming; a malformed file within the limit
    is parsed whole for its message."""
    cut = tmp_path / "cut.xml"
    cut.write_bytes((FIX / "api" / "europepmc_xml" / "search_cancer.xml").read_bytes()[:5000])
    with pytest.raises(ParseError, match=r"Couldn't find end of Start Tag pubYea line 1, line 1, column 5000"):
        list(europepmc.EuropePmcXmlIngester().parse(file_doc(cut, max_bytes=1 << 20)))
    with pytest.raises(ParseError, match=r": malformed Europe PMC XML: Couldn't find end of Start Tag pubYea, line 1"):
        list(europepmc.EuropePmcXmlIngester().parse(file_doc(cut, NoData, max_bytes=100)))


def test_broken_json_above_the_limit_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes((FIX / "api" / "crossref_json" / "test_works_query.json").read_bytes()[:3000])
    doc = file_doc(path, NoData, max_bytes=2999)
    assert crossref.CrossrefIngester().sniff(doc.head, doc)
    with pytest.raises(ParseError) as e:
        list(crossref.CrossrefIngester().parse(doc))
    assert str(e.value).startswith(f"{path}: malformed Crossref JSON: ") and "\n" not in str(e.value)


# ---------------------------------------------------------------- JSON read as json.loads reads it

JSON_CASES = [
    b'{"a": [1, 2.5, -0, -0.0, 1E2, true, null, "x\\u00e9\\ud83d\\ude00"], "b": {"c": []}}',
    b'{"a": 1, "a": [3]}',                       # duplicate key: the last wins, in the first's place
    b'\xef\xbb\xbf[{"x": 1}, null, 7]',
    b'["\\ud800 lone"]', b'["\\udc00"]',        # ijson reads a lone surrogate otherwise
    b'[1,\x0c2]', b'[1,\x0b2]',                  # ijson takes FF and VT for white space
    b"[NaN, Infinity]", b"[1e999]", b"[123456789012345678901234567890]",
    b"[1] trailing", b"[1] [2]", b"[1]\n\n  ", b"", b"   ", b'{"a": [1, 2', b'["\xff"]', b'["a\x01"]',
    b"[" * 3000 + b"]" * 3000,
]


def loads_then_lists(data: bytes):
    try:
        body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        return ("ok", json.dumps(json.loads(body.decode("utf-8"))))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        return ("error", type(e).__name__, str(e))


def scanned(doc: Document, stream_at=((), ("a",), ("b", "c"))):
    def rebuild(v):
        if isinstance(v, Streamed):
            return [rebuild(x) for _, x in json_items(doc, scan, v)]
        return {k: rebuild(x) for k, x in v.items()} if isinstance(v, dict) else v

    try:
        scan = scan_json(doc, stream_at)
        return ("ok", json.dumps(rebuild(scan.root)))
    except JsonBroken as b:
        return ("error", type(b.error).__name__, str(b.error))


@pytest.mark.parametrize("data", JSON_CASES, ids=range(len(JSON_CASES)))
def test_scan_json_reads_what_json_loads_reads(data):
    assert scanned(mem_doc(data)) == loads_then_lists(data)


def test_scan_json_streams_only_the_given_lists(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"meta": {"n": 3}, "results": [{"i": i} for i in range(3)], "tail": [1, 2]}))
    doc = file_doc(path, NoData)
    scan = scan_json(doc, [("results",)], check=lambda p, x: x["i"] % 2)
    assert scan.root["tail"] == [1, 2] and scan.root["meta"] == {"n": 3}
    lst = scan.root["results"]
    assert isinstance(lst, Streamed) and lst.count == 3 and lst.tags == {0, 1} and list(lst) == []
    assert [x for _, x in json_items(doc, scan, lst)] == [{"i": 0}, {"i": 1}, {"i": 2}]


def test_broken_json_over_the_limit_says_so_without_loading(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b'{"results": [1, 2] } extra')
    with pytest.raises(JsonBroken) as e:
        scan_json(file_doc(path, NoData, max_bytes=4), [("results",)])
    assert isinstance(e.value.error, StreamJsonError) and e.value.error.extra_data


# ---------------------------------------------------------------- text decoded as decode_text decodes it

PROSE = "TY  - JOUR\nTI  - Caf\u00e9 au lait \u2013 r\u00e9sum\u00e9\nER  - \n"
TEXT_CASES = {
    "utf8": PROSE.encode(), "bom": codecs.BOM_UTF8 + PROSE.encode(), "utf16": PROSE.encode("utf-16"),
    "utf16le": PROSE.encode("utf-16-le"), "utf16be": PROSE.encode("utf-16-be"),
    "crlf": PROSE.replace("\n", "\r\n").encode(), "cr": PROSE.replace("\n", "\r").encode(),
    "latin1": PROSE.encode("latin-1", "replace"),
    "late_bad_byte": PROSE.encode() * 3000 + b"\xff" + PROSE.encode(),
    "late_latin1": PROSE.encode("ascii", "replace") * 3000 + "\u00e9".encode("latin-1"),
    "nul": PROSE.encode() + b"\x00", "bom_nul": codecs.BOM_UTF8 + PROSE.encode() + b"\x00",
    "bom_junk": codecs.BOM_UTF8 + PROSE.encode() + b"\xff", "utf16_odd": PROSE.encode("utf-16-le") + b"x",
}


def whole_lines(doc: Document):
    try:
        return ("ok", list(ris.iter_lines(decode_text(doc))))
    except ParseError as e:
        return ("error", str(e))


def streamed_lines(doc: Document):
    try:
        return ("ok", list(text_lines(doc)))
    except ParseError as e:
        return ("error", str(e))


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_text_lines_are_decode_text_lines(name, tmp_path):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(TEXT_CASES[name])
    try:
        legacy = text_info(file_doc(path)).encoding is None      # only detection on the whole file tells
    except ParseError:
        legacy = False
    doc = file_doc(path, Document if legacy else NoData)
    assert streamed_lines(doc) == whole_lines(mem_doc(TEXT_CASES[name], name=path.name))


# ---------------------------------------------------------------- BibTeX pieces

BIB = """% a comment line
@string{jcv = "J Clin Virol"}
@article{first, title = {One}, journal = jcv, year = 2020}
@article{second, title = {Two {nested} braces}, journal = jcv, month = aug, year = 2021}
"""


def test_bibtex_macros_carry_over_from_piece_to_piece():
    recs = list(bibtex.BibtexIngester().parse(mem_doc(BIB.encode())))
    assert [(r.title, r.journal.name, r.pub_date) for r in recs] == [("One", "J Clin Virol", "2020"),
                                                                     ("Two nested braces", "J Clin Virol", "2021-08")]


@pytest.mark.parametrize("broken", [
    BIB.replace("{Two {nested}", "{Two {nested"),                     # runs into the next piece: lost
    BIB + "@article{third, title = {x\n@article{fourth, title = {y}}\n",
    BIB.replace('@string{jcv = "J Clin Virol"}', '@string{jcv = "J Clin Virol}'),
    BIB.replace("journal = jcv, year = 2020", "journal = undefinedmacro, year = 2020"),
])
def test_bibtex_piece_that_reads_otherwise_falls_back_to_the_whole_file(broken):
    doc = mem_doc(broken.encode())
    try:
        expected = ("ok", [r.title for r in bibtex.whole_file_records(doc)])
    except KbError as e:
        expected = ("error", str(e))
    try:
        got = ("ok", [r.title for r in bibtex.BibtexIngester().parse(doc)])
    except KbError as e:
        got = ("error", str(e))
    assert got == expected


if __name__ == "__main__":          # print EXPECTED anew from the ingesters as they are now
    formats = {v[0] for v in EXPECTED.values()}
    print("EXPECTED = {")
    for path in sorted(p for p in FIX.rglob("*") if p.is_file()):
        rel = path.relative_to(FIX).as_posix()
        try:
            if pick_ingester(file_doc(path)).format in formats:
                print(f"    {rel!r}: {outcome(file_doc(path, name=rel))!r},")
        except ParseError:
            continue
    print("}")
