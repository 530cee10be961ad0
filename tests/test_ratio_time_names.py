"""A time inside the name of a ratio's outcome ('the relative risk of 5-year recurrence was
0.45') is part of the name, never the ratio's value: it was read as RR 5.0, and 'the hazard
ratio for 3-year mortality was 0.72' gave no figure at all."""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def ratios(sentence: str) -> list[tuple]:
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\n" + sentence + "\n"))
    return [(f.measure, f.value, f.ci_low, f.ci_high, f.p_value) for f in ex.figures]


@pytest.mark.parametrize("sentence, expected", [
    ("The relative risk of 5-year recurrence was 0.45 (95% CI 0.30-0.68).", ("RR", 0.45, 0.30, 0.68, None)),
    ("The hazard ratio for 3-year mortality was 0.72 (95% CI 0.55-0.94; P = 0.02).", ("HR", 0.72, 0.55, 0.94, 0.02)),
    ("The odds ratio of 30-day mortality was 1.8 (95% CI 1.1-2.9).", ("OR", 1.8, 1.1, 2.9, None)),
    ("The adjusted HR for 2-year relapse was 1.41 (95% CI 1.05-1.90, p = 0.02).", ("HR", 1.41, 1.05, 1.90, 0.02)),
    ("The risk ratio of 90 day mortality was 0.83 (95% CI 0.70-0.98).", ("RR", 0.83, 0.70, 0.98, None)),
])
def test_a_time_in_the_outcome_name_is_not_the_ratio(sentence, expected):
    assert ratios(sentence) == [expected]


def test_a_ratio_without_a_time_is_read_as_before():
    assert ratios("Adjuvant chemotherapy was associated with improved OS (HR 0.64, 95% CI 0.44-0.93; P = 0.02).") \
        == [("HR", 0.64, 0.44, 0.93, 0.02)]


def test_a_hazard_ratio_of_death_is_an_overall_survival_ratio():
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\nThe hazard of death was reduced by 32% "
                                       "with the addition of rituximab (HR 0.68; 95% CI 0.52-0.89).\n"))
    assert [(f.endpoint, f.measure, f.value) for f in ex.figures] == [("OS", "HR", 0.68)]
