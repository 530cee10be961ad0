"""A ratio stated after two arms' values of its endpoint compares the first arm with the second:
'Median OS was 14.1 months with cetuximab versus 10.2 months with chemotherapy alone (HR 0.76 ...)'
gave the HR the group and variable 'chemotherapy alone', and no comparator."""
import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def ratios(sentence: str):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(f.endpoint, f.value, f.group, f.comparator, f.variable) for f in ex.figures if f.measure == "HR"]


@pytest.mark.parametrize("sentence,expected", [
    ("Median overall survival was 14.1 months with cetuximab versus 10.2 months with chemotherapy alone "
     "(hazard ratio, 0.76; 95% CI, 0.61 to 0.95; P=0.01).",
     [("OS", 0.76, "cetuximab", "chemotherapy alone", None)]),
    ("Median PFS was 7.2 months in the nivolumab group and 4.1 months in the control group "
     "(HR 0.62, 95% CI 0.48-0.80, p<0.001).",
     [("PFS", 0.62, "nivolumab group", "control group", None)]),
    ("The 5-year OS was 62% in the surgery group and 48% in the radiotherapy group (HR 0.70; 95% CI 0.52-0.94).",
     [("OS", 0.70, "surgery group", "radiotherapy group", None)]),
])
def test_ratio_after_two_arms_compares_them(sentence, expected):
    assert ratios(sentence) == expected


def test_arms_of_another_endpoint_are_not_the_ratios():
    # The arms' values are PFS; the ratio is for death: it does not compare these values.
    got = ratios("Median PFS was 7.2 months in the nivolumab group and 4.1 months in the control group, "
                 "and the hazard ratio for death was 0.80 (95% CI 0.61-1.05).")
    assert [(e, v, c) for e, v, _, c, _ in got] == [("OS", 0.80, None)]
