"""PubMed/MEDLINE XML: efetch `PubmedArticleSet` and baseline `MedlineCitationSet` files.

Plain or gzip-compressed (told apart by the magic bytes, never the file name). The XML is
streamed with lxml iterparse and every citation is cleared once it has been turned into an
ArticleRecord, so a 30,000-citation baseline file is read in constant memory; the gzip
layer is decompressed as the parser asks for bytes, under a cap (KB_MAX_DECOMPRESSED_MB).

The parser never loads a DTD, never touches the network and never resolves entities. The
DOCTYPE line NCBI writes is normal and tolerated; a file that *declares* entities in an
internal subset is not something NCBI produces and is refused.

Each citation becomes one record whose `text` is the title, a blank line and the abstract
(structured paragraphs as "LABEL: text", separated by blank lines), with "title" and
"abstract" spans pointing into it. `DeleteCitation` entries of update files yield no record;
`deleted_pmids(doc)` lists them for a caller that wants to act on them. `PubmedBookArticle`
entries (NCBI Bookshelf chapters and books, which efetch returns among articles) are records
too: the chapter's title (else the book's), abstract, authors (never the book's editors), the
chapter's contribution date (else the book's), and the book's title and publisher in `extra`.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from lxml import etree

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import flatten, normalise_doi, refuse_declared_entities, tag_name
from kb.models import ArticleRecord, Author, Document, Journal, Span

FORMAT = "pubmed-xml"
ROOTS = ("PubmedArticleSet", "MedlineCitationSet")

# A baseline file is ~200 MB decompressed; a gzip bomb is many GB. KB_MAX_DECOMPRESSED_MB overrides.
DEFAULT_MAX_DECOMPRESSED_MB = 2048
GZIP_MAGIC = b"\x1f\x8b"
# How much of a gzip file sniff() inflates to find the root element (the prolog is < 1 KB).
SNIFF_INFLATE_BYTES = 16384
READ_CHUNK = 64 * 1024

# Safe by construction: no DTD, no network, no entity substitution, libxml2's default limits.
PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False,
                      dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True)

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MEDLINE_DATE = re.compile(r"\s*(\d{4})(?:[\s-]+([A-Za-z]{3,})\.?(?:\s+(\d{1,2})\b)?)?")
_BRACKETED = re.compile(r"^\[(.+)\](\.?)$", re.S)
_PMC = re.compile(r"^(PMC\d+)")
_YEAR = re.compile(r"\d{4}")
# Labels NLM writes on abstracts that have no real structure.
_NO_LABEL = {"UNLABELLED", "UNLABELED"}
# ArticleTitle "[Not Available]." is NLM's placeholder for a title that was not translated.
NOT_AVAILABLE = "not available"


@dataclass
class DeletedCitations:
    """A `DeleteCitation` entry of a MEDLINE update file: PMIDs to withdraw."""
    pmids: list[str]


class PubmedXmlIngester:
    format = FORMAT
    priority = 60

    def sniff(self, head: bytes, doc: Document) -> bool:
        if head.startswith(GZIP_MAGIC):
            head = inflate_head(head)
        return root_name(head) in ROOTS

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        for entry in parse_entries(doc):
            if isinstance(entry, ArticleRecord):
                yield entry


    def split(self, doc: Document, records: int) -> Iterator[bytes] | None:
        return split_parts(doc, records)


def deleted_pmids(doc: Document) -> list[str]:
    """PMIDs listed in the file's DeleteCitation entries (update files), in file order."""
    return [p for e in parse_entries(doc) if isinstance(e, DeletedCitations) for p in e.pmids]


# ---------------------------------------------------------------- sniffing

def inflate_head(head: bytes) -> bytes:
    """The first bytes of a gzip stream's content; b"" when it is not valid gzip."""
    try:
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(head, SNIFF_INFLATE_BYTES)
    except zlib.error:
        return b""


