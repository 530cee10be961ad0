"""A timepoint stated right after a value belongs to that value ('52% at 3 years and 38% at
5 years' gave both values 36 months; '40% after 5 years' gave no figure); and the subject of 'X was
an independent predictor of OS (HR ...)' is the ratio's variable."""
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


def ratios(sentence: str):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(f.endpoint, f.measure, f.value, f.variable) for f in ex.figures]


@pytest.mark.parametrize("sentence,variable", [
    ("On multivariable analysis, nodal involvement remained an independent predictor of worse OS "
     "(HR 2.31, 95% CI 1.42-3.76, p < 0.001).", "nodal involvement"),
    ("Age over 70 years was an independent prognostic factor for OS (HR 1.8, 95% CI 1.2-2.7; p = 0.004).",
     "Age over 70 years"),
    ("Positive margins were the only significant risk factor for local recurrence (HR 3.1, 95% CI 1.5-6.4).",
     "Positive margins"),
])
def test_the_subject_of_a_predictor_of_an_outcome_is_the_ratios_variable(sentence, variable):
    # As 'X was independently associated with worse OS (HR ...)' already was.
    assert [r[3] for r in ratios(sentence)] == [variable]


def test_the_risk_named_as_subject_is_no_variable():
    assert [r[3] for r in ratios("The risk of death was higher in older patients (HR 1.8, 95% CI 1.2-2.7).")] == [None]


@pytest.mark.parametrize("sentence,expected", [
    ("OS was 52% and 38% at 3 and 5 years, respectively.",
     [("OS", "rate", 36, 52.0, None, None), ("OS", "rate", 60, 38.0, None, None)]),
    ("The OS rates were 90%, 71% and 52% at 1, 3 and 5 years, respectively.",
     [("OS", "rate", 12, 90.0, None, None), ("OS", "rate", 36, 71.0, None, None), ("OS", "rate", 60, 52.0, None, None)]),
])
def test_times_listed_right_after_the_values_pair_with_them(sentence, expected):
    assert rates(sentence) == expected
