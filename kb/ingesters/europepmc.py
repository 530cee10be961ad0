"""Europe PMC REST search responses: JSON and XML (native `responseWrapper` and Dublin Core).

JSON: `{"hitCount", "request", "resultList": {"result": [...]}}` in any resultType. A `core`
result has the abstract, the author list, journal details, MeSH and keywords; a `lite` result
has the title, an author string and journal abbreviation; an `idlist` result has only ids.
XML: the same response as `<responseWrapper><resultList><result>` (each result is read into
the JSON shape and built by the same code) or, with format=dc, as `rdf:Description`s.

A result without a title and without an abstract (every `idlist` result) is an id, not a
record, and is skipped: an idlist response or a search with no hits yields no records, so
the pipeline reports "no records found in this europepmc-json file".

Both are streamed (issue 4): the JSON with ijson, one result at a time (kb.ingesters.stream),
the XML with lxml iterparse, each result cleared once read. XML is parsed without DTDs,
network or entity substitution; a response that declares entities is refused (Europe PMC
never does).

The second half of this module holds what every literature-API ingester shares (Crossref,
OpenAlex, Semantic Scholar import it): scanning a JSON document once in sniff() and
streaming its records in parse(), turning HTML/JATS abstracts into plain paragraphs, and
building `text` as title, blank line, abstract with exact spans.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import re
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs

from lxml import etree

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import normalise_doi, refuse_declared_entities, tag_name
from kb.ingesters.stream import (Check, JsonBroken, JsonScan, NamelessReader, StreamJsonError, broken_json, json_items,
                                 open_whole_allowed, scan_json)
from kb.models import ArticleRecord, Author, Document, Journal, Span

JSON_FORMAT = "europepmc-json"
XML_FORMAT = "europepmc-xml"
# Above platform_json (50), whose sniff is a first-line heuristic a pretty-printed API
# response can satisfy; these sniffs check the whole parsed structure, so they go first.
PRIORITY = 70

PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                      huge_tree=False, remove_comments=True, remove_pis=True)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_EPMC_DATE = re.compile(r"\s*(\d{4})(?:[\s-]+([A-Za-z]{3,})\.?(?:\s+(\d{1,2})\b)?)?")
_PMC = re.compile(r"(?i)\bPMC(\d+)\b")
_EPMC_URL = re.compile(r"europepmc\.org/(?:abstract|article)/(MED|PMC)/(?:PMC)?(\d+)", re.I)
_AUTHOR_STRING = re.compile(r"^(.+?)\s+([A-Z]{1,4})$")


# ================================================================ JSON

class EuropePmcJsonIngester:
    format = JSON_FORMAT
    priority = PRIORITY

    def sniff(self, head: bytes, doc: Document) -> bool:
        return sniff_json(head, doc, is_response, (b'"resultList"', b'"hitCount"'),
                          broken=((b'"resultList"', b'"hitCount"'),), stream_at=STREAM_AT)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        scan = load_json(doc, "Europe PMC", is_response, STREAM_AT)
        obj = scan.root
        if not is_response(obj):
            raise ParseError(doc.path, "not a Europe PMC search response (no resultList.result list)")
        for _, result in json_items(doc, scan, obj["resultList"]["result"]):
            if isinstance(result, dict):
                rec = build_record(result, JSON_FORMAT)
                if rec is not None:
                    yield rec


# The list streamed one result at a time; the rest of the response is small.
STREAM_AT = (("resultList", "result"),)


def is_response(obj: Any) -> bool:
    """A search response: resultList.result is a list (empty when nothing matched)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("resultList"), dict):
        return False
    results = obj["resultList"].get("result")
    return isinstance(results, list) and ("hitCount" in obj or "request" in obj or "version" in obj)


# ================================================================ XML

