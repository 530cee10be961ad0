"""Figures with the group they belong to, from phrasings of cohort, registry and trial papers.

Written before the rules that pass them (session 2), in shapes the first 87 sentences of
test_figures_prose.py do not cover: two groups compared with "than" and their values in
one parenthesis, values labelled in parentheses after the endpoint, "X% in <group>",
relative and net survival, haematological response categories. Each expects the core of
every figure and the group a reviewer would record (None where the sentence names none).
"""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def figures(text: str) -> set[tuple]:
    ex = extract_article(ArticleRecord("text", text="Results\n" + text + "\n"))
    return {(f.endpoint, f.measure, f.timepoint_months and int(f.timepoint_months), round(f.value, 2),
             f.group and f.group.lower()) for f in ex.figures}


GROUPED = [
("The 5-year overall survival was higher in women than in men (71.3% and 58.9%).",
 {("OS", "rate", 60, 71.3, "women"), ("OS", "rate", 60, 58.9, "men")}),
("Three-year disease-free survival was better in the adjuvant group than in the observation group (66.0% vs. 49.5%; P = 0.01).",
 {("DFS", "rate", 36, 66.0, "adjuvant group"), ("DFS", "rate", 36, 49.5, "observation group")}),
("The 5-year relative survival was 64.2% for all sites combined.",
 {("relative survival", "rate", 60, 64.2, "all sites combined")}),
("Five-year net survival was 52.8% in 2010-2014 and 58.1% in 2015-2019.",
 {("net survival", "rate", 60, 52.8, "2010-2014"), ("net survival", "rate", 60, 58.1, "2015-2019")}),
("By primary site, the 3-year OS rates were nasal cavity (48.2%), maxillary sinus (30.5%) and oral cavity (41.7%).",
 {("OS", "rate", 36, 48.2, "nasal cavity"), ("OS", "rate", 36, 30.5, "maxillary sinus"),
  ("OS", "rate", 36, 41.7, "oral cavity")}),
("The 2-year PFS was 45.2% in the high-risk group and 78.9% in the low-risk group.",
 {("PFS", "rate", 24, 45.2, "high-risk group"), ("PFS", "rate", 24, 78.9, "low-risk group")}),
("Median OS was 14.1 months in patients with extramedullary disease and 38.6 months in those without.",
 {("OS", "median", None, 14.1, "patients with extramedullary disease"), ("OS", "median", None, 38.6, "those without")}),
("The 5-year overall survival of patients with stage III disease was 55.0%.",
 {("OS", "rate", 60, 55.0, "patients with stage iii disease")}),
("Among the 64 patients who underwent surgery, the 2-year local control rate was 82.4%.",
 {("local control", "rate", 24, 82.4, "surgery")}),
("The ORR was 71% in the daratumumab group versus 52% in the control group (odds ratio, 2.25; 95% CI, 1.45 to 3.50).",
 {("ORR", "proportion", None, 71, "daratumumab group"), ("ORR", "proportion", None, 52, "control group"),
  ("ORR", "OR", None, 2.25, "daratumumab group")}),   # the OR compares the first arm with the second
]


@pytest.mark.parametrize("sentence,expected", GROUPED, ids=[s[:48] for s, _ in GROUPED])
def test_figure_and_its_group(sentence, expected):
    assert figures(sentence) == {(e, m, t, float(v), g) for e, m, t, v, g in expected}


