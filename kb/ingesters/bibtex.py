"""BibTeX / BibLaTeX (.bib): @article{key, field = {value}, ...}, read with bibtexparser 1.x.

bibtexparser resolves @string macros and the month names (`month = aug`); the field values
keep their LaTeX, which is turned into Unicode here (accents, `--`, `\\%`, `\\textit{}`), after
the author list has been split on `and` so a braced `{World Health Organization}` stays one
collective author. bibtexparser reads the whole file at once (BibTeX has no record
separator to stream on); .bib exports are small.

bibtexparser 1.x skips an entry it cannot read without saying so. The entries declared in
the text (`@type{` / `@type(` at the start of a line) are counted, and a file where fewer
were read is refused with the first one that was lost.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname
from bibtexparser.latexenc import latex_to_unicode

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import decode_text
from kb.ingesters.pubmed_xml import iso_from_parts, month_number
from kb.ingesters.ris import clean, find_doi, find_issn, first_lines, make_record, parse_date, pmid_from_url, \
    split_keywords
from kb.models import ArticleRecord, Author, Document

FORMAT = "bibtex"
NOT_ENTRIES = {"string", "comment", "preamble"}
ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)", re.M)
_FORMATTING = re.compile(r"\\(?:textit|textbf|textsl|textsc|textsf|texttt|textrm|textup|textnormal|emph|"
                         r"mathrm|mathit|mathbf|mbox|text|textsuperscript|textsubscript|url|href\{[^}]*\})\s*(?=\{)")


class BibtexIngester:
    format = FORMAT
    priority = 40

    def sniff(self, head: bytes, doc: Document) -> bool:
        lines = [x for x in first_lines(head, 20) if not x.lstrip().startswith("%")]
        return bool(lines) and bool(ENTRY_START.match(lines[0]))

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        text = decode_text(doc).replace("\r\n", "\n").replace("\r", "\n")
        declared = [(m.group(1), m.group(2)) for m in ENTRY_START.finditer(text)
                    if m.group(1).lower() not in NOT_ENTRIES]
        entries = parse_entries(text, doc.path)
        if len(entries) < len(declared):
            read = {e.get("ID") for e in entries}
            lost = next(((i, t, k) for i, (t, k) in enumerate(declared, start=1) if k not in read),
                        (len(entries) + 1, *declared[len(entries)]))
            raise ParseError(doc.path, f"entry {lost[0]} (@{lost[1]}{{{lost[2]}) could not be read "
                                       "(unbalanced braces or quotes?)")
        for i, entry in enumerate(entries, start=1):
            try:
                yield build_record(entry)
            except ValueError as e:
                raise ParseError(doc.path, f"entry {i}: {e}") from None


def parse_entries(text: str, source: str) -> list[dict]:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    try:
        return bibtexparser.loads(text, parser=parser).entries
    except Exception as e:  # noqa: BLE001 - pyparsing raises assorted errors on broken input
        raise ParseError(source, f"malformed BibTeX: {' '.join(str(e).split())[:120]}") from None


# ---------------------------------------------------------------- LaTeX to text

def latex_text(s: str | None) -> str | None:
    """LaTeX markup in a field to plain Unicode: accents, dashes, escapes, formatting commands."""
    if s is None:
        return None
    s = _FORMATTING.sub("", s)
    s = re.sub(r"\\([ij])(?![A-Za-z])", r"\1", s)      # dotless \i and \j take accents as i and j
    s = unicodedata.normalize("NFC", latex_to_unicode(s))
    s = s.replace("---", "\u2014").replace("--", "\u2013").replace("~", " ").replace("$", "")
    s = re.sub(r"\\([%&#_{}$])", r"\1", s)
    s = s.replace("{", "").replace("}", "")
    return clean(s)


def split_authors(value: str) -> list[str]:
    """Names in an author field, split on ' and ' outside braces."""
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        c = value[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and value[i:i + 5].lower() == " and ":
            names.append(value[start:i])
            start = i + 5
            i += 5
            continue
        i += 1
    names.append(value[start:])
    return [" ".join(n.split()) for n in names if n.strip()]


def parse_author(name: str) -> Author | None:
    if name.lower() == "others":
        return None
    if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
        literal = latex_text(name)
        return Author(name=literal, collective=True) if literal else None
    try:
        parts = splitname(name, strict_mode=False)
    except Exception:  # noqa: BLE001 - bibtexparser raises InvalidName and friends
        parts = {"last": [name], "first": [], "von": [], "jr": []}
    family = latex_text(" ".join(parts.get("von", []) + parts.get("last", [])))
    given = latex_text(" ".join(parts.get("first", [])))
    suffix = latex_text(" ".join(parts.get("jr", [])))
    if not family and not given:
        return None
    return Author(name=" ".join(x for x in (given, family, suffix) if x), family=family, given=given)


def parse_bib_date(entry: dict) -> str | None:
    if entry.get("date"):
        return parse_date(latex_text(entry["date"]))
    year = clean(entry.get("year"))
    if not year or not re.fullmatch(r"\d{4}", year):
        return parse_date(year)
    return iso_from_parts(year, month_number(latex_text(entry.get("month"))), clean(entry.get("day")))


def _field(entry: dict, *names: str) -> str | None:
    for n in names:
        v = latex_text(entry.get(n))
        if v:
            return v
    return None


def parse_bib_pmid(entry: dict) -> str | None:
    pmid = _field(entry, "pmid")
    if pmid:
        return pmid
    if (entry.get("eprinttype") or entry.get("archiveprefix") or "").lower() == "pubmed":
        return _field(entry, "eprint")
    return pmid_from_url(entry.get("url"))


def build_record(entry: dict) -> ArticleRecord:
    authors = [a for a in map(parse_author, split_authors(entry.get("author") or "")) if a]
    pages = _field(entry, "pages")
    return make_record(
        FORMAT,
        title=_field(entry, "title"),
        abstract=_field(entry, "abstract"),
        authors=authors,
        journal_name=_field(entry, "journal", "journaltitle", "booktitle"),
        issn=find_issn(_field(entry, "issn")),
        volume=_field(entry, "volume"),
        issue=_field(entry, "number", "issue"),
        pages=re.sub(r"\s*[\u2013\u2014-]+\s*", "-", pages) if pages else None,
        pub_date=parse_bib_date(entry),
        doi=find_doi(entry.get("doi")),
        pmid=parse_bib_pmid(entry),
        pmcid=_field(entry, "pmcid"),
        keywords=split_keywords(_field(entry, "keywords", "keyword")),
        language=_field(entry, "language", "langid"),
        extra={"entry_type": entry.get("ENTRYTYPE"), "citation_key": entry.get("ID")},
    )


@hookimpl
def register_ingesters():
    return [BibtexIngester()]
