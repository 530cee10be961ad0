"""parse_tables on flattened tables: excerpts of the evaluation papers and the seed, and
synthetic variants of the layouts the reader handles (several ratio columns, p on the
variable line, reference rows, dashed and bare intervals, rows with fewer cells)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.extract.sections import detect_spans
from kb.extract.tables import caption_outcome, parse_tables

ROOT = Path(__file__).resolve().parents[1]


def read(text: str):
    return parse_tables(text, detect_spans(text))


def by_value(figures):
    out: dict[float, list] = {}
    for f in figures:
        out.setdefault(f.value, []).append(f)
    return out


# --- two model columns (Tsilidis et al., Br J Cancer 2010, Table 2) ----------------------

EPIC = """results
Overall, there were no statistically significant associations between oral contraceptives and colorectal cancer risk (Table 2).

Table 2 Hazard ratio (HR) and 95% confidence interval (CI) for oral contraceptive use, reproductive variables and colorectal cancer among women in the European Prospective Investigation into Cancer and Nutrition cohort
Variable Number of cases/non-casesa Age and center-stratified, HR (95% CI) Multivariable adjusted, HR (95% CI)b
Oral contraceptive use
Never 1040/138\u2009359 1.00 (reference) 1.00 (reference)
Ever 822/196\u2009040 0.93 (0.84\u20131.03) 0.92 (0.83\u20131.02)
Oral contraceptive use (among post-menopausal women)
Never 908/89\u2009064 1.00 (reference) 1.00 (reference)
Ever 469/67\u2009757 0.85 (0.75\u20130.96) 0.84 (0.74\u20130.95)
Oral contraceptive use (among pre-/peri-menopausal women)
Never 132/49\u2009295 1.00 (reference) 1.00 (reference)
Ever 353/128\u2009283 1.22 (0.99\u20131.51) 1.19 (0.96\u20131.48)
P-interaction <0.01 <0.01
Duration of oral contraceptive use (years)c
\u2a7d1 161/36\u2009175 1.00 (reference) 1.00 (reference)
2\u20134 167/42\u2009208 0.99 (0.80\u20131.24) 0.99 (0.80\u20131.23)
\u2a7e10 264/58\u2009041 1.10 (0.90\u20131.36) 1.09 (0.89\u20131.35)
P-trend 0.37 0.41
Age at menarche
<12 258/49\u2009935 1.00 (reference) 1.00 (reference)
12 358/70\u2009982 0.95 (0.81\u20131.11) 0.95 (0.81\u20131.12)
Number of full-term pregnanciese
1 250/49\u2009177 1.00 (reference) 1.00 (reference)
2 721/129\u2009409 1.16 (1.00\u20131.34)) 1.16 (1.01\u20131.35)
a The number of cases and non-cases do not add up to the total because of missing values.
b From a Cox proportional hazards model stratified by centre and age, and adjusted for smoking status.
"""


def test_two_model_columns_give_one_figure_per_column():
    res = read(EPIC)
    assert len(res.figures) == 14            # 7 non-reference levels x 2 models
    figs = by_value(res.figures)
    uni, = figs[0.93]
    multi, = figs[0.92]
    assert (uni.analysis, multi.analysis) == ("univariate", "multivariate")
    for f in (uni, multi):
        assert f.endpoint == "colorectal cancer" and f.measure == "HR" and f.unit == "ratio"
        assert (f.group, f.comparator, f.variable) == ("Ever", "Never", "Oral contraceptive use")
    assert (multi.ci_low, multi.ci_high) == (0.83, 1.02)
    # The quote runs from the row label to the cell it is for.
    assert multi.quote == "Ever 822/196\u2009040 0.93 (0.84\u20131.03) 0.92 (0.83\u20131.02)"
    assert EPIC[multi.start:multi.end] == multi.quote
    assert uni.quote.endswith("0.93 (0.84\u20131.03)")


def test_p_trend_row_goes_to_every_level_of_its_column():
    figs = by_value(read(EPIC).figures)
    assert {(f.analysis, f.p_value) for f in figs[0.99]} == {("univariate", 0.37), ("multivariate", 0.41)}
    assert all(f.comparator == "\u2a7d1" and f.variable == "Duration of oral contraceptive use (years)"
               for f in figs[0.99])
    # A variable without a printed p keeps none.
    assert all(f.p_value is None for f in figs[0.95])


def test_interaction_p_goes_to_the_sibling_subgroup_blocks_only():
    figs = by_value(read(EPIC).figures)
    for v in (0.85, 0.84, 1.22, 1.19):
        f, = figs[v]
        assert (f.p_value, f.p_op) == (0.01, "<")
    for v in (0.93, 0.92):                    # the overall block is not a subgroup
        assert figs[v][0].p_value is None


def test_doubled_parenthesis_and_level_labels_that_are_numbers():
    figs = by_value(read(EPIC).figures)
    by_model = {f.analysis: f for f in figs[1.16]}
    a, b = by_model["univariate"], by_model["multivariate"]
    assert (a.ci_low, a.ci_high, b.ci_low, b.ci_high) == (1.0, 1.34, 1.01, 1.35)
    assert a.group == "2" and a.comparator == "1"
    twelve = figs[0.95]
    assert {f.group for f in twelve} == {"12"} and {f.comparator for f in twelve} == {"<12"}


def test_cases_and_non_cases_column_gives_cohorts():
    cohorts = {c.label: c.n for c in read(EPIC).cohorts}
    assert cohorts["Oral contraceptive use: Never, cases"] == 1040
    assert cohorts["Oral contraceptive use: Never, non-cases"] == 138359
    assert cohorts["Age at menarche: 12, non-cases"] == 70982


# --- subgroup columns with n/a cells (Lyratzopoulos et al., Ann Oncol 2013, Table 3) -----

STAGE = """results
Table 3. Association between gender, deprivation and age and advanced stage at diagnosis by cancer (using stratified models for each cancer)
Bladder* Breast* Colon* Rectal* Endometrial\u2020
Odds ratio (95% CI) Pa Odds ratio (95% CI) Pa Odds ratio (95% CI) Pa Odds ratio (95% CI) Pa Odds ratio (95% CI) Pa
Men Reference 0.065 n/a Reference 0.372 Reference 0.362 n/a
Women 1.19 (0.99, 1.43) 1.04 (0.96, 1.12) 0.95 (0.86, 1.06)
Affluent Reference 0.126 Reference <0.001 Reference 0.391 Reference 0.915 Reference 0.007
2 1.05 (0.99, 1.13) 1.07 (1.04, 1.10) 1.01 (0.98, 1.05) 1.00 (0.96, 1.04) 1.37 (1.11, 1.68)
30\u201349 1.50 (1.00, 2.24) <0.001b 0.79 (0.69, 0.90) <0.001b 1.78 (1.48, 2.14) <0.001b 1.78 (1.43, 2.22) <0.001b 1.21 (0.78, 1.87) 0.032b
50\u201354 1.35 (1.00, 1.83) 0.84 (0.76, 0.92) 1.54 (1.34, 1.77) 1.54 (1.31, 1.82) 1.15 (0.83, 1.60)
65\u201369 Reference Reference Reference Reference Reference
70\u201374 0.90 (0.84, 0.96) 0.002c 1.07 (1.03, 1.11) <0.001c 1.01 (0.98, 1.04) 0.618c 1.01 (0.97, 1.06) 0.585c 1.13 (1.03, 1.24) 0.010c
75\u201379 0.81 (0.71, 0.92) 1.15 (1.06, 1.24) 1.02 (0.95, 1.08) 1.03 (0.94, 1.12) 1.27 (1.06, 1.53)
Renal* Lung*
Odds ratio (95% CI) Pa Odds ratio (95% CI) Pa
Men Reference 0.118 Reference 0.003
Women 0.89 (0.77, 1.03) 0.88 (0.81, 0.96)
*The models for these cancers were adjusted for tumour type, gender and screening detection status, age and deprivation.
"""


def test_subgroup_columns_named_by_the_line_above_the_header():
    figs = by_value(read(STAGE).figures)
    f, = figs[1.37]
    assert f.group == "2 (Endometrial)" and f.comparator == "Affluent" and (f.p_value, f.p_op) == (0.007, "=")
    assert f.endpoint == "advanced stage at diagnosis" and f.measure == "OR"
    # No model words in the header: the footnote's "adjusted for" makes it multivariate.
    assert f.analysis == "multivariate"


def test_short_row_skips_the_columns_its_reference_row_marked_na():
    figs = by_value(read(STAGE).figures)
    assert figs[1.19][0].group == "Women (Bladder)"
    assert figs[1.04][0].group == "Women (Colon)" and figs[1.04][0].p_value == 0.372
    assert figs[0.95][0].group == "Women (Rectal)" and figs[0.95][0].p_value == 0.362
    assert all(f.comparator == "Men" for v in (1.19, 1.04, 0.95) for f in figs[v])


def test_p_printed_once_for_several_rows_runs_down_its_column():
    figs = by_value(read(STAGE).figures)
    assert figs[1.35][0].p_value == 0.001 and figs[1.35][0].p_op == "<"      # from 30-49 (b)
    endometrial, = [f for f in figs[1.15] if f.group == "50\u201354 (Endometrial)"]
    assert endometrial.p_value == 0.032
    young, = figs[1.5]
    old, = figs[0.81]
    assert young.comparator == old.comparator == "65\u201369"
    assert old.p_value == 0.002                                              # from 70-74 (c)


def test_a_second_panel_brings_its_own_column_names():
    figs = by_value(read(STAGE).figures)
    assert figs[0.89][0].group == "Women (Renal)" and figs[0.89][0].p_value == 0.118
    assert figs[0.88][0].group == "Women (Lung)" and figs[0.88][0].p_value == 0.003
    assert not any(f.value == 1.0 and f.ci_low is None for f in read(STAGE).figures)  # references are not figures


# --- one adjusted column, p on the reference row (same paper, Table 2) --------------------

ADJ = """Table 2. Independent associations of gender, deprivation and age with advanced stage at diagnosis (stage III/IV versus stage I/II)* (n = 88 657)
Adjusted odds ratio* (95% confidence intervals) P
Men Reference 0.003
Women 0.93 (0.89, 0.98)
Affluent Reference <0.001
2 1.10 (1.05, 1.15)
Deprived 1.21 (1.12, 1.30) <0.001
30\u201349 0.90 (0.83, 0.98)
65\u201369 Reference
70\u201374 1.00 (0.94, 1.06)
*From a model which also adjusted for breast, colon and rectal screening detection status, cancer and tumour type (all cancers).
"""


def test_single_adjusted_column_with_reference_rows():
    figs = by_value(read(ADJ).figures)
    women, = figs[0.93]
    assert (women.group, women.comparator, women.p_value, women.analysis, women.measure) == \
        ("Women", "Men", 0.003, "multivariate", "OR")
    two, = figs[1.1]
    assert two.comparator == "Affluent" and two.p_value == 0.001 and two.p_op == "<"
    after, = figs[1.0]
    assert after.comparator == "65\u201369" and after.endpoint == "advanced stage at diagnosis"


# --- the seed: endpoint blocks, p on the variable line, single-row variables --------------

SEED = """Table 2 Summary of univariate analysis of prognostic factors

