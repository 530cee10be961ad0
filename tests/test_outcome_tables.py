"""Tables flattened into lines, in layouts oncology papers use beyond the seed's:
rates and medians per group, adverse events by grade column, regression tables with an
indented variable block."""
from __future__ import annotations

from kb.extract.article import extract_article
from kb.models import ArticleRecord

T = {
"A": """Results
Survival outcomes are shown in Table 3.

Table 3 Five-year survival outcomes by treatment group
Group n 5-year OS (%) 5-year DFS (%)
Surgery alone 83 45.2 38.1
Surgery + RT 26 61.5 52.3
Surgery + CT 61 50.0 41.7

Discussion
Our study shows improved outcomes.
""",
"B": """Results
Median survival by stage is shown in Table 2.

Table 2 Median overall survival by stage
Stage n Median OS (months) 95% CI
I 40 NR –
II 55 48.2 36.1–60.3
III 62 22.5 18.0–27.0

Discussion
Stage matters.
""",
"C": """Results
Table 4 Treatment-related adverse events
Adverse event Any grade, n (%) Grade ≥3, n (%)
Neutropenia 45 (45.0) 20 (20.0)
Anemia 30 (30.0) 5 (5.0)
Fatigue 25 (25.0) 0

Discussion
Toxicity was manageable.
""",
"D": """Results
Table 2 Cox regression analysis of factors associated with overall survival
Variable HR (95% CI) P value
Age (≥65 vs <65 years) 1.52 (1.10–2.10) 0.011
ECOG PS 2 vs 0–1 2.01 (1.35–2.99) <0.001
Stage
 I–II Reference
 III 1.85 (1.20–2.85) 0.005
 IV 3.40 (2.10–5.50) <0.001

Discussion
Stage matters.
""",
}


def extract(key):
    ex = extract_article(ArticleRecord("text", text=T[key]))
    assert all(T[key][f.start:f.end] == f.quote for f in ex.figures)
    return ex


def test_rates_per_group_with_sizes():
    ex = extract("A")
    assert {(f.endpoint, f.measure, f.timepoint_months, f.group, f.value) for f in ex.figures} == {
        ("OS", "rate", 60, "Surgery alone", 45.2), ("DFS", "rate", 60, "Surgery alone", 38.1),
        ("OS", "rate", 60, "Surgery + RT", 61.5), ("DFS", "rate", 60, "Surgery + RT", 52.3),
        ("OS", "rate", 60, "Surgery + CT", 50.0), ("DFS", "rate", 60, "Surgery + CT", 41.7)}
    assert {(c.label, c.n) for c in ex.cohorts} >= {("Surgery alone", 83), ("Surgery + RT", 26), ("Surgery + CT", 61)}


def test_medians_with_intervals_and_not_reached():
    ex = extract("B")
    assert {(f.endpoint, f.measure, f.group, f.value, f.ci_low, f.ci_high) for f in ex.figures} == {
        ("OS", "median", "Stage II", 48.2, 36.1, 60.3), ("OS", "median", "Stage III", 22.5, 18.0, 27.0)}
    assert ("Stage I", 40) in {(c.label, c.n) for c in ex.cohorts}


def test_adverse_events_any_grade_and_grade_3_or_more():
    ex = extract("C")
    assert {(a.event, a.grade, a.n, a.percent) for a in ex.adverse_events} == {
        ("Neutropenia", "any", 45, 45.0), ("Neutropenia", "≥3", 20, 20.0), ("Anemia", "any", 30, 30.0),
        ("Anemia", "≥3", 5, 5.0), ("Fatigue", "any", 25, 25.0), ("Fatigue", "≥3", 0, None)}


def test_regression_rows_with_an_indented_variable_block():
    ex = extract("D")
    got = {(f.endpoint, f.measure, f.group, f.comparator, f.variable, f.value, f.ci_low, f.ci_high, f.p_value, f.p_op)
           for f in ex.figures}
    assert ("OS", "HR", "III", "I–II", "Stage", 1.85, 1.2, 2.85, 0.005, "=") in got
    assert ("OS", "HR", "IV", "I–II", "Stage", 3.4, 2.1, 5.5, 0.001, "<") in got
    assert ("OS", "HR", None, None, "Age (≥65 vs <65 years)", 1.52, 1.1, 2.1, 0.011, "=") in got
