"""RIS reference exports, and the Web of Science tagged format that looks like them.

RIS is what Embase, Scopus, ProQuest, Ovid, Web of Science, EndNote and Zotero write:
`TY  - JOUR` opens a record, two-letter tags follow, `ER  -` closes it, and a line without
a tag continues the one before (an abstract wrapped over lines, or one more keyword in a
Rayyan export). The file is decoded as it is read (kb.ingesters.stream), cut into records
line by line, and each record is handed to rispy: memory stays flat whatever the size.

The vendors put the same things under different tags; `build_record` reads them all:
title TI/T1 (ST as a last resort), abstract AB/N2, authors AU/A1, journal JF/T2/JO/JA/J2,
dates PY/Y1 with the month and day from DA, DOI from DO, M3 or a doi.org / `doi=` URL,
PMID from C5 (Embase), C2 (Scopus), AN (EndNote/Ovid from PubMed, `DP`/`DB` naming
NLM/MEDLINE/PubMed), a PubMed URL or a "PMID: n" note; PMCID from C2 or a note.

Web of Science "plain text" exports (`FN Clarivate...`, `PT J` ... `ER`, `EF`) use their own
tags and three-space continuation lines; they are read with rispy's WokParser as a second
format, `wos-tagged`.

The small helpers at the bottom (people, dates, DOIs, ISSNs, the record builder) are
shared by the other reference-manager ingesters (nbib, BibTeX, CSL-JSON, EndNote XML, CSV).
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import unquote

import rispy

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import normalise_doi, strip_html
from kb.ingesters.pubmed_xml import build_text, iso_from_parts, month_number
from kb.ingesters.stream import text_lines
from kb.models import ArticleRecord, Author, Document, Journal

FORMAT = "ris"
WOS_FORMAT = "wos-tagged"

# A tagged RIS line: two characters, two spaces (some tools write one), a dash, then the value.
RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  ?-(?: |$)")
# Tags that legitimately repeat; every other tag keeps its first value, and a wrapped line
# continues it. Continuation lines of a list tag are items of their own (Rayyan keywords).
RIS_LIST_TAGS = ["AU", "A1", "A2", "A3", "A4", "KW", "N1", "UR", "AD", "DB", "DP", "L1", "L2", "L4",
                 "M1", "SN", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "LK", "U1", "U2", "AN"]
WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: |$)")
WOS_LIST_TAGS = ["AU", "AF", "CA", "GP", "BA", "BF", "BE", "CR", "RI", "OI", "C1", "C3", "EM", "FU"]


class _SameName(dict):
    """A rispy mapping that keeps every tag under its own name (unknown tags included)."""

    def __missing__(self, key):
        return key


class _RisRecordParser(rispy.RisParser):
    """rispy's parser, told to keep tags as tags and to accept `XX - ` with one space."""

    def parse_line(self, line: str):
        m = RIS_TAG.match(line)
        if m:
            return m.group(1), line[m.end():].strip()
        return None, line.strip()

    def _add_tag(self, record, tag, content, extend_multiline=False):
        if tag is None or (extend_multiline and not content):
            return  # a wrapped line with nothing before it, or a blank one: nothing to add
        super()._add_tag(record, tag, content, extend_multiline)


class _WosRecordParser(rispy.WokParser):
    def _add_tag(self, record, tag, content, extend_multiline=False):
        if not tag or not tag.strip() or (extend_multiline and not content):
            return
        super()._add_tag(record, tag, content, extend_multiline)


def ris_parser() -> rispy.RisParser:
    return _RisRecordParser(mapping=_SameName(), list_tags=RIS_LIST_TAGS, delimiter_tags_mapping={},
                            skip_unknown_tags=False, enforce_list_tags=True)


def wos_parser() -> rispy.WokParser:
    return _WosRecordParser(mapping=_SameName(), list_tags=WOS_LIST_TAGS, delimiter_tags_mapping={},
                            ignore=["FN", "VR", "EF"], enforce_list_tags=True)


# ---------------------------------------------------------------- lines and records

_EOL = re.compile(r"\r\n|\r|\n")


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) lazily; CRLF, CR and LF all end a line; a stray BOM is dropped."""
    pos, n, no = 0, len(text), 0
    while pos < n:
        no += 1
        m = _EOL.search(text, pos)
        end = m.start() if m else n
        yield no, text[pos:end].lstrip("\ufeff")
        pos = m.end() if m else n


def first_lines(head: bytes, k: int = 5) -> list[str]:
    """The first k non-blank lines of a file's head, decoded leniently (BOMs dropped)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        s = head.decode("utf-16", "ignore")
    else:
        s = head.decode("utf-8", "ignore")
    out = []
    for _, line in iter_lines(s):
        if line.strip():
            out.append(line)
            if len(out) >= k:
                break
    return out


