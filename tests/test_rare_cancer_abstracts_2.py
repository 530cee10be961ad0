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


def test_a_timepoint_list_with_the_unit_only_on_its_last_number():
    got = figures("The 1, 3, and 5-year DSS were 95.1%, 88.0%, and 79.4%, respectively.")
    assert [(e, t, v) for e, _, t, _, v, _, _ in got] == [("DSS", 12, 95.1), ("DSS", 36, 88.0), ("DSS", 60, 79.4)]
    # A stage is no time: "stage 2 and 3-year" lists nothing.
    from kb.extract.numbers import find_timepoint_list
    assert find_timepoint_list("patients with stage 2 and 3-year follow-up") is None
    assert find_timepoint_list("between 2010 and 5-year") is None


def test_times_after_the_last_values_interval_and_an_interval_signed_once():
    got = figures("Cumulative regional recurrence was 3.1% (1.2–6.0%), 11.8% (8.0–16.4%) and 20.2% (14.9–27.1%) "
                  "at 1, 5 and 10 years, respectively.")
    assert [(e, m, t, v, lo) for e, m, t, _, v, lo, _ in got] == [
        ("regional recurrence", "rate", 12, 3.1, 1.2), ("regional recurrence", "rate", 60, 11.8, 8.0),
        ("regional recurrence", "rate", 120, 20.2, 14.9)]


def test_an_event_noted_in_a_share_of_patients_is_a_proportion():
    got = figures("Distant metastasis was observed in 27.5% of the cohort. Local recurrence was noted in 14.2%.")
    assert [(e, m, v) for e, m, _, _, v, _, _ in got] == [
        ("distant metastasis", "proportion", 27.5), ("local recurrence", "proportion", 14.2)]


def test_a_response_named_after_a_counts_share_is_that_shares():
    got = figures("The ORR was 23.9%, with 7 (6.4%) complete responses (CR) and 19 (17.4%) partial responses (PR).")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [("ORR", 23.9), ("CR", 6.4), ("partial response", 17.4)]


def test_a_median_time_to_an_event_is_the_time_and_its_range_may_precede_the_unit():
    got = figures("The median time to distant progression was 14 months. "
                  "The median EFS was 31 (range, 2–77) months.")
    assert [(e, m, v) for e, m, _, _, v, _, _ in got] == [
        ("time to distant progression", "median", 14.0), ("EFS", "median", 31.0)]


def test_a_group_said_to_fare_better_before_the_two_values():
    got = figures("The regional failure rate was significantly lower in patients who underwent neck dissection "
                  "(8.2% vs. 21.5%, p = 0.012).")
    assert [(e, m, g, v, p) for e, m, _, g, v, _, p in got] == [
        ("regional recurrence", "proportion", "neck dissection", 8.2, 0.012),
        ("regional recurrence", "proportion", "no neck dissection", 21.5, 0.012)]
    # Two groups the sentence compares are read as before.
    got = figures("OS was longer in the surgery group compared with the observation group (9.1 v 4.4 months, P = .02).")
    assert [(g, v) for _, _, _, g, v, _, _ in got] == [("surgery", 9.1), ("observation", 4.4)]


def test_groups_listed_after_values_without_respectively_and_in_an_aside():
    got = figures("The 3-year OS was 71.0% and 52.5% and 20.1% for stage II, III and IV respectively (P < 0.01).")
    assert [(g, v) for _, _, _, g, v, _, _ in got] == [("stage II", 71.0), ("stage III", 52.5), ("stage IV", 20.1)]
    got = figures("The median OS of the three cohorts–surgery alone, radiotherapy alone, and surgery with "
                  "radiotherapy–were 14.2, 20.5, and 38.0 months, respectively (P < 0.001).")
    assert [(e, g, v) for e, _, _, g, v, _, _ in got] == [
        ("OS", "surgery alone", 14.2), ("OS", "radiotherapy alone", 20.5), ("OS", "surgery with radiotherapy", 38.0)]


def test_a_clause_of_values_continues_the_last_clauses_rates_for_another_group():
    got = figures("The 1-, 3-, and 5-year OS rates were 92.0%, 80.1%, and 70.2% in the robotic group, respectively; "
                  "and 90.5%, 71.3%, and 60.4% in the open group, respectively (P = .03).")
    assert [(t, g, v) for _, _, t, g, v, _, _ in got] == [
        (12, "robotic group", 92.0), (36, "robotic group", 80.1), (60, "robotic group", 70.2),
        (12, "open group", 90.5), (36, "open group", 71.3), (60, "open group", 60.4)]


def test_a_sentence_may_start_with_a_code_in_lower_case():
    from kb.extract.sections import split_sentences
    text = "Local failure was 12% at 5 years. cT3 tumours recurred more often (p = 0.02). See e.g. cT3 cases."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Local failure was 12% at 5 years.", "cT3 tumours recurred more often (p = 0.02).", "See e.g. cT3 cases."]


