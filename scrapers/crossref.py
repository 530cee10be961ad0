"""Crossref REST API: works by DOI (`/works/{doi}`) and by query (`/works?query=` with cursor paging).

Limits: Crossref asks for no more than a handful of requests per second; with a contact
(KB_EMAIL, sent as `mailto` and in the User-Agent) requests go to the "polite" pool. kb paces
at 10/s polite and 5/s without a contact. CROSSREF_PLUS_API_TOKEN (Metadata Plus) is sent
as `Crossref-Plus-API-Token` when set. Saved: the work envelope as served, `<doi>.json`.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote

import httpx

from scrapers.base import (Failure, Malformed, Payload, Result, base_url, describe_status, dump_json, env,
                           load_json)
from scrapers.ids import RecordId, file_stem

MAX_ROWS = 1000


class Crossref:
    name = "crossref"
    label = "Crossref"
    default_base_url = "https://api.crossref.org"
    payload_format = "crossref-json"
    kinds = frozenset({"doi"})
    batch_size = 1

    @property
    def base_url(self) -> str:
        return base_url(self.name, self.default_base_url)

    def rate(self) -> float:
        return 10.0 if env("KB_EMAIL") else 5.0

    def headers(self) -> dict[str, str]:
        token = env("CROSSREF_PLUS_API_TOKEN")
        return {"Crossref-Plus-API-Token": f"Bearer {token}"} if token else {}

    def params(self) -> dict[str, str]:
        email = env("KB_EMAIL")
        return {"mailto": email} if email else {}

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        for i in ids:
            response = client.get(f"/works/{quote(i.value, safe='/')}", params=self.params())
            if response.status_code != 200:
                yield Failure(i, describe_status(response))
                continue
            try:
                check_work(load_json(response.content))
            except Malformed as e:
                yield Failure(i, f"malformed answer: {e}")
                continue
            yield Payload(i, f"{file_stem(i.value)}.json", response.content)

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        cursor, seen = "*", 0
        rows = min(limit, MAX_ROWS)
        while seen < limit:
            params = {"query": query, "rows": str(rows), "cursor": cursor, **self.params()}
            response = client.get("/works", params=params)
            if response.status_code != 200:
                yield Failure(None, f"works query: {describe_status(response)}")
                return
            try:
                message = check_list(load_json(response.content))
            except Malformed as e:
                yield Failure(None, f"works query: malformed answer: {e}")
                return
            items = message["items"]
            for work in items[: limit - seen]:
                doi = str(work["DOI"]).lower()
                envelope = {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": work}
                yield Payload(RecordId("doi", doi), f"{file_stem(doi)}.json", dump_json(envelope))
            seen += len(items)
            cursor = message.get("next-cursor")
            if not items or not cursor:
                return


def check_work(obj: Any) -> dict:
    if not (isinstance(obj, dict) and obj.get("status") == "ok" and obj.get("message-type") == "work"
            and isinstance(obj.get("message"), dict) and isinstance(obj["message"].get("DOI"), str)):
        raise Malformed("not a Crossref work response")
    return obj["message"]


def check_list(obj: Any) -> dict:
    if not (isinstance(obj, dict) and obj.get("status") == "ok" and obj.get("message-type") == "work-list"
            and isinstance(obj.get("message"), dict) and isinstance(obj["message"].get("items"), list)):
        raise Malformed("not a Crossref work-list response")
    if not all(isinstance(w, dict) and isinstance(w.get("DOI"), str) for w in obj["message"]["items"]):
        raise Malformed("a work-list item without a DOI")
    return obj["message"]