def root_name(head: bytes) -> str | None:
    """Name of the first element after the XML declaration, DOCTYPE, comments and PIs."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    pos, n = 0, len(head)
    while pos < n:
        if head[pos:pos + 1].isspace():
            pos += 1
        elif head.startswith(b"<?", pos):
            pos = _after(head, b"?>", pos + 2)
        elif head.startswith(b"<!--", pos):
            pos = _after(head, b"-->", pos + 4)
        elif head.startswith(b"<!DOCTYPE", pos):
            gt, bracket = head.find(b">", pos), head.find(b"[", pos)
            if 0 <= bracket < gt:           # internal subset: skip to "]" then ">"
                pos = _after(head, b">", _after(head, b"]", bracket))
            else:
                pos = _after(head, b">", pos)
        else:
            m = re.match(rb"<([A-Za-z_][\w.:-]*)", head[pos:pos + 200])
            return m.group(1).decode("ascii", "replace") if m else None
    return None


def _after(data: bytes, token: bytes, start: int) -> int:
    i = data.find(token, start) if start >= 0 else -1
    return len(data) + 1 if i < 0 else i + len(token)


# ---------------------------------------------------------------- streaming

def max_decompressed_mb(source: str) -> float:
    raw = os.environ.get("KB_MAX_DECOMPRESSED_MB", str(DEFAULT_MAX_DECOMPRESSED_MB))
    try:
        mb = float(raw)
    except ValueError:
        mb = -1.0
    if not mb > 0:
        raise ParseError(source, f"KB_MAX_DECOMPRESSED_MB must be a positive number of MB, not {raw!r}")
    return mb


class CappedGzipReader(io.RawIOBase):
    """Inflates gzip as it is read and raises ParseError past `limit` bytes of output."""

    def __init__(self, raw: BinaryIO, limit_mb: float, source: str):
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._limit_mb = limit_mb
        self._limit = int(limit_mb * 1024 * 1024)
        self._source = source
        self.bytes_out = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._gz.close()
            self._raw.close()
        super().close()

    def read(self, size: int = -1) -> bytes:
        want = READ_CHUNK if size is None or size < 0 else size
        try:
            chunk = self._gz.read(min(want, self._limit - self.bytes_out + 1))
        except (OSError, EOFError, zlib.error) as e:
            raise ParseError(self._source, f"truncated or corrupt gzip data: {e}") from None
        self.bytes_out += len(chunk)
        if self.bytes_out > self._limit:
            raise ParseError(self._source, f"decompresses to more than the {self._limit_mb:g} MB "
                                           "limit (KB_MAX_DECOMPRESSED_MB)")
        return chunk


def open_stream(doc: Document):
    """A binary reader of the XML: the bytes themselves, or a capped gzip inflater."""
    if doc.head.startswith(GZIP_MAGIC):
        return CappedGzipReader(doc.open(), max_decompressed_mb(doc.path), doc.path)
    return doc.open()


def parse_entries(doc: Document) -> Iterator[ArticleRecord | DeletedCitations]:
    """Stream the file: one ArticleRecord per citation, one DeletedCitations per DeleteCitation.

    Only children of the root are records (a MedlineCitation inside PubmedArticle, or a PMID
    inside CommentsCorrections, is not); each is cleared and dropped from the tree once read.
    """
    # Another root is never reported by the parse (only PubMed's tags are asked for): refused here.
    name = root_name(inflate_head(doc.head) if doc.head.startswith(GZIP_MAGIC) else doc.head)
    if name not in ROOTS:
        raise ParseError(doc.path, f"not PubMed XML: the root element is <{name}>" if name else
                         "not PubMed XML: no readable root element")
    with open_stream(doc) as stream:
        yield from _entries(stream, doc.path)


# The elements iterparse reports: roots and records (lxml skips the rest in C, which made
# parsing a third faster than a Python event for every element).
_EVENT_TAGS = (*ROOTS, "PubmedArticle", "PubmedBookArticle", "MedlineCitation", "DeleteCitation")


def _entries(stream: BinaryIO, source: str) -> Iterator[ArticleRecord | DeletedCitations]:
    root = None
    events = etree.iterparse(stream, events=("start", "end"), tag=_EVENT_TAGS, **PARSER_OPTIONS)
    try:
        for event, elem in events:
            if root is None:
                root = elem
                check_root(elem, source)
                continue
            if event == "start" or elem.getparent() is not root:
                continue
            entry = build_entry(elem)
            if entry is not None:
                yield entry
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del root[0]
    except etree.XMLSyntaxError as e:
        raise ParseError(source, f"malformed PubMed XML: {_one_line(e)}") from None


# ---------------------------------------------------------------- parts for --workers

# The elements that are records, by root: where a file may be cut. (A MedlineCitation inside
# a PubmedArticle is not one.)
_RECORD_ENDS = {
    "PubmedArticleSet": re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|</(?:PubmedArticle|PubmedBookArticle|DeleteCitation)>", re.S),
    "MedlineCitationSet": re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|</(?:MedlineCitation|DeleteCitation)>", re.S),
}
_ROOT_START = re.compile(rb"<(PubmedArticleSet|MedlineCitationSet)\b[^>]*>")
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_ASCII_SUPERSETS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}


def split_parts(doc: Document, records: int) -> Iterator[bytes] | None:
    """The file as self-contained PubMed XML files of about `records` records each (its
    prolog repeated before each), to be parsed in parallel; None when it cannot be cut on
    its bytes (UTF-16, or a DOCTYPE with an internal subset, which the serial parse refuses).
    Cuts fall only after a record's end tag outside comments and CDATA; a file cut wrongly
    would fail to parse, never yield a wrong record."""
    head = inflate_head(doc.head) if doc.head.startswith(GZIP_MAGIC) else doc.head
    root = root_name(head)
    m = _ROOT_START.search(head)
    if root not in _RECORD_ENDS or m is None or m.group(1).decode() != root:
        return None
    prolog = head[:m.end()]
    enc = _ENCODING.match(prolog)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in prolog or b"<!DOCTYPE" in prolog and b"[" in prolog \
            or (enc and enc.group(1).decode().lower() not in _ASCII_SUPERSETS):
        return None
    return _cut(doc, prolog, _RECORD_ENDS[root], f"</{root}>".encode(), records)


def _cut(doc: Document, prolog: bytes, ends: re.Pattern, close: bytes, records: int) -> Iterator[bytes]:
    with open_stream(doc) as stream:
        stream.read(len(prolog))   # the prolog itself, repeated before every part
        body: list[bytes] = []
        count = 0
        pending = b""
        while True:
            chunk = stream.read(READ_CHUNK)
            pending += chunk
            done = scanned = 0
            for m in ends.finditer(pending):
                # (searched in place: a slice copied every record's bytes once more)
                if pending.find(b"<!--", scanned, m.start()) >= 0 or pending.find(b"<![CDATA[", scanned, m.start()) >= 0:
                    break               # a comment or CDATA not closed yet: read on
                scanned = m.end()
                if not m.group().startswith(b"</"):
                    continue            # a comment or CDATA section, skipped whole
                body.append(pending[done:m.end()])
                done = m.end()
                count += 1
                if count == records:
                    yield prolog + b"".join(body) + b"\n" + close + b"\n"
                    body, count = [], 0
            pending = pending[done:]
            if not chunk:
                break
        yield prolog + b"".join(body) + pending   # the rest, with the root's end tag


def check_root(root, source: str) -> None:
    if root.tag not in ROOTS:
        raise ParseError(source, f"not PubMed XML: the root element is <{tag_name(root)}>")
    refuse_declared_entities(root, source, "PubMed XML", "NCBI files never do")


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def build_entry(elem) -> ArticleRecord | DeletedCitations | None:
    if elem.tag == "PubmedArticle":
        citation = first(elem, "MedlineCitation")
        return build_record(citation, first(elem, "PubmedData")) if citation is not None else None
    if elem.tag == "MedlineCitation":
        return build_record(elem, None)
    if elem.tag == "DeleteCitation":
        return DeletedCitations([p for p in (text_of(e) for e in elem.iter("PMID")) if p])
    if elem.tag == "PubmedBookArticle":
        return build_book_record(elem)
    return None  # anything unknown


# ---------------------------------------------------------------- text helpers

def every(el, path: str):
    """The elements at a path of child tags ('AuthorList/Author'), in document order, as
    el.iterfind(path) gives them, found with lxml's iterchildren, which runs in C: iterfind
    and find run ElementPath in Python, and one PubMed record asks for some forty paths."""
    if "/" not in path:
        return el.iterchildren(path)
    tags = _PATHS.get(path)
    if tags is None:
        tags = _PATHS[path] = tuple(path.split("/"))
    return _descend(el, tags)


def _descend(el, tags: tuple[str, ...]):
    for child in el.iterchildren(tags[0]):
        if len(tags) == 1:
            yield child
        else:
            yield from _descend(child, tags[1:])


_PATHS: dict[str, tuple[str, ...]] = {}


def first(el, path: str):
    """The first element at a path of child tags, as el.find(path) gives it (see every)."""
    return next(el.iterchildren(path) if "/" not in path else every(el, path), None)


def text_of(el) -> str | None:
    """Flattened, whitespace-collapsed text; None when absent or blank."""
    if el is None:
        return None
    # Most are leaves (a name, a date part, an id): their text is all there is.
    s = " ".join((el.text or "").split() if len(el) == 0 else flatten(el).split())
    return s or None


def texts(parent, path: str) -> list[str]:
    if parent is None:
        return []
    return [t for t in (text_of(e) for e in every(parent, path)) if t]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------- fields

def parse_pmid(citation) -> str | None:
    return text_of(first(citation, "PMID"))


def parse_doi(article, pubmed_data) -> str | None:
    for el in (every(pubmed_data, "ArticleIdList/ArticleId") if pubmed_data is not None else ()):
        if el.get("IdType") == "doi" and text_of(el):
            return normalise_doi(text_of(el))
    for el in (every(article, "ELocationID") if article is not None else ()):
        if el.get("EIdType") == "doi" and el.get("ValidYN", "Y") != "N" and text_of(el):
            return normalise_doi(text_of(el))
    return None


def parse_pmcid(citation, pubmed_data) -> str | None:
    for el in (every(pubmed_data, "ArticleIdList/ArticleId") if pubmed_data is not None else ()):
        if el.get("IdType") == "pmc" and text_of(el):
            return text_of(el).upper()
    for el in every(citation, "OtherID"):          # baseline files without PubmedData
        m = _PMC.match(text_of(el) or "")
        if el.get("Source") == "NLM" and m:
            return m.group(1)
    return None


def parse_title(article) -> tuple[str | None, bool]:
    """ArticleTitle, and whether NLM marked it as translated by [brackets]."""
    title = text_of(first(article, "ArticleTitle")) if article is not None else None
    m = _BRACKETED.match(title or "")
    if m and "[" not in m.group(1) and "]" not in m.group(1):
        return m.group(1) + m.group(2), True
    return title, False


def parse_vernacular_title(article) -> str | None:
    return text_of(first(article, "VernacularTitle")) if article is not None else None


def parse_languages(article) -> list[str]:
    return _dedupe(texts(article, "Language"))


def vernacular_language(languages: list[str]) -> str | None:
    """The language of a VernacularTitle: the first non-English language of the article."""
    return next((lang for lang in languages if lang != "eng"), None)


def parse_abstract(article) -> tuple[str | None, list[dict]]:
    """Paragraphs joined by blank lines, "LABEL: text" when labelled; plus each part's offsets."""
    paragraphs: list[str] = []
    sections: list[dict] = []
    pos = 0
    for el in (every(article, "Abstract/AbstractText") if article is not None else ()):
        body = text_of(el)
        if not body:
            continue
        label = " ".join((el.get("Label") or "").split()) or None
        if label and label.upper() in _NO_LABEL:
            label = None
        para = f"{label}: {body}" if label else body
        if paragraphs:
            pos += 2
        sections.append({"label": label, "category": el.get("NlmCategory"), "start": pos, "end": pos + len(para)})
        paragraphs.append(para)
        pos += len(para)
    return ("\n\n".join(paragraphs) or None), sections


