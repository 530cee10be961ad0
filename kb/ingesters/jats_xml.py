"""JATS XML full text: PMC open-access `.nxml` files, Europe PMC fullTextXML, PMC efetch.

One `<article>` is one record (a PMC efetch `<pmc-articleset>` holds several: each is read
and cleared in turn, with lxml iterparse). Told apart by content, never the file name: the
root element is `article` and the file says it is JATS (an NLM/JATS DOCTYPE, a JATS
namespace, or `<front>` with `<article-meta>`/`<journal-meta>`), or the root is
`pmc-articleset`.

The parser never loads a DTD, never touches the network and never resolves entities. The
DOCTYPE line PMC writes is normal and tolerated; a file that *declares* entities in an
internal subset is not something PMC produces and is refused.

`record.text` is a rendering of the article for extraction and quotes, in this order:

    title
    (blank) "Abstract", then one line per abstract paragraph ("LABEL: text" when structured)
    (blank) each body section: its heading line ("label title"), then one line per paragraph;
            nested sections follow in document order, each after a blank line
    (blank) back matter (acknowledgements, notes, appendices) the same way; no reference list
    (blank) each figure as one line, "Figure N caption"
    (blank) each table: a "Table N caption" line, one line per row (header rows included,
            non-empty cells joined by single spaces, a spanning cell once, as the XML gives
            it), then its footnotes one per line ("a text")

Floats (tables, figures) nested in paragraphs are taken out of the paragraph and rendered
after the back matter, so a table never splits a sentence. Inline markup is flattened;
cross-references keep their text, and a bare numeric citation (superscript style) is
bracketed, "[12]", so extraction can tell a sentence that cites other work. Runs of XML
whitespace become one space; other spaces (the thin space in "138 359") are kept.

`record.spans` gives exact offsets: title, abstract, one span per section (heading line
included, `title` set, kind from the heading, else `sec-type`, else the parent section's),
one 'table' span per table and one 'caption' span per figure. `record.tables` holds each
table's rows of cells with offsets into `record.text`.
"""
from __future__ import annotations

import io
import re
from typing import Iterator

from lxml import etree

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import normalise_doi, refuse_declared_entities
from kb.ingesters.pubmed_xml import iso_from_parts, month_number, root_name
from kb.models import ArticleRecord, Author, Document, Journal, Span, Table, TableCell

FORMAT = "jats-xml"
ROOTS = ("article", "pmc-articleset")

# Safe by construction: no DTD, no network, no entity substitution, libxml2's default limits.
PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False,
                      dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True)

# Public identifiers of the NLM/JATS DTDs: "-//NLM//DTD JATS (Z39.96) Journal Archiving ...",
# "-//NLM//DTD Journal Publishing DTD v3.0 ...", "-//NLM//DTD Journal Archiving and Interchange ...".
_JATS_DOCTYPE = re.compile(rb"<!DOCTYPE\s+article\b[^>\[]*(?:JATS|NLM|Journal Archiving|Journal Publishing|"
                           rb"Article Authoring|archivearticle|journalpublishing)", re.I)
_JATS_MARKERS = (b"<front", b"<article-meta")
_JATS_NS = re.compile(r"jats\.nlm\.nih\.gov|dtd\.nlm\.nih\.gov", re.I)

# XML whitespace only: U+2009 in "138 359" or U+00A0 are content, not layout.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
# A citation as a bare number, list or range: "12", "3,4", "5–7", "1, 3-5".
_CITE_NUM = re.compile(r"\s*\d{1,4}(?:\s*[,–—-]\s*\d{1,4})*\s*")

# Elements taken out of running text and rendered after the back matter.
_FLOATS = {"table-wrap", "fig", "table-wrap-group", "fig-group"}
# Inline elements whose text is not part of the sentence (a collab's member list included).
_SKIP_INLINE = {"ref-list", "alt-text", "long-desc", "object-id", "contrib-group"}

