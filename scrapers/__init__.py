"""Network fetchers (issue 5). They save raw payloads as files; `kb ingest` reads files.

- `http`: the one client factory (timeouts, retries with backoff and Retry-After, a rate
  limiter per host, the on-disk response cache, kb's User-Agent).
- `pubmed`, `europepmc`, `crossref`, `openalex`, `semantic_scholar`, `ctgov`: one module per
  API, each a `Source` (see `base`) that builds requests and cuts answers into per-record payloads.
- `ids`: DOI/PMID/PMCID/NCT/OpenAlex ids; `manifest`: what was fetched (resumption);
  `fetch`: the plan and the run behind `kb fetch` and `kb search`.

Nothing here imports the store: the CLI ingests the saved files through kb.pipeline.
"""
