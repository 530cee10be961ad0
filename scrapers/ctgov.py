"""ClinicalTrials.gov API v2: a study by NCT number (`/studies/{nct}`) and search (`/studies?query.term=`
with pageToken paging).

Limits: about 50 requests per minute per address; kb paces at 50/60 per second. No key.
Saved: one study per file as served (API v2 JSON), `<NCT>.json`.
"""
from __future__ import annotations

from typing import Any, Iterator

import httpx

from scrapers.base import (Failure, Malformed, Payload, Result, base_url, describe_status, dump_json,
                           load_json)
from scrapers.ids import RecordId

MAX_PAGE = 1000


class ClinicalTrials:
    name = "ctgov"
    label = "ClinicalTrials.gov"
    default_base_url = "https://clinicaltrials.gov/api/v2"
    payload_format = "ctgov-json"
    kinds = frozenset({"nct"})
    batch_size = 1

    @property
    def base_url(self) -> str:
        return base_url(self.name, self.default_base_url)

    def rate(self) -> float:
        return 50 / 60

    def headers(self) -> dict[str, str]:
        return {}

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        for i in ids:
            response = client.get(f"/studies/{i.value}")
            if response.status_code != 200:
                yield Failure(i, describe_status(response))
                continue
            try:
                nct = check_study(load_json(response.content))
            except Malformed as e:
                yield Failure(i, f"malformed answer: {e}")
                continue
            if nct != i.value:
                yield Failure(i, f"malformed answer: asked for {i.value}, got {nct}")
                continue
            yield Payload(i, f"{i.value}.json", response.content)

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        token, seen = None, 0
        while seen < limit:
            params = {"query.term": query, "pageSize": str(min(limit, MAX_PAGE))}
            if token:
                params["pageToken"] = token
            response = client.get("/studies", params=params)
            if response.status_code != 200:
                yield Failure(None, f"studies search: {describe_status(response)}")
                return
            try:
                obj = load_json(response.content)
                if not (isinstance(obj, dict) and isinstance(obj.get("studies"), list)):
                    raise Malformed("not a studies list")
                studies = [(check_study(s), s) for s in obj["studies"]]
            except Malformed as e:
                yield Failure(None, f"studies search: malformed answer: {e}")
                return
            for nct, study in studies[: limit - seen]:
                yield Payload(RecordId("nct", nct), f"{nct}.json", dump_json(study))
            seen += len(studies)
            token = obj.get("nextPageToken")
            if not studies or not token:
                return


def check_study(obj: Any) -> str:
    """The study's NCT number, or Malformed."""
    try:
        nct = obj["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        raise Malformed("not a ClinicalTrials.gov v2 study") from None
    if not isinstance(nct, str) or not nct.upper().startswith("NCT"):
        raise Malformed("a study without an NCT number")
    return nct.upper()