_AUTHOR_PARTS = ("CollectiveName", "LastName", "ForeName", "Initials", "Suffix")


def parse_author(el) -> Author | None:
    part: dict = {}
    for child in el.iterchildren(*_AUTHOR_PARTS):   # one pass; the first of each, as find() gives
        part.setdefault(child.tag, child)
    collective = text_of(part.get("CollectiveName"))
    if collective:
        return Author(name=collective, collective=True)
    family = text_of(part.get("LastName"))
    given = text_of(part.get("ForeName")) or text_of(part.get("Initials"))
    suffix = text_of(part.get("Suffix"))
    if not family and not given:
        return None
    return Author(name=" ".join(x for x in (given, family, suffix) if x), family=family, given=given)


def parse_authors(article) -> list[Author]:
    if article is None:
        return []
    found = (parse_author(el) for el in every(article, "AuthorList/Author") if el.get("ValidYN", "Y") != "N")
    return [a for a in found if a is not None]


def parse_pages(article) -> str | None:
    pages = text_of(first(article, "Pagination/MedlinePgn"))
    if pages:
        return pages
    start, end = text_of(first(article, "Pagination/StartPage")), text_of(first(article, "Pagination/EndPage"))
    return f"{start}-{end}" if start and end else start


def parse_journal(article, citation) -> Journal | None:
    if article is None:
        return None
    j = first(article, "Journal")
    name = (text_of(first(j, "Title")) or text_of(first(j, "ISOAbbreviation"))) if j is not None else None
    name = name or text_of(first(citation, "MedlineJournalInfo/MedlineTA"))
    if not name:
        return None
    issn = (text_of(first(j, "ISSN")) if j is not None else None) or text_of(
        first(citation, "MedlineJournalInfo/ISSNLinking"))
    issue = first(j, "JournalIssue") if j is not None else None
    return Journal(
        name=name,
        issn=issn,
        volume=text_of(first(issue, "Volume")) if issue is not None else None,
        issue=text_of(first(issue, "Issue")) if issue is not None else None,
        pages=parse_pages(article),
    )


