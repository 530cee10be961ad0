"""Reporting styles of full-text papers that the blind probe (test_probe_pdf_results.py)
found kb missing, each with its own sentences or tables and negatives that must not change.
None of these repeats a probe statement."""
from __future__ import annotations

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def figures(text: str) -> set[tuple]:
    ex = extract_article(ArticleRecord("text", text="Results\n" + text + "\n"))
    return {(f.endpoint, f.measure, f.timepoint_months and int(f.timepoint_months), round(f.value, 3), f.group,
             f.ci_low, f.ci_high, f.p_value, f.p_op) for f in ex.figures}


def cores(text: str) -> set[tuple]:
    return {f[:4] for f in figures(text)}


# --- rate and median tables by subgroup ------------------------------------------------------

def test_rate_table_under_a_characteristics_caption_with_p_once_per_variable():
    """A caption naming 'characteristics' no longer hides a table of rates; a p printed on a
    variable's first level row is every level's p; a label-only line starts the next variable."""
    text = ("Survival by subgroup is shown in Table 2.\n\n"
            "Table 2 Three-year outcomes by patient characteristics\n"
            "Characteristic   n   3-year PFS (%)   P   3-year OS (%)   P\n"
            "All patients   120   47.0      63.3\n"
            "Age\n"
            "<60 years   66   52.1   0.21   70.0   0.04\n"
            "≥60 years   54   40.7      55.2\n"
            "ECOG\n"
            "0   70   50.3   0.38   68.9   0.12\n"
            "1–2   50   42.4      55.5\n")
    got = {(e, m, t, v, g, p, op) for e, m, t, v, g, lo, hi, p, op in figures(text)}
    assert got == {
        ("PFS", "rate", 36, 47.0, "All patients", None, None), ("OS", "rate", 36, 63.3, "All patients", None, None),
        ("PFS", "rate", 36, 52.1, "<60 years", 0.21, "="), ("OS", "rate", 36, 70.0, "<60 years", 0.04, "="),
        ("PFS", "rate", 36, 40.7, "≥60 years", 0.21, "="), ("OS", "rate", 36, 55.2, "≥60 years", 0.04, "="),
        ("PFS", "rate", 36, 50.3, "0", 0.38, "="), ("OS", "rate", 36, 68.9, "0", 0.12, "="),
        ("PFS", "rate", 36, 42.4, "1–2", 0.38, "="), ("OS", "rate", 36, 55.5, "1–2", 0.12, "="),
    }


def test_median_column_with_its_interval_in_the_same_cell():
    text = ("Table 3 Median progression-free survival by induction regimen\n"
            "Regimen   No. of patients   Median PFS, mo (95% CI)   P\n"
            "VRd   40   31.2 (24.0–38.4)   0.01\n"
            "VCd   35   20.5 (15.1–25.9)\n")
    assert figures(text) == {
        ("PFS", "median", None, 31.2, "VRd", 24.0, 38.4, 0.01, "="),
        ("PFS", "median", None, 20.5, "VCd", 15.1, 25.9, 0.01, "="),
    }


def test_a_characteristics_table_of_percentages_gives_no_figures():
    """Only rate and median columns are read under a 'characteristics' caption: a column of
    percentages there describes the patients."""
    text = ("Table 1 Characteristics of patients with and without recurrence\n"
            "Characteristic   Recurrence (%)   No recurrence (%)   P\n"
            "Male   61.0   55.2   0.34\n"
            "Female   39.0   44.8\n"
            "T4 stage   48.3   30.1   0.02\n")
    assert figures(text) == set()


# --- regression tables: models named on the line above, coded levels, dashes ------------------

def _table_figs(text: str):
    ex = extract_article(ArticleRecord("text", text="Results\nSee Table 2.\n\n" + text + "\n"))
    return {(f.value, f.group, f.comparator, f.variable, f.analysis, f.p_value, f.p_op) for f in ex.figures}


