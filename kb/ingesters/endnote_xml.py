"""EndNote XML (File > Export > XML; also written by Bookends, JabRef and others).

    <xml><records><record> <contributors><authors><author><style>Ahmad, AS</style>...
    <titles><title>, <secondary-title> (journal) ... </record></records></xml>

Values sit inside `<style>` runs (sometimes split over several); every value is flattened
and its whitespace collapsed, since exports may be pretty-printed. The file is streamed from
disk with lxml iterparse and each <record> is cleared once read, so memory stays flat
whatever its size (issue 4). The parser never loads a DTD, never touches the network and
never substitutes entities; a file declaring entities is refused.

Fields: title (titles/title), journal (periodical/full-title, titles/secondary-title,
alt-periodical, abbr-1), authors (contributors/authors), abstract, keywords, year and
pub-dates/date, volume, number (issue), pages, isbn (ISSN when it looks like one),
electronic-resource-num (DOI), accession-num (PMID when the record comes from PubMed/NLM or
a PubMed link has the same number), custom2 (PMCID, as EndNote stores it), language,
work-type (publication type), ref-type name.
"""
from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import flatten, refuse_declared_entities, tag_name
from kb.ingesters.pubmed_xml import root_name
from kb.ingesters.ris import clean, find_doi, find_issn, make_record, parse_date, parse_person, pmid_from_url
from kb.ingesters.stream import NamelessReader
from kb.models import ArticleRecord, Document

FORMAT = "endnote-xml"
PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                      huge_tree=False, remove_comments=True, remove_pis=True)
_PMC = re.compile(r"\b(PMC\d+)\b")
_NLM = re.compile(r"pubmed|medline|\bnlm\b", re.I)


class EndnoteXmlIngester:
    format = FORMAT
    priority = 60

    def sniff(self, head: bytes, doc: Document) -> bool:
        return root_name(head) == "xml" and bool(re.search(rb"<records\s*>\s*(<record[\s>]|</records)", head))

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        number = 0
        try:
            with NamelessReader(doc.open()) as src:   # nameless: lxml's messages say <string>
                depth = 0
                for event, elem in etree.iterparse(src, events=("start", "end"), **PARSER_OPTIONS):
                    if event == "start":
                        if depth == 0:
                            check_root(elem, doc.path)
                        depth += 1
                        continue
                    depth -= 1
                    if elem.tag != "record" or depth != 2:
                        continue
                    number += 1
                    try:
                        yield build_record(elem)
                    except ValueError as e:
                        raise ParseError(doc.path, f"record {number}: {e}") from None
                    elem.clear(keep_tail=False)
                    parent = elem.getparent()
                    while elem.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as e:
            raise ParseError(doc.path, f"malformed EndNote XML after record {number}: "
                                       f"{' '.join(str(e).split())}") from None


def check_root(root, source: str) -> None:
    if root.tag != "xml":
        raise ParseError(source, f"not EndNote XML: the root element is <{tag_name(root)}>")
    refuse_declared_entities(root, source, "EndNote XML")


def text_at(record, path: str) -> str | None:
    el = record.find(path)
    return clean(flatten(el)) if el is not None else None


def texts_at(record, path: str) -> list[str]:
    return [t for t in (clean(flatten(el)) for el in record.iterfind(path)) if t]


def parse_pmid(record) -> str | None:
    accession = text_at(record, "accession-num")
    urls = texts_at(record, "urls/related-urls/url") + texts_at(record, "urls/web-urls/url")
    url_pmids = [p for p in map(pmid_from_url, urls) if p]
    source = " ".join(x for x in (text_at(record, "remote-database-name"),
                                  text_at(record, "remote-database-provider")) if x)
    if accession and accession.isdigit() and (_NLM.search(source) or accession in url_pmids):
        return accession
    return url_pmids[0] if url_pmids else None


def parse_pub_date(record) -> str | None:
    year = text_at(record, "dates/year")
    first = parse_date(year)
    date = text_at(record, "dates/pub-dates/date")
    if date:
        second = parse_date(date, year=first[:4] if first else None)
        if second and (not first or (second[:4] == first[:4] and len(second) > len(first))):
            return second
    return first


def build_record(record) -> ArticleRecord:
    authors = [a for a in map(parse_person, texts_at(record, "contributors/authors/author")) if a]
    ref_type = record.find("ref-type")
    pmcid = next((m.group(1) for m in (_PMC.search(v) for v in texts_at(record, "custom2")) if m), None)
    return make_record(
        FORMAT,
        title=text_at(record, "titles/title"),
        abstract=text_at(record, "abstract"),
        authors=authors,
        journal_name=text_at(record, "periodical/full-title") or text_at(record, "titles/secondary-title")
        or text_at(record, "alt-periodical/full-title") or text_at(record, "periodical/abbr-1"),
        issn=find_issn(text_at(record, "isbn")),
        volume=text_at(record, "volume"),
        issue=text_at(record, "number"),
        pages=text_at(record, "pages"),
        pub_date=parse_pub_date(record),
        doi=find_doi(text_at(record, "electronic-resource-num")),
        pmid=parse_pmid(record),
        pmcid=pmcid,
        keywords=texts_at(record, "keywords/keyword"),
        publication_types=texts_at(record, "work-type"),
        language=text_at(record, "language"),
        extra={"reference_type": ref_type.get("name") if ref_type is not None else None,
               "accession_numbers": texts_at(record, "accession-num"),
               "record_number": text_at(record, "rec-number")},
    )


@hookimpl
def register_ingesters():
    return [EndnoteXmlIngester()]

