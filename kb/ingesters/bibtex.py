"""BibTeX / BibLaTeX (.bib): @article{key, field = {value}, ...}, read with bibtexparser 1.x.

bibtexparser resolves @string macros and the month names (`month = aug`); the field values
keep their LaTeX, which is turned into Unicode here (accents, `--`, `\\%`, `\\textit{}`), after
the author list has been split on `and` so a braced `{World Health Organization}` stays one
collective author.

The file is streamed (issue 4): decoded as it is read (kb.ingesters.stream) and cut before
every line that starts a declaration (`@type{` / `@type(`, where bibtexparser's own grammar
ends a comment), and each piece is handed in turn to one bibtexparser parser, which keeps
the @string macros of the pieces before.

bibtexparser 1.x skips an entry it cannot read without saying so. The entries declared in
the text are counted, and a file where fewer were read is refused with the first one that
was lost. A piece that does not read as what it declares (an entry that is lost or runs
into the next piece, a broken @string), or any other error, sends the file back to the
whole-file reading, which says exactly what it always said (within KB_MAX_FILE_MB; above
it, the error of the piece is given).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Iterator

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import splitname
from bibtexparser.latexenc import latex_to_unicode

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import decode_text
from kb.ingesters.stream import open_text, open_whole_allowed, strip_eol, text_info
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
        info = text_info(doc)
        if info.encoding is None:               # a legacy encoding: decoded whole
            yield from whole_file_records(doc)
            return
        done = 0
        try:
            with open_text(doc, info) as text:
                for rec in stream_records(pieces(text)):
                    yield rec
                    done += 1
        except _NotAsWhole as e:
            if not open_whole_allowed(doc):
                raise ParseError(doc.path, str(e)) from None
            yield from whole_file_records(doc)[done:]


def whole_file_records(doc: Document) -> list[ArticleRecord]:
    """The file read whole, as before streaming: its records, or the error it gives."""
    return list(_whole_file_records(doc))


def _whole_file_records(doc: Document) -> Iterator[ArticleRecord]:
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


class _NotAsWhole(Exception):
    """A piece did not read the way it would in the whole file (or could not be read)."""


def pieces(text: Iterable[str]) -> Iterator[tuple[str | None, str | None, str]]:
    """(declared type, key, text) of each piece: the text before the first declaration
    (type None), then each line starting a declaration and the lines up to the next one.
    Line ends become LF, as the whole-file reading makes them."""
    kind = key = None
    buf: list[str] = []
    for line in text:
        body = strip_eol(line)
        line = body + "\n" if len(body) < len(line) else body
        m = ENTRY_START.match(line)
        if m:
            if buf:
                yield kind, key, "".join(buf)
            kind, key, buf = m.group(1), m.group(2), []
        buf.append(line)
    if buf:
        yield kind, key, "".join(buf)


class _CountingParser(BibTexParser):
    """bibtexparser's parser, fed piece by piece; counts the @string and @preamble it reads."""

    def __init__(self):
        super().__init__(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
        self.expect_multiple_parse = True
        self.strings_read = self.preambles_read = 0

    def _add_string(self, string_key, string):
        self.strings_read += 1
        super()._add_string(string_key, string)

    def _add_preamble(self, preamble):
        self.preambles_read += 1
        super()._add_preamble(preamble)


def stream_records(parts: Iterable[tuple[str | None, str | None, str]]) -> Iterator[ArticleRecord]:
    """Records piece by piece; _NotAsWhole when a piece does not read as it declares."""
    parser = _CountingParser()
    db = parser.bib_database
    declared = entries = 0
    for kind, key, text in parts:
        kind_l = kind.lower() if kind else None
        is_entry = kind_l is not None and kind_l not in NOT_ENTRIES
        declared += is_entry
        strings, preambles = parser.strings_read, parser.preambles_read
        try:
            parser.parse(text)
        except Exception as e:  # noqa: BLE001 - pyparsing raises assorted errors on broken input
            raise _NotAsWhole(f"malformed BibTeX: {' '.join(str(e).split())[:120]}") from None
        read, db.entries = db.entries, []
        db.comments.clear()
        db.preambles.clear()
        if ((is_entry and not read) or (kind_l == "string" and parser.strings_read == strings)
                or (kind_l == "preamble" and parser.preambles_read == preambles)):
            raise _NotAsWhole(f"entry {declared} (@{kind}{{{key}) could not be read (unbalanced braces or quotes?)")
        for entry in read:
            entries += 1
            try:
                yield build_record(entry)
            except ValueError as e:
                raise _NotAsWhole(f"entry {entries}: {e}") from None


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
