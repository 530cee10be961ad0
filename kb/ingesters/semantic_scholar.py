"""Semantic Scholar Graph API papers: a paper object, a /paper/batch list (null for each id
the API did not know: skipped), a search or paged response (`{"data": [...], "offset",
"next", "total"}`), and the reference and citation wrappers (`{"citedPaper": {...}}`,
`{"citingPaper": {...}}`), alone or as the items of a paged response.

An error body (`{"error": "Paper with id 0 not found"}`) is claimed and refused with that
message. A paper without a title and without an abstract (only a paperId) is skipped.
S2 states no language; it is guessed from the text as the other ingesters do. A list or a
paged response is streamed one item at a time.
"""
from __future__ import annotations

from typing import Any, Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import guess_language, normalise_doi
from kb.ingesters.europepmc import (
    PRIORITY, as_list, build_text, dedupe, get_path, inline_text, iso_prefix, load_json, normalise_pmcid,
    normalise_pmid, sniff_json, strings, text_value,
)
from kb.ingesters.stream import JsonScan, Streamed, json_items
from kb.models import ArticleRecord, Author, Document, Journal

FORMAT = "semantic-scholar-json"
WRAPPERS = ("citedPaper", "citingPaper")
_PAGED_KEYS = {"offset", "next", "total", "token"}


class SemanticScholarIngester:
    format = FORMAT
    priority = PRIORITY

    def sniff(self, head: bytes, doc: Document) -> bool:
        return sniff_json(head, doc, is_semantic_scholar, (b'"paperId"', b'"error"'), broken=((b'"paperId"',),),
                          stream_at=STREAM_AT, check=check_item)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        scan = load_json(doc, "Semantic Scholar", is_semantic_scholar, STREAM_AT, check_item)
        obj = scan.root
        if is_error(obj):
            raise ParseError(doc.path, f"Semantic Scholar error response: {text_value(obj['error']) or 'no message'}")
        for paper in papers(scan, doc):
            rec = build_record(paper)
            if rec is not None:
                yield rec


# Streamed one item at a time: a JSON array (a batch response) and a paged response's data.
STREAM_AT = ((), ("data",))
NULL = "null"


def check_item(path: tuple, item: Any) -> Any:
    """What the scan notes of each streamed item: null, or whether it is a paper or wrapper."""
    return NULL if item is None else is_item(item)


def is_paper(obj: Any) -> bool:
    """A paper object; an unresolved reference has "paperId": null and is still a paper."""
    return isinstance(obj, dict) and "paperId" in obj and (obj["paperId"] is None or isinstance(obj["paperId"], str))


def is_item(obj: Any) -> bool:
    """A paper, or a reference/citation wrapper around one (the paper may be null)."""
    return is_paper(obj) or (isinstance(obj, dict) and any(k in obj and (obj[k] is None or is_paper(obj[k]))
                                                           for k in WRAPPERS))


def is_error(obj: Any) -> bool:
    return isinstance(obj, dict) and set(obj) == {"error"}


def is_paged(obj: Any) -> bool:
    """A paged response (scanned: data is a Streamed tagged by check_item)."""
    return (isinstance(obj, dict) and isinstance(obj.get("data"), Streamed) and bool(_PAGED_KEYS & obj.keys())
            and False not in obj["data"].tags)


def is_semantic_scholar(obj: Any) -> bool:
    if is_item(obj) or is_paged(obj) or is_error(obj):
        return True
    return isinstance(obj, Streamed) and bool(obj.tags - {NULL}) and False not in obj.tags


def papers(scan: JsonScan, doc: Document) -> Iterator[dict]:
    obj = scan.root
    streamed = obj["data"] if is_paged(obj) else obj if isinstance(obj, list) else None
    items = (x for _, x in json_items(doc, scan, streamed)) if streamed is not None else [obj]
    for item in items:
        if not isinstance(item, dict):
            continue                      # null: an id the batch endpoint did not know
        paper = item if is_paper(item) else next((item[k] for k in WRAPPERS if is_paper(item.get(k))), None)
        if paper is not None:
            yield paper


def parse_journal(p: dict) -> Journal | None:
    j = p.get("journal") if isinstance(p.get("journal"), dict) else {}
    venue = p.get("publicationVenue") if isinstance(p.get("publicationVenue"), dict) else {}
    name = text_value(j.get("name")) or text_value(venue.get("name")) or text_value(p.get("venue"))
    if not name:
        return None
    return Journal(name=name, issn=text_value(venue.get("issn")), volume=text_value(j.get("volume")),
                   pages=" ".join((text_value(j.get("pages")) or "").split()) or None)


def build_record(p: dict) -> ArticleRecord | None:
    title = inline_text(text_value(p.get("title")))
    abstract = " ".join((text_value(p.get("abstract")) or "").split()) or None
    if not title and not abstract:
        return None
    ids = p.get("externalIds") if isinstance(p.get("externalIds"), dict) else {}
    pub_date = iso_prefix(text_value(p.get("publicationDate")))
    year = p.get("year")
    year = year if isinstance(year, int) and not isinstance(year, bool) else int(pub_date[:4]) if pub_date else None
    text, spans, _ = build_text(title, abstract)
    fields = strings(p.get("fieldsOfStudy")) + [c for c in (text_value(get_path(f, "category"))
                                                            for f in as_list(p.get("s2FieldsOfStudy"))) if c]
    extra = {}
    for key in ("paperId", "corpusId", "citationCount", "influentialCitationCount", "url"):
        if p.get(key) is not None:
            extra[key] = p[key]
    return ArticleRecord(
        source_format=FORMAT,
        text=text,
        title=title,
        abstract=abstract,
        doi=normalise_doi(text_value(ids.get("DOI"))),
        pmid=normalise_pmid(text_value(ids.get("PubMed"))),
        pmcid=normalise_pmcid(text_value(ids.get("PubMedCentral"))),
        pub_date=pub_date or (str(year) if year else None),
        year=year,
        journal=parse_journal(p),
        authors=[Author(name=n) for n in (text_value(a.get("name")) for a in as_list(p.get("authors"))
                                          if isinstance(a, dict)) if n],
        keywords=dedupe(fields),
        publication_types=dedupe(strings(p.get("publicationTypes"))),
        language=guess_language(abstract or title),
        oa_url=text_value(get_path(p, "openAccessPdf", "url")),
        spans=spans,
        extra=extra,
    )


@hookimpl
def register_ingesters():
    return [SemanticScholarIngester()]