def test_a_ratio_for_an_exposure_with_a_threshold_in_its_name():
    got = figures("For OS, the HR for age ≥ 70 was 1.64 (95% CI 1.10–2.45).")
    assert [(e, m, v, lo) for e, m, _, _, v, lo, _ in got] == [("OS", "HR", 1.64, 1.10)]
    ex = extract_article(ArticleRecord("text", text="Results\nFor OS, the HR for age ≥ 70 was 1.64 (95% CI 1.10–2.45).\n"))
    assert ex.figures[0].variable == "age ≥ 70"
    got = figures("The hazard ratio for death was 0.58 (95% CI, 0.41 to 0.82; P = 0.002) in favour of surgery.")
    assert [(e, g, v) for e, _, _, g, v, _, _ in got] == [("OS", "surgery", 0.58)]


def test_freedom_from_an_event_is_its_event_free_endpoint_not_the_event():
    got = figures("The 5-year rate of freedom from distant metastasis was 71%. "
                  "Freedom from local failure at 3 years was 89%.")
    assert [(e, m, t, v) for e, m, t, _, v, _, _ in got] == [("DMFS", "rate", 60, 71.0), ("LRFS", "rate", 36, 89.0)]


def test_two_values_for_the_two_groups_named_after_them():
    got = figures("Kaplan-Meier estimates of 5-year OS were 58% (95% CI 49-66) and 33% (95% CI 25-41) for patients "
                  "with and without nodal metastasis.")
    assert [(g, v, lo) for _, _, _, g, v, lo, _ in got] == [("with nodal metastasis", 58.0, 49.0),
                                                           ("without nodal metastasis", 33.0, 25.0)]


def test_medians_not_reached_compared_and_by_suspended_hyphen_groups():
    # the median after a "not reached" is its own endpoint's
    got = figures("The median OS was not reached, and the median PFS was 11.6 months.")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [("PFS", 11.6)]
    got = figures("The median OS of patients with acral melanoma was 25 months, compared with 58 months for "
                  "non-acral melanoma (p < 0.001).")
    assert [(g, v, p) for _, _, _, g, v, _, p in got] == [
        ("patients with acral melanoma", 25.0, 0.001), ("non-acral melanoma", 58.0, 0.001)]
    got = figures("Median OS was 31, 17 and 8 months for low-, intermediate- and high-risk groups, respectively.")
    assert [(g, v) for _, _, _, g, v, _, _ in got] == [("low-risk", 31.0), ("intermediate-risk", 17.0),
                                                      ("high-risk", 8.0)]
    # the duration of response is what the median is of, not a group
    got = figures("The median duration of response was 9.7 months.")
    assert [(e, g, v) for e, _, _, g, v, _, _ in got] == [("duration of response", "Overall", 9.7)]


def test_nodal_and_neck_relapses_counted_over_the_total():
    got = figures("Nodal relapse occurred in 6/52 (11.5%) patients. Neck recurrence developed in 4 patients (7.7%).")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [("regional recurrence", 11.5), ("regional recurrence", 7.7)]


def test_further_counts_and_shares_after_a_developed_event():
    got = figures("Fourteen patients (22%) developed local recurrence, 6 (9.4%) regional recurrence, and 17 (26.6%) "
                  "distant metastases.")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [
        ("local recurrence", 22.0), ("regional recurrence", 9.4), ("distant metastasis", 26.6)]


def test_sites_listed_after_the_most_common_site_of_an_event():
    got = figures("The most common site of distant metastasis was the lung (n = 12, 40%), followed by bone "
                  "(n = 8, 26.7%) and liver (n = 5, 16.7%).")
    assert [(e, g, v) for e, _, _, g, v, _, _ in got] == [
        ("distant metastasis", "Lung", 40.0), ("distant metastasis", "Bone", 26.7), ("distant metastasis", "Liver", 16.7)]


def test_a_factor_whose_name_holds_an_endpoints_letters_is_still_the_factor():
    # "positive" holds "os", "diagnosis" holds "os": neither is the endpoint OS
    ex = extract_article(ArticleRecord("text", text="Results\nOn multivariate analysis, older age (HR 1.03; 95% CI "
                                       "1.01-1.06; p = 0.02) and positive margins (HR 2.40; 95% CI 1.30-4.43; p = 0.005) "
                                       "were independently associated with worse OS.\n"))
    assert [(f.variable, f.value) for f in ex.figures] == [("older age", 1.03), ("positive margins", 2.40)]
    ex = extract_article(ArticleRecord("text", text="Results\nPerineural invasion independently predicted worse RFS "
                                       "(HR=2.2, 95%CI=1.3-3.7, p=0.004).\n"))
    assert [f.variable for f in ex.figures] == ["Perineural invasion"]


def test_a_median_for_a_group_then_for_those_who_did_not():
    got = figures("Median OS in patients receiving radiotherapy was 24.3 months versus 13.0 months in those who "
                  "did not.")
    assert [(g, v) for _, _, _, g, v, _, _ in got] == [("radiotherapy", 24.3), ("no radiotherapy", 13.0)]


def test_a_response_named_by_the_organ_it_is_judged_on():
    got = figures("Hepatic response occurred in 6 of 11 patients (55%) and renal response was achieved in 40%.")
    assert [(e, m, v) for e, m, _, _, v, _, _ in got] == [("hepatic response", "proportion", 55.0),
                                                         ("renal response", "proportion", 40.0)]