def test_models_named_on_the_line_above_the_ratio_header():
    """'Univariable   Multivariable' above 'HR (95% CI) P HR (95% CI) P' names each column's
    model; a stage-coded block ends at a row that is not a code; '– –' is a model left out."""
    text = ("Table 2 Cox proportional hazards analyses of progression-free survival\n"
            "Factor   Univariable   Multivariable\n"
            "HR (95% CI)   P   HR (95% CI)   P\n"
            "Stage\n"
            "II   Ref      Ref\n"
            "III   1.80 (1.10–2.95)   0.02   1.62 (0.98–2.68)   0.06\n"
            "Bulky disease   2.40 (1.50–3.84)   <0.001   2.05 (1.26–3.33)   0.004\n"
            "LDH elevated   1.30 (0.85–1.99)   0.23   –   –\n")
    assert _table_figs(text) == {
        (1.8, "III", "II", "Stage", "univariate", 0.02, "="),
        (1.62, "III", "II", "Stage", "multivariate", 0.06, "="),
        (2.4, None, None, "Bulky disease", "univariate", 0.001, "<"),
        (2.05, None, None, "Bulky disease", "multivariate", 0.004, "="),
        (1.3, None, None, "LDH elevated", "univariate", 0.23, "="),
    }


def test_levels_that_are_not_codes_stay_in_their_variable():
    """Only a reference coded as a stage or category makes a non-code row a new variable:
    'Female' after the 'Male' reference stays a level of Sex."""
    text = ("Table 2 Multivariate analysis of overall survival\n"
            "Variable   HR (95% CI)   P\n"
            "Sex\n"
            "Male   Reference\n"
            "Female   0.81 (0.60–1.09)   0.16\n")
    assert _table_figs(text) == {(0.81, "Female", "Male", "Sex", "multivariate", 0.16, "=")}


# --- medians ----------------------------------------------------------------------------------

def test_median_not_reached_in_one_group_versus_a_value_in_another():
    """'vs.' no longer ends the median's phrase; the p after the second group is the test of
    the two (a p window that ended inside '0.001' read it as 0.0)."""
    got = figures("Median DSS was not reached for stage I–II vs. 19.7 months for stage III–IV (p<0.001).")
    assert got == {("DSS", "median", None, 19.7, "stage III–IV", None, None, 0.001, "<")}


def test_median_value_and_a_later_group_not_reached():
    got = figures("Median PFS was 9.1 months in the observation arm but was not reached in the maintenance arm "
                  "(P = 0.002).")
    assert got == {("PFS", "median", None, 9.1, "observation arm", None, None, 0.002, "=")}


def test_two_groups_then_their_medians_respectively():
    got = figures("Median OS for the transplant and non-transplant groups were 40.2 and 21.7 months, respectively (p = 0.01).")
    assert {(e, m, v, g, p) for e, m, t, v, g, lo, hi, p, op in got} == {
        ("OS", "median", 40.2, "transplant", 0.01), ("OS", "median", 21.7, "non-transplant", 0.01)}


def test_two_endpoints_each_with_its_median_and_interval_respectively():
    got = figures("Median PFS and OS were 11.0 months (95% CI 8.2–13.8) and 30.4 months (95% CI 22.9–37.9), "
                  "respectively.")
    assert got == {("PFS", "median", None, 11.0, "Overall", 8.2, 13.8, None, None),
                   ("OS", "median", None, 30.4, "Overall", 22.9, 37.9, None, None)}


def test_median_negatives_stay_empty():
    """Follow-up and an unnamed pair of medians without 'respectively' give no group list."""
    assert figures("The median follow-up was 42 vs. 38 months in the two cohorts.") == set()
    assert cores("Median OS for the whole cohort was 20.3 months.") == {("OS", "median", None, 20.3)}


# --- endpoints and groups in prose ---------------------------------------------------------

def test_all_cause_mortality_ratio_is_overall_survival():
    assert cores("Current smoking was associated with increased all-cause mortality (HR 1.41; 95% CI 1.12–1.77).") \
        == {("OS", "HR", None, 1.41)}


def test_other_mortality_ratios_keep_their_endpoint():
    """A 90-day postoperative mortality odds ratio is not an overall-survival figure."""
    got = cores("Age over 75 years was associated with 90-day mortality (OR 2.30; 95% CI 1.40–3.78).")
    assert not any(e == "OS" for e, *_ in got)


def test_kinds_of_survival_sharing_the_noun_respectively():
    assert cores("The 3-year disease-free and overall survival rates were 58.0% and 71.5%, respectively.") == {
        ("DFS", "rate", 36, 58.0), ("OS", "rate", 36, 71.5)}