class EuropePmcXmlIngester:
    format = XML_FORMAT
    priority = PRIORITY

    def sniff(self, head: bytes, doc: Document) -> bool:
        if root_name(head) != "responseWrapper":
            return False
        return b"<resultList" in head or b"<hitCount" in head or b"RDF" in head

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        yield from parse_xml(doc)


def root_name(head: bytes) -> str | None:
    """Local name of the first element after the XML declaration, comments, PIs and DOCTYPE."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    m = re.match(rb"\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)\s*)*<([A-Za-z_][\w.:-]*)",
                 head, re.S)
    return m.group(1).decode("ascii", "replace").rsplit(":", 1)[-1] if m else None


def parse_xml(doc: Document) -> Iterator[ArticleRecord]:
    """Stream the response: the <result>s of the first <resultList>, or the
    <rdf:Description>s of the first <rdf:RDF>, whichever comes first, each cleared once read.

    Errors come out as when the file was parsed whole: a syntax error anywhere before a
    wrong root element, a wrong root before declared entities (the root is checked at once,
    records are not read after a bad one, and the file is read on to find syntax errors)."""
    results = "result"
    descriptions = f"{{{RDF}}}Description"
    chosen = None              # the <resultList> or <rdf:RDF> whose children are records
    refused: ParseError | None = None
    hit_count = False
    depth = 0
    try:
        with NamelessReader(doc.open()) as src:
            for event, el in etree.iterparse(src, events=("start", "end"), **PARSER_OPTIONS):
                if event == "start":
                    if depth == 0:
                        refused = check_root(el, doc.path)
                    elif depth == 1 and chosen is None and el.tag in ("resultList", f"{{{RDF}}}RDF"):
                        chosen = el
                    depth += 1
                    continue
                depth -= 1
                if depth == 2 and refused is None and el.getparent() is chosen:
                    if el.tag == results and chosen.tag == "resultList":
                        rec = build_record(xml_to_obj(el), XML_FORMAT)
                    elif el.tag == descriptions and chosen.tag != "resultList":
                        rec = build_dc_record(el)
                    else:
                        rec = None
                    if rec is not None:
                        yield rec
                elif depth == 1 and el.tag == "hitCount":
                    hit_count = True
                if 1 <= depth <= 2:
                    el.clear(keep_tail=False)
                    parent = el.getparent()
                    while el.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as e:
        raise ParseError(doc.path, f"malformed Europe PMC XML: {whole_file_syntax_error(doc, e)}") from None
    if refused is not None:
        raise refused
    if chosen is None and not hit_count:    # with <hitCount> only, nothing matched
        raise ParseError(doc.path, "Europe PMC XML has neither <resultList> nor <rdf:RDF>")


def check_root(root, source: str) -> ParseError | None:
    name = tag_name(root)
    if name != "responseWrapper":
        return ParseError(source, f"not a Europe PMC response: the root element is <{name}>")
    try:
        refuse_declared_entities(root, source, "Europe PMC XML")
    except ParseError as e:
        return e
    return None


def whole_file_syntax_error(doc: Document, e: etree.XMLSyntaxError) -> str:
    """The message for a malformed file, one line: as lxml gave it when the file was parsed
    from memory whole (it words some errors differently when streaming), when the file may
    be loaded; else the streaming parser's."""
    if open_whole_allowed(doc):
        try:
            etree.fromstring(doc.data, etree.XMLParser(**PARSER_OPTIONS))
        except etree.XMLSyntaxError as whole:
            e = whole
    return one_line(e)


# Fields whose content is markup (abstracts with <h4>, titles with <i>): kept as a markup
# string so that JSON and XML go through the same markup_to_text.
_MARKUP_FIELDS = {"title", "abstractText"}


def xml_to_obj(el) -> Any:
    """A native <result> in the JSON shape: leaves are text, repeated children become lists."""
    name = etree.QName(el).localname
    children = [c for c in el if isinstance(c.tag, str)]
    if name in _MARKUP_FIELDS:
        return inner_markup(el)
    if not children:
        return el.text
    grouped: dict[str, list] = {}
    for c in children:
        grouped.setdefault(etree.QName(c).localname, []).append(xml_to_obj(c))
    return {k: v[0] if len(v) == 1 else v for k, v in grouped.items()}


