"""SQL functions that give Datasette's SQL the vocabulary `kb query` uses.

SQL alone cannot follow synonyms or the therapy hierarchy, so the named queries call these
functions, which the plugin registers on every connection (`prepare_connection`). They ask
`kb.extract.vocab` at query time, so the server always answers with the vocabulary the
CLI would use (including $KB_VOCAB_DIR), and the served store needs no extra tables that
could go stale when the vocabulary changes.

* kb_therapy_terms(query) -> JSON array of the canonical therapies a query covers: a
  canonical name, a synonym or a class, with all descendants ("immunotherapy" covers
  nivolumab, interleukin-2, "immunologic/targeted therapy", ...). Same as `--therapy`.
* kb_outcome_match(endpoint, query) -> 1 or 0: the endpoint is one of the codes and
  names the query covers ("OS" <-> "overall survival"; "survival" covers OS, PFS, DFS...)
  or contains the query (SQLite LIKE: ASCII case-insensitive). Same as `--outcome`.
"""
from __future__ import annotations

import functools
import json
import sqlite3

from kb.extract.vocab import load_vocab, vocab_dir

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# Cached per vocabulary folder and query: kb_outcome_match runs once per row.
@functools.lru_cache(maxsize=256)
def _therapy_terms(directory: str, query: str) -> tuple[str, ...]:
    return tuple(sorted(load_vocab(directory).therapy_terms(query)))


@functools.lru_cache(maxsize=256)
def _outcome_terms(directory: str, query: str) -> frozenset[str]:
    return frozenset(load_vocab(directory).endpoint_terms(query) | {query})


def therapy_terms_json(query: str | None) -> str:
    """JSON array of canonical therapy names; '[]' for an empty or unknown query."""
    if not query:
        return "[]"
    return json.dumps(list(_therapy_terms(str(vocab_dir()), str(query))), ensure_ascii=False)


def outcome_match(endpoint: str | None, query: str | None) -> int:
    """1 when `kb query --outcome QUERY` would keep a figure with this endpoint."""
    if endpoint is None or not query:
        return 0
    query = str(query)
    if endpoint in _outcome_terms(str(vocab_dir()), query):
        return 1
    return int(query.translate(_ASCII_LOWER) in endpoint.translate(_ASCII_LOWER))


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("kb_therapy_terms", 1, therapy_terms_json, deterministic=True)
    conn.create_function("kb_outcome_match", 2, outcome_match, deterministic=True)