def split_records(lines: Iterable[tuple[int, str]], source: str, *, start_tag: str, tag_re: re.Pattern,
                  ignore: tuple[str, ...] = (), between: frozenset[str] | None = None) -> Iterator[list[str]]:
    """Group tagged lines into records from `start_tag` to `ER`, one record at a time.

    A record without its ER, or text between records, is a broken file: ParseError naming
    the record and the line. With `between` (RIS), untagged text between records and tags
    not in `between` are skipped, as RIS readers do (Ovid numbers its records, `1.`, and
    writes a link line and an `NL` tag after each ER); a tag in `between` there (a title,
    an author, ...) is still an error: it is a record that lost its TY line.
    """
    current: list[str] | None = None
    number = 0
    start_line = 0
    for no, line in lines:
        m = tag_re.match(line)
        tag = m.group(1) if m else None
        if current is None:
            if not line.strip() or tag in ignore:
                continue
            if between is not None and tag != start_tag and tag not in between:
                continue
            if tag != start_tag:
                what = f"tag {tag}" if tag else f"text {line.strip()[:40]!r}"
                raise ParseError(source, f"line {no}: {what} outside a record "
                                         f"(after record {number}, before any {start_tag})")
            number += 1
            start_line = no
            current = [line]
            continue
        if tag == start_tag:
            raise ParseError(source, f"record {number} (line {start_line}) has no ER line before "
                                     f"the next {start_tag} at line {no}")
        current.append(line)
        if tag == "ER":
            yield current
            current = None
    if current is not None:
        raise ParseError(source, f"record {number} (line {start_line}) has no ER line: the file is truncated")


# ---------------------------------------------------------------- ingesters

# Tags that carry a record's content: outside a record they mean a record lost its TY line.
RIS_CONTENT_TAGS = frozenset({"TI", "T1", "CT", "BT", "ST", "AU", "A1", "AB", "N2", "PY", "Y1", "DA", "DO", "JF",
                              "JO", "JA", "J2", "T2", "VL", "IS", "SP", "EP", "SN", "KW", "UR"})
# Ovid numbers the records of an export ("1.", "2." on a line of their own before each TY).
RECORD_NUMBER = re.compile(r"^\s*\d{1,7}\.?\s*$")


class RisIngester:
    format = FORMAT
    priority = 40

    def sniff(self, head: bytes, doc: Document) -> bool:
        lines = first_lines(head, 3)
        if lines and RECORD_NUMBER.match(lines[0]):
            lines = lines[1:]
        lines = lines[:2]
        return len(lines) == 2 and all(RIS_TAG.match(x) for x in lines) and lines[0].startswith("TY")

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        parser = ris_parser()
        chunks = split_records(text_lines(doc), doc.path, start_tag="TY", tag_re=RIS_TAG, between=RIS_CONTENT_TAGS)
        for i, lines in enumerate(chunks, start=1):
            (fields,) = parser.parse_lines(iter(lines))
            try:
                rec = build_record(fields)
            except ValueError as e:
                raise ParseError(doc.path, f"record {i}: {e}") from None
            if has_content(rec):
                yield rec


class WosTaggedIngester:
    format = WOS_FORMAT
    priority = 40

    def sniff(self, head: bytes, doc: Document) -> bool:
        lines = first_lines(head, 3)
        if not lines:
            return False
        if re.match(r"FN (Clarivate|Thomson|ISI)\b", lines[0]):
            return True
        return bool(re.fullmatch(r"PT [A-Z]\s*", lines[0])) and len(lines) > 1 and bool(WOS_TAG.match(lines[1]))

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        parser = wos_parser()
        chunks = split_records(text_lines(doc), doc.path, start_tag="PT", tag_re=WOS_TAG, ignore=("FN", "VR", "EF"))
        for i, chunk in enumerate(chunks, start=1):
            (fields,) = parser.parse_lines(iter(chunk))
            try:
                yield build_wos_record(fields)
            except ValueError as e:
                raise ParseError(doc.path, f"record {i}: {e}") from None


# ---------------------------------------------------------------- RIS fields

def _values(fields: dict, *tags: str) -> list[str]:
    out = []
    for t in tags:
        v = fields.get(t)
        for x in (v if isinstance(v, list) else [v]):
            x = clean(x)
            if x:
                out.append(x)
    return out


