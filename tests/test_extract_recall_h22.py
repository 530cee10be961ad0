"""Attribution on papers kb had not seen (eval/docs heldout_*, pubmed_*, jats_mds526).

Each rule is tested first on sentences in the shapes oncology papers use (written for this
file, not taken from the evaluation papers), then on the evaluation text that broke:
- regression tables whose variables only the caption names (jats_mds526 Tables 2-3: no
  variable line above "Men Reference / Women 0.93 (...)");
- two groups compared in a clause, their values in the parenthesis after it
  (pubmed_21933749: "Survival in 30 ... was significantly longer than in 23 ... (median ...
  vs 6 months, 1-year overall survival 70% vs 44%; hazard ratio 0.36 ...)");
- the variable of a ratio stated in prose: the exposure it is "for", the phrase its
  parenthesis follows, the subject "associated with" the outcome (heldout_26232746,
  heldout_40536077, pubmed_26589380).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.extract.article import extract_article
from kb.extract.sections import detect_spans
from kb.extract.tables import caption_variables, parse_tables
from kb.models import ArticleRecord

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "eval" / "docs"


def figures(text: str) -> list:
    return extract_article(ArticleRecord("text", text="Results\n" + text + "\n")).figures


def by_value(figs) -> dict[float, object]:
    return {round(f.value, 2): f for f in figs}


# --- regression tables: variables named by the caption ---------------------------------

@pytest.mark.parametrize("caption,expected", [
    ("Independent associations of gender, deprivation and age with advanced stage at diagnosis (n = 88 657)",
     ["gender", "deprivation", "age"]),
    ("Association between age, sex and tumour grade and overall survival by treatment arm", ["age", "sex", "tumour grade"]),
    ("Multivariable Cox regression analysis of age, sex and ECOG performance status for overall survival",
     ["age", "sex", "ECOG performance status"]),
    ("Effect of age, stage and grade on disease-free survival in 412 patients", ["age", "stage", "grade"]),
    # No list of variables: nothing to name rows with.
    ("Factors associated with overall survival", []),
    ("Association of clinicopathological factors with OS", []),
    ("Hazard ratio (HR) and 95% CI for oral contraceptive use, reproductive variables and colorectal cancer", []),
])
def test_caption_variables(caption, expected):
    assert caption_variables(caption) == expected


SEX_AGE_STAGE = """Results
Table 2. Multivariable Cox regression of sex, age and stage for overall survival
Variable HR (95% CI) P
Male Reference 0.041
Female 0.81 (0.66, 0.99)
<60 years 0.72 (0.55, 0.94) 0.002
60–69 years Reference
≥70 years 1.45 (1.12, 1.88)
Stage I Reference <0.001
Stage II 1.62 (1.10, 2.38)
Stage III 2.95 (2.01, 4.33)
"""


def test_rows_without_variable_lines_take_the_caption_variables():
    """Sex rows, age bands and the levels sharing a word with the caption's third variable."""
    got = {f.group: f for f in parse_tables(SEX_AGE_STAGE, detect_spans(SEX_AGE_STAGE)).figures}
    assert {g: (f.variable, f.comparator) for g, f in got.items()} == {
        "Female": ("Sex", "Male"), "<60 years": ("Age", "60–69 years"), "≥70 years": ("Age", "60–69 years"),
        "Stage II": ("Stage", "Stage I"), "Stage III": ("Stage", "Stage I")}


def test_mds526_regression_rows_take_gender_deprivation_age():
    """jats_mds526 Tables 2-3 had no variable on any of their 138 rows."""
    text = (DOCS / "jats_mds526.txt").read_text(encoding="utf-8")
    figs = [f for f in parse_tables(text, detect_spans(text)).figures if f.rule == "table.regression"]
    assert figs and all(f.variable in ("Gender", "Deprivation", "Age") for f in figs)
    table2 = by_value(figs[:13])
    assert (table2[0.93].variable, table2[1.1].variable, table2[0.9].variable) == ("Gender", "Deprivation", "Age")
    # "Deprived 1.21 ... <0.001" opened a block after the age reference row had been seen:
    # its comparator is its own variable's reference.
    assert (table2[1.21].variable, table2[1.21].comparator) == ("Deprivation", "Affluent")


# --- two groups compared before a parenthesis of values --------------------------------

def test_groups_of_a_comparison_clause_go_to_the_values_in_its_parenthesis():
    f = figures("Overall survival in 40 patients who received adjuvant chemotherapy was significantly longer than "
                "in 52 patients managed by observation (median 48.2 vs 30.1 months, 3-year OS 62% vs 41%; "
                "HR 0.58, 95% CI 0.37-0.91; p=0.02).")
    got = {(f.measure, f.value): (f.group, f.comparator) for f in f}
    assert got == {
        ("median", 48.2): ("adjuvant chemotherapy", None),
        ("median", 30.1): ("observation", None),
        ("rate", 62.0): ("adjuvant chemotherapy", None),
        ("rate", 41.0): ("observation", None),
        ("HR", 0.58): ("adjuvant chemotherapy", "observation")}


def test_similar_to_that_in_with_commas_in_the_labels():
    f = figures("PFS in 61 elderly, frail patients was similar to that in 75 fit patients "
                "(median PFS 9.1 months [95% CI 7.2-11.0] vs 10.4 months [8.8-12.9]; p=0.41).")
    assert {(x.value, x.group) for x in f} == {(9.1, "elderly, frail patients"), (10.4, "fit patients")}


def test_a_comparison_in_another_clause_names_no_group():
    """The parenthesis follows a clause that compares nothing: no groups from elsewhere."""
    f = figures("Response was better in women than in men, and the 2-year OS was 58% (95% CI 50-66) vs 47% (39-55).")
    assert {x.group for x in f if x.measure == "rate"} <= {None, "Overall"}