def inner_markup(el) -> str:
    """The element's content as a markup string (text escaped, children serialised)."""
    parts = [html.escape(el.text or "", quote=False)]
    for c in el:
        if isinstance(c.tag, str):
            parts.append(etree.tostring(c, encoding="unicode", with_tail=False))
        parts.append(html.escape(c.tail or "", quote=False))
    return "".join(parts)


def one_line(e: Exception) -> str:
    return " ".join(str(e).split()) or type(e).__name__


# ================================================================ JSON/native result -> record

def build_record(r: dict, fmt: str) -> ArticleRecord | None:
    title = inline_text(text_value(r.get("title")))
    abstract, sections = markup_to_text(text_value(r.get("abstractText")))
    if not title and not abstract:
        return None  # an idlist entry (ids only), not a record
    source = text_value(r.get("source"))
    rid = text_value(r.get("id"))
    pmid = text_value(r.get("pmid")) or (rid if source == "MED" and rid and rid.isdigit() else None)
    pmcid = normalise_pmcid(text_value(r.get("pmcid")) or (rid if source == "PMC" else None))
    pub_date, year = parse_dates(r)
    mesh = parse_mesh(r)
    text, spans, abstract_start = build_text(title, abstract)
    extra: dict[str, Any] = {"source": source, "id": rid}
    for key in ("citedByCount", "license", "isOpenAccess"):
        if r.get(key) not in (None, ""):
            extra[key] = r[key]
    if mesh:
        extra["mesh"] = mesh
    if sections:
        extra["abstract_sections"] = shift_sections(sections, abstract_start)
    return ArticleRecord(
        source_format=fmt,
        text=text,
        title=title,
        abstract=abstract,
        doi=normalise_doi(text_value(r.get("doi"))),
        pmid=pmid,
        pmcid=pmcid,
        pub_date=pub_date,
        year=year,
        journal=parse_journal(r),
        authors=parse_authors(r),
        keywords=dedupe(strings(get_path(r, "keywordList", "keyword")) + mesh),
        publication_types=parse_publication_types(r),
        language=text_value(r.get("language")),
        oa_url=parse_oa_url(r),
        spans=spans,
        extra=extra,
    )


def parse_authors(r: dict) -> list[Author]:
    listed = as_list(get_path(r, "authorList", "author"))
    if listed:
        return [a for a in (parse_listed_author(x) for x in listed if isinstance(x, dict)) if a]
    names = text_value(r.get("authorString"))
    if not names:
        return []
    return [author_from_string(n) for n in (p.strip().rstrip(".").strip() for p in names.split(",")) if n]


def parse_listed_author(a: dict) -> Author | None:
    collective = text_value(a.get("collectiveName"))
    if collective:
        return Author(name=collective, collective=True)
    family, given = text_value(a.get("lastName")), text_value(a.get("firstName")) or text_value(a.get("initials"))
    if family or given:
        return Author(name=" ".join(x for x in (given, family) if x), family=family, given=given)
    full = text_value(a.get("fullName"))
    return author_from_string(full) if full else None


def author_from_string(name: str) -> Author:
    """'Schoenfeld JD' -> JD Schoenfeld (as PubMed names an author it knows only by initials)."""
    m = _AUTHOR_STRING.match(name)
    if m:
        return Author(name=f"{m.group(2)} {m.group(1)}", family=m.group(1), given=m.group(2))
    return Author(name=name)