def _first(fields: dict, *tags: str) -> str | None:
    vals = _values(fields, *tags)
    return vals[0] if vals else None


_NLM_DB = re.compile(r"pubmed|medline|\bnlm\b", re.I)
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_PMCID = re.compile(r"\b(PMC\d+)\b")


def parse_ris_pmid(fields: dict) -> str | None:
    databases = " ".join(_values(fields, "DB", "DP"))
    urls = _values(fields, "UR", "L2", "LK")
    if "embase" in databases.lower() or any("embase.com" in u for u in urls):
        for v in _values(fields, "C5"):
            if v.isdigit():
                return v
    if "scopus" in databases.lower() or any("scopus.com" in u for u in urls):
        for v in _values(fields, "C2"):
            if v.isdigit():
                return v
    if _NLM_DB.search(databases) and "embase" not in databases.lower():
        for v in _values(fields, "AN"):
            if v.isdigit():
                return v
    for u in urls:
        p = pmid_from_url(u)
        if p:
            return p
    for note in _values(fields, "N1", "M2"):
        m = _PMID_NOTE.search(note)
        if m:
            return m.group(1)
    return None


# A link to the article in PubMed Central or Europe PMC names its PMCID.
_PMC_URL = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/|"
                      r"europepmc\.org/(?:articles?/(?:PMC/)?|abstract/PMC/))(PMC\d+)\b", re.I)


def parse_ris_pmcid(fields: dict) -> str | None:
    for v in _values(fields, "C2", "C1", "C6", "N1", "M2"):
        m = _PMCID.search(v)
        if m:
            return m.group(1)
    for u in _values(fields, "UR", "L2", "LK", "L1"):
        m = _PMC_URL.search(u)
        if m:
            return m.group(1).upper()
    return None


def parse_ris_doi(fields: dict) -> str | None:
    for v in _values(fields, "DO", "M3", "DI"):
        d = find_doi(v)
        if d:
            return d
    for v in _values(fields, "UR", "L2", "L1", "LK"):
        d = doi_from_url(v)
        if d:
            return d
    return None


def parse_ris_pages(fields: dict) -> str | None:
    return join_pages(_first(fields, "SP"), _first(fields, "EP"))


def parse_ris_date(fields: dict) -> str | None:
    """PY (or Y1) gives the year; DA, or PY itself, the month and day when they agree."""
    py = _first(fields, "PY", "Y1")
    da = _first(fields, "DA", "Y2") if "PY" in fields or "Y1" in fields else _first(fields, "DA")
    first = parse_date(py)
    if da:
        year = first[:4] if first else None
        second = parse_date(da, year=year)
        if second and (not first or (second[:4] == first[:4] and len(second) > len(first))):
            return second
    return first


def build_record(fields: dict) -> ArticleRecord:
    extra = {"reference_type": _first(fields, "TY")}
    accession = _values(fields, "AN", "U2")
    if accession:
        extra["accession_numbers"] = accession
    databases = _values(fields, "DB", "DP")
    if databases:
        extra["databases"] = databases
    types = [t for t in _values(fields, "M3") if not find_doi(t)]
    return make_record(
        FORMAT,
        title=_first(fields, "TI", "T1", "CT", "BT", "ST"),
        abstract=_first(fields, "AB", "N2"),
        authors=[a for a in map(parse_person, _values(fields, "AU", "A1")) if a],
        journal_name=_first(fields, "JF", "T2", "JO", "JA", "J2"),
        issn=find_issn(" ".join(_values(fields, "SN"))),
        volume=_first(fields, "VL", "VO"),
        issue=_first(fields, "IS", "CP"),
        pages=parse_ris_pages(fields),
        pub_date=parse_ris_date(fields),
        doi=parse_ris_doi(fields),
        pmid=parse_ris_pmid(fields),
        pmcid=parse_ris_pmcid(fields),
        keywords=_values(fields, "KW"),
        publication_types=types,
        language=_first(fields, "LA"),
        extra=extra,
    )


# ---------------------------------------------------------------- Web of Science tagged fields