Endpoint Variable HR 95% CI for HR P  valuea

OS Primary tumour site 0.029

Nasal cavity 1.749 (1.096, 2.791)

Others(reference) 1

Reoperation 0.653 (0.477, 0.894) 0.008

T classification  < 0.001

T3(reference) 1

T4a 3.263 (2.336, 4.560)

Immunologic/targeted 
therapy

0.671 (0.473, 0.952) 0.025

DMFS Irradiation technique 1.723 (0.987, 3.010) 0.056

Node classification 1.775 (1.315, 2.396)  < 0.001
"""


def test_seed_layout_endpoint_blocks_and_single_row_variables():
    figs = by_value(read(SEED).figures)
    nasal, = figs[1.749]
    assert (nasal.endpoint, nasal.group, nasal.comparator, nasal.variable, nasal.p_value) == \
        ("OS", "Nasal cavity", "Others", "Primary tumour site", 0.029)
    assert nasal.analysis == "univariate"
    reop, = figs[0.653]
    assert (reop.group, reop.comparator, reop.variable, reop.p_value) == (None, None, "Reoperation", 0.008)
    t4a, = figs[3.263]
    assert (t4a.comparator, t4a.variable, t4a.p_value, t4a.p_op) == ("T3", "T classification", 0.001, "<")
    immuno, = figs[0.671]
    assert immuno.variable == "Immunologic/targeted therapy" and immuno.quote.startswith("Immunologic/targeted")
    irr, = figs[1.723]
    assert irr.endpoint == "DMFS" and irr.variable == "Irradiation technique"
    node, = figs[1.775]
    assert node.variable == "Node classification" and node.p_op == "<"


def test_seed_tables_keep_their_figures_cohorts_and_adverse_events(melanoma_text):
    res = read(melanoma_text)
    hrs = [f for f in res.figures if f.measure == "HR"]
    assert len(hrs) == 54
    assert {f.analysis for f in hrs} == {"univariate", "multivariate"}
    # The rows printed after Table 4 under a repeated header continue Table 2's LRRFS block.
    t4b = [f for f in hrs if f.value == 2.705]
    assert len(t4b) == 1 and t4b[0].endpoint == "LRRFS" and t4b[0].analysis == "univariate"
    assert {"Sex: Male", "Sex: Female"} <= {c.label for c in res.cohorts}
    assert len(res.adverse_events) == 42


# --- synthetic layouts --------------------------------------------------------------------

CRUDE_ADJ = """Results
Table 3 Crude and adjusted odds ratios for risk of lymph node metastasis
Factor Crude OR (95% CI) P Adjusted OR (95% CI) P
Tumour size, cm 0.02
\u22642 Ref. Ref.
>2 1.85 (1.20-2.85) 0.005 1.62 (1.01-2.60) 0.04
Grade
G1 1 1
G2 1.42 1.10\u20131.83 1.30 0.98\u20131.72
G3 2.10 (1.50, 2.94) 1.95 (1.35, 2.80)
Lymphovascular invasion 3.10 (2.00-4.80) <0.001

