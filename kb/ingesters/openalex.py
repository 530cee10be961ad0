"""OpenAlex works: a single work object, a `{"meta": ..., "results": [...]}` list, or a JSON
array of works.

OpenAlex does not ship abstracts as text: `abstract_inverted_index` maps each word to the
positions it takes; the abstract is rebuilt by putting the words back in position order
(sorting the (position, word) pairs, so a hostile index with huge positions costs no memory).
IDs come as URLs (https://doi.org/..., https://pubmed.ncbi.nlm.nih.gov/..., a PMC article URL)
and are reduced to the bare DOI, PMID and PMCID. A list of other OpenAlex entities (authors,
sources) is claimed and refused, a work without a title and without an abstract is skipped.
A results list (or an array of works) is streamed one work at a time.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from kb.errors import ParseError
from kb.hookspecs import hookimpl
from kb.ingesters.base import normalise_doi
from kb.ingesters.europepmc import (
    PRIORITY, as_list, build_text, dedupe, get_path, inline_text, iso_prefix, load_json, normalise_pmcid,
    normalise_pmid, sniff_json, strings, text_value,
)
from kb.ingesters.stream import JsonScan, Streamed, json_items
from kb.models import ArticleRecord, Author, Document, Journal

FORMAT = "openalex-json"
_ENTITY = re.compile(r"^(?:https?://openalex\.org/)?([WASIPCFT])\d+$", re.I)
_ENTITY_NAMES = {"A": "authors", "S": "sources", "I": "institutions", "P": "publishers", "C": "concepts",
                 "F": "funders", "T": "topics"}


class OpenAlexIngester:
    format = FORMAT
    priority = PRIORITY

    def sniff(self, head: bytes, doc: Document) -> bool:
        return sniff_json(head, doc, is_openalex, (b"openalex.org",),
                          broken=((b"openalex.org/W", b'"display_name"'),), stream_at=STREAM_AT, check=check_item)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        scan = load_json(doc, "OpenAlex", is_openalex, STREAM_AT, check_item)
        for work in works(scan, doc):
            rec = build_record(work)
            if rec is not None:
                yield rec


# Streamed one work at a time: a JSON array of works, and a list's results.
STREAM_AT = ((), ("results",))


def check_item(path: tuple, item: Any) -> Any:
    """What the scan notes of each streamed item: in an array, whether it is a work (or
    null); in results, the kind of entity (None when it is none)."""
    return (item is None or is_work(item)) if path == () else entity_kind(item)


def entity_kind(obj: Any) -> str | None:
    """'W' for a work, 'A' for an author...: from the OpenAlex id of an entity object."""
    m = _ENTITY.match(text_value(obj.get("id")) or "") if isinstance(obj, dict) else None
    return m.group(1).upper() if m and "openalex.org" in (obj.get("id") or "") else None


def is_work(obj: Any) -> bool:
    return entity_kind(obj) == "W"


def is_list(obj: Any) -> bool:
    """A list response (scanned: results is a Streamed, tagged with its items' entity kinds)."""
    return (isinstance(obj, dict) and isinstance(obj.get("results"), Streamed) and isinstance(obj.get("meta"), dict)
            and None not in obj["results"].tags)


def is_openalex(obj: Any) -> bool:
    if is_work(obj) or is_list(obj):
        return True
    return isinstance(obj, Streamed) and obj.count > 0 and False not in obj.tags


def works(scan: JsonScan, doc: Document) -> Iterable[dict]:
    obj, source = scan.root, doc.path
    if not is_openalex(obj):   # a JSON string, number or foreign object parse() was handed (issue 8 fuzzing)
        raise ParseError(source, "not an OpenAlex work or list of works")
    if isinstance(obj, list):
        return (w for _, w in json_items(doc, scan, obj) if isinstance(w, dict))
    if "results" not in obj:
        return [obj]
    results = obj["results"]
    streamed = isinstance(results, Streamed)
    kinds = (results.tags if streamed else {entity_kind(x) for x in results}) - {"W"}
    if kinds:
        names = ", ".join(sorted(_ENTITY_NAMES.get(k, k) for k in kinds if k))
        raise ParseError(source, f"OpenAlex list of {names}, not works: nothing to ingest")
    return (w for _, w in json_items(doc, scan, results)) if streamed else results


def rebuild_abstract(index: Any) -> str | None:
    """{"Despite": [0], "growing": [1], ...} -> "Despite growing ..."; O(n log n) in the words."""
    if not isinstance(index, dict):
        return None
    pairs = [(p, w) for w, positions in index.items() if isinstance(w, str)
             for p in as_list(positions) if isinstance(p, int) and not isinstance(p, bool)]
    pairs.sort(key=lambda pw: pw[0])
    text = " ".join(" ".join(w for _, w in pairs).split())
    return text or None


def parse_ids(w: dict) -> tuple[str | None, str | None, str | None]:
    ids = w.get("ids") if isinstance(w.get("ids"), dict) else {}
    doi = normalise_doi(text_value(ids.get("doi")) or text_value(w.get("doi")))
    pmid = normalise_pmid(text_value(ids.get("pmid")))
    pmcid = normalise_pmcid(text_value(ids.get("pmcid")))
    return doi, pmid, pmcid


def parse_journal(w: dict) -> Journal | None:
    source = get_path(w, "primary_location", "source")
    venue = source if isinstance(source, dict) else w.get("host_venue") if isinstance(w.get("host_venue"), dict) else {}
    name = text_value(venue.get("display_name"))
    if not name:
        return None
    biblio = w.get("biblio") if isinstance(w.get("biblio"), dict) else {}
    first, last = text_value(biblio.get("first_page")), text_value(biblio.get("last_page"))
    pages = f"{first}-{last}" if first and last and first != last else first or last
    issn = text_value(venue.get("issn_l")) or next(iter(strings(venue.get("issn"))), None)
    return Journal(name=name, issn=issn, volume=text_value(biblio.get("volume")),
                   issue=text_value(biblio.get("issue")), pages=pages)


def parse_authors(w: dict) -> list[Author]:
    out = []
    for a in as_list(w.get("authorships")):
        if not isinstance(a, dict):
            continue
        name = text_value(get_path(a, "author", "display_name")) or text_value(a.get("raw_author_name"))
        if name:
            out.append(Author(name=name))
    return out


def parse_keywords(w: dict) -> list[str]:
    found = []
    for key, field in (("keywords", "display_name"), ("concepts", "display_name"), ("mesh", "descriptor_name")):
        for item in as_list(w.get(key)):
            name = text_value(item.get(field)) if isinstance(item, dict) else text_value(item)
            if name:
                found.append(name)
    return dedupe(found)


def parse_oa_url(w: dict) -> str | None:
    return (text_value(get_path(w, "open_access", "oa_url")) or text_value(get_path(w, "best_oa_location", "pdf_url"))
            or text_value(get_path(w, "best_oa_location", "landing_page_url")))


def build_record(w: dict) -> ArticleRecord | None:
    title = inline_text(text_value(w.get("title")) or text_value(w.get("display_name")))
    abstract = rebuild_abstract(w.get("abstract_inverted_index"))
    if not title and not abstract:
        return None
    doi, pmid, pmcid = parse_ids(w)
    pub_date = iso_prefix(text_value(w.get("publication_date")))
    year = w.get("publication_year")
    year = year if isinstance(year, int) and not isinstance(year, bool) else int(pub_date[:4]) if pub_date else None
    text, spans, _ = build_text(title, abstract)
    extra = {k: w[k] for k in ("id", "type_crossref", "cited_by_count", "is_retracted") if w.get(k) is not None}
    return ArticleRecord(
        source_format=FORMAT,
        text=text,
        title=title,
        abstract=abstract,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        pub_date=pub_date,
        year=year,
        journal=parse_journal(w),
        authors=parse_authors(w),
        keywords=parse_keywords(w),
        publication_types=[t for t in (text_value(w.get("type")),) if t],
        language=text_value(w.get("language")),
        oa_url=parse_oa_url(w),
        spans=spans,
        extra=extra,
    )


@hookimpl
def register_ingesters():
    return [OpenAlexIngester()]