def build_wos_record(fields: dict) -> ArticleRecord:
    full, short = _values(fields, "AF"), _values(fields, "AU")
    names = full if len(full) >= len(short) else short
    authors = [a for a in map(parse_person, names) if a]
    authors += [Author(name=n, collective=True) for n in _values(fields, "CA", "GP")]
    year = _first(fields, "PY")
    pd = _first(fields, "PD")
    date = parse_date(pd, year=year) if pd else None
    if not date or (year and date[:4] != year):
        date = parse_date(year)
    keywords = [k.strip() for v in _values(fields, "DE", "ID") for k in v.split(";") if k.strip()]
    pmid = _first(fields, "PM")
    return make_record(
        WOS_FORMAT,
        title=_first(fields, "TI"),
        abstract=_first(fields, "AB"),
        authors=authors,
        journal_name=_first(fields, "SO"),
        issn=find_issn(_first(fields, "SN") or _first(fields, "EI")),
        volume=_first(fields, "VL"),
        issue=_first(fields, "IS"),
        pages=join_pages(_first(fields, "BP"), _first(fields, "EP")) or _first(fields, "AR"),
        pub_date=date,
        doi=find_doi(_first(fields, "DI")),
        pmid=pmid if pmid and pmid.isdigit() else None,
        keywords=keywords,
        publication_types=[t.strip() for v in _values(fields, "DT") for t in v.split(";") if t.strip()],
        language=_first(fields, "LA"),
        extra={"accession_numbers": _values(fields, "UT")} if _values(fields, "UT") else {},
    )


# ---------------------------------------------------------------- shared helpers

def has_content(rec: ArticleRecord) -> bool:
    """A record with no title, no abstract and no identifier is no article: an empty RIS
    record (`TY  - GEN` and a note), a BibTeX style-control entry (@IEEEtranBSTCTL). The
    reference-list ingesters skip it; a file of nothing else has no records."""
    return bool(rec.title or rec.abstract or rec.doi or rec.pmid or rec.pmcid or rec.nct_id)


def clean(s) -> str | None:
    """Whitespace collapsed; None for None, blanks and non-text."""
    if s is None or isinstance(s, (dict, list)):
        return None
    s = " ".join(str(s).split())
    return s or None


_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")


def find_doi(s: str | None) -> str | None:
    """A DOI inside a value: bare, `doi:`, a doi.org URL, or NLM's `... [doi]`."""
    if not s:
        return None
    m = _DOI.search(unquote(s) if "%2" in s.lower() else s)
    if not m:
        return None
    return normalise_doi(m.group(1).rstrip(".,;)]"))


def doi_from_url(url: str) -> str | None:
    """The DOI in a doi.org link or a `doi=`/`id=doi:` query parameter; not any 10.x in a path."""
    u = unquote(url)
    m = re.search(r"(?:doi\.org/|[?&](?:doi=|id=doi:|rft_id=info:doi/))(10\.\d{4,9}/[^\s&\"<>]+)", u, re.I)
    return normalise_doi(m.group(1).rstrip(".,;)]")) if m else None


_PUBMED_URL = re.compile(r"(?:ncbi\.nlm\.nih\.gov/(?:pubmed|entrez/query\.fcgi\?.*list_uids=)|pubmed\.ncbi\.nlm\.nih\.gov)/?(\d{1,9})\b")


def pmid_from_url(url: str | None) -> str | None:
    m = _PUBMED_URL.search(url or "")
    return m.group(1) if m else None


_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")


def find_issn(s: str | None) -> str | None:
    """The first ISSN in a value, hyphenated: '03064530 (ISSN)' -> '0306-4530'."""
    m = _ISSN.search(s or "")
    return f"{m.group(1)}-{m.group(2).upper()}" if m else None


def split_keywords(value: str | None) -> list[str]:
    """'a; b; c' or 'a, b (x, y), c' -> items: ';' when there is one, else ',' outside parentheses."""
    value = clean(value)
    if not value:
        return []
    if ";" in value:
        return [x.strip() for x in value.split(";") if x.strip()]
    items, depth, cur = [], 0, []
    for c in value:
        depth += (c == "(") - (c == ")")
        if c == "," and depth <= 0:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    items.append("".join(cur))
    return [x.strip() for x in items if x.strip()]


def join_pages(start: str | None, end: str | None) -> str | None:
    # Without a digit it is not a page ("No-Specified", Ovid's placeholder).
    start, end = (x if x and any(c.isdigit() for c in x) else None for x in (clean(start), clean(end)))
    if start and end and end != start and "-" not in start:
        return f"{start}-{end}"
    return start or end


_MONTH_WORD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.I)
_NUMERIC_DATE = re.compile(r"^(\d{4})(?:[-/.](\d{0,2})(?:[-/.](\d{0,2}))?)?(?:[-/.T ]|$)")


