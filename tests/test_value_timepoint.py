"""A timepoint stated right after a value belongs to that value: '52% at 3 years and 38% at
5 years' gave both values 36 months, and '40% after 5 years' gave no figure at all."""
import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def rates(sentence: str):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(f.endpoint, f.measure, f.timepoint_months, f.value, f.ci_low, f.ci_high) for f in ex.figures]


@pytest.mark.parametrize("sentence,expected", [
    ("Overall survival was 52% at 3 years and 38% at 5 years.",
     [("OS", "rate", 36, 52.0, None, None), ("OS", "rate", 60, 38.0, None, None)]),
    ("The OS rate was 40% after 5 years.", [("OS", "rate", 60, 40.0, None, None)]),
    ("Disease-free survival was 61.2% (95% CI 52.0-70.4) at 24 months.", [("DFS", "rate", 24, 61.2, 52.0, 70.4)]),
    # the timepoint before the value, as before
    ("The 5-year OS was 45% at a median follow-up of 60 months.", [("OS", "rate", 60, 45.0, None, None)]),
    ("The 3- and 5-year OS rates were 52% and 38%, respectively.",
     [("OS", "rate", 36, 52.0, None, None), ("OS", "rate", 60, 38.0, None, None)]),
])
def test_value_takes_the_timepoint_stated_after_it(sentence, expected):
    assert rates(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "Local recurrence developed in 12% of patients, most of them after 2 years.",
    "Of the patients, 35% were older than 70 years at diagnosis.",
])
def test_no_rate_from_a_time_that_is_no_timepoint_of_a_survival_value(sentence):
    assert [r for r in rates(sentence) if r[1] == "rate"] == []
