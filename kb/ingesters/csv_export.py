"""Spreadsheet exports of search results: Embase, Scopus, PubMed, Web of Science (CSV / TSV).

A header row names the columns; names are matched case-insensitively and ignoring
punctuation (`Title`, `Article Title`, `Document Title`, `TI`; `Authors`, `Author Names`,
`Author(s)`, `AU`; `Year`, `Publication Year`, `PY`; `Source title`, `Journal`,
`Journal/Book`, `SO`; `Page start`/`Page end`; `Author Keywords`, `Index Keywords`, ...).
A file whose header has no title-like column is not this format. The delimiter (comma,
semicolon or tab) is read off the header. The file is decoded as it is read
(kb.ingesters.stream) and rows are streamed with the csv module, which also handles quoted
newlines inside abstracts: memory stays flat whatever the size.

Embase puts the journal, year, volume, issue and pages in one `Source` cell
("Cancer (2004) 102:4 (253-258). Date of Publication: 25 Aug 2004") and the DOI and ISSN in
the `Open URL Link`; both are read. A row with more or fewer cells than the header is a
broken file: ParseError naming the row.
"""
from __future__ import annotations

import csv
import io
import re
from itertools import chain
from typing import Iterable, Iterator
from urllib.parse import parse_qs, urlsplit

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import decode_text
from kb.ingesters.ris import clean, doi_from_url, find_doi, find_issn, has_content, join_pages, make_record, \
    parse_date, parse_person, pmid_from_url, split_keywords
from kb.ingesters.stream import open_text, text_info
from kb.models import ArticleRecord, Document

FORMAT = "csv-export"
DELIMITERS = (",", ";", "\t")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# Field -> column names (compared as _key). The first column present wins.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("Title", "Article Title", "Document Title", "Primary Title", "TI", "T1"),
    "abstract": ("Abstract", "AB", "N2"),
    "authors": ("Author full names", "Authors", "Author Names", "Author(s)", "Author", "Full Author Names",
                "AF", "AU"),
    "year": ("Year", "Publication Year", "Pub Year", "PY", "Year Published"),
    "date": ("Publication Date", "Date of Publication", "PD", "Date"),
    "citation": ("Citation",),
    "doi": ("DOI", "DI", "DO"),
    "pmid": ("PMID", "PubMed ID", "Pubmed Id", "PM", "Medline PMID"),
    "pmcid": ("PMCID", "PMC ID"),
    "journal": ("Source title", "Journal", "Journal/Book", "Journal Title", "Source Title", "Publication Title",
                "SO", "JT"),
    "issn": ("ISSN", "SN", "eISSN", "EI"),
    "volume": ("Volume", "VL"),
    "issue": ("Issue", "IS", "Number"),
    "pages": ("Pages", "Page", "Page Range"),
    "page_start": ("Page start", "Start Page", "BP"),
    "page_end": ("Page end", "End Page", "EP"),
    "keywords": ("Author Keywords", "Keywords", "DE", "OT"),
    "index_keywords": ("Index Keywords", "Keywords Plus", "Emtree Medical Index Terms", "Emtree Drug Index Terms",
                       "MeSH Terms", "ID", "MH"),
    "publication_types": ("Document Type", "Publication Type", "Publication Types", "DT", "PT"),
    "language": ("Language of Original Document", "Language", "LA"),
    "source": ("Source",),
    "open_url": ("Open URL Link",),
    "link": ("Link", "URL"),
    "trials": ("Clinical Trial Numbers",),
}
TITLE_KEYS = {_key(c) for c in COLUMNS["title"]}
OTHER_KEYS = {_key(c) for f, cols in COLUMNS.items() if f != "title" for c in cols}

_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s+\((?P<year>\d{4})\)\s*(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?\s*"
    r"(?:\((?P<pages>[^)]*)\))?\.?\s*(?:Date of Publication:\s*(?P<date>.+?))?\s*$")
# PubMed's Citation cell: "Eur J Med Genet. 2020 Feb;63(2):103640. doi: ..."
_PUBMED_CITATION = re.compile(r"^(?P<journal>[^.]+(?:\.[^.;]+)*?)\.\s+(?P<date>\d{4}[^;:.]*)"
                              r"(?:;(?P<volume>[^(:;.]+)?(?:\((?P<issue>[^)]+)\))?(?::(?P<pages>[^.;]+))?)?")
_NCT = re.compile(r"\bNCT\d{8}\b")


def header_of(text: str) -> tuple[list[str], str] | None:
    """The header cells and delimiter of the first line, or None when it is no export header."""
    first = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"), maxsplit=1)[0]
    best: tuple[list[str], str] | None = None
    for d in DELIMITERS:
        try:
            cells = next(csv.reader([first], delimiter=d))
        except (csv.Error, StopIteration):
            continue
        if len(cells) >= 2 and (best is None or len(cells) > len(best[0])):
            best = ([c.strip() for c in cells], d)
    if best is None:
        return None
    keys = [_key(c) for c in best[0]]
    if not TITLE_KEYS & set(keys) or not OTHER_KEYS & set(keys):
        return None
    if len(keys) == 2 and not set(keys) <= TITLE_KEYS | OTHER_KEYS:
        return None      # two columns (ASReview's minimal `title,abstract`) only when both are known
    if any(len(c) > 80 for c in best[0]):       # a header names columns, it does not hold prose
        return None
    return best