def parse_journal(r: dict) -> Journal | None:
    info = r.get("journalInfo") if isinstance(r.get("journalInfo"), dict) else {}
    j = info.get("journal") if isinstance(info.get("journal"), dict) else {}
    name = text_value(j.get("title")) or text_value(r.get("journalTitle")) or \
        text_value(j.get("isoabbreviation")) or text_value(j.get("medlineAbbreviation"))
    if not name:
        return None
    issns = [s.strip() for s in (text_value(r.get("journalIssn")) or "").split(";") if s.strip()]
    return Journal(
        name=name,
        issn=text_value(j.get("issn")) or text_value(j.get("essn")) or (issns[0].upper() if issns else None),
        volume=text_value(info.get("volume")) or text_value(r.get("journalVolume")),
        issue=text_value(info.get("issue")) or text_value(r.get("issue")),
        pages=text_value(r.get("pageInfo")),
    )


def parse_dates(r: dict) -> tuple[str | None, int | None]:
    """The issue date as Europe PMC writes it ('2025 Dec' -> 2025-12), else the first
    publication date when it falls in the publication year, else the year."""
    info = r.get("journalInfo") if isinstance(r.get("journalInfo"), dict) else {}
    year_s = text_value(r.get("pubYear")) or text_value(info.get("yearOfPublication"))
    year = int(year_s) if year_s and year_s.isdigit() else None
    date = parse_epmc_date(text_value(info.get("dateOfPublication")))
    if not date:
        first = iso_prefix(text_value(r.get("firstPublicationDate")))
        date = first if first and (year is None or first[:4] == str(year)) else (str(year) if year else None)
    if year is None and date:
        year = int(date[:4])
    return date, year


def parse_epmc_date(s: str | None) -> str | None:
    m = _EPMC_DATE.match(s or "")
    if not m:
        return None
    year, month, day = m.group(1), _MONTHS.get((m.group(2) or "")[:3].lower()), m.group(3)
    return date_from_parts([int(year), month, int(day) if day else None])


def parse_mesh(r: dict) -> list[str]:
    headings = as_list(get_path(r, "meshHeadingList", "meshHeading"))
    return dedupe([t for t in (text_value(h.get("descriptorName")) for h in headings if isinstance(h, dict)) if t])


def parse_publication_types(r: dict) -> list[str]:
    listed = strings(get_path(r, "pubTypeList", "pubType"))
    if listed:
        return dedupe(listed)
    return dedupe([t.strip() for t in (text_value(r.get("pubType")) or "").split(";") if t.strip()])


def parse_oa_url(r: dict) -> str | None:
    """An open-access full-text link Europe PMC lists: the PDF first, else any OA page."""
    links = [u for u in as_list(get_path(r, "fullTextUrlList", "fullTextUrl")) if isinstance(u, dict)]
    oa = [u for u in links if text_value(u.get("availabilityCode")) == "OA" and text_value(u.get("url"))]
    pdf = [u for u in oa if text_value(u.get("documentStyle")) == "pdf"]
    best = (pdf or oa or [None])[0]
    return text_value(best.get("url")) if best else None


# ================================================================ Dublin Core

def dc_texts(el, ns: str, name: str) -> list[str]:
    return [t for t in (" ".join("".join(c.itertext()).split()) for c in el.iterfind(f"{{{ns}}}{name}")) if t]