# Section headings and sec-type values -> span kinds (see kb.models.Span).
_HEADINGS = {
    "introduction": "introduction", "background": "introduction", "intro": "introduction",
    "introduction and background": "introduction",
    "methods": "methods", "method": "methods", "materials and methods": "methods",
    "material and methods": "methods", "methods and materials": "methods", "patients and methods": "methods",
    "subjects and methods": "methods", "participants and methods": "methods", "study design": "methods",
    "statistical analysis": "methods", "statistical analyses": "methods", "statistical methods": "methods",
    "experimental procedures": "methods", "materials": "methods",
    "results": "results", "findings": "results", "results and discussion": "results",
    "discussion": "discussion", "comment": "discussion",
    "conclusion": "conclusions", "conclusions": "conclusions", "summary and conclusions": "conclusions",
}
_SEC_TYPES = {
    "intro": "introduction", "introduction": "introduction", "background": "introduction",
    "materials|methods": "methods", "methods": "methods", "materials": "methods", "subjects": "methods",
    "methods|materials": "methods", "patients": "methods", "design": "methods",
    "results": "results", "results|discussion": "results", "cases": "results", "findings": "results",
    "discussion": "discussion", "conclusions": "conclusions", "conclusion": "conclusions",
    "discussion|conclusions": "discussion",
}
# Top-level headings that only contain a kind word: "Model and Results", "Methods and Patients".
_HEADING_WORDS = (("method", "methods"), ("result", "results"), ("discussion", "discussion"),
                  ("conclusion", "conclusions"), ("introduction", "introduction"), ("background", "introduction"))
_OTHER_HEADING = re.compile(r"acknowledg|funding|competing|conflict|contribution|disclosure|supplementa|"
                            r"appendix|abbreviation|availability|declaration|ethic|consent|history", re.I)
# Abstract types that are not the article's abstract proper.
_SIDE_ABSTRACTS = {"graphical", "teaser", "toc", "web-summary", "author-summary", "summary", "editor-summary",
                   "precis", "short"}
# pub-date preference: the issue (as PubMed's PubDate), then the electronic date, then the volume.
_DATE_ORDER = ("ppub", "epub-ppub", "epub", "collection", "pub", "pmc-release")


class JatsXmlIngester:
    format = FORMAT
    priority = 55

    def sniff(self, head: bytes, doc: Document) -> bool:
        return looks_like_jats(head)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        for article in iter_articles(doc):
            yield build_record(article, doc.path)


# ---------------------------------------------------------------- sniffing

def looks_like_jats(head: bytes) -> bool:
    """Root `pmc-articleset`, or root `article` with an NLM/JATS DOCTYPE, namespace or front matter."""
    name = root_name(head)
    if name is None:
        return False
    local = name.rsplit(":", 1)[-1]
    if local == "pmc-articleset":
        return True
    if local != "article":
        return False
    if _JATS_DOCTYPE.search(head[:4096]) or _JATS_NS.search(head[:4096].decode("utf-8", "ignore")):
        return True
    return all(m in head for m in _JATS_MARKERS)


# ---------------------------------------------------------------- parsing

def iter_articles(doc: Document) -> Iterator:
    """Each `<article>` element of the file (the root, or each child of `pmc-articleset`)."""
    depth = 0
    root = None
    try:
        for event, elem in etree.iterparse(io.BytesIO(doc.data), events=("start", "end"), **PARSER_OPTIONS):
            if event == "start":
                if depth == 0:
                    root = elem
                    check_root(elem, doc.path)
                depth += 1
                continue
            depth -= 1
            if _local(elem.tag) != "article":
                continue
            if depth == 0 and elem is root:
                yield strip_namespaces(elem)
            elif depth == 1 and _local(root.tag) == "pmc-articleset":
                yield strip_namespaces(elem)
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del root[0]
    except etree.XMLSyntaxError as e:
        raise ParseError(doc.path, f"malformed JATS XML: {_one_line(e)}") from None