def test_an_abstract_printed_without_its_heading_before_the_introduction_is_read():
    text = ("Skip to main content\nOutcomes of sinonasal melanoma: a single-centre series\nA. Author, B. Author\n\n"
            "We reviewed 48 patients with sinonasal melanoma treated between 2001 and 2016 with surgery. "
            "Outcomes were estimated with the Kaplan-Meier method. The 5-year OS was 41%. Median PFS was 14 months.\n\n"
            "Introduction\nSinonasal melanoma is rare. Earlier series reported a 5-year OS of 25%.\n")
    ex = extract_article(ArticleRecord("text", text=text))
    assert [(contract_name(f.endpoint), f.value) for f in ex.figures] == [("OS", 41.0), ("PFS", 14.0)]
    # a year is no count ("between 2001 and 2016 with surgery")
    assert [(c.label, c.n) for c in ex.cohorts] == [("All patients with sinonasal melanoma", 48)]


def test_a_fold_risk_with_its_interval_is_a_ratio():
    ex = extract_article(ArticleRecord("text", text=(
        "Results\nMultivariable Cox regression showed that nodal metastases were associated with a 2.15-fold higher "
        "risk of mortality than node-negative disease (95% confidence interval, 1.30 to 3.56; P=0.003). "
        "Smokers had a 1.9-fold increased odds of recurrence (95% CI 1.1-3.3). "
        "Expression rose 3-fold higher risk scores.\n")))
    assert [(contract_name(f.endpoint), f.measure, f.value, f.ci_low, f.group, f.comparator) for f in ex.figures] == [
        ("OS", "HR", 2.15, 1.30, "nodal metastases", "node-negative disease"),
        ("recurrence", "OR", 1.9, 1.1, "Smokers", None)]


def _ratios(text):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{text}\n"))
    return [(contract_name(f.endpoint), f.value, f.p_value, f.variable, f.group, f.comparator) for f in ex.figures]


def test_a_ratios_test_printed_before_it_and_not_the_next_factors():
    assert _ratios("Multivariate analysis revealed that N stage (P = 0.004; HR, 2.61; 95% CI, 1.35-5.05) and "
                   "grade (P = 0.02; HR, 1.88; 95% CI, 1.10-3.21) were independent predictors of DFS.") == [
        ("DFS", 2.61, 0.004, "N stage", "N stage", None), ("DFS", 1.88, 0.02, "grade", "grade", None)]


def test_ratio_factors_in_other_shapes():
    # an event among the predictors of another endpoint is a factor (not death, the endpoint itself)
    got = _ratios("Independent risk factors for CSS included age (HR = 1.04, 95% CI: 1.02-1.06, P < 0.001) and "
                  "distant metastasis (HR = 3.20, 95% CI: 2.10-4.88, P < 0.001).")
    assert [(v, x) for _, v, _, x, _, _ in got] == [(1.04, "age"), (3.2, "distant metastasis")]
    got = _ratios("Black race was associated with an increased risk of death (hazard ratio, 1.41; 95% CI, 1.10 to 1.81).")
    assert [(e, x) for e, _, _, x, _, _ in got] == [("OS", "Black race")]
    # the subject of 'was protective', the group of 'for death among ...'
    assert [x for _, _, _, x, _, _ in _ratios("For DSS, radiotherapy was protective (HR = 0.52, 95% CI = 0.31-0.87).")] \
        == ["radiotherapy"]
    assert [g for _, _, _, _, g, _ in _ratios("The adjusted hazard ratio for death among patients receiving "
                                              "immunotherapy was 0.71 (95% CI, 0.55-0.92).")] == ["immunotherapy"]
    # 'Compared with A, B had worse OS (HR ...)': B against A
    assert [(g, c) for *_, g, c in _ratios("Compared with patients aged < 50 years, those aged ≥ 70 years had worse OS "
                                          "(HR 2.10, 95% CI 1.40-3.15).")] == [("those aged ≥ 70 years",
                                                                             "patients aged < 50 years")]
    assert [x for _, _, _, x, _, _ in _ratios("Patients with high LDH had significantly shorter PFS (HR = 1.95, "
                                              "95% CI 1.20-3.17, p = 0.007).")] == ["Patients with high LDH"]


def test_response_codes_where_the_sentence_speaks_of_responses():
    got = figures("Best responses were CR in 3 (12%), PR in 9 (36%), SD in 7 (28%) and PD in 6 (24%) patients.")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [
        ("CR", 12.0), ("partial response", 36.0), ("stable disease", 28.0), ("progressive disease", 24.0)]
    got = figures("Objective responses included four PR (17%) and one CR (4%).")
    assert [(e, v) for e, _, _, _, v, _, _ in got] == [("partial response", 17.0), ("CR", 4.0)]
    # a progesterone receptor or PD-L1 is no response
    assert figures("ER/PR-positive tumours (65%) and PD-L1 expression (45%) predicted response.") == []