def month_number(s: str | None) -> int | None:
    """'Feb', 'February', '02' or '2' -> 2; a season or a range start ('Jan-Mar') -> its first month."""
    if not s:
        return None
    s = s.strip()
    if s.isdigit():
        return int(s) if 1 <= int(s) <= 12 else None
    return _MONTHS.get(s[:3].lower())


def iso_from_parts(year: str | None, month: int | None, day: str | None) -> str | None:
    if not year or not _YEAR.fullmatch(year.strip()):
        return None
    y = int(year)
    if not month:
        return f"{y:04d}"
    if day and day.strip().isdigit():
        try:
            return _dt.date(y, month, int(day)).isoformat()
        except ValueError:
            pass
    return f"{y:04d}-{month:02d}"


def parse_medline_date(s: str | None) -> str | None:
    """Free-form MedlineDate: '2016 Jan-Feb' -> '2016-01', '2001 Nov 15-21' -> '2001-11-15'."""
    m = _MEDLINE_DATE.match(s or "")
    if not m:
        return None
    return iso_from_parts(m.group(1), month_number(m.group(2)), m.group(3))


_DATE_PARTS = ("Year", "Month", "Season", "Day", "MedlineDate")


def parse_date_element(el) -> str | None:
    if el is None:
        return None
    part: dict = {}
    for child in el.iterchildren(*_DATE_PARTS):   # one pass; the first of each, as find() gives
        part.setdefault(child.tag, child)
    year = text_of(part.get("Year"))
    if year:
        month = month_number(text_of(part.get("Month"))) or month_number(text_of(part.get("Season")))
        return iso_from_parts(year, month, text_of(part.get("Day")))
    return parse_medline_date(text_of(part.get("MedlineDate")))