def test_a_shared_noun_after_words_that_are_not_kinds_of_survival_is_left_alone():
    assert cores("Patients with nodal and distant spread had a 2-year overall survival of 35.0%.") == {
        ("OS", "rate", 24, 35.0)}


def test_differentiated_histology_is_a_group():
    """'undifferentiated' and 'poorly differentiated' name groups; 'difference' does not."""
    got = {(v, g) for e, m, t, v, g, *_ in figures(
        "Five-year OS was 62.0% for well differentiated tumours and 28.4% for poorly differentiated tumours.")}
    assert got == {(62.0, "well differentiated tumours"), (28.4, "poorly differentiated tumours")}


def test_the_cohort_as_a_whole_is_overall():
    got = {(v, g) for e, m, t, v, g, *_ in figures("The 3-year OS was 66.1% for the study cohort as a whole.")}
    assert got == {(66.1, "Overall")}


# --- groups of compared values and ratios --------------------------------------------------

def _grouped(text: str) -> set[tuple]:
    ex = extract_article(ArticleRecord("text", text="Results\n" + text + "\n"))
    return {(f.endpoint, f.measure, round(f.value, 3), f.group, f.comparator) for f in ex.figures}


def test_ratio_of_groups_named_after_the_comparative():
    assert _grouped("Local failure was more frequent, and the risk of death was higher after open surgery than "
                    "after endoscopic resection (HR 1.58, 95% CI 1.02–2.45).") == {
        ("OS", "HR", 1.58, "open surgery", "endoscopic resection")}


def test_ratio_after_compared_with_the_reference_first():
    assert _grouped("Compared with observation, adjuvant chemotherapy decreased the risk of distant metastasis "
                    "(HR 0.61; 95% CI 0.42–0.89).") == {
        ("distant metastasis", "HR", 0.61, "adjuvant chemotherapy", "observation")}


def test_univariate_and_multivariate_ratios_in_one_sentence():
    ex = extract_article(ArticleRecord("text", text=(
        "Results\nPerineural invasion was associated with DSS on univariable analysis (HR 1.90, 95% CI 1.20–3.01) "
        "and remained so on multivariable analysis (HR 1.66, 95% CI 1.03–2.67).\n")))
    assert {(f.value, f.analysis) for f in ex.figures} == {(1.9, "univariate"), (1.66, "multivariate")}


def test_one_model_named_keeps_every_ratio_in_it():
    ex = extract_article(ArticleRecord("text", text=(
        "Results\nOn multivariate analysis, age (HR 1.30, 95% CI 1.01–1.67) and stage (HR 2.10, 95% CI 1.50–2.94) "
        "predicted OS.\n")))
    assert {f.analysis for f in ex.figures} == {"multivariate"}


def test_leading_with_and_without_names_both_groups():
    got = {(v, g) for e, m, t, v, g, *_ in figures(
        "In patients with and without lymphovascular invasion, 3-year DFS was 41% vs 67% (P = .004).")}
    assert got == {(41, "patients with lymphovascular invasion"), (67, "patients without lymphovascular invasion")}


def test_time_pair_with_its_groups_after_it():
    got = {(v, g) for e, m, t, v, g, *_ in figures(
        "Median OS was 15.2 vs. 30.8 months in patients with and without bone marrow involvement, respectively.")}
    assert got == {(15.2, "with bone marrow involvement"), (30.8, "without bone marrow involvement")}


def test_each_clause_subject_is_its_rate_group():
    got = {(v, g) for e, m, t, v, g, *_ in figures(
        "Patients treated with proton therapy had a 2-year local control of 88.0%, whereas those treated with "
        "photons had a 2-year local control of 76.5%.")}
    assert got == {(88.0, "proton therapy"), (76.5, "photons")}   # patients named by their treatment are its arm


def test_a_clause_with_no_subject_group_stays_overall():
    got = {(v, g) for e, m, t, v, g, *_ in figures("The cohort had a 2-year OS of 70.2%.")}
    assert got == {(70.2, "Overall")}


# --- events --------------------------------------------------------------------------------

def test_events_sharing_a_noun_with_counts_respectively():
    assert cores("Local and distant relapse occurred in 11 (9.2%) and 25 (20.8%) patients, respectively.") == {
        ("local recurrence", "proportion", None, 9.2), ("distant metastasis", "proportion", None, 20.8)}