def build_dc_record(el) -> ArticleRecord | None:
    title = inline_text(next(iter(dc_texts(el, DC, "title")), None))
    raw_abstract = next((c.text for c in el.iterfind(f"{{{DCTERMS}}}abstract") if c.text and c.text.strip()), None)
    abstract, sections = markup_to_text(raw_abstract)
    if not title and not abstract:
        return None
    doi = pmid = pmcid = None
    for ident in dc_texts(el, DC, "identifier") + [el.get(f"{{{RDF}}}about") or ""]:
        m = _EPMC_URL.search(ident)
        if m and m.group(1).upper() == "MED":
            pmid = pmid or m.group(2)
        elif m:
            pmcid = pmcid or f"PMC{m.group(2)}"
        elif re.search(r"doi\.org/|^doi:", ident, re.I):
            doi = doi or normalise_doi(ident)
    for version in dc_texts(el, DCTERMS, "isVersionOf"):
        m = _PMC.search(version)
        pmcid = pmcid or (f"PMC{m.group(1)}" if m else None)
    openurl: dict[str, str] = {}
    for cit in dc_texts(el, DCTERMS, "bibliographicCitation"):
        if "ctx_ver=" in cit:
            openurl = {k: v[0] for k, v in parse_qs(cit.lstrip("&")).items() if v}
    issns = [p.split(":")[-1] for p in dc_texts(el, DCTERMS, "isPartOf") if p.lower().startswith("urn:issn:")]
    jname = openurl.get("rft.jtitle") or openurl.get("rft.stitle")
    journal = Journal(name=jname, issn=issns[0] if issns else None, volume=openurl.get("rft.volume"),
                      issue=openurl.get("rft.issue"), pages=openurl.get("rft.pages")) if jname else None
    pub_date = iso_prefix(next(iter(dc_texts(el, DC, "date")), None))
    text, spans, abstract_start = build_text(title, abstract)
    extra: dict[str, Any] = {"source": "dc"}
    rights = dc_texts(el, DCTERMS, "accessRights")
    if rights:
        extra["access_rights"] = rights[0]
    if sections:
        extra["abstract_sections"] = shift_sections(sections, abstract_start)
    return ArticleRecord(
        source_format=XML_FORMAT,
        text=text,
        title=title,
        abstract=abstract,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        pub_date=pub_date,
        year=int(pub_date[:4]) if pub_date else None,
        journal=journal,
        authors=[dc_author(n) for n in dc_texts(el, DC, "creator")],
        keywords=dedupe(dc_texts(el, DC, "subject")),
        publication_types=dedupe([t.strip() for d in dc_texts(el, DC, "description")
                                  for t in d.split(";") if t.strip()]),
        language=next(iter(dc_texts(el, DC, "language")), None),
        spans=spans,
        extra=extra,
    )


def dc_author(name: str) -> Author:
    """'Schoenfeld, JD' -> JD Schoenfeld."""
    family, _, given = (p.strip() for p in name.partition(","))
    if family and given:
        return Author(name=f"{given} {family}", family=family, given=given)
    return Author(name=name)


# ================================================================ shared by the API ingesters

def json_head(head: bytes) -> bytes | None:
    """The head without BOM and leading whitespace when it opens a JSON object or array."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip()
    return head if head[:1] in (b"{", b"[") else None


# One scanned document per ingester, from sniff() to parse(): the file is read whole once
# in sniff, and its records streamed in parse().
_CACHE: dict[str, tuple[str, JsonScan]] = {}


def sniff_json(head: bytes, doc: Document, accepts: Callable[[Any], bool], markers: tuple[bytes, ...],
               broken: tuple[tuple[bytes, ...], ...] = (), stream_at: tuple[tuple, ...] = (),
               check: Check | None = None) -> bool:
    """JSON whose structure `accepts`, judged on a skeleton scan of the whole file
    (kb.ingesters.stream: the lists at `stream_at` are counted and `check`ed item by item,
    not kept; of the rest, only the root and the objects in it, with their scalars).

    `markers` (one must be in the head) keep other JSON from being read at all. A file
    that is not valid JSON is claimed, so that parse() can say what is wrong with it, only
    when it is broken (truncated, bad syntax) and its head holds every marker of one of the
    `broken` sets; a JSON value followed by more text (a platform record) never is."""
    h = json_head(head)
    if h is None or not any(m in h for m in markers):
        return False
    try:
        scan = scan_json(doc, stream_at, check, skeleton=True)
    except JsonBroken as b:
        e = b.error
        if isinstance(e, json.JSONDecodeError) and e.msg.startswith("Extra data"):
            return False
        if isinstance(e, StreamJsonError) and e.extra_data:
            return False
        # Issue 8: claimed like other broken JSON when not UTF-8 (parse() says "not UTF-8")
        # or nested too deeply, not left to the plain-text fallback, which would store it as an article.
        return any(all(m in h for m in ms) for ms in broken)
    if accepts(scan.root):
        if scan.complete:        # parse() reads it again otherwise
            _CACHE[cache_key(accepts)] = (doc.sha256, scan)
        return True
    return False


def cache_key(accepts: Callable[[Any], bool]) -> str:
    return f"{accepts.__module__}.{accepts.__qualname__}"


def load_json(doc: Document, what: str, accepts: Callable[[Any], bool] | None = None,
              stream_at: tuple[tuple, ...] = (), check: Check | None = None) -> JsonScan:
    """The document's scan (from the sniff cache when it is this document); ParseError when broken."""
    if accepts is not None:
        cached = _CACHE.pop(cache_key(accepts), None)
        if cached and cached[0] == doc.sha256:
            return cached[1]
    try:
        return scan_json(doc, stream_at, check)
    except JsonBroken as b:
        raise broken_json(doc, b, what) from None


