"""Semantic Scholar Academic Graph: papers by DOI/PMID through the batch endpoint, and search.

Limits: without a key all anonymous users share one pool and 429s are common; with
SEMANTIC_SCHOLAR_API_KEY (or S2_API_KEY), sent as `x-api-key`, a key is allowed 1 request/s.
kb paces at 1/s either way. The batch endpoint takes up to 500 ids per POST. Saved: one paper
per file, `<paperId>.json`, with the fields in FIELDS.
"""
from __future__ import annotations

from typing import Any, Iterator

import httpx

from scrapers.base import (Failure, Malformed, Payload, Result, base_url, describe_status, dump_json, env,
                           load_json)
from scrapers.ids import RecordId

FIELDS = ("paperId,externalIds,title,abstract,venue,publicationVenue,year,publicationDate,journal,"
          "authors,publicationTypes,isOpenAccess,openAccessPdf,url")
MAX_SEARCH_PAGE = 100
PREFIXES = {"doi": "DOI", "pmid": "PMID"}


class SemanticScholar:
    name = "semanticscholar"
    label = "Semantic Scholar"
    default_base_url = "https://api.semanticscholar.org/graph/v1"
    payload_format = "semantic-scholar-json"
    kinds = frozenset({"doi", "pmid"})
    batch_size = 500

    @property
    def base_url(self) -> str:
        return base_url(self.name, self.default_base_url)

    def rate(self) -> float:
        return 1.0

    def headers(self) -> dict[str, str]:
        key = env("SEMANTIC_SCHOLAR_API_KEY", "S2_API_KEY")
        return {"x-api-key": key} if key else {}

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        body = {"ids": [f"{PREFIXES[i.kind]}:{i.value}" for i in ids]}
        response = client.post("/paper/batch", params={"fields": FIELDS}, json=body)
        if response.status_code != 200:
            for i in ids:
                yield Failure(i, describe_status(response))
            return
        try:
            papers = load_json(response.content)
            if not isinstance(papers, list) or len(papers) != len(ids):
                raise Malformed(f"expected a list of {len(ids)} papers")
            for p in papers:
                if p is not None:
                    check_paper(p)
        except Malformed as e:
            for i in ids:
                yield Failure(i, f"malformed answer: {e}")
            return
        for i, paper in zip(ids, papers):
            if paper is None:
                yield Failure(i, "not found (the batch answer is null for this id)")
            else:
                yield Payload(i, f"{paper['paperId']}.json", dump_json(paper))

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        offset = 0
        while offset < limit:
            params = {"query": query, "offset": str(offset), "limit": str(min(MAX_SEARCH_PAGE, limit - offset)),
                      "fields": FIELDS}
            response = client.get("/paper/search", params=params)
            if response.status_code != 200:
                yield Failure(None, f"paper search: {describe_status(response)}")
                return
            try:
                obj = load_json(response.content)
                if not (isinstance(obj, dict) and isinstance(obj.get("data", []), list)):
                    raise Malformed("not a paper search response")
                papers = [check_paper(p) for p in obj.get("data", [])]
            except Malformed as e:
                yield Failure(None, f"paper search: malformed answer: {e}")
                return
            for paper in papers:
                yield Payload(record_id(paper), f"{paper['paperId']}.json", dump_json(paper))
            nxt = obj.get("next")
            if not papers or not isinstance(nxt, int) or nxt <= offset:
                return
            offset = nxt


def check_paper(obj: Any) -> dict:
    if not (isinstance(obj, dict) and isinstance(obj.get("paperId"), str) and obj["paperId"]):
        raise Malformed("not a Semantic Scholar paper")
    return obj


def record_id(paper: dict) -> RecordId | None:
    ext = paper.get("externalIds") if isinstance(paper.get("externalIds"), dict) else {}
    if isinstance(ext.get("DOI"), str):
        return RecordId("doi", ext["DOI"].lower())
    if ext.get("PubMed"):
        return RecordId("pmid", str(ext["PubMed"]))
    return None