def test_cumulative_incidence_at_two_times_without_a_comma():
    assert cores("The cumulative incidence of local recurrence at 3 and 5 years was 6.5% and 10.1%, "
                 "respectively.") == {("local recurrence", "rate", 36, 6.5), ("local recurrence", "rate", 60, 10.1)}


def test_deaths_from_treatment_and_counts_in_words():
    assert cores("Three patients (2.4%) died from treatment-related toxicity.") == {
        ("treatment-related mortality", "proportion", None, 2.4)}
    assert cores("Eleven patients (9.0%) died.") == {("death", "proportion", None, 9.0)}


def test_events_without_respectively_are_not_paired():
    """Counts of events that are no list of the events named give no event-list figures."""
    assert len(cores("Local and distant relapse occurred in 11 (9.2%) patients.")) <= 1


# --- a table printed one cell per line --------------------------------------------------------

def test_ratio_table_printed_one_cell_per_line():
    text = ("Table 3 Univariate logistic regression of factors associated with lymph node metastasis\n"
            "Characteristic\nOR\n95% CI\nP\n"
            "Tumour thickness >4 mm\n2.85\n1.60–5.07\n<0.001\n"
            "Grade\nG1\nReference\nG3\n1.92\n1.05–3.51\n0.034\n"
            "OR odds ratio, CI confidence interval\n")
    ex = extract_article(ArticleRecord("text", text="Results\nSee Table 3.\n\n" + text))
    got = {(f.endpoint, f.measure, f.value, f.group, f.comparator, f.variable, f.analysis, f.ci_low, f.ci_high,
            f.p_value) for f in ex.figures}
    assert got == {
        ("lymph node metastasis", "OR", 2.85, None, None, "Tumour thickness >4 mm", "univariate", 1.6, 5.07, 0.001),
        ("lymph node metastasis", "OR", 1.92, "G3", "G1", "Grade", "univariate", 1.05, 3.51, 0.034),
    }
    full = "Results\nSee Table 3.\n\n" + text
    assert all(full[f.start:f.end] == f.quote for f in ex.figures)


def test_a_characteristics_table_one_cell_per_line_gives_no_figures():
    text = ("Table 1 Baseline characteristics\n"
            "Characteristic\nNo. (%)\n"
            "Male\n61 (55.0)\nFemale\n50 (45.0)\nStage III\n40 (36.0)\n")
    ex = extract_article(ArticleRecord("text", text="Results\nSee Table 1.\n\n" + text))
    assert ex.figures == []


def test_time_pair_groups_after_it_and_then_their_test():
    got = {(v, g, p) for e, m, t, v, g, lo, hi, p, op in figures(
        "Median OS was 20.5 vs. 12.0 months in patients with and without a response, respectively (P = .03).")}
    assert got == {(20.5, "with a response", 0.03), (12.0, "without a response", 0.03)}


def test_a_p_after_another_value_is_not_the_time_pairs():
    got = {(v, p) for e, m, t, v, g, lo, hi, p, op in figures(
        "Median OS was 20.5 vs. 12.0 months in patients with and without a response, respectively; 2-year OS was "
        "45% (P = .03).")}
    assert (20.5, None) in got and (12.0, None) in got


def test_ratio_groups_after_the_comparative_may_name_an_outcome():
    """'after R1 resection' is a group here, though 'R0/R1 resection' also names an outcome."""
    assert _grouped("The risk of death was higher after R1 resection than after R0 resection (HR 2.10, 95% CI "
                    "1.30–3.39).") == {("OS", "HR", 2.1, "R1 resection", "R0 resection")}


# --- registry analyses -------------------------------------------------------------------------

def test_ratio_group_after_a_comparative_without_than():
    """'higher after local excision (HR' names the group the ratio is for, not a variable
    'higher after local excision'."""
    ex = extract_article(ArticleRecord("text", text=(
        "Results\nThe risk of regional recurrence was higher after excision alone (HR 1.95; 95% CI 1.22–3.12).\n")))
    assert [(f.group, f.variable) for f in ex.figures] == [("excision alone", None)]


def test_the_registry_cohort_opening_a_sentence_is_the_study_population():
    got = {(v, g) for e, m, t, v, g, *_ in figures("In the SEER cohort, 5-year CSS was 70.4% for women and 63.0% for men.")}
    assert got == {(70.4, "women"), (63.0, "men")}