def parse_pub_date(article) -> str | None:
    """The issue's PubDate; the electronic ArticleDate only when the issue has no date."""
    if article is None:
        return None
    return parse_date_element(first(article, "Journal/JournalIssue/PubDate")) or \
        parse_date_element(first(article, "ArticleDate"))


def parse_keywords(citation) -> list[str]:
    return _dedupe(texts(citation, "KeywordList/Keyword"))


def parse_mesh(citation) -> list[str]:
    return _dedupe(texts(citation, "MeshHeadingList/MeshHeading/DescriptorName"))


def parse_publication_types(article) -> list[str]:
    return _dedupe(texts(article, "PublicationTypeList/PublicationType"))


def build_text(title: str | None, abstract: str | None) -> tuple[str, list[Span], int]:
    """record.text = title, blank line, abstract; spans with exact offsets; where the abstract starts."""
    spans: list[Span] = []
    parts: list[str] = []
    pos = 0
    if title:
        spans.append(Span("title", 0, len(title)))
        parts.append(title)
        pos = len(title) + 2
    abstract_start = pos if title else 0
    if abstract:
        spans.append(Span("abstract", abstract_start, abstract_start + len(abstract)))
        parts.append(abstract)
    return "\n\n".join(parts), spans, abstract_start


def parse_english_title(article, vernacular: str | None) -> tuple[str | None, bool]:
    """parse_title, except that an article with no English title, an empty ArticleTitle or
    NLM's placeholder '[Not Available].', has the VernacularTitle as its title (or none)."""
    title, translated = parse_title(article)
    if not title or (translated and title.rstrip(".").strip().lower() == NOT_AVAILABLE):
        return vernacular, False
    return title, translated