class CsvExportIngester:
    format = FORMAT
    priority = 30

    def sniff(self, head: bytes, doc: Document) -> bool:
        try:
            s = head.decode("utf-8-sig") if not head.startswith((b"\xff\xfe", b"\xfe\xff")) else head.decode("utf-16")
        except UnicodeDecodeError:
            s = head.decode("utf-8", "ignore")
        if "\x00" in s[:4096]:
            return False
        return header_of(s) is not None

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        info = text_info(doc)
        if info.encoding is None:                 # a legacy encoding: decoded whole
            text = decode_text(doc)
            source: io.TextIOBase = io.StringIO(text, newline="")
            mac = "\r" in text and "\n" not in text
        else:
            source, mac = open_text(doc, info), info.has_cr and not info.has_lf
        with source:
            yield from self._rows(doc, source, mac)

    def _rows(self, doc: Document, lines: Iterable[str], mac: bool) -> Iterator[ArticleRecord]:
        if mac:                                   # classic Mac line ends: the csv module wants \n or \r\n
            lines = (line.replace("\r", "\n") for line in lines)
        lines = iter(lines)
        first = next(lines, "").lstrip("\ufeff")
        found = header_of(first)
        if found is None:
            raise ParseError(doc.path, "the first line is not a header with a title column")
        header, delimiter = found
        columns = column_map(header)
        reader = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
        try:
            next(reader)
            for row in reader:
                if not any(c.strip() for c in row):
                    continue
                n = reader.line_num
                if len(row) != len(header) and not (len(row) == len(header) + 1 and not row[-1].strip()):
                    raise ParseError(doc.path, f"row ending at line {n} has {len(row)} cells, "
                                               f"the header has {len(header)}")
                try:
                    rec = build_record({f: row[i] for f, i in columns.items() if i < len(row)})
                except ValueError as e:
                    raise ParseError(doc.path, f"row ending at line {n}: {e}") from None
                if has_content(rec):
                    yield rec
        except csv.Error as e:
            raise ParseError(doc.path, f"malformed CSV near line {reader.line_num}: {e}") from None


def column_map(header: list[str]) -> dict[str, int]:
    """Field name -> column index, the first matching column name in COLUMNS order."""
    index = {}
    for i, name in enumerate(header):
        index.setdefault(_key(name), i)
    out = {}
    for field, names in COLUMNS.items():
        for n in names:
            if _key(n) in index:
                out[field] = index[_key(n)]
                break
    return out


def split_authors(value: str | None) -> list[str]:
    """Names in an authors cell.

    'Labanski, A.; Langhorst, J.' (';' between names), 'Liu R., Adler D.G.' or 'Smith J, Doe A'
    (',' between names that each have a space), 'Uno, Yoshiharu' (one 'Family, Given' name);
    Scopus full names carry an author id in parentheses, which is dropped.
    """
    value = re.sub(r"\s*\(\d+\)", "", clean(value) or "")
    if not value:
        return []
    if ";" in value:
        return [x.strip() for x in value.split(";") if x.strip()]
    parts = [x.strip() for x in value.split(",") if x.strip()]
    if all(" " in x for x in parts):
        return parts
    if len(parts) % 2 == 0:                     # Family, Given, Family, Given
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    return [value]


def parse_source(source: str | None) -> dict:
    m = _EMBASE_SOURCE.match(clean(source) or "")
    return {k: v for k, v in m.groupdict().items() if v} if m else {}


def parse_citation(citation: str | None) -> dict:
    m = _PUBMED_CITATION.match(clean(citation) or "")
    return {k: v.strip() for k, v in m.groupdict().items() if v and v.strip()} if m else {}


def parse_open_url(url: str | None) -> dict:
    if not url or "?" not in url:
        return {}
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if v and v[0].strip()}
    return {"doi": doi_from_url(url), "issn": find_issn(q.get("issn")), "volume": q.get("volume"),
            "issue": q.get("issue"), "pages": join_pages(q.get("spage"), q.get("epage"))}


def build_record(row: dict[str, str]) -> ArticleRecord:
    get = lambda f: clean(row.get(f))  # noqa: E731
    source = parse_source(get("source")) if get("source") and not get("journal") else parse_citation(get("citation"))
    openurl = parse_open_url(get("open_url"))
    year = get("year") or source.get("year")
    date = parse_date(source.get("date") or get("date"), year=year)
    if not date or (year and date[:4] != year[:4]):
        date = parse_date(year)
    trials = _NCT.findall(get("trials") or "")
    pmid = get("pmid") or pmid_from_url(get("link"))
    return make_record(
        FORMAT,
        title=get("title"),
        abstract=get("abstract"),
        authors=[a for a in map(parse_person, split_authors(get("authors"))) if a],
        journal_name=get("journal") or source.get("journal"),
        issn=find_issn(get("issn")) or openurl.get("issn"),
        volume=get("volume") or source.get("volume") or openurl.get("volume"),
        issue=get("issue") or source.get("issue") or openurl.get("issue"),
        pages=get("pages") or join_pages(get("page_start"), get("page_end")) or source.get("pages")
        or openurl.get("pages"),
        pub_date=date,
        doi=find_doi(get("doi")) or openurl.get("doi") or doi_from_url(get("link") or ""),
        pmid=pmid if pmid and pmid.isdigit() else None,
        pmcid=get("pmcid"),
        nct_id=trials[0] if trials else None,
        keywords=split_keywords(get("keywords")) + split_keywords(get("index_keywords")),
        publication_types=split_keywords(get("publication_types")),
        language=get("language"),
        extra={"trial_ids": trials if len(trials) > 1 else None},
    )


@hookimpl
def register_ingesters():
    return [CsvExportIngester()]
