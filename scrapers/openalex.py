"""OpenAlex works: by DOI, PMID or OpenAlex id (`/works/doi:...`), and search with cursor paging.

Limits: 10 requests/s and 100,000 a day per user; KB_EMAIL is sent as `mailto` (the polite
pool) and OPENALEX_API_KEY as `api_key` when set. Saved: one work per file, `<W id>.json`.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote

import httpx

from scrapers.base import (Failure, Malformed, Payload, Result, base_url, describe_status, dump_json, env,
                           load_json)
from scrapers.ids import RecordId

MAX_PER_PAGE = 200
PREFIX = "https://openalex.org/"


class OpenAlex:
    name = "openalex"
    label = "OpenAlex"
    default_base_url = "https://api.openalex.org"
    payload_format = "openalex-json"
    kinds = frozenset({"doi", "pmid", "openalex"})
    batch_size = 1

    @property
    def base_url(self) -> str:
        return base_url(self.name, self.default_base_url)

    def rate(self) -> float:
        return 10.0

    def headers(self) -> dict[str, str]:
        return {}

    def params(self) -> dict[str, str]:
        p = {}
        if email := env("KB_EMAIL"):
            p["mailto"] = email
        if key := env("OPENALEX_API_KEY"):
            p["api_key"] = key
        return p

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        for i in ids:
            ref = i.value if i.kind == "openalex" else f"{i.kind}:{i.value}"
            response = client.get(f"/works/{quote(ref, safe='/:')}", params=self.params())
            if response.status_code != 200:
                yield Failure(i, describe_status(response))
                continue
            try:
                work_id = check_work(load_json(response.content))
            except Malformed as e:
                yield Failure(i, f"malformed answer: {e}")
                continue
            yield Payload(i, f"{work_id}.json", response.content)

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        cursor, seen = "*", 0
        while seen < limit and cursor:
            params = {"search": query, "per-page": str(min(limit, MAX_PER_PAGE)), "cursor": cursor, **self.params()}
            response = client.get("/works", params=params)
            if response.status_code != 200:
                yield Failure(None, f"works search: {describe_status(response)}")
                return
            try:
                obj = load_json(response.content)
                if not (isinstance(obj, dict) and isinstance(obj.get("results"), list) and isinstance(obj.get("meta"), dict)):
                    raise Malformed("not an OpenAlex list response")
                works = [(check_work(w), w) for w in obj["results"]]
            except Malformed as e:
                yield Failure(None, f"works search: malformed answer: {e}")
                return
            for work_id, work in works[: limit - seen]:
                yield Payload(record_id(work, work_id), f"{work_id}.json", dump_json(work))
            seen += len(works)
            cursor = obj["meta"].get("next_cursor")
            if not works:
                return


def check_work(obj: Any) -> str:
    """The work's short id (W123...), or Malformed."""
    wid = obj.get("id") if isinstance(obj, dict) else None
    if not (isinstance(wid, str) and wid.startswith(PREFIX + "W")):
        raise Malformed("not an OpenAlex work")
    return wid[len(PREFIX):]


def record_id(work: dict, work_id: str) -> RecordId:
    doi = work.get("doi")
    if isinstance(doi, str) and "10." in doi:
        return RecordId("doi", doi[doi.index("10."):].lower())
    return RecordId("openalex", work_id)
