"""The number grammar (kb/extract/numbers.py): values, intervals, p-values, timepoints.

Examples are phrases as papers print them, most from the melanoma sample; property tests
format random values in several printed styles and parse them back.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract.numbers import (
    find_ci,
    find_p,
    find_timepoint,
    find_timepoint_list,
    parse_p_cell,
    percent_value,
    timepoint_months,
    to_float,
    word_to_int,
)

# --- printed numbers ------------------------------------------------------------------

@pytest.mark.parametrize("printed, percent, value", [
    ("28,5", True, 28.5),      # "28,5%" decimal-comma typo in the melanoma results
    ("28,5", False, 28.5),     # one digit after the comma: a decimal comma either way
    ("1,593", False, 1593.0),  # thousands mark (the meta-analysis n in the Discussion)
    ("0.733", False, 0.733),
    (".02", False, 0.02),
    ("262", False, 262.0),
    ("", False, None),
    ("n/a", False, None),
])
def test_to_float(printed, percent, value):
    assert to_float(printed, percent=percent) == value


def test_percent_value_keeps_the_typo_value():
    assert percent_value("28,5%") == 28.5
    assert percent_value("40.8 %") == 40.8


@pytest.mark.parametrize("words, n", [("five", 5), ("twenty-one", 21), ("Three", 3), ("12", 12), ("many", None)])
def test_word_to_int(words, n):
    assert word_to_int(words) == n


# --- intervals ------------------------------------------------------------------------

@pytest.mark.parametrize("text, low, high", [
    ("95% CI 0.349–1.540", 0.349, 1.540),
    ("(95% CI, 0.44 to 0.93; P = .02)", 0.44, 0.93),
    ("95%CI: 0.44-0.93", 0.44, 0.93),
    ("HR = 0.733, 95% CI 0.349–1.540, P = 0.413", 0.349, 1.540),
    ("95% confidence interval 1.263-2.320", 1.263, 2.320),
    ("95% CI -1.20 to -0.35", -1.20, -0.35),
])
def test_find_ci_labelled(text, low, high):
    ci = find_ci(text)
    assert ci is not None, text
    assert (ci.low, ci.high) == pytest.approx((low, high))
    consumed = text[ci.start:ci.end]
    assert "CI" in consumed or "confidence interval" in consumed
    # The consumed stretch ends with the upper bound (and at most a closing bracket).
    assert float(re.search(r"[\d.]+(?=\s*[\])]?$)", consumed).group()) == pytest.approx(abs(high))


@pytest.mark.parametrize("text, low, high", [
    ("[0.44; 0.93]", 0.44, 0.93),
    ("(0.473, 0.952) 0.025", 0.473, 0.952),   # a Table 2 cell: "0.671 (0.473, 0.952) 0.025"
])
def test_find_ci_bare_only_when_allowed(text, low, high):
    assert find_ci(text) is None
    ci = find_ci(text, bare_ok=True)
    assert (ci.low, ci.high) == pytest.approx((low, high))
    assert text[ci.start:ci.end].startswith(text[0])


@pytest.mark.parametrize("text", [
    "HR = 0.733, P = 0.413",          # no interval stated
    "(95% CI 1.540–0.349)",            # low above high is not an interval
    "in 107 of 262 patients (40.8%)",
])
def test_find_ci_none(text):
    assert find_ci(text, bare_ok=True) is None


def test_find_ci_respects_position_and_limit():
    text = "(HR = 0.726, 95% CI 0.438–1.202, P = 0.213) or DMFS rate (HR = 1.270, 95% CI 0.949–1.701, P = 0.108)"
    second = find_ci(text, pos=text.index("DMFS"))
    assert (second.low, second.high) == (0.949, 1.701)
    assert find_ci("x" * 80 + "95% CI 0.1-0.2", limit=60) is None


# --- p-values -------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, op", [
    ("P<.001", 0.001, "<"),
    ("p = 0.04", 0.04, "="),
    ("P = 0.413", 0.413, "="),
    ("respectively (P < 0.001)", 0.001, "<"),
    ("(all P < 0.05)", 0.05, "<"),
    ("P value = 0.03", 0.03, "="),
    ("P ≤ 0.05", 0.05, "<"),
    ("P = 3 × 10-5", 3e-5, "="),
])
def test_find_p(text, value, op):
    p = find_p(text)
    assert p is not None, text
    assert p.value == pytest.approx(value) and p.op == op
    assert text[p.start:p.end].lstrip("(").startswith(("P", "p"))


@pytest.mark.parametrize("text", ["p = 1.2", "HR 0.733", "Stage IVb 12 (4.6)"])
def test_find_p_none(text):
    assert find_p(text) is None


@pytest.mark.parametrize("cell, parsed", [
    ("0.029", (0.029, "=")), ("< 0.001", (0.001, "<")), ("<.001", (0.001, "<")),
    ("1.5", None), ("NS", None),
])
def test_parse_p_cell(cell, parsed):
    assert parse_p_cell(cell) == parsed


# --- timepoints -----------------------------------------------------------------------

@pytest.mark.parametrize("text, months", [
    ("5-year", 60), ("five-year", 60), ("3-yr", 36), ("at 24 months", 24),
    ("The 5-year OS, DMFS, DFS, and LRRFS rates were 37.7%", 60),
    ("the 3-year OS rates of patients with stage III", 36),
    ("5 year OS", 60),
    ("6-month", 6),
    ("patients ≤ 57 years old had a better 5-year OS rate (42.1% vs. 34.2%)", 60),
])
def test_find_timepoint(text, months):
    assert find_timepoint(text) == months


@pytest.mark.parametrize("text", [
    "57 years old",
    "the median age was 57 years.",
    "The onset age ranged from 19 to 87 years",
    "The median follow-up time was 34.0",
])
def test_find_timepoint_none(text):
    assert find_timepoint(text) is None


def test_find_timepoint_list():
    text = "the 1-, 3- and 5-year OS rates"
    months, start, end = find_timepoint_list(text)
    assert months == [12, 36, 60]
    assert text[start:end] == "1-, 3- and 5-year"
    assert find_timepoint_list("1-, 2-, and 3-year")[0] == [12, 24, 36]
    assert find_timepoint_list("the 5-year OS rate") is None


# --- property tests: print a value in a paper's style, parse it back -------------------

def printed(units: int, places: int) -> str:
    return f"{units / 10 ** places:.{places}f}"


values = st.tuples(st.integers(0, 99_999), st.integers(0, 3)).map(lambda t: printed(*t))
ci_styles = st.sampled_from([
    "95% CI {lo}–{hi}", "95% CI {lo}-{hi}", "(95% CI, {lo} to {hi}; P = .02)", "95%CI: {lo}-{hi}",
    "95% CI ({lo}, {hi})", "95% confidence interval {lo} to {hi}", "95% CI [{lo}; {hi}]", "(CI {lo}~{hi})",
])
bare_styles = st.sampled_from(["({lo}, {hi})", "[{lo}; {hi}]", "({lo}–{hi})", "({lo} to {hi})"])


@settings(max_examples=150, deadline=None)
@given(a=values, b=values, style=ci_styles)
def test_ci_round_trip(a, b, style):
    lo, hi = sorted((a, b), key=float)
    text = "HR 1.2 " + style.format(lo=lo, hi=hi)
    ci = find_ci(text)
    assert ci is not None, text
    assert (ci.low, ci.high) == (float(lo), float(hi))


@settings(max_examples=100, deadline=None)
@given(a=values, b=values, style=bare_styles)
def test_bare_ci_round_trip(a, b, style):
    lo, hi = sorted((a, b), key=float)
    text = style.format(lo=lo, hi=hi) + " 0.025"
    ci = find_ci(text, bare_ok=True)
    assert ci is not None, text
    assert (ci.low, ci.high) == (float(lo), float(hi))


p_styles = st.sampled_from(["P = {v}", "p={v}", "P<{v}", "(P = {v})", "P value = {v}", "P-value < {v}", "p ≤ {v}"])


@settings(max_examples=150, deadline=None)
@given(units=st.integers(0, 9_999), places=st.integers(1, 4), style=p_styles, leading_zero=st.booleans())
def test_p_round_trip(units, places, style, leading_zero):
    v = printed(units % 10 ** places, places)  # always below 1
    if not leading_zero:
        v = v[1:]                              # ".02" as journals print it
    text = "log-rank test, " + style.format(v=v)
    p = find_p(text)
    assert p is not None, text
    assert p.value == float(v)
    assert p.op == ("<" if "<" in style or "≤" in style else "=")


_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 30), style=st.sampled_from(["{n}-year", "{n}-yr", "{n}-month", "at {n} months",
                                                    "at {n} years", "{w}-year"]))
def test_timepoint_round_trip(n, style):
    if "{w}" in style:
        n = min(n, 10)
    text = "the " + style.format(n=n, w=_WORDS[min(n, 10) - 1]) + " OS rate was 37.7%"
    per_year = "year" in style or "yr" in style
    assert find_timepoint(text) == n * (12 if per_year else 1)
    assert timepoint_months(str(n), "years" if per_year else "months") == n * (12 if per_year else 1)


@settings(max_examples=100, deadline=None)
@given(age=st.integers(18, 99))
def test_ages_are_never_timepoints(age):
    assert find_timepoint(f"patients {age} years old or younger") is None
    assert find_timepoint(f"the median age was {age} years.") is None


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1_000, 999_999))
def test_thousands_round_trip(n):
    assert to_float(f"{n:,}") == n