def parse_date(s: str | None, year: str | None = None) -> str | None:
    """ISO from the date forms exports write.

    '2020/03/15/', '2019/10//undefined', '2020//', '2004-08-25', '2016 Jan-Feb', '25 Aug 2004',
    'January 7, 2011', and, given the year, 'Mar 3', 'SEP' or 'Summer'.
    """
    s = clean(s)
    if not s:
        return None
    m = _NUMERIC_DATE.match(s)
    if m and (m.group(2) or not _MONTH_WORD.search(s)):
        month = int(m.group(2)) if m.group(2) else None
        return iso_from_parts(m.group(1), month if month and 1 <= month <= 12 else None, m.group(3))
    y = re.search(r"\b(\d{4})\b", s)
    yr = y.group(1) if y else year
    if not yr:
        return None
    mw = _MONTH_WORD.search(s)
    month = month_number(mw.group(1)) if mw else None
    day = None
    if month:
        rest = (s[:mw.start()] + " " + s[mw.end():]).replace(yr, " ", 1) if y else s[:mw.start()] + " " + s[mw.end():]
        d = re.search(r"\b(\d{1,2})\b", rest)
        day = d.group(1) if d else None
    return iso_from_parts(yr, month, day)


# Words that mark an author as a group rather than a person.
_COLLECTIVE = re.compile(
    r"\b(group|consortium|collaborat\w*|investigators?|committee|society|association|network|team|"
    r"organi[sz]ation|working|council|alliance|foundation|institute|cent(er|re)|programme?|initiative|"
    r"panel|task force|writing|study|trial|office|department|agency|board|academy|federation|"
    r"college|union|university|hospital|ministry)\b", re.I)
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$|^(?:[A-Z][a-z]?\.)+(?:-[A-Z]\.?)?$")


def is_collective(name: str) -> bool:
    return bool(_COLLECTIVE.search(name))


def parse_person(name: str | None, *, collective: bool | None = None) -> Author | None:
    """'Family, Given', 'Family G.', 'Family GA' or 'Given Family' to an Author; groups flagged."""
    name = clean(name)
    if not name:
        return None
    name = name.strip(" ,;")
    if collective or (collective is None and "," not in name and is_collective(name)):
        return Author(name=name, collective=True)
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), clean(given.strip(" ,"))
        if not family:
            return Author(name=given, given=given) if given else None
        return Author(name=" ".join(x for x in (given, family) if x), family=family, given=given)
    parts = name.split(" ")
    if len(parts) == 1:
        return Author(name=name, family=name)
    if _INITIALS.match(parts[-1]):               # 'Liu R.', 'Adler D.G.', 'Smith JA'
        family, given = " ".join(parts[:-1]), parts[-1]
    else:                                        # 'Henry S. Frank'
        family, given = parts[-1], " ".join(parts[:-1])
    return Author(name=f"{given} {family}", family=family, given=given)


def make_record(fmt: str, *, title: str | None, abstract: str | None, authors: list[Author] | None = None,
                journal_name: str | None = None, issn: str | None = None, volume: str | None = None,
                issue: str | None = None, pages: str | None = None, pub_date: str | None = None,
                doi: str | None = None, pmid: str | None = None, pmcid: str | None = None,
                nct_id: str | None = None, keywords: Iterable[str] = (), publication_types: Iterable[str] = (),
                language: str | None = None, title_original: str | None = None, title_language: str | None = None,
                oa_url: str | None = None, extra: dict | None = None) -> ArticleRecord:
    """One ArticleRecord from cleaned fields; `text` is title, blank line, abstract, with exact spans."""
    title, abstract = strip_html(title), strip_html(abstract)
    text, spans, _ = build_text(title, abstract)
    name = clean(journal_name)
    journal = Journal(name=name, issn=issn, volume=clean(volume), issue=clean(issue), pages=clean(pages)) \
        if name else None
    pmid = clean(pmid)
    pmcid = clean(pmcid)
    return ArticleRecord(
        source_format=fmt,
        text=text,
        title=title,
        title_original=clean(title_original),
        title_language=title_language,
        abstract=abstract,
        doi=doi,
        pmid=pmid if pmid and pmid.isdigit() else None,
        pmcid=pmcid.upper() if pmcid else None,
        nct_id=nct_id,
        pub_date=pub_date,
        year=int(pub_date[:4]) if pub_date else None,
        journal=journal,
        authors=list(authors or []),
        keywords=list(dict.fromkeys(k for k in (clean(k) for k in keywords) if k)),
        publication_types=list(dict.fromkeys(t for t in (clean(t) for t in publication_types) if t)),
        language=clean(language),
        oa_url=oa_url,
        spans=spans,
        extra={k: v for k, v in (extra or {}).items() if v not in (None, "", [], {})},
    )


@hookimpl
def register_ingesters():
    return [RisIngester(), WosTaggedIngester()]