def build_front(parent, title: str | None, translated: bool, extra: dict) -> tuple[str | None, str, list[Span]]:
    """The abstract of an article or book chapter, the record text (title, blank line,
    abstract) and its spans; the abstract's labelled sections and a translated title go to
    `extra`."""
    abstract, sections = parse_abstract(parent)
    text, spans, abstract_start = build_text(title, abstract)
    if sections and any(s["label"] for s in sections):
        extra["abstract_sections"] = [{**s, "start": s["start"] + abstract_start, "end": s["end"] + abstract_start}
                                      for s in sections]
    if translated:
        extra["title_translated"] = True
    return abstract, text, spans


def build_record(citation, pubmed_data) -> ArticleRecord:
    article = first(citation, "Article")
    vernacular = parse_vernacular_title(article)
    title, translated = parse_english_title(article, vernacular)
    languages = parse_languages(article)
    pub_date = parse_pub_date(article)
    mesh = parse_mesh(citation)
    extra: dict = {"mesh": mesh}
    abstract, text, spans = build_front(article, title, translated, extra)
    if len(languages) > 1:
        extra["languages"] = languages
    abbrev = text_of(first(citation, "MedlineJournalInfo/MedlineTA"))
    if abbrev:
        extra["journal_abbrev"] = abbrev
    return ArticleRecord(
        source_format=FORMAT,
        text=text,
        title=title,
        title_original=vernacular,
        title_language=vernacular_language(languages) if vernacular else None,
        abstract=abstract,
        doi=parse_doi(article, pubmed_data),
        pmid=parse_pmid(citation),
        pmcid=parse_pmcid(citation, pubmed_data),
        pub_date=pub_date,
        year=int(pub_date[:4]) if pub_date else None,
        journal=parse_journal(article, citation),
        authors=parse_authors(article),
        keywords=_dedupe(parse_keywords(citation) + mesh),
        publication_types=parse_publication_types(article),
        language=languages[0] if languages else None,
        spans=spans,
        extra=extra,
    )


def parse_book_authors(parent) -> list[Author]:
    """Authors of a BookDocument or Book: AuthorLists of Type "authors" (or untyped), never "editors"."""
    if parent is None:
        return []
    found = (parse_author(el) for lst in parent.iterfind("AuthorList") if lst.get("Type", "authors") == "authors"
             for el in lst.iterfind("Author") if el.get("ValidYN", "Y") != "N")
    return [a for a in found if a is not None]


def build_book_record(elem) -> ArticleRecord | None:
    """A PubmedBookArticle (NCBI Bookshelf): a chapter of a book, or a whole book."""
    bookdoc = elem.find("BookDocument")
    if bookdoc is None:
        return None
    book = bookdoc.find("Book")
    book_title = text_of(book.find("BookTitle")) if book is not None else None
    vernacular = parse_vernacular_title(bookdoc)
    title, translated = parse_english_title(bookdoc, vernacular)
    title = title or book_title
    languages = parse_languages(bookdoc)
    pub_date = parse_date_element(bookdoc.find("ContributionDate")) or (
        parse_date_element(book.find("PubDate")) if book is not None else None)
    extra: dict = {"book_title": book_title}
    abstract, text, spans = build_front(bookdoc, title, translated, extra)
    publisher = text_of(book.find("Publisher/PublisherName")) if book is not None else None
    if publisher:
        extra["publisher"] = publisher
    accession = [text_of(e) for e in bookdoc.iterfind("ArticleIdList/ArticleId") if e.get("IdType") == "bookaccession"]
    if any(accession):
        extra["bookaccession"] = [a for a in accession if a]
    return ArticleRecord(
        source_format=FORMAT,
        text=text,
        title=title,
        title_original=vernacular,
        title_language=vernacular_language(languages) if vernacular else None,
        abstract=abstract,
        doi=parse_doi(bookdoc, elem.find("PubmedBookData")) or parse_doi(None, bookdoc),
        pmid=text_of(bookdoc.find("PMID")),
        pub_date=pub_date,
        year=int(pub_date[:4]) if pub_date else None,
        authors=parse_book_authors(bookdoc) or parse_book_authors(book),
        keywords=_dedupe(texts(bookdoc, "KeywordList/Keyword")),
        publication_types=_dedupe(texts(bookdoc, "PublicationType")),
        language=languages[0] if languages else None,
        spans=spans,
        extra=extra,
    )


@hookimpl
def register_ingesters():
    return [PubmedXmlIngester()]

