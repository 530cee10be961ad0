"""Two rates compared in one parenthesis carry the test that compares them: '(68.2% vs 51.4%,
P = 0.03)' and '(42.1% vs. 34.2%; log-rank p = 0.04)' lost their p; a p of another clause
is not theirs."""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def rates(sentence: str) -> list[tuple]:
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\n" + sentence + "\n"))
    return [(f.endpoint, f.value, f.timepoint_months, f.p_value, f.p_op) for f in ex.figures]


@pytest.mark.parametrize("sentence, expected", [
    ("Patients who received adjuvant radiotherapy had a significantly better 5-year DFS (68.2% vs 51.4%, P = 0.03).",
     [("DFS", 68.2, 60.0, 0.03, "="), ("DFS", 51.4, 60.0, 0.03, "=")]),
    ("The 5-year OS rate was better in the surgery group (42.1% vs. 34.2%; log-rank p = 0.04).",
     [("OS", 42.1, 60.0, 0.04, "="), ("OS", 34.2, 60.0, 0.04, "=")]),
    ("Two-year PFS was longer with maintenance therapy (61% versus 43%, p < 0.001).",
     [("PFS", 61.0, 24.0, 0.001, "<"), ("PFS", 43.0, 24.0, 0.001, "<")]),
])
def test_the_p_of_a_comparison_goes_to_both_rates(sentence, expected):
    assert rates(sentence) == expected


def test_a_p_of_another_clause_is_not_the_comparisons():
    got = rates("The 3-year OS was higher after surgery (55% vs 40%), and the 3-year DFS was similar (p = 0.20).")
    assert [(e, v, p) for e, v, _, p, _ in got] == [("OS", 55.0, None), ("OS", 40.0, None)]
