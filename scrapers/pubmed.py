"""PubMed through NCBI E-utilities: efetch XML by PMID in batches; esearch with the history server.

Limits: 3 requests/s without a key, 10 with NCBI_API_KEY (sent as `api_key`). Every request
names the tool (`tool=kb`) and, when KB_EMAIL is set, the contact (`email`), as NCBI asks.
Each PubmedArticle of an answer is saved as its own PubmedArticleSet file, `<PMID>.xml`.
"""
from __future__ import annotations

from typing import Iterator

import httpx
from lxml import etree

from scrapers.base import Failure, Malformed, Payload, Result, base_url, describe_status, env, load_json, parse_xml
from scrapers.ids import RecordId

ROOT = "PubmedArticleSet"
RECORDS = ("PubmedArticle", "PubmedBookArticle")
DEFAULT_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                   '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')


class PubMed:
    name = "pubmed"
    label = "PubMed"
    default_base_url = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    payload_format = "pubmed-xml"
    kinds = frozenset({"pmid"})
    batch_size = 200          # NCBI: up to ~200 ids per GET keeps the URL short
    page_size = 200           # records per efetch page of a search

    @property
    def base_url(self) -> str:
        return base_url(self.name, self.default_base_url)

    def rate(self) -> float:
        return 10.0 if env("NCBI_API_KEY") else 3.0

    def headers(self) -> dict[str, str]:
        return {}

    def params(self) -> dict[str, str]:
        p = {"tool": "kb"}
        if email := env("KB_EMAIL"):
            p["email"] = email
        if key := env("NCBI_API_KEY"):
            p["api_key"] = key
        return p

    def fetch(self, client: httpx.Client, ids: list[RecordId]) -> Iterator[Result]:
        params = {"db": "pubmed", "id": ",".join(i.value for i in ids), "retmode": "xml", **self.params()}
        response = client.get("/efetch.fcgi", params=params)
        if response.status_code != 200:
            for i in ids:
                yield Failure(i, describe_status(response))
            return
        try:
            records = split_records(response.content)
        except Malformed as e:
            for i in ids:
                yield Failure(i, f"malformed answer: {e}")
            return
        for i in ids:
            if i.value in records:
                yield Payload(i, f"{i.value}.xml", records[i.value])
            else:
                yield Failure(i, "not found (efetch returned no record for this PMID)")

    def search(self, client: httpx.Client, query: str, limit: int) -> Iterator[Result]:
        params = {"db": "pubmed", "term": query, "usehistory": "y", "retmax": "0", "retmode": "json", **self.params()}
        response = client.get("/esearch.fcgi", params=params)
        if response.status_code != 200:
            yield Failure(None, f"esearch: {describe_status(response)}")
            return
        try:
            count, webenv, query_key = read_esearch(response.content)
        except Malformed as e:
            yield Failure(None, f"esearch: malformed answer: {e}")
            return
        total = min(count, limit)
        for start in range(0, total, self.page_size):
            page = {"db": "pubmed", "query_key": query_key, "WebEnv": webenv, "retstart": str(start),
                    "retmax": str(min(self.page_size, total - start)), "retmode": "xml", **self.params()}
            response = client.get("/efetch.fcgi", params=page)
            if response.status_code != 200:
                yield Failure(None, f"efetch from {start}: {describe_status(response)}")
                return
            try:
                records = split_records(response.content)
            except Malformed as e:
                yield Failure(None, f"efetch from {start}: malformed answer: {e}")
                return
            for pmid, data in records.items():
                yield Payload(RecordId("pmid", pmid), f"{pmid}.xml", data)
            if not records:
                return


def read_esearch(data: bytes) -> tuple[int, str, str]:
    """(count, WebEnv, query_key) of an esearch JSON answer made with usehistory=y."""
    obj = load_json(data)
    result = obj.get("esearchresult") if isinstance(obj, dict) else None
    if not isinstance(result, dict):
        message = obj.get("error") if isinstance(obj, dict) else None
        raise Malformed(f"no esearchresult{': ' + str(message) if message else ''}")
    if result.get("ERROR"):
        raise Malformed(f"esearch error: {result['ERROR']}")
    try:
        count = int(result["count"])
    except (KeyError, TypeError, ValueError):
        raise Malformed("esearchresult without a count") from None
    webenv, query_key = result.get("webenv"), result.get("querykey")
    if count and not (webenv and query_key):
        raise Malformed("esearchresult without webenv/querykey (history server)")
    return count, str(webenv or ""), str(query_key or "")


def split_records(data: bytes) -> dict[str, bytes]:
    """PMID -> a PubmedArticleSet file holding that one record, in answer order."""
    root = parse_xml(data)
    if root.tag != ROOT:
        raise Malformed(f"not PubMed XML (root <{root.tag}>)")
    doctype = root.getroottree().docinfo.doctype or DEFAULT_DOCTYPE
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<{ROOT}>\n'.encode("utf-8")
    out: dict[str, bytes] = {}
    for el in root:
        if el.tag not in RECORDS:
            continue
        pmid = (el.findtext("MedlineCitation/PMID") or el.findtext("BookDocument/PMID") or "").strip()
        if not pmid:
            raise Malformed(f"a {el.tag} without a PMID")
        out[pmid] = head + etree.tostring(el, encoding="utf-8", with_tail=False) + f"\n</{ROOT}>\n".encode()
    return out
