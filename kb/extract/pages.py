"""Page numbers for provenance: which page of a PDF an offset of the record's text is on."""
from __future__ import annotations

from bisect import bisect_right

from kb.models import Extraction


def page_of(pages: list[tuple[int, int]], offset: int) -> int:
    """The 1-based page an offset of record.text falls on (the page before, in a separator)."""
    if offset < 0 or not pages:
        raise ValueError(f"no page for offset {offset}")
    k = bisect_right([start for start, _ in pages], offset)
    return max(k, 1)


def add_page_locators(ex: Extraction, pages: list[tuple[int, int]]) -> None:
    """Write "page N" onto every figure, cohort and adverse event quoted from the text
    (offsets still relative to the record's own text) that has no locator yet."""
    for item in [*ex.figures, *ex.cohorts, *ex.adverse_events]:
        if item.locator is None and item.start is not None:
            item.locator = f"page {page_of(pages, item.start)}"