def check_root(root, source: str) -> None:
    if _local(root.tag) not in ROOTS:
        raise ParseError(source, f"not JATS XML: the root element is <{_local(root.tag)}>")
    refuse_declared_entities(root, source, "JATS XML", "PMC files never do")


def strip_namespaces(article):
    """Element names without a JATS namespace (MathML and XLink keep theirs)."""
    for el in article.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{") and _JATS_NS.search(el.tag):
            el.tag = _local(el.tag)
    return article


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    try:
        return etree.QName(tag).localname
    except ValueError:  # a damaged tag name ("a:"): not an element we know
        return ""


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split()) or type(e).__name__


# ---------------------------------------------------------------- text helpers

def squash(s: str) -> str:
    """Runs of XML whitespace to one space, trimmed of XML whitespace."""
    return _XML_SPACE.sub(" ", s).strip(" ")


def text_of(el) -> str | None:
    """Flattened, whitespace-collapsed text of an element; None when absent or blank."""
    if el is None:
        return None
    s = squash(inline_text(el))
    return s or None


def inline_text(el, floats: list | None = None, skip=None) -> str:
    """Text of an element with inline markup flattened.

    Floats met on the way are appended to `floats` (when given) and left out of the text;
    <break/> is a space; of an <alternatives> only the first rendering counts; a numeric
    citation that is not already in brackets or parentheses becomes "[n]". The child `skip`
    (a footnote's label) is left out."""
    out: list[str] = [el.text or ""]
    for child in el:
        if child is skip:
            pass
        elif isinstance(child.tag, str):
            tag = child.tag
            if tag in _FLOATS and floats is not None:
                floats.append(child)
            elif tag == "break":
                out.append(" ")
            elif tag in _SKIP_INLINE:
                pass
            elif tag == "alternatives":
                first = next((c for c in child if isinstance(c.tag, str)), None)
                if first is not None:
                    out.append(inline_text(first, floats))
            elif _is_bare_citation(child, out):
                out.append("[" + squash(inline_text(child)) + "]")
            elif tag in _BLOCKISH:
                out.append(" " + inline_text(child, floats) + " ")
            else:
                out.append(inline_text(child, floats))
        out.append(child.tail or "")
    return "".join(out)


def _is_bare_citation(el, before: list[str]) -> bool:
    """A bibliography xref (or a superscript holding only such xrefs) printed as a bare number."""
    if el.tag == "xref":
        if el.get("ref-type") != "bibr":
            return False
    elif el.tag == "sup":
        kids = [c for c in el if isinstance(c.tag, str)]
        if not kids or any(c.tag != "xref" or c.get("ref-type") != "bibr" for c in kids):
            return False
    else:
        return False
    if not _CITE_NUM.fullmatch(inline_text(el)):
        return False
    prev = "".join(before[-3:]).rstrip()[-1:]
    return prev not in ("[", "(", ",", "–", "—", "-", ";")


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------- metadata

def parse_ids(meta) -> dict[str, str | None]:
    ids: dict[str, str | None] = {"pmid": None, "pmcid": None, "doi": None}
    for el in meta.iterfind("article-id"):
        kind, value = el.get("pub-id-type"), text_of(el)
        if not value:
            continue
        if kind == "pmid" and ids["pmid"] is None and value.isdigit():
            ids["pmid"] = value
        elif kind in ("pmc", "pmcid") and ids["pmcid"] is None:
            digits = re.sub(r"^PMC", "", value, flags=re.I)
            ids["pmcid"] = f"PMC{digits}" if digits.isdigit() else None
        elif kind == "doi" and ids["doi"] is None:
            ids["doi"] = normalise_doi(value)
    return ids


