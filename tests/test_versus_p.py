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


@pytest.mark.parametrize("sentence, expected", [
    ("Mucosal melanoma patients had a median OS of 22 months compared with 38 months for cutaneous melanoma (p<0.001).",
     [(22.0, "Mucosal melanoma patients", 0.001), (38.0, "cutaneous melanoma", 0.001)]),
    ("Median OS was 14.1 months in patients with EMD and 38.6 months in those without (P = 0.002).",
     [(14.1, "patients with EMD", 0.002), (38.6, "those without", 0.002)]),
])
def test_two_medians_compared_carry_their_groups_and_test(sentence, expected):
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\n" + sentence + "\n"))
    assert [(f.value, f.group, f.p_value) for f in ex.figures if f.measure == "median"] == expected


def test_a_p_after_a_further_value_is_not_the_medians():
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\nMedian OS was 14.1 months in patients "
                                       "with EMD and 38.6 months in those without, and 2-year OS was 31% (P = 0.02).\n"))
    assert [f.p_value for f in ex.figures if f.measure == "median"] == [None, None]


def test_the_p_after_the_second_group_of_a_comparison():
    assert rates("Patients achieving CR had a 3-year OS of 84% compared with 41% for those who did not (P < 0.001).") \
        == [("OS", 84.0, 36.0, 0.001, "<"), ("OS", 41.0, 36.0, 0.001, "<")]


def test_a_median_in_years_has_its_interval_in_months_too():
    ex = extract_article(ArticleRecord(source_format="text",
                                       text="Results\n\nMedian event-free survival was 3.1 years (95% CI, 2.4 to 4.0).\n"))
    assert [(f.value, f.ci_low, f.ci_high, f.group) for f in ex.figures] == [(37.2, 28.8, 48.0, "Overall")]
