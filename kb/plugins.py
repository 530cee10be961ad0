"""The plugin manager. Built-ins are listed here; third parties come through entry points."""
from __future__ import annotations

import importlib
import logging
from functools import cache

import pluggy

from kb import hookspecs

log = logging.getLogger(__name__)

DEFAULT_PLUGINS = (
    "kb.ingesters.pdf",
    "kb.ingesters.json_lines",
    "kb.ingesters.ctgov",
    "kb.ingesters.europepmc",
    "kb.ingesters.crossref",
    "kb.ingesters.openalex",
    "kb.ingesters.semantic_scholar",
    "kb.ingesters.pubmed_xml",
    "kb.ingesters.jats_xml",
    "kb.ingesters.endnote_xml",
    "kb.ingesters.csl_json",
    "kb.ingesters.platform_json",
    "kb.ingesters.medline_nbib",
    "kb.ingesters.ris",
    "kb.ingesters.bibtex",
    "kb.ingesters.csv_export",
    "kb.ingesters.text_article",
)


@cache
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("kb")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    # A broken third-party plugin must not take kb down with it: warn and go on.
    try:
        pm.load_setuptools_entrypoints("kb")
    except Exception as e:  # noqa: BLE001 - any failure in foreign code
        log.warning("skipping kb plugins that failed to load: %s", e)
    return pm


def ingesters() -> list:
    """All registered ingesters, highest priority first."""
    found = [i for batch in plugin_manager().hook.register_ingesters() for i in batch]
    return sorted(found, key=lambda i: -getattr(i, "priority", 0))