def parse_titles(meta, lang: str | None) -> tuple[str | None, str | None, str | None]:
    """(title, title in the original language, that language). A non-English article with
    an English translated title is filed under the English title."""
    title = text_of(meta.find("title-group/article-title"))
    for tg in meta.iterfind("title-group/trans-title-group"):
        trans = text_of(tg.find("trans-title"))
        if trans and (tg.get("{http://www.w3.org/XML/1998/namespace}lang") or "").lower().startswith("en") \
                and lang and not lang.startswith("en"):
            return trans, title, lang
    return title, None, None


def parse_author(contrib) -> Author | None:
    collab = text_of(contrib.find("collab"))
    if collab:
        return Author(name=collab, collective=True)
    name = contrib.find("name")
    if name is None:
        name = contrib.find("name-alternatives/name")
    if name is not None:
        family, given = text_of(name.find("surname")), text_of(name.find("given-names"))
        suffix = text_of(name.find("suffix"))
        if not family and not given:
            return None
        parts = (family, given) if name.get("name-style") == "eastern" else (given, family)
        return Author(name=" ".join(x for x in (*parts, suffix) if x), family=family, given=given)
    string_name = text_of(contrib.find("string-name"))
    return Author(name=string_name) if string_name else None


def parse_authors(meta) -> list[Author]:
    found = (parse_author(c) for c in meta.iterfind("contrib-group/contrib") if c.get("contrib-type") == "author")
    return [a for a in found if a is not None]


def parse_journal(front, meta) -> tuple[Journal | None, str | None]:
    """The journal, and its NLM title abbreviation."""
    jm = front.find("journal-meta")
    if jm is None:
        return None, None
    abbrev = next((text_of(e) for e in jm.iterfind("journal-id") if e.get("journal-id-type") == "nlm-ta"), None)
    name = text_of(jm.find("journal-title-group/journal-title")) or text_of(jm.find("journal-title")) or abbrev or \
        text_of(jm.find("journal-id"))
    if not name:
        return None, abbrev
    issns = {(e.get("pub-type") or e.get("publication-format") or ""): text_of(e) for e in jm.iterfind("issn")}
    issn = issns.get("ppub") or issns.get("print") or next((v for v in issns.values() if v), None)
    fpage, lpage = text_of(meta.find("fpage")), text_of(meta.find("lpage"))
    pages = f"{fpage}-{lpage}" if fpage and lpage and lpage != fpage else fpage or text_of(meta.find("elocation-id"))
    return Journal(name=name, issn=issn, volume=text_of(meta.find("volume")), issue=text_of(meta.find("issue")),
                   pages=pages), abbrev


def parse_date(el) -> str | None:
    if el is None:
        return None
    month = month_number(text_of(el.find("month"))) or month_number(text_of(el.find("season")))
    return iso_from_parts(text_of(el.find("year")), month, text_of(el.find("day")))


def parse_pub_date(meta) -> str | None:
    """The issue date (ppub), else the electronic date (epub), else the volume's (collection)."""
    dates: dict[str, str] = {}
    for el in meta.iterfind("pub-date"):
        kind = el.get("pub-type")
        if kind is None:   # JATS 1.1+: date-type and publication-format
            fmt, dtype = el.get("publication-format"), el.get("date-type") or "pub"
            kind = {"print": "ppub", "electronic": "epub"}.get(fmt, dtype) if dtype == "pub" else dtype
        iso = parse_date(el)
        if iso and kind not in dates:
            dates[kind] = iso
    return next((dates[k] for k in _DATE_ORDER if k in dates), None)


def parse_keywords(meta) -> list[str]:
    return _dedupe([t for t in (text_of(k) for k in meta.iterfind("kwd-group/kwd")) if t])


def parse_language(article) -> str | None:
    # The JATS DTDs declare xml:lang on <article> with the default "en"; we never load the
    # DTD, so an article that does not say otherwise is English, as the DTD would make it.
    lang = article.get("{http://www.w3.org/XML/1998/namespace}lang")
    return lang.strip().lower() if lang and lang.strip() else "en"


