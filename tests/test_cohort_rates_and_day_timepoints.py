"""Two gaps found by probing common result sentences: rates listed over timepoints for the
whole cohort had no group (the gold schema calls the cohort 'Overall', as kb does for other
cohort rates), and deaths counted at a number of days ('30-day mortality', '100-day
non-relapse mortality', common in surgical and transplant series) gave no figure at all."""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def figures(sentence: str) -> list[tuple]:
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\n" + sentence + "\n"))
    return [(f.endpoint, f.measure, f.value, f.timepoint_months, f.group) for f in ex.figures]


def test_rates_over_timepoints_for_the_whole_cohort_are_overall():
    assert figures("The 1-, 3-, and 5-year OS rates were 90.1%, 70.4%, and 55.2%, respectively.") == [
        ("OS", "rate", 90.1, 12.0, "Overall"), ("OS", "rate", 70.4, 36.0, "Overall"), ("OS", "rate", 55.2, 60.0, "Overall")]


def test_rates_over_timepoints_within_a_subgroup_keep_it():
    got = figures("Among patients with stage III disease, the 1- and 3-year OS rates were 80% and 50%, respectively.")
    assert [g for *_, g in got] == ["patients with stage III disease"] * 2


@pytest.mark.parametrize("sentence, endpoint, value, months", [
    ("Thirty-day mortality was 2.4%.", "mortality", 2.4, 0.99),
    ("The 90-day mortality rate was 4.1% after esophagectomy.", "mortality", 4.1, 2.96),
    ("The 100-day non-relapse mortality was 5.1%.", "treatment-related mortality", 5.1, 3.29),
])
def test_deaths_at_a_number_of_days(sentence, endpoint, value, months):
    assert figures(sentence) == [(endpoint, "rate", value, months, "Overall")]


def test_a_schedule_in_days_is_no_timepoint():
    got = figures("Patients received docetaxel in 21-day cycles and the ORR was 40%.")
    assert got == [("ORR", "proportion", 40.0, None, "Overall")]