# Written before the rules that pass them (session 3): 4 of 24 passed at first.
GROUPED_MORE = [
("The 3-year PFS was 62.1% in the VRd arm and 48.7% in the Rd arm (HR 0.71; 95% CI 0.56-0.91; P = 0.006).",
 {("PFS", "rate", 36, 62.1, "vrd arm"), ("PFS", "rate", 36, 48.7, "rd arm"), ("PFS", "HR", None, 0.71, "vrd arm")}),
("Five-year OS was 78.4% for patients aged <65 years compared with 59.2% for those aged ≥65 years (P < 0.001).",
 {("OS", "rate", 60, 78.4, "patients aged <65 years"), ("OS", "rate", 60, 59.2, "those aged ≥65 years")}),
("5-year OS: 65% (surgery) vs 40% (RT), P = 0.002.",
 {("OS", "rate", 60, 65, "surgery"), ("OS", "rate", 60, 40, "rt")}),
("The 5-year DSS rates for stage I, II, III and IV disease were 92.3%, 81.0%, 64.5% and 38.2%, respectively.",
 {("DSS", "rate", 60, 92.3, "stage i"), ("DSS", "rate", 60, 81.0, "stage ii"), ("DSS", "rate", 60, 64.5, "stage iii"),
  ("DSS", "rate", 60, 38.2, "stage iv")}),
("Two-year OS was 71% in men and 76% in women.",
 {("OS", "rate", 24, 71, "men"), ("OS", "rate", 24, 76, "women")}),
(("The 3-year OS was 58.2% (95% CI 50.1-65.5) in the low-risk group, 41.0% (95% CI 33.2-48.6) in the "
  "intermediate-risk group and 19.7% (95% CI 12.0-28.8) in the high-risk group (P < 0.001)."),
 {("OS", "rate", 36, 58.2, "low-risk group"), ("OS", "rate", 36, 41.0, "intermediate-risk group"),
  ("OS", "rate", 36, 19.7, "high-risk group")}),
("Median OS was 8.1 months for patients with poor-risk disease compared with 27.3 months for those with good-risk disease.",
 {("OS", "median", None, 8.1, "patients with poor-risk disease"),
  ("OS", "median", None, 27.3, "those with good-risk disease")}),
("Patients who received consolidation radiotherapy had a 2-year PFS of 68% versus 42% for those who did not (P = 0.01).",
 {("PFS", "rate", 24, 68, "consolidation radiotherapy"),
  ("PFS", "rate", 24, 42, "those who did not")}),
("In the intention-to-treat population, the ORR was 64% with the combination and 41% with monotherapy.",
 {("ORR", "proportion", None, 64, "combination"), ("ORR", "proportion", None, 41, "monotherapy")}),
("The 5-year OS rates of patients aged <50, 50-69 and ≥70 years were 82%, 71% and 54%, respectively.",
 {("OS", "rate", 60, 82, "<50 years"), ("OS", "rate", 60, 71, "50-69 years"), ("OS", "rate", 60, 54, "≥70 years")}),
("Ten-year relative survival was 85.1% for localized, 62.3% for regional and 21.4% for distant stage.",
 {("relative survival", "rate", 120, 85.1, "localized"), ("relative survival", "rate", 120, 62.3, "regional"),
  ("relative survival", "rate", 120, 21.4, "distant stage")}),
("The CR rate was 45% in patients with NPM1 mutation and 28% in those without (P = 0.03).",
 {("CR", "proportion", None, 45, "patients with npm1 mutation"), ("CR", "proportion", None, 28, "those without")}),
("OS at 5 years was significantly better for laryngeal than for hypopharyngeal primaries (62% vs. 35%, P < 0.001).",
 {("OS", "rate", 60, 62, "laryngeal"), ("OS", "rate", 60, 35, "hypopharyngeal primaries")}),
("The 3-year EFS was 72% and 55% in the MRD-negative and MRD-positive groups, respectively.",
 {("EFS", "rate", 36, 72, "mrd-negative"), ("EFS", "rate", 36, 55, "mrd-positive")}),
("Median PFS was 18.4 months in the transplant arm compared with 11.9 months in the non-transplant arm (HR 0.58; P < 0.001).",
 {("PFS", "median", None, 18.4, "transplant arm"), ("PFS", "median", None, 11.9, "non-transplant arm"),
  ("PFS", "HR", None, 0.58, "transplant arm")}),
("Patients younger than 60 years had a higher 2-year OS than older patients (74.5% vs. 52.0%).",
 {("OS", "rate", 24, 74.5, "patients younger than 60 years"), ("OS", "rate", 24, 52.0, "older patients")}),
("Compared with the observation arm, the lenalidomide arm had a longer median PFS (52.8 vs 23.5 months; HR 0.48).",
 {("PFS", "median", None, 52.8, "lenalidomide arm"), ("PFS", "median", None, 23.5, "observation arm"),
  # (the ratio is the lenalidomide arm's against the observation arm)
  ("PFS", "HR", None, 0.48, "lenalidomide arm")}),
("Five-year OS was 55% for oral cavity, 48% for oropharynx and 31% for hypopharynx tumours.",
 {("OS", "rate", 60, 55, "oral cavity"), ("OS", "rate", 60, 48, "oropharynx"),
  ("OS", "rate", 60, 31, "hypopharynx tumours")}),
("The 2-year OS rates for the ATG and no-ATG groups were 61% and 49%, respectively.",
 {("OS", "rate", 24, 61, "atg"), ("OS", "rate", 24, 49, "no-atg")}),
("The MRD negativity rate was 58% in the D-VRd group and 33% in the VRd group.",
 {("minimal residual disease negativity", "proportion", None, 58, "d-vrd group"),
  ("minimal residual disease negativity", "proportion", None, 33, "vrd group")}),
("The 5-year OS for N0 and N+ patients was 71.2% and 44.8%, respectively.",
 {("OS", "rate", 60, 71.2, "n0"), ("OS", "rate", 60, 44.8, "n+")}),
("Among patients aged 70 years or older, the 3-year OS was 38.5%.",
 {("OS", "rate", 36, 38.5, "patients aged 70 years or older")}),
("The 1-year OS was 82% in the whole cohort.",
 {("OS", "rate", 12, 82, "overall")}),
("In the surgery and radiotherapy groups, the 5-year local control rates were 88% and 79%, respectively.",
 {("local control", "rate", 60, 88, "surgery"), ("local control", "rate", 60, 79, "radiotherapy")}),
]