def parse_abstract(meta) -> list[str]:
    """The abstract's paragraphs, one string each; a structured section as "LABEL: text"."""
    abstracts = list(meta.iterfind("abstract"))
    main = next((a for a in abstracts if (a.get("abstract-type") or "") not in _SIDE_ABSTRACTS), None)
    if main is None:   # only a typed one: a "summary" can be the abstract itself (Lancet-style)
        main = next((a for a in abstracts if a.get("abstract-type") not in ("graphical", "teaser", "toc")), None)
    if main is None:
        return []
    lines: list[str] = []
    for child in main:
        if not isinstance(child.tag, str) or child.tag in ("title", "label", "object-id"):
            continue
        if child.tag == "sec":
            label = heading_of(child)
            label = label.rstrip(" :.") if label else None
            body = " ".join(t for t in (squash(inline_text(p)) for p in child
                                        if isinstance(p.tag, str) and p.tag not in ("title", "label")) if t)
            if body:
                lines.append(f"{label}: {body}" if label else body)
        else:
            t = squash(inline_text(child))
            if t:
                lines.append(t)
    return lines


# ---------------------------------------------------------------- rendering

# Elements that hold paragraphs rather than running text.
_CONTAINERS = {"list", "list-item", "def-list", "def-item", "boxed-text", "disp-quote", "statement", "speech",
               "fn-group", "fn", "glossary", "notes", "app", "app-group", "ack", "verse-group", "bio"}
# Inside a paragraph, these start a new stretch of text: keep a space around them.
_BLOCKISH = _CONTAINERS | {"p", "disp-formula", "term", "def", "title", "caption"}


