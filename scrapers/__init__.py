"""Network fetchers (issue 5). They save raw payloads as files; `kb ingest` reads files."""