@pytest.mark.parametrize("sentence,expected", GROUPED_MORE, ids=[s[:48] for s, _ in GROUPED_MORE])
def test_more_figures_and_their_groups(sentence, expected):
    assert figures(sentence) == {(e, m, t, float(v), g) for e, m, t, v, g in expected}


# Written after those rules, while checking them against phrasings they must not misread:
# analyses, follow-up, counts and the whole cohort are no groups; a complement is not a
# subset of the opening subgroup; a group list after "vs ... respectively" pairs in order.
GROUP_EDGES = [
("In multivariate analysis, the 5-year OS was 50%.", {("OS", "rate", 60, 50, "overall")}),
("Median OS was 20 months with a median follow-up of 30 months.", {("OS", "median", None, 20, "overall")}),
("The CR rate was 40% in 12 of 30 patients.", {("CR", "proportion", None, 40, "overall")}),
("In our cohort of 120 patients, the 3-year OS was 70%.", {("OS", "rate", 36, 70, "overall")}),
("OS was 60% at 5 years in the surgery group and 40% at 5 years in the RT group.",
 {("OS", "rate", 60, 60, "surgery group"), ("OS", "rate", 60, 40, "rt group")}),
("Among patients with EMD, the median OS was 14 months compared with 38 months in those without EMD.",
 {("OS", "median", None, 14, "patients with emd"), ("OS", "median", None, 38, "those without emd")}),
("Median OS was not reached in the pembrolizumab group and was 10.3 months in the chemotherapy group.",
 {("OS", "median", None, 10.3, "chemotherapy group")}),
("The median PFS of 11.2 months in the combination arm was longer than that of the control arm.",
 {("PFS", "median", None, 11.2, "combination arm")}),
("The 5-year OS was 60% (95% CI, 50-70) in the entire cohort and 45% in patients older than 70 years.",
 {("OS", "rate", 60, 60, "overall"), ("OS", "rate", 60, 45, "patients older than 70 years")}),
("Three-year OS was 80% vs 65% in the IMRT and 3D-CRT groups, respectively.",
 {("OS", "rate", 36, 80, "imrt"), ("OS", "rate", 36, 65, "3d-crt")}),
("In the VRd arm, the ORR was 80% and the CR rate was 30%.",
 {("ORR", "proportion", None, 80, "vrd arm"), ("CR", "proportion", None, 30, "vrd arm")}),
]


@pytest.mark.parametrize("sentence,expected", GROUP_EDGES, ids=[s[:48] for s, _ in GROUP_EDGES])
def test_phrases_that_name_no_group_or_another_clauses(sentence, expected):
    assert figures(sentence) == {(e, m, t, float(v), g) for e, m, t, v, g in expected}