class _Text:
    """record.text as it is written, with the offset of everything written."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self._fresh = False

    def write(self, s: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, self.pos

    def open_block(self) -> int:
        """A blank line before a new block (none at the very start); where its first line starts."""
        if self.pos:
            self.write("\n\n")
        self._fresh = True
        return self.pos

    def line(self, s: str) -> tuple[int, int]:
        """One line: a newline before it unless it opens a block or the text."""
        if self.pos and not self._fresh:
            self.write("\n")
        self._fresh = False
        return self.write(s)

    def rollback(self, pos: int) -> None:
        """Forget what was written after `pos` (a block that turned out empty)."""
        text = "".join(self.parts)[:pos]
        self.parts, self.pos, self._fresh = [text], len(text), False

    def value(self) -> str:
        return "".join(self.parts)


def section_kind(sec, parent_kind: str | None, heading: str | None) -> str:
    """A section's span kind: its heading, else its sec-type, else the parent's kind; a
    top-level heading that only contains a kind word ("Model and Results") takes it."""
    h = re.sub(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+", "", heading or "")
    h = re.sub(r"\s+", " ", h).strip().rstrip(":.").strip().lower()
    if h in _HEADINGS:
        return _HEADINGS[h]
    sec_type = (sec.get("sec-type") or "").strip().lower()
    if sec_type in _SEC_TYPES:
        return _SEC_TYPES[sec_type]
    if parent_kind is not None:
        return parent_kind
    if h and not _OTHER_HEADING.search(h):
        for word, kind in _HEADING_WORDS:
            if word in h:
                return kind
    return "other"


def heading_of(el) -> str | None:
    """"label title" of a section, as printed: "2.1 Patients", "Results"."""
    parts = [t for t in (text_of(el.find("label")), text_of(el.find("title"))) if t]
    return " ".join(parts) or None


class _Renderer:
    def __init__(self) -> None:
        self.out = _Text()
        self.spans: list[Span] = []
        self.floats: list = []
        self.tables: list[Table] = []

    # -- prose

    def section(self, sec, parent_kind: str | None, force: str | None = None) -> None:
        """A section's heading and paragraphs as one span; its sub-sections after it."""
        heading = heading_of(sec)
        kind = force or section_kind(sec, parent_kind, heading)
        start = self.out.open_block()
        if heading:
            self.out.line(heading)
        subs = self.blocks([c for c in sec if isinstance(c.tag, str) and c.tag not in ("title", "label")], kind)
        if self.out.pos > start:
            self.spans.append(Span(kind, start, self.out.pos, heading))
        else:
            self.out.rollback(start - 2 if start else 0)
        for sub in subs:
            self.section(sub, kind, force)

    def untitled(self, children: list, kind: str) -> list:
        """Content before the first section (the BJC introduction has no heading) as one span."""
        start = self.out.open_block()
        subs = self.blocks(children, kind)
        if self.out.pos > start:
            self.spans.append(Span(kind, start, self.out.pos, None))
        else:
            self.out.rollback(start - 2 if start else 0)
        return subs

    def blocks(self, children, kind: str) -> list:
        """Write the paragraphs of `children`; return the sections met, to render afterwards."""
        subs = []
        for child in children:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag in ("ref-list", "sec-meta", "object-id"):
                continue
            if tag == "sec":
                subs.append(child)
            elif tag in _FLOATS:
                self.floats.append(child)
            elif tag == "supplementary-material":
                self.para(" ".join(t for t in (text_of(child.find("label")), text_of(child.find("caption"))) if t))
            elif tag in _CONTAINERS:
                if tag not in ("list-item", "fn", "def-item"):
                    self.para(heading_of(child) or "")
                subs += self.blocks([c for c in child if isinstance(c.tag, str) and c.tag not in ("title", "label")],
                                    kind)
            else:
                self.para(squash(inline_text(child, self.floats)))
        return subs

    def para(self, s: str) -> None:
        if s:
            self.out.line(s)

    # -- floats

    def figure(self, fig) -> None:
        label = text_of(fig.find("label"))
        line = " ".join(t for t in (label, text_of(fig.find("caption"))) if t)
        if line:
            start = self.out.open_block()
            self.out.line(line)
            self.spans.append(Span("caption", start, self.out.pos, label))

    def table(self, wrap, number: int) -> None:
        label = text_of(wrap.find("label"))
        caption = text_of(wrap.find("caption"))
        shown = label or f"Table {number}"
        head = f"{shown} {caption}" if caption else shown
        start = self.out.open_block()
        self.out.line(head)
        rows = [r for r in (self.row(tr) for tbl in wrap.iter("table") for tr in tbl.iter("tr")) if r is not None]
        notes = []
        for el in _foot_notes(wrap.find("table-wrap-foot")):
            note = footnote_text(el)
            if note:
                self.out.line(note)
                notes.append(note)
        self.spans.append(Span("table", start, self.out.pos, head))
        self.tables.append(Table(label=shown.rstrip(".: "), caption=caption, rows=rows,
                                 footnotes="\n".join(notes) or None, start=start, end=self.out.pos))

    def row(self, tr) -> list[TableCell] | None:
        """One line: the non-empty cells joined by single spaces. Empty cells stay in the row
        (zero-width, where they stand) so its cells are the XML's; spacer rows are dropped."""
        texts = [squash(inline_text(c)).strip() for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if not any(texts):
            return None
        self.out.line("")
        cells: list[TableCell] = []
        written = False
        for t in texts:
            if t:
                if written:
                    self.out.write(" ")
                s, e = self.out.write(t)
                written = True
                cells.append(TableCell(t, s, e))
            else:
                cells.append(TableCell("", self.out.pos, self.out.pos))
        return cells


def _foot_notes(foot) -> list:
    """The notes under a table in order: each <fn> (also inside <fn-group>), each <p>."""
    if foot is None:
        return []
    out = []
    for c in foot:
        if isinstance(c.tag, str):
            out += _foot_notes(c) if c.tag == "fn-group" else [c]
    return out


def footnote_text(fn) -> str | None:
    """"a Among consumers only; ...": the label, a space, the note (a <p> or bare text)."""
    label_el = fn.find("label") if fn.tag == "fn" else None
    label = text_of(label_el)
    body = squash(inline_text(fn, skip=label_el))
    return " ".join(t for t in (label, body) if t) or None


def render(article, title: str | None, abstract_lines: list[str]) -> tuple[str, list[Span], list[Table]]:
    """record.text, its spans and its tables (see the module docstring for the layout)."""
    r = _Renderer()
    if title:
        s, e = r.out.line(title)
        r.spans.append(Span("title", s, e))
    if abstract_lines:
        r.out.open_block()
        r.out.line("Abstract")
        start, end = r.out.line("\n".join(abstract_lines))
        r.spans.append(Span("abstract", start, end))

    body = article.find("body")
    if body is not None:
        kids = [c for c in body if isinstance(c.tag, str)]
        first_sec = next((i for i, c in enumerate(kids) if c.tag == "sec"), len(kids))
        lead = [c for c in kids[:first_sec]]
        secs = [c for c in kids[first_sec:] if c.tag == "sec"]
        trailing = [c for c in kids[first_sec:] if c.tag != "sec"]
        # Paragraphs before the first section open the article: its introduction. A body
        # without any section (a letter, a short report) is all findings.
        subs = r.untitled(lead, "introduction" if secs else "results") if lead else []
        for sec in subs + secs:
            r.section(sec, None)
        for sec in r.untitled(trailing, "other") if trailing else []:
            r.section(sec, "other", force="other")
    back = article.find("back")
    if back is not None:
        for child in back:
            if isinstance(child.tag, str) and child.tag != "ref-list":
                if child.tag in _FLOATS:
                    r.floats.append(child)
                else:
                    r.section(child, "other", force="other")
    group = article.find("floats-group")
    if group is not None:
        r.floats += [c for c in group if isinstance(c.tag, str) and c.tag in _FLOATS]

    figs, tables = [], []
    for f in r.floats:
        for el in ([f] if f.tag in ("fig", "table-wrap") else f.iter("fig", "table-wrap")):
            (figs if el.tag == "fig" else tables).append(el)
    for fig in figs:
        r.figure(fig)
    for k, wrap in enumerate(tables, start=1):
        r.table(wrap, k)
    text = r.out.value()
    return (text + "\n" if text else text), r.spans, r.tables


# ---------------------------------------------------------------- the record

def build_record(article, source: str) -> ArticleRecord:
    front = article.find("front")
    meta = front.find("article-meta") if front is not None else None
    if meta is None:
        raise ParseError(source, "JATS article without <front><article-meta>")
    language = parse_language(article)
    title, title_original, title_language = parse_titles(meta, language)
    abstract_lines = parse_abstract(meta)
    text, spans, tables = render(article, title, abstract_lines)
    if not text.strip():
        raise ParseError(source, "JATS article with no title, abstract or body text")
    ids = parse_ids(meta)
    journal, abbrev = parse_journal(front, meta)
    pub_date = parse_pub_date(meta)
    extra: dict = {}
    if abbrev:
        extra["journal_abbrev"] = abbrev
    subjects = _dedupe([t for t in (text_of(s) for s in meta.iterfind("article-categories//subject")) if t])
    if subjects:
        extra["subjects"] = subjects
    return ArticleRecord(
        source_format=FORMAT,
        text=text,
        title=title,
        title_original=title_original,
        title_language=title_language,
        abstract="\n".join(abstract_lines) or None,
        doi=ids["doi"],
        pmid=ids["pmid"],
        pmcid=ids["pmcid"],
        pub_date=pub_date,
        year=int(pub_date[:4]) if pub_date else None,
        journal=journal,
        authors=parse_authors(meta),
        keywords=parse_keywords(meta),
        publication_types=[article.get("article-type")] if article.get("article-type") else [],
        language=language,
        spans=spans,
        tables=tables,
        extra=extra,
    )


@hookimpl
def register_ingesters():
    return [JatsXmlIngester()]
