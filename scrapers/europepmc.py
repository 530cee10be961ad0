"""Europe PMC REST: search (cursorMark paging), records by PMID or DOI, and open-access full
text as JATS XML (`/{PMCID}/fullTextXML`).

Limits: Europe PMC publishes no hard rate; kb paces at 5 requests/s. No key. Saved: search
hits one per file as a one-result search response, `<SRC>-<id>.json` (read by the Europe PMC
ingester); full texts as served, `<PMCID>.xml` (read by the JATS ingester).
"""
from __future__ import annotations

from typing import Any, Iterator

import httpx

from scrapers.base import (Failure, Malformed, Note, Payload, Result, base_url, describe_status, dump_json,
                           load_json, local_name, parse_xml)
from scrapers.ids import RecordId, file_stem

MAX_PAGE = 1000
JATS_ROOTS = ("article", "pmc-articleset")


class EuropePmc:
    name = "europepmc"
    label = "Europe PMC"
    default_base_url = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    payload_format = "europepmc-json"     # full texts: jats-xml
    kinds = frozenset({"pmcid", "pmid", "doi"})
    batch_size = 1

    @property
    def base_url(self) -> str:
        return base_url(self.name, self.default_base_url)

    def rate(self) -> float:
        return 5.0

    def headers(self) -> dict[str, str]:
        return {}

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        for i in ids:
            if i.kind == "pmcid":
                yield self.fetch_full_text(client, i, i.value)
            else:
                yield self.fetch_record(client, i)

    def fetch_record(self, client: httpx.Client, i: RecordId) -> Result:
        response = client.get("/search", params={"query": id_query(i), "resultType": "core",
                                                 "format": "json", "pageSize": "1"})
        if response.status_code != 200:
            return Failure(i, describe_status(response))
        try:
            results = check_search(load_json(response.content))["resultList"]["result"]
        except Malformed as e:
            return Failure(i, f"malformed answer: {e}")
        if not results:
            return Failure(i, "not found (no Europe PMC record)")
        return Payload(i, record_name(results[0]), one_result(results[0]))

    def find_full_text(self, client: httpx.Client, i: RecordId) -> Result | str:
        """The PMCID of an open-access paper, or a Note/Failure saying why there is none."""
        if i.kind == "pmcid":
            return i.value
        response = client.get("/search", params={"query": id_query(i), "resultType": "lite",
                                                 "format": "json", "pageSize": "1"})
        if response.status_code != 200:
            return Failure(i, f"full-text lookup: {describe_status(response)}")
        try:
            results = check_search(load_json(response.content))["resultList"]["result"]
        except Malformed as e:
            return Failure(i, f"full-text lookup: malformed answer: {e}")
        hit = results[0] if results else {}
        if hit.get("pmcid") and hit.get("isOpenAccess") == "Y":
            return str(hit["pmcid"]).upper()
        return Note(i, "no open-access full text in Europe PMC")

    def fetch_full_text(self, client: httpx.Client, i: RecordId, pmcid: str) -> Result:
        response = client.get(f"/{pmcid}/fullTextXML")
        if response.status_code == 404:
            return Failure(i, f"no open-access full text for {pmcid} (HTTP 404)")
        if response.status_code != 200:
            return Failure(i, describe_status(response))
        try:
            root = parse_xml(response.content)
            if local_name(root) not in JATS_ROOTS:
                raise Malformed(f"not JATS XML (root <{local_name(root)}>)")
        except Malformed as e:
            return Failure(i, f"malformed full text: {e}")
        return Payload(i, f"{pmcid}.xml", response.content)

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        cursor, seen = "*", 0
        while seen < limit:
            params = {"query": query, "resultType": "core", "format": "json",
                      "pageSize": str(min(limit, MAX_PAGE)), "cursorMark": cursor}
            response = client.get("/search", params=params)
            if response.status_code != 200:
                yield Failure(None, f"search: {describe_status(response)}")
                return
            try:
                obj = check_search(load_json(response.content))
            except Malformed as e:
                yield Failure(None, f"search: malformed answer: {e}")
                return
            results = obj["resultList"]["result"]
            for r in results[: limit - seen]:
                yield Payload(record_id(r), record_name(r), one_result(r))
            seen += len(results)
            nxt = obj.get("nextCursorMark")
            if not results or not nxt or nxt == cursor:
                return
            cursor = nxt


def id_query(i: RecordId) -> str:
    if i.kind == "pmid":
        return f"EXT_ID:{i.value} AND SRC:MED"
    if i.kind == "doi":
        return f'DOI:"{i.value}"'
    return f"PMCID:{i.value}"


def check_search(obj: Any) -> dict:
    rl = obj.get("resultList") if isinstance(obj, dict) else None
    if not (isinstance(rl, dict) and isinstance(rl.get("result"), list)):
        raise Malformed("not a Europe PMC search response")
    if not all(isinstance(r, dict) and r.get("id") and r.get("source") for r in rl["result"]):
        raise Malformed("a search result without id/source")
    return obj


def one_result(result: dict) -> bytes:
    """A search response holding one result: what the Europe PMC ingester reads, and the same
    bytes whichever query found the record."""
    return dump_json({"hitCount": 1, "resultList": {"result": [result]}})


def record_name(result: dict) -> str:
    return f"{file_stem(str(result['source']))}-{file_stem(str(result['id']))}.json"


def record_id(result: dict) -> RecordId | None:
    if result.get("source") == "MED" and str(result.get("pmid") or "").isdigit():
        return RecordId("pmid", str(result["pmid"]))
    if result.get("doi"):
        return RecordId("doi", str(result["doi"]).lower())
    if result.get("pmcid"):
        return RecordId("pmcid", str(result["pmcid"]).upper())
    return None