Discussion
Our findings agree with earlier reports of 2.5 (1.1-5.0) in smaller series.
"""


def test_crude_and_adjusted_columns_with_ref_rows_and_dashes():
    res = read(CRUDE_ADJ)
    figs = by_value(res.figures)
    crude, = figs[1.85]
    adj, = figs[1.62]
    assert crude.analysis == "univariate" and adj.analysis == "multivariate"
    assert crude.endpoint == adj.endpoint == "lymph node metastasis"
    assert crude.measure == "OR" and (crude.ci_low, crude.ci_high) == (1.2, 2.85)
    assert crude.comparator == "\u22642" and crude.p_value == 0.005 and adj.p_value == 0.04
    # Bare intervals without brackets, and "1" as the reference cell.
    g2 = {f.analysis: f for f in figs[1.42] + figs[1.3]}
    assert g2["univariate"].value == 1.42 and (g2["univariate"].ci_low, g2["univariate"].ci_high) == (1.1, 1.83)
    assert g2["multivariate"].value == 1.3 and g2["multivariate"].comparator == "G1"
    assert {f.variable for f in figs[2.1] + figs[1.95]} == {"Grade"}


def test_row_with_fewer_cells_than_columns_fills_from_the_left_with_lower_confidence():
    figs = by_value(read(CRUDE_ADJ).figures)
    lvi, = figs[3.1]
    assert lvi.analysis == "univariate" and lvi.confidence < 0.7


def test_prose_after_the_table_is_not_read_as_a_row():
    assert 2.5 not in by_value(read(CRUDE_ADJ).figures)


SUBGROUPS = """Table 4 Hazard ratios of death by sex
Characteristic Men HR (95% CI) Women HR (95% CI)
Smoking
Never 1.00 1.00
Current 2.31 (1.80\u20132.96) 1.75 (1.30\u20132.36)
"""


def test_subgroup_names_before_each_ratio_mark():
    figs = by_value(read(SUBGROUPS).figures)
    assert figs[2.31][0].group == "Current (Men)" and figs[1.75][0].group == "Current (Women)"
    assert figs[2.31][0].comparator == "Never" and figs[2.31][0].endpoint == "death"


NO_OUTCOME = """Table 2 Multivariable analysis of prognostic factors in patients with nasopharyngeal carcinoma
Variable HR (95% CI) P
Age >50 1.42 (1.10-1.83) 0.007
"""


def test_no_figures_when_the_caption_names_no_outcome():
    assert read(NO_OUTCOME).figures == []


@pytest.mark.parametrize("caption, outcome", [
    ("Hazard ratio (HR) and 95% confidence interval (CI) for oral contraceptive use, reproductive variables "
     "and colorectal cancer among women in the European Prospective Investigation into Cancer and Nutrition cohort",
     "colorectal cancer"),
    ("Independent associations of gender, deprivation and age with advanced stage at diagnosis (stage III/IV "
     "versus stage I/II)* (n = 88 657)", "advanced stage at diagnosis"),
    ("Association between gender, deprivation and age and advanced stage at diagnosis by cancer", "advanced stage at diagnosis"),
    ("Multivariate Cox regression analysis for overall survival", "OS"),
    ("Odds ratios for risk of lymph node metastasis at 5 years", "lymph node metastasis"),
    ("Summary of univariate analysis of prognostic factors", None),
    ("Multivariable analysis of prognostic factors in patients with nasopharyngeal carcinoma", None),
])
def test_caption_outcome(caption, outcome):
    assert caption_outcome(caption) == outcome


# --- wide tables: one column per group ------------------------------------------------------

WIDE = """Table 1. Distribution of stage, gender, age and deprivation categories by cancer (n = 98 942)a
Bladder Breast Colon Total
n = 4924 n = 22 447 n = 12 019 n = 39 390
Stage I 2219 45% 8595 38% 1489 12% 12 303 31%
All known stage 4450 20 748 10 441 35 639
Men 3625 74% 6069 51% 9694 25%
aFor each cancer, column percentages are presented in italics.
"""


def test_wide_table_cohorts_per_column_and_row():
    cohorts = {c.label: c.n for c in read(WIDE).cohorts}
    assert cohorts["Bladder"] == 4924 and cohorts["Breast"] == 22447
    assert cohorts["Colon: Stage I"] == 1489 and cohorts["Total: Stage I"] == 12303
    assert cohorts["Breast: All known stage"] == 20748
    # Men is not printed for breast: the percentages place each count in its column.
    assert cohorts["Bladder: Men"] == 3625 and cohorts["Colon: Men"] == 6069 and "Breast: Men" not in cohorts
    assert cohorts["Total: Men"] == 9694


MEANS = """Table 1 Participant characteristics at recruitment
Characteristic Colorectal cancer cases (n=1878) Non-cases (n=335\u2009924)
Mean (s.d.) age at recruitment (years) 57.4 (8.0) 50.5 (9.7)
Mean (s.d.) alcohol intake (g per day)a 10 (13.7) 9.0 (12.2)
Current smokers (%) 18.5 19.6
"""


def test_column_sizes_are_cohorts_but_means_and_percentages_are_not():
    res = read(MEANS)
    assert {(c.label, c.n) for c in res.cohorts} == {("Colorectal cancer cases", 1878), ("Non-cases", 335924)}
    assert res.figures == []


def test_header_that_reads_like_prose_does_not_end_the_table():
    # The span detector stops at this header; the table reader reads on.
    text = ("Results\nTable 2 Hazard ratios for risk of colorectal cancer\n"
            "Variable Number of cases Age-adjusted HR (95% CI) Multivariable adjusted HR (95% CI)\n"
            "Parity\nNone 120 1.00 (reference) 1.00 (reference)\nOne or more 430 0.91 (0.80\u20131.04) 0.90 (0.78\u20131.03)\n")
    figs = by_value(read(text).figures)
    assert figs[0.91][0].analysis == "univariate" and figs[0.9][0].analysis == "multivariate"
    assert {c.label: c.n for c in read(text).cohorts}["Parity: One or more"] == 430


def test_row_named_as_the_outcome_of_a_regression_caption_gives_outcome_shares():
    text = WIDE.replace("All known stage", "Stages III/IV 828 19% 3029 15% 5291 51% 9148 27%\nAll known stage") + "\n" + ADJ
    shares = {f.group: f.value for f in read(text).figures if f.measure == "proportion"}
    assert shares == {"Bladder": 19.0, "Breast": 15.0, "Colon": 51.0, "Total": 27.0}
    assert all(f.endpoint == "advanced stage at diagnosis" for f in read(text).figures if f.measure == "proportion")
    # Without a caption that defines the outcome, the same row is only cohorts.
    assert not [f for f in read(WIDE.replace("All known stage", "Stages III/IV 828 19% 3029 15% 5291 51% 9148 27%\n"
                                                                 "All known stage")).figures]


def test_long_prose_lines_after_a_table_stay_fast():
    import time
    prose = ("The hazard ratio was 1.2 (0.9-1.6) in a subgroup of 120 patients, " * 200).strip() + "\n"
    text = CRUDE_ADJ.replace("Discussion\n", "Discussion\n" + prose * 5)
    t0 = time.perf_counter()
    read(text)
    assert time.perf_counter() - t0 < 2.0
