"""PubMed's MEDLINE text format (.nbib from "Cite", .txt from "Save > PubMed format").

Each line is a tag padded to four characters, "- " and a value (`PMID- 30922926`,
`TI  - ...`); a line starting with six spaces continues the value above; a blank line ends
a citation. The file is decoded as it is read (kb.ingesters.stream), line by line, and each
citation becomes a record as soon as it ends: memory stays flat whatever the size.

Fields: PMID, TI (NLM's [bracketed] translated titles unbracketed, TT as the original-language
title), AB, FAU/AU (one author per FAU, the AU after it is its short form), CN (collective),
DP (DEP when DP is missing), JT/TA, IS, VI, IP, PG, LID/AID "[doi]", PMC, MH (descriptors,
qualifiers dropped), OT, PT, LA.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.pubmed_xml import NOT_AVAILABLE, parse_medline_date
from kb.ingesters.ris import clean, find_doi, find_issn, first_lines, make_record, parse_date, parse_person
from kb.ingesters.stream import text_lines
from kb.models import ArticleRecord, Author, Document

FORMAT = "medline-nbib"
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,2}- ?(.*)$")
CONTINUATION = "      "
_BRACKETED = re.compile(r"^\[(.+)\](\.?)$", re.S)


class MedlineNbibIngester:
    format = FORMAT
    priority = 45

    def sniff(self, head: bytes, doc: Document) -> bool:
        lines = first_lines(head, 2)
        return len(lines) == 2 and bool(re.match(r"PMID- ?\d+\s*$", lines[0])) and bool(TAG_LINE.match(lines[1]))

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        for number, fields in enumerate(parse_citations(text_lines(doc), doc.path), start=1):
            try:
                yield build_record(fields)
            except ValueError as e:
                raise ParseError(doc.path, f"record {number}: {e}") from None


def parse_citations(lines: Iterable[tuple[int, str]], source: str) -> Iterator[list[tuple[str, str]]]:
    """(tag, value) pairs of each citation, in order, continuation lines joined with a space;
    `lines` are (line number, line) as ris.iter_lines or stream.text_lines give them."""
    current: list[list[str]] = []
    number = 0
    start_line = 0

    def finish():
        if current[0][0] != "PMID":
            raise ParseError(source, f"record {number} (line {start_line}) does not start with PMID-")
        return [(t, " ".join(v.split())) for t, v in current]

    for no, line in lines:
        if not line.strip():
            if current:
                yield finish()
                current = []
            continue
        if line.startswith(CONTINUATION) or (line[:1] == " " and current and not TAG_LINE.match(line)):
            if not current:
                raise ParseError(source, f"line {no}: continuation line outside a record (after record {number})")
            current[-1][1] += " " + line.strip()
            continue
        m = TAG_LINE.match(line)
        if not m:
            raise ParseError(source, f"line {no}: not a MEDLINE tag line: {line.strip()[:40]!r} (record {number + 1})")
        tag, value = m.group(1), m.group(2)
        if tag == "PMID" and current:       # citations not separated by a blank line
            yield finish()
            current = []
        if not current:
            number += 1
            start_line = no
        current.append([tag, value])
    if current:
        yield finish()


def _all(fields: list[tuple[str, str]], tag: str) -> list[str]:
    return [v for t, v in fields if t == tag and v]


def _one(fields: list[tuple[str, str]], tag: str) -> str | None:
    vals = _all(fields, tag)
    return vals[0] if vals else None


def parse_authors(fields: list[tuple[str, str]]) -> list[Author]:
    """Authors in file order: FAU (full) with its AU (short) after it, AU alone, CN groups."""
    authors: list[Author] = []
    paired = True          # whether the last FAU has already met its AU
    for tag, value in fields:
        if tag == "FAU":
            a = parse_person(value, collective=False)
            if a:
                authors.append(a)
                paired = False
        elif tag == "AU":
            if not paired:
                paired = True
                continue
            a = parse_person(value, collective=False)
            if a:
                authors.append(a)
        elif tag == "CN":
            authors.append(Author(name=value, collective=True))
            paired = True
    return authors


def parse_title(fields) -> tuple[str | None, bool]:
    title = _one(fields, "TI")
    m = _BRACKETED.match(title or "")
    if m and "[" not in m.group(1) and "]" not in m.group(1):
        return m.group(1) + m.group(2), True
    return title, False


def parse_doi(fields) -> str | None:
    for tag in ("LID", "AID"):
        for v in _all(fields, tag):
            if v.endswith("[doi]"):
                return find_doi(v[:-5])
    return None


def parse_pub_date(fields) -> str | None:
    dp = _one(fields, "DP")
    return parse_medline_date(dp) or parse_date(dp) or parse_date(_one(fields, "DEP"))


def mesh_descriptor(heading: str) -> str:
    """'Neoplasms/*drug therapy' -> 'Neoplasms'; '*Humans' -> 'Humans'."""
    return heading.split("/", 1)[0].lstrip("*").strip()


def build_record(fields: list[tuple[str, str]]) -> ArticleRecord:
    title, translated = parse_title(fields)
    if not title or (translated and title.rstrip(".").strip().lower() == NOT_AVAILABLE):
        # No English title (none, or NLM's placeholder): the original (TT) is the title.
        title, translated = _one(fields, "TT"), False
    mesh = list(dict.fromkeys(mesh_descriptor(h) for h in _all(fields, "MH")))
    languages = _all(fields, "LA")
    pmid = _one(fields, "PMID")
    if not pmid or not pmid.isdigit():
        raise ValueError(f"PMID {pmid!r} is not a number")
    original = _one(fields, "TT")
    extra = {"mesh": mesh, "journal_abbrev": _one(fields, "TA")}
    if translated:
        extra["title_translated"] = True
    if len(languages) > 1:
        extra["languages"] = languages
    return make_record(
        FORMAT,
        title=title,
        abstract=_one(fields, "AB"),
        authors=parse_authors(fields),
        journal_name=_one(fields, "JT") or _one(fields, "TA"),
        issn=find_issn(_one(fields, "IS")),
        volume=_one(fields, "VI"),
        issue=_one(fields, "IP"),
        pages=_one(fields, "PG"),
        pub_date=parse_pub_date(fields),
        doi=parse_doi(fields),
        pmid=pmid,
        pmcid=clean(_one(fields, "PMC")),
        keywords=_all(fields, "OT") + mesh,
        publication_types=_all(fields, "PT"),
        language=languages[0] if languages else None,
        title_original=original,
        title_language=next((lang for lang in languages if lang != "eng"), None) if original else None,
        extra=extra,
    )


@hookimpl
def register_ingesters():
    return [MedlineNbibIngester()]