# Another study's result, reported in Results by comparison, is not this study's figure;
# this study's own figure in the same sentence stays (where the sentence is not cited whole).
CITED = [
    ("Our 5-year OS of 61% compares with the 48% reported by Smith et al. [12].", ("OS", "rate", 60, 48.0), set()),
    ("The 3-year PFS in our cohort (55%) was similar to the 52% reported in the ASPIRE trial.",
     ("PFS", "rate", 36, 52.0), {("PFS", "rate", 36, 55.0)}),
    ("Our 2-year OS (81%) is consistent with the 78% observed in the KEYNOTE-048 trial.",
     ("OS", "rate", 24, 78.0), {("OS", "rate", 24, 81.0)}),
    ("Median OS was 14.2 months, compared with 9.8 months reported for historical controls.",
     ("OS", "median", None, 9.8), {("OS", "median", None, 14.2)}),
    # Session 3 (these two failed at first; the others passed for want of an endpoint before the value).
    ("The 2-year PFS was 58%, higher than the 45% reported in the phase III ASPIRE trial.",
     ("PFS", "rate", 24, 45.0), {("PFS", "rate", 24, 58.0)}),
    ("The 5-year OS was 61%, which compares favourably with the 5-year OS of 48% reported in the SEER database.",
     ("OS", "rate", 60, 48.0), {("OS", "rate", 60, 61.0)}),
    ("The ORR of 73% was similar to that reported in the pivotal MAIA trial (79%).",
     ("ORR", "proportion", None, 79.0), {("ORR", "proportion", None, 73.0)}),
    ("Median PFS was 20.1 months, in line with the 18.4 months described by the GIMEMA group.",
     ("PFS", "median", None, 18.4), {("PFS", "median", None, 20.1)}),
    ("The 5-year OS in our series (62%) was comparable to that of the NCDB cohort (59%).",
     ("OS", "rate", 60, 59.0), {("OS", "rate", 60, 62.0)}),
]


@pytest.mark.parametrize("sentence,cited,own", CITED, ids=[s[:40] for s, _, _ in CITED])
def test_results_attributed_to_other_studies_are_not_this_studys(sentence, cited, own):
    got = {g[:4] for g in figures(sentence)}
    assert cited not in got
    assert own <= got


def study_facts(text: str):
    return extract_article(ArticleRecord("text", text="A phase I study\n\n" + text + "\n")).study


@pytest.mark.parametrize("sentence,n", [
    ("Twenty-seven Chinese patients with HER2-positive metastatic breast cancer were enrolled.", 27),
    ("Forty-one consecutive patients were treated between 2005 and 2019.", 41),
    ("We reviewed the records of 86 patients (90 tumours) treated at our institution.", 86),
])
def test_number_of_patients_stated_first_or_with_modifiers(sentence, n):
    assert study_facts(sentence).n_patients == n


def test_adverse_events_listed_with_percentages():
    ex = extract_article(ArticleRecord("text", text="Results\nThe most frequent treatment-related adverse events "
                                       "were pyrexia (41.2%), elevated transaminases (17.6%) and chills (11.8%).\n"))
    assert {(a.event.lower(), a.percent) for a in ex.adverse_events} == {
        ("pyrexia", 41.2), ("elevated transaminases", 17.6), ("chills", 11.8)}


def test_levels_named_before_the_disease_are_the_groups():
    """'stage III, IVa and IVb NSCLC': the acronym after the last level names the disease, not
    a group (regression: the rule once knew only the seed paper's acronym)."""
    got = figures("The 5-year OS rates for stage III, IVa and IVb NSCLC were 41.0%, 22.5% and 10.3%, respectively.")
    assert {(g[3], g[4]) for g in got} == {(41.0, "stage iii"), (22.5, "stage iva"), (10.3, "stage ivb")}


def test_a_structured_abstract_label_does_not_hide_the_subgroup():
    """'FINDINGS: Among 82 patients who ..., 1-year OS was 74%': the label before the opening
    phrase kept the subgroup from being read (regression: group 'Overall')."""
    got = figures("FINDINGS: Among 82 ALK-positive patients who were given crizotinib, 1-year overall survival "
                  "was 74% (95% CI 63-82), and 2-year overall survival was 54% (40-66).")
    assert {g[4] for g in got} == {"alk-positive patients who were given crizotinib"} and len(got) == 2


@pytest.mark.parametrize("sentence,expected", [
    ("At a median follow-up of 5 years, the limb retention rate was 95%.", ("limb retention", "proportion", None, 95.0)),
    ("The R0 resection rate was 91.2%.", ("R0 resection", "proportion", None, 91.2)),
    ("The larynx preservation rate at 2 years was 88%.", ("organ preservation", "rate", 24, 88.0)),
    ("The 3-year limb salvage rate was 81%.", ("limb salvage", "rate", 36, 81.0)),
])
def test_what_surgery_preserves_is_an_outcome(sentence, expected):
    """Limb salvage, organ preservation and R0 resection rates: a proportion, or a rate at
    the time named (regression: none of these was read)."""
    assert {g[:4] for g in figures(sentence)} == {expected}
