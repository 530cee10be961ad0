"""PDF artefacts must not change what is extracted, and every quote stays exact.

The seed text is rewritten the ways other PDF extractors print papers: running heads and
page numbers between lines (even inside tables and sentences), ligatures, Unicode minus
signs and non-breaking spaces. The figures found must be the same as from the clean text.
"""
from __future__ import annotations

from kb.extract.article import extract_article
from kb.models import ArticleRecord

from conftest import MELANOMA


def figures_of(text: str) -> set[tuple]:
    ex = extract_article(ArticleRecord("text", text=text))
    assert all(text[f.start:f.end] == f.quote for f in ex.figures)
    return {(f.endpoint, f.measure, f.timepoint_months, f.value, f.ci_low, f.ci_high) for f in ex.figures}


def with_running_heads(text: str, every: int = 55) -> str:
    out = []
    for i, line in enumerate(text.split("\n")):
        out.append(line)
        if i % every == every - 1:
            out += ["", f"Li et al. BMC Cancer (2022) 22:{100 + i}", f"Page {i // every + 2} of 12", ""]
    return "\n".join(out)


def test_running_heads_and_page_numbers_change_nothing():
    text = MELANOMA.read_text(encoding="utf-8")
    assert figures_of(with_running_heads(text)) == figures_of(text)


def test_ligatures_change_nothing():
    text = MELANOMA.read_text(encoding="utf-8")
    assert figures_of(text.replace("fi", "\ufb01").replace("ff", "\ufb00").replace("fl", "\ufb02")) == figures_of(text)


def test_unicode_minus_and_no_break_spaces_in_intervals():
    text = ("Results\nThe hazard ratio was 0.64 (95%\u00a0CI 0.44\u22120.93; P\u00a0=\u00a0.02) for OS.\n")
    ((endpoint, measure, _, value, lo, hi),) = figures_of(text)
    assert (endpoint, measure, value, lo, hi) == ("OS", "HR", 0.64, 0.44, 0.93)
