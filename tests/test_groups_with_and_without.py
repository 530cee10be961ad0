"""Groups of common result sentences that were lost or misnamed: patients 'with and without'
a feature (split into 'with' and 'without <feature>', or dropped when the feature is itself
an endpoint such as a response), and the group of a median stated after 'versus' (it took
the other arm's name, 'combination arm versus')."""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def figures(sentence: str) -> list[tuple]:
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\n" + sentence + "\n"))
    return [(f.endpoint, f.measure, f.value, f.timepoint_months, f.group) for f in ex.figures]


@pytest.mark.parametrize("sentence, feature, endpoint, tp, values", [
    ("The 3-year PFS rates were 62% and 48% in patients with and without lymph node metastasis, respectively.",
     "lymph node metastasis", "PFS", 36.0, (62.0, 48.0)),
    ("Five-year OS was 45% and 72% for patients with and without extranodal extension, respectively (p = 0.01).",
     "extranodal extension", "OS", 60.0, (45.0, 72.0)),
    ("The 3-year PFS rates were 62% and 48% for patients with and without MRD negativity, respectively (P = .004).",
     "MRD negativity", "PFS", 36.0, (62.0, 48.0)),
    ("Five-year OS was 81% and 52% for patients with and without a pathologic complete response, respectively.",
     "a pathologic complete response", "OS", 60.0, (81.0, 52.0)),
])
def test_with_and_without_a_feature_are_two_groups(sentence, feature, endpoint, tp, values):
    assert figures(sentence) == [(endpoint, "rate", values[0], tp, f"with {feature}"),
                                 (endpoint, "rate", values[1], tp, f"without {feature}")]


def test_endpoints_listed_before_their_rates_are_still_endpoints():
    got = figures("The 5-year rates of local, regional and distant failure were 10%, 12% and 25%, respectively.")
    assert [(e, v, g) for e, _, v, _, g in got] == [("local recurrence", 10.0, "Overall"),
                                                    ("regional recurrence", 12.0, "Overall"),
                                                    ("distant metastasis", 25.0, "Overall")]


def test_a_median_after_versus_is_the_group_named_after_it():
    got = figures("Median PFS was not reached in the combination arm versus 8.3 months in the monotherapy arm "
                  "(HR 0.42; 95% CI 0.28-0.63).")
    assert ("PFS", "median", 8.3, None, "monotherapy arm") in got