def test_pubmed_21933749_groups_of_each_comparison():
    text = (DOCS / "pubmed_21933749.txt").read_text(encoding="utf-8")
    figs = [f for f in extract_article(ArticleRecord("text", text=text)).figures]
    got = {(f.measure, f.value, f.timepoint_months): f for f in figs}
    assert got[("rate", 44.0, 12.0)].group == "ALK-positive controls given any second-line therapy"
    assert got[("median", 15.0, None)].group == "wild-type controls"
    hr = got[("HR", 0.36, None)]
    assert (hr.group, hr.comparator) == (
        "ALK-positive patients who were given crizotinib in the second-line or third-line setting",
        "ALK-positive controls given any second-line therapy")


# --- the variable of a ratio stated in prose ------------------------------------------

@pytest.mark.parametrize("sentence,expected", [
    # The phrase before the ratio's parenthesis.
    ("In multivariable analysis, both lymphovascular invasion (aHR 1.92, p=0.004) and positive margins "
     "(aHR 2.40, p<0.001) predicted shorter DFS.",
     {(1.92, "lymphovascular invasion", "lymphovascular invasion", "multivariate"),
      (2.40, "positive margins", "positive margins", "multivariate")}),
    # The exposure a ratio is "for".
    ("The pooled RR of lung cancer for occupational asbestos exposure was 1.48 (95% CI 1.21-1.81).",
     {(1.48, "occupational asbestos exposure", "occupational asbestos exposure", None)}),
    # The subject associated with the outcome; the subgroup the ratio is stated in.
    ("Obesity was independently associated with worse OS in postmenopausal women (HR 1.37; 95% CI 1.10-1.70).",
     {(1.37, "Obesity", "postmenopausal women", None)}),
    # The outcome in front of the parenthesis is no variable.
    ("Statin use was associated with a lower risk of recurrence (HR 0.74; 95% CI 0.60-0.91).",
     {(0.74, "Statin use", "Statin use", None)}),
    # Nothing names a variable: none is made up.
    ("The hazard ratio for death was 0.71 (95% CI 0.58-0.87; P=0.001).", {(0.71, None, None, None)}),
])
def test_ratio_variable_in_prose(sentence, expected):
    assert {(round(f.value, 2), f.variable, f.group, f.analysis) for f in figures(sentence)
            if f.measure in ("HR", "OR", "RR")} == expected


def test_subgroup_ratios_keep_the_exposure_named_before():
    f = figures("The overall pooled OR of oesophageal cancer for hot tea drinking was 1.62 (95% CI 1.20-2.19). "
                "Stratified analyses showed an OR of 1.80 (95% CI 1.22-2.65) in men and 1.41 (95% CI 0.95-2.09) in women.")
    assert {(round(x.value, 2), x.variable, x.group) for x in f} == {
        (1.62, "hot tea drinking", "hot tea drinking"), (1.8, "hot tea drinking", "men"),
        (1.41, "hot tea drinking", "women")}


def test_heldout_26232746_clomiphene_is_the_variable():
    text = (DOCS / "heldout_26232746.txt").read_text(encoding="utf-8")
    got = by_value(extract_article(ArticleRecord("text", text=text)).figures)
    assert got[1.95].variable == got[1.57].variable == "Clomiphene citrate (CC)"


def test_pubmed_26589380_variables_and_adjusted_ratios():
    text = (DOCS / "pubmed_26589380.txt").read_text(encoding="utf-8")
    got = by_value(extract_article(ArticleRecord("text", text=text)).figures)
    assert (got[0.48].variable, got[0.48].analysis) == ("HPV-positive tumor status", "multivariate")
    assert (got[0.47].variable, got[0.47].group, got[0.47].analysis) == (
        "HPV tumor status", "late survivors", "multivariate")


# --- counted groups, then the event they had (heldout_26700703: 0 of 2 found) ------------

@pytest.mark.parametrize("sentence,expected", [
    ("After a median follow-up of 5 years, 14 of 52 patients in the observation arm (27%) versus 6 of 50 patients "
     "in the radiotherapy arm (12%) developed local recurrence (P = .04).",
     {("local recurrence", 27.0, "observation", 0.04), ("local recurrence", 12.0, "radiotherapy", 0.04)}),
    ("Overall, 22 of 150 evaluable patients (14.7%) experienced distant metastases.",
     {("distant metastasis", 14.7, "Overall", None)}),
    ("9 of 61 HPV-positive patients (15%) and 20 of 58 HPV-negative patients (34%) had locoregional failure (p=0.01).",
     {("locoregional recurrence", 15.0, "HPV-positive", 0.01), ("locoregional recurrence", 34.0, "HPV-negative", 0.01)}),
    ("Within 2 years, 11 of 45 patients (24%) developed brain metastases.", {("brain metastasis", 24.0, "Overall", None)}),
    # A state at diagnosis, a toxicity: no outcome figure.
    ("Of these, 12 of 40 patients (30%) had distant metastases at diagnosis.", set()),
    ("Eight of 20 patients (40%) had grade 3 toxicity, and 3 of 20 patients (15%) had a history of recurrence.", set()),
])
def test_counted_groups_then_their_event(sentence, expected):
    assert {(f.endpoint, f.value, f.group, f.p_value) for f in figures(sentence)} == expected


def test_heldout_26700703_bladder_recurrence_by_response():
    text = (DOCS / "heldout_26700703.txt").read_text(encoding="utf-8")
    got = {(f.endpoint, f.value, f.group, f.p_value) for f in extract_article(ArticleRecord("text", text=text)).figures}
    assert {("bladder recurrence", 36.0, "T0", 0.52), ("bladder recurrence", 28.0, "Ta or Tis", 0.52)} <= got
