"""More result statements of rare-cancer abstracts that kb read wrongly or not at all, found on
blind gold sets of real papers (session 8, kept outside the repo). The sentences are written
for the tests, in the same styles as the papers."""
from kb.extract.article import extract_article
from kb.extract.endpoints import contract_name
from kb.models import ArticleRecord


def figures(text: str):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{text}\n"))
    return [(contract_name(f.endpoint), f.measure, f.timepoint_months, f.group, f.value, f.ci_low, f.p_value)
            for f in ex.figures]


def test_an_interval_holding_a_parenthesis_does_not_end_the_list_of_values():
    got = figures("Transplanted patients had 2-year and 4-year OS of 61% [95% confidence interval (CI) = 44–74%] "
                  "and 47% (95% CI = 30–62%), respectively.")
    assert [(e, m, t, v, lo) for e, m, t, _, v, lo, _ in got] == [
        ("OS", "rate", 24, 61.0, 44.0), ("OS", "rate", 48, 47.0, 30.0)]


def test_rr_printed_as_a_percentage_is_the_response_rate_not_a_relative_risk():
    got = figures("Salvage chemotherapy showed modest activity (RR: 14.5 %), with a median PFS of 2.9 months.")
    assert [(e, m, v) for e, m, _, _, v, _, _ in got] == [("ORR", "proportion", 14.5), ("PFS", "median", 2.9)]
    got = figures("Gemcitabine gave an RR of 21.3% and a DCR of 52%.")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [("ORR", 21.3), ("disease control rate", 52.0)]
    # A relative risk keeps its unit.
    got = figures("Smoking raised the risk of local recurrence (RR 1.8, 95% CI 1.2-2.7, p = 0.004).")
    assert [(m, v, lo) for _, m, _, _, v, lo, _ in got] == [("RR", 1.8, 1.2)]


def test_a_second_list_of_groups_in_the_clause_takes_the_first_lists_rate():
    got = figures("On univariate analysis, the 3-year DFS of N0 and N1-2 were 81% and 55.4%, p = 0.02, "
                  "stage I-II and stage III-IV were 84% and 60.2%, p = 0.03, respectively.")
    assert [(e, t, g, v, p) for e, _, t, g, v, _, p in got] == [
        ("DFS", 36, "N0", 81.0, 0.02), ("DFS", 36, "N1-2", 55.4, 0.02),
        ("DFS", 36, "stage I-II", 84.0, 0.03), ("DFS", 36, "stage III-IV", 60.2, 0.03)]


def test_the_arm_named_after_a_count_and_its_share_is_the_values_group():
    got = figures("Complete response was the best response in 9 (30%) patients treated with lenvatinib "
                  "and in 4 (16%) patients treated with sorafenib.")
    assert [(e, g, v) for e, _, _, g, v, _, _ in got] == [("CR", "lenvatinib", 30.0), ("CR", "sorafenib", 16.0)]