def text_value(v: Any) -> str | None:
    """A field that should be text: numbers become text, structures and blanks None."""
    if v is None or isinstance(v, (bool, dict, list)):
        return None
    s = str(v).strip()
    return s or None


def get_path(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def strings(v: Any) -> list[str]:
    return [s for s in (text_value(x) for x in as_list(v)) if s]


def dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def normalise_pmcid(s: str | None) -> str | None:
    """'PMC5815332', '5815332' or a PMC article URL -> 'PMC5815332'."""
    if not s:
        return None
    m = re.search(r"(?i)(?:PMC)?(\d+)/?$", s.strip())
    return f"PMC{m.group(1)}" if m else None


def normalise_pmid(s: str | None) -> str | None:
    """'29456894' or a PubMed URL -> '29456894'."""
    if not s:
        return None
    m = re.search(r"(\d+)/?$", s.strip())
    return m.group(1) if m else None


def iso_prefix(s: str | None) -> str | None:
    """YYYY-MM-DD, YYYY-MM or YYYY at the start of an ISO date or timestamp."""
    m = re.match(r"\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", s or "")
    if not m:
        return None
    return date_from_parts([int(g) if g else None for g in m.groups()])


def date_from_parts(parts: list) -> str | None:
    """[2012, 3, 21] -> '2012-03-21'; [2012, 3] -> '2012-03'; invalid months/days are dropped."""
    if not parts or not isinstance(parts[0], int) or isinstance(parts[0], bool) or not 1000 <= parts[0] <= 9999:
        return None
    out = f"{parts[0]:04d}"
    month = parts[1] if len(parts) > 1 else None
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        return out
    out += f"-{month:02d}"
    day = parts[2] if len(parts) > 2 else None
    if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31:
        try:
            return _dt.date(parts[0], month, day).isoformat()
        except ValueError:
            return out
    return out


def build_text(title: str | None, abstract: str | None) -> tuple[str, list[Span], int]:
    """record.text = title, blank line, abstract; spans with exact offsets; where the abstract starts."""
    spans: list[Span] = []
    if title:
        spans.append(Span("title", 0, len(title)))
    start = len(title) + 2 if title and abstract else 0
    if abstract:
        spans.append(Span("abstract", start, start + len(abstract)))
    return "\n\n".join(x for x in (title, abstract) if x), spans, start


def shift_sections(sections: list[dict], base: int) -> list[dict]:
    return [{**s, "start": s["start"] + base, "end": s["end"] + base} for s in sections]


# ---------------------------------------------------------------- markup (HTML, JATS) to text

# Only these names are taken as tags, so that "p<0.05" or "a<b and c>d" in an abstract stays
# text. A prefixed name (jats:p, mml:mi) is always a tag.
_HEADING = {"h1", "h2", "h3", "h4", "h5", "h6", "title"}
_BLOCK = {"p", "div", "sec", "section", "abstract", "br", "li", "ul", "ol", "list", "list-item",
          "blockquote", "table", "tr", "td", "th", "caption", "label", "trans-abstract", "def-list", "def-item"}
_INLINE = {"i", "b", "u", "em", "strong", "sub", "sup", "sc", "span", "a", "small", "big", "tt", "font", "italic",
           "bold", "underline", "monospace", "inline-formula", "ext-link", "xref", "named-content",
           "styled-content", "math", "mi", "mo", "mn", "mrow", "msub", "msup", "mtext", "uri", "email",
           "strike", "s", "del", "ins", "abbr", "cite", "code", "q", "var", "roman", "overline", "kbd"}
_TAG = re.compile(r"<(/?)((?:[A-Za-z][\w.-]*:)?[A-Za-z][\w.-]*)"
                  r"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>]+))*)\s*(/?)>")
_NO_LABEL = {"abstract", "summary", "unlabelled", "unlabeled"}


def _tag_kind(name: str) -> str | None:
    prefix, _, local = name.lower().rpartition(":")
    if local in _HEADING:
        return "heading"
    if local in _BLOCK:
        return "block"
    if local in _INLINE or prefix:
        return "inline"
    return None


def markup_to_text(s: str | None) -> tuple[str | None, list[dict]]:
    """An abstract in HTML or JATS as plain paragraphs joined by blank lines; a heading
    (<h4>Methods</h4>, <jats:title>) labels the paragraph after it as "Methods: ...",
    the way the PubMed ingester writes structured abstracts. Linear in the input.

    Returns the text (None when empty) and each paragraph's label and offsets in it."""
    if s is None:
        return None, []
    paragraphs: list[tuple[str | None, str]] = []
    label: str | None = None
    buf: list[str] = []
    heading: list[str] | None = None

    def flush() -> None:
        nonlocal label
        body = " ".join("".join(buf).split())
        buf.clear()
        if body:
            paragraphs.append((label, body))
            label = None

    pos = 0
    for m in _TAG.finditer(s):
        kind = _tag_kind(m.group(2))
        if kind is None:
            continue
        (heading if heading is not None else buf).append(html.unescape(s[pos:m.start()]))
        pos = m.end()
        closing = bool(m.group(1))
        if kind == "heading":
            if not closing and not m.group(4):
                flush()
                heading = []
            elif closing and heading is not None:
                text = " ".join("".join(heading).split()).rstrip(":.").strip()
                heading = None
                if text and text.lower() not in _NO_LABEL:
                    label = text
        elif kind == "block" and heading is None:
            flush()
    (heading if heading is not None else buf).append(html.unescape(s[pos:]))
    if heading is not None:          # an unclosed heading: keep its words as text
        buf.extend(heading)
    flush()
    parts: list[str] = []
    sections: list[dict] = []
    offset = 0
    for lab, body in paragraphs:
        para = f"{lab}: {body}" if lab else body
        if parts:
            offset += 2
        sections.append({"label": lab, "start": offset, "end": offset + len(para)})
        parts.append(para)
        offset += len(para)
    text = "\n\n".join(parts)
    if not any(sec["label"] for sec in sections):
        sections = []
    return (text or None), sections


def inline_text(s: str | None) -> str | None:
    """A title with inline markup flattened ("H<sub>2</sub>S" -> "H2S"), whitespace collapsed."""
    if s is None:
        return None
    out, pos = [], 0
    for m in _TAG.finditer(s):
        if _tag_kind(m.group(2)) is None:
            continue
        out.append(s[pos:m.start()])
        out.append(" " if _tag_kind(m.group(2)) == "block" else "")
        pos = m.end()
    out.append(s[pos:])
    text = " ".join(html.unescape("".join(out)).split())
    return text or None


@hookimpl
def register_ingesters():
    return [EuropePmcJsonIngester(), EuropePmcXmlIngester()]