def test_an_acronym_cohort_opening_a_sentence_stays_a_subgroup():
    got = {(v, g) for e, m, t, v, g, *_ in figures("In the EMD cohort, 3-year PFS was 28.0%.")}
    assert got == {(28.0, "EMD cohort")}


def test_facilities_compared_as_groups():
    got = {(v, g) for e, m, t, v, g, *_ in figures(
        "Within the registry, academic centers had a 3-year OS of 66.2% vs 58.9% at community hospitals (P = .02).")}
    assert got == {(66.2, "academic centers"), (58.9, "community hospitals")}


def test_at_a_time_is_no_group():
    got = {(v, g) for e, m, t, v, g, *_ in figures("Overall survival was 70.0% at 3 years.")}
    assert got == {(70.0, "Overall")}


# --- from the third (tables) probe ---------------------------------------------------------------

def test_adjusted_ratio_header_and_reference_levels():
    """'aHR' heads a ratio column as 'HR' does; an 'aOR' column is an odds ratio."""
    text = ("Table 3 Multivariable logistic regression for occult nodal disease\n"
            "Variable   aOR   95% CI   P\n"
            "Grade\nLow   1 (reference)\nHigh   2.60   1.40–4.83   0.002\n")
    ex = extract_article(ArticleRecord("text", text="Results\nSee Table 3.\n\n" + text))
    assert {(f.endpoint, f.measure, f.value, f.group, f.comparator, f.analysis) for f in ex.figures} == {
        ("occult nodal disease", "OR", 2.6, "High", "Low", "multivariate")}


def test_caption_regression_for_an_outcome_but_not_for_patients():
    from kb.extract.tables import caption_outcome
    assert caption_outcome("Univariate Cox regression for local recurrence") == "local recurrence"
    assert caption_outcome("Logistic regression analysis for patients treated with surgery") is None


def test_rate_columns_with_a_comma_percent_and_interval():
    text = ("Table 2 Disease-free survival by margin status\n"
            "Margin   n   2-year DFS, % (95% CI)   P\n"
            "R0   80   71.0 (59.6–79.7)   0.004\n"
            "R1   25   44.0 (24.5–61.8)\n")
    assert figures(text) == {("DFS", "rate", 24, 71.0, "R0", 59.6, 79.7, 0.004, "="),
                             ("DFS", "rate", 24, 44.0, "R1", 24.5, 61.8, 0.004, "=")}


def test_best_response_table():
    text = ("Table 2 Best overall response (n = 30)\n"
            "Best response   n (%)\n"
            "Complete response   4 (13.3)\n"
            "Partial response   9 (30.0)\n"
            "Stable disease   10 (33.3)\n"
            "Progressive disease   7 (23.3)\n")
    assert cores(text) == {("CR", "proportion", None, 13.3), ("partial response", "proportion", None, 30.0),
                           ("stable disease", "proportion", None, 33.3),
                           ("progressive disease", "proportion", None, 23.3)}


def test_a_table_with_one_response_row_is_not_a_response_table():
    text = ("Table 1 Patient characteristics\n"
            "Characteristic   n (%)\n"
            "Male   18 (60.0)\n"
            "Prior complete response   5 (16.7)\n")
    assert not any(m == "proportion" for e, m, t, v in cores(text))


def test_stable_disease_after_a_response_in_one_sentence():
    assert cores("Among 40 evaluable patients, 14 (35.0%) achieved a partial response and 11 (27.5%) had stable "
                 "disease.") == {("partial response", "proportion", None, 35.0),
                                 ("stable disease", "proportion", None, 27.5)}


def test_rates_contrasted_by_what_preceded_them():
    got = {(v, g) for e, m, t, v, g, *_ in figures(
        "The 3-year OS was 71.0% after surgery and 52.4% after definitive chemoradiotherapy.")}
    assert got == {(71.0, "surgery"), (52.4, "definitive chemoradiotherapy")}
    got = cores("Five-year DFS was 66.0% after R0 resection and 35.5% after R1 resection (P = .002).")
    assert got == {("DFS", "rate", 60, 66.0), ("DFS", "rate", 60, 35.5)}


def test_one_rate_after_a_treatment_is_the_cohorts():
    got = {(v, g) for e, m, t, v, g, *_ in figures("The 5-year OS was 52% after surgery.")}
    assert got == {(52, "Overall")}
