"""A clause that names only a group and its value after a clause that stated a rate ('Among
men, 5-year survival was 38.5%; among women, 45.0%') is the same rate for that group: the
second value was lost."""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def figures(sentence: str) -> list[tuple]:
    ex = extract_article(ArticleRecord(source_format="text", text="Results\n\n" + sentence + "\n"))
    return [(f.endpoint, f.value, f.timepoint_months, f.group) for f in ex.figures]


@pytest.mark.parametrize("sentence, expected", [
    ("Among men, 5-year survival was 38.5%; among women, 45.0%.",
     [("OS", 38.5, 60.0, "men"), ("OS", 45.0, 60.0, "women")]),
    ("In the surgery group, the 3-year DFS was 61%; in the observation group, 44% (P = 0.02).",
     [("DFS", 61.0, 36.0, "surgery group"), ("DFS", 44.0, 36.0, "observation group")]),
    ("Among men, 5-year survival was 38.5%; among women with stage I disease, 45.0%.",
     [("OS", 38.5, 60.0, "men"), ("OS", 45.0, 60.0, "women with stage I disease")]),
])
def test_a_group_and_its_value_continue_the_rate_before(sentence, expected):
    assert figures(sentence) == expected


def test_a_clause_with_a_year_and_a_count_is_no_rate():
    assert figures("The 5-year OS was 58%; in 2010, 120 patients were treated.") == [("OS", 58.0, 60.0, "Overall")]
