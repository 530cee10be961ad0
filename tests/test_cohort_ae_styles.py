"""Reporting styles of cohorts and adverse events, each with its own sentences and negatives
(the probe in test_probe_cohorts_ae.py found them missing; these sentences are not the
probe's)."""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def aes(text: str, section: str = "Results"):
    ex = extract_article(ArticleRecord("text", text=f"{section}\n{text}\n"))
    return {(a.event, a.grade, a.phase, a.n, a.percent) for a in ex.adverse_events}


def cohorts(text: str, section: str = "Results"):
    ex = extract_article(ArticleRecord("text", text=f"{section}\n{text}\n"))
    return {(c.label, c.n) for c in ex.cohorts}


AE_STYLES = [
    # the phase qualifying the toxicity before the grade or the event
    ("Acute grade 3 oesophagitis occurred in 6 patients (10.2%).", {("Oesophagitis", "3", "acute", 6, 10.2)}),
    ("Chronic grade 2 proctitis was observed in 4 patients (6.0%).", {("Proctitis", "2", "late", 4, 6.0)}),
    ("Grade 2 late rectal bleeding developed in 3 patients (4.5%).", {("Rectal bleeding", "2", "late", 3, 4.5)}),
    # the grade after the event: in brackets, beside the count, after it
    ("Pneumonitis (grade 2) developed in 5 patients (8.3%).", {("Pneumonitis", "2", None, 5, 8.3)}),
    ("Hyponatraemia occurred in 3 patients (grade 3, 5.0%).", {("Hyponatraemia", "3", None, 3, 5.0)}),
    ("Skin rash was observed in 11 patients (18.3%), all grade 1-2.", {("Skin rash", "1-2", None, 11, 18.3)}),
    ("Moderate (grade 2) fatigue occurred in 9 of 40 patients (22.5%).", {("Fatigue", "2", None, 9, 22.5)}),
    # counts in words, 'N (x%) patients', continuations
    ("Grade 4 sepsis developed in three patients (4.8%).", {("Sepsis", "4", None, 3, 4.8)}),
    ("Grade 3 nausea occurred in 5 (8.1%) patients and grade 3 vomiting in 3 (4.8%).",
     {("Nausea", "3", None, 5, 8.1), ("Vomiting", "3", None, 3, 4.8)}),
    ("Alopecia of any grade was seen in 42% of patients and was grade 2 in 12%.",
     {("Alopecia", "any", None, None, 42.0), ("Alopecia", "2", None, None, 12.0)}),
    # patients first
    ("Four patients (6.7%) experienced grade 3 diarrhoea.", {("Diarrhoea", "3", None, 4, 6.7)}),
    ("Two patients died of sepsis (grade 5).", {("Sepsis", "5", None, 2, None)}),
    # lists with counts after a head
    ("Grade 3 late toxicity included fistula in 2 patients (3.1%) and stricture in 1 (1.6%).",
     {("Fistula", "3", "late", 2, 3.1), ("Stricture", "3", "late", 1, 1.6)}),
    ("Surgical complications occurred in 9 patients: haematoma in 4 and seroma in 5.",
     {("Surgical complications", "any", None, 9, None), ("Haematoma", "any", None, 4, None),
      ("Seroma", "any", None, 5, None)}),
    ("The most common adverse events of any grade were anorexia (33%) and constipation (21%).",
     {("Anorexia", "any", None, None, 33.0), ("Constipation", "any", None, None, 21.0)}),
    ("Late toxicities were mild: grade 1 xerostomia (40%) and hypothyroidism (12%).",
     {("Xerostomia", "1", "late", None, 40.0), ("Hypothyroidism", "1", "late", None, 12.0)}),
    # lists without numbers
    ("The most frequent side effects were headache, dizziness and insomnia.",
     {("Headache", "any", None, None, None), ("Dizziness", "any", None, None, None), ("Insomnia", "any", None, None, None)}),
    ("Fatigue, myalgia and fever were the most common adverse events.",
     {("Fatigue", "any", None, None, None), ("Myalgia", "any", None, None, None), ("Fever", "any", None, None, None)}),
    ("Toxicity was largely gastrointestinal, consisting of diarrhoea and mucositis.",
     {("Diarrhoea", "any", None, None, None), ("Mucositis", "any", None, None, None)}),
]

AE_NEGATIVES = [
    "Local recurrence developed in 12 patients (15.0%).",              # an outcome, no grade
    "Grade 3 tumours were observed in 20 patients (25%).",              # a tumour grade
    "Grade 2 chondrosarcoma was found in 7 patients.",
    "Adverse events were similar between the arms (45% vs 40%).",
    "The most common adverse events were mild and transient.",
    "Only one patient with severe toxicity was seen in the 300 mg cohort.",
    "The most common grade 3 adverse events were reported in the 60 mg group.",
    "Twelve patients died of progressive disease.",
]


@pytest.mark.parametrize("text,expected", AE_STYLES, ids=[t[:40] for t, _ in AE_STYLES])
def test_adverse_event_styles(text, expected):
    assert aes(text) == expected


@pytest.mark.parametrize("text", AE_NEGATIVES, ids=[t[:40] for t in AE_NEGATIVES])
def test_adverse_event_negatives(text):
    assert aes(text) == set()


def test_adverse_events_in_methods_are_not_read():
    """Methods say how toxicity was graded, not what happened."""
    assert aes("Grade 3 neutropenia occurred in 4 patients (6%).", section="Methods") == set()


COHORT_STYLES = [
    # the whole series, qualified by how the paper counts it
    ("Methods", "Fifty-four patients were enrolled at three centres.", {("All patients (enrolled)", 54)}),
    # (the whole series carries what its patients had, as the paper says it)
    ("Methods", "We report a consecutive series of 19 patients with orbital liposarcoma.",
     {("All patients with orbital liposarcoma", 19)}),
    ("Results", "Of 73 patients registered, 70 were eligible.",
     {("All patients (eligible)", 70), ("Registered", 73)}),
    ("Methods", "After exclusion of 9 patients with incomplete staging, 131 patients were analysed.",
     {("All patients", 131)}),
    ("Methods", "Twenty-one patients (n = 21) with anorectal melanoma were identified.", {("All patients", 21)}),
    # the results state the total when nothing before does; a treated group is no total
    ("Results", "Among the 88 patients, 50 received adjuvant radiotherapy.",
     {("All patients", 88), ("Adjuvant radiotherapy", 50)}),
    ("Results", "Thirty patients were treated with imatinib and 12 with sunitinib.", {("Imatinib", 30), ("Sunitinib", 12)}),
    # '(n = N)' labels after articles and prepositions, qualifiers in the brackets
    ("Results", "Survival was compared between the hypofractionated arm (n = 41) and the conventional arm (n = 39).",
     {("Hypofractionated arm", 41), ("Conventional arm", 39)}),
    ("Results", "The frail group (ECOG ≥ 2, n = 17) had shorter survival.", {("Frail group (ECOG ≥ 2)", 17)}),
    ("Results", "Patients with bone marrow involvement (n = 12) and those without (n = 30) were compared.",
     {("Patients with bone marrow involvement", 12), ("Without bone marrow involvement", 30)}),
    ("Results", "The two cohorts were balanced (wide excision, n = 25; amputation, n = 11).",
     {("Wide excision", 25), ("Amputation", 11)}),
    # counts: thousands separators, '(x%)' or '(n = N)' after 'patients', 'were male'
    ("Results", "Overall, 2,310 (61.2%) underwent lobectomy.", {("Lobectomy", 2310)}),
    ("Results", "Nineteen patients (45.2%) had stage II disease.", {("Stage II disease", 19)}),
    ("Results", "Of the cohort, 33 were male and 28 were female.", {("Male", 33), ("Female", 28)}),
    # a feature or treatment and its patients, and the ones listed after it
    ("Results", "Gross total resection was achieved in 31 patients (68.9%) and subtotal resection in 14 (31.1%).",
     {("Gross total resection", 31), ("Subtotal resection", 14)}),
    ("Results", "EGFR amplification was detected in 12 cases, PTEN loss in 9 and TERT mutation in 20.",
     {("EGFR amplification", 12), ("PTEN loss", 9), ("TERT mutation", 20)}),
    ("Results", "Concurrent cisplatin was administered to 27 patients.", {("Concurrent cisplatin", 27)}),
    ("Results", "The tumour site was the orbit in 8 patients and the parotid gland in 5.",
     {("Orbit", 8), ("Parotid gland", 5)}),
    # groups after a count that share its verb; arms and their sizes; completion
    ("Results", "In total, 412 (61.0%) received chemoradiation, 170 (25.2%) radiotherapy alone and 93 (13.8%) surgery.",
     {("Chemoradiation", 412), ("Radiotherapy alone", 170), ("Surgery", 93)}),
    ("Results", "The control group comprised 48 patients and the intervention group 52 patients.",
     {("Control group", 48), ("Intervention group", 52)}),
    ("Results", "Thirty-six completed the full course of radiotherapy.", {("Full course of radiotherapy", 36)}),
    ("Methods", "Of 240 patients screened, 31 were excluded, leaving 209 patients.", {("All patients", 209)}),
    ("Results", "Matching gave two groups of equal size (lobectomy, n = 64; segmentectomy, n = 64).",
     {("Lobectomy", 64), ("Segmentectomy", 64)}),
    ("Results", "Matching gave two groups (open surgery, n = 40; robotic surgery, n = 40).",
     {("Open surgery", 40), ("Robotic surgery", 40)}),
]

COHORT_NEGATIVES = [
    ("Results", "After exclusion of 14 patients with missing data, the analysis proceeded."),
    ("Results", "The median age was 61 years (range, 19-88), and 58% were women."),
    ("Results", "Twenty-three patients (n = 23) died during follow-up."),
    ("Results", "Local recurrence was found in 11 patients and distant failure in 7."),   # outcomes
    ("Results", "Wound infection was observed in 6 patients."),
    ("Results", "After matching, 75 pairs were formed (n = 150)."),             # a clause, not a group
    ("Results", "In all, 280 completed questionnaires were returned."),
    # the last item of a list is not the subject of the verb after it
    ("Results", "Targeted therapy, including imatinib, sunitinib, and regorafenib was given to 15 patients."),
]


@pytest.mark.parametrize("section,text,expected", COHORT_STYLES, ids=[t[:40] for _, t, _ in COHORT_STYLES])
def test_cohort_styles(section, text, expected):
    assert cohorts(text, section) == expected


@pytest.mark.parametrize("section,text", COHORT_NEGATIVES, ids=[t[:40] for _, t in COHORT_NEGATIVES])
def test_cohort_negatives(section, text):
    assert cohorts(text, section) == set()


def test_adverse_event_table_one_cell_per_line():
    text = ("Table 3\nImmune-related adverse events\nAdverse event\nAny grade\nGrade 3–4\n"
            "Colitis\n6 (15.0)\n2 (5.0)\nHepatitis\n4 (10.0)\n1 (2.5)\nPneumonitis\n3 (7.5)\n0\n")
    assert aes(text) == {("Colitis", "any", None, 6, 15.0), ("Colitis", "3-4", None, 2, 5.0),
                         ("Hepatitis", "any", None, 4, 10.0), ("Hepatitis", "3-4", None, 1, 2.5),
                         ("Pneumonitis", "any", None, 3, 7.5), ("Pneumonitis", "3-4", None, 0, None)}


def test_adverse_event_table_with_g_columns_and_the_phase_in_its_caption():
    text = ("Table 2 Acute toxicity during chemoradiation\nToxicity        G1     G2     G3\n"
            "Oesophagitis    12     7      2\nFatigue         15     4      0\n")
    assert aes(text) == {("Oesophagitis", "1", "acute", 12, None), ("Oesophagitis", "2", "acute", 7, None),
                         ("Oesophagitis", "3", "acute", 2, None), ("Fatigue", "1", "acute", 15, None),
                         ("Fatigue", "2", "acute", 4, None), ("Fatigue", "3", "acute", 0, None)}


def test_characteristics_table_one_cell_per_line_and_its_total():
    text = ("Table 1 Baseline characteristics (n = 40)\nCharacteristic\nn (%)\nSex\nMale\n26 (65.0)\nFemale\n14 (35.0)\n"
            "Histology\nLeiomyosarcoma\n17 (42.5)\nLiposarcoma\n23 (57.5)\n")
    assert cohorts(text, "Methods") == {("All patients", 40), ("Sex: Male", 26), ("Sex: Female", 14),
                                        ("Histology: Leiomyosarcoma", 17), ("Histology: Liposarcoma", 23)}


def test_a_total_in_the_caption_of_another_table_is_no_cohort():
    text = "Table 2 Univariate analysis of overall survival (n = 50)\nVariable    HR    95% CI    P\nAge    1.20    0.80–1.90    0.31\n"
    assert ("All patients", 50) not in cohorts(text)


def test_a_long_sentence_of_list_heads_is_read_in_linear_time():
    """Regression: each list head once read the rest of its sentence, and each match looked back
    over all of it for a phase word; a sentence of many heads cost its length squared."""
    import time
    text = "grade 3 toxicity was seen in patients, " * 1500 + "."
    t0 = time.perf_counter()
    aes(text)
    assert time.perf_counter() - t0 < 3.0


def test_sex_counts_with_letters_ignorecase_folds_are_read_not_a_key_error():
    # IGNORECASE matches 'ſ' (long s) as 's' and the Kelvin sign as 'k': the label is looked
    # up casefolded, as it was matched; lower() left 'maleſ' and extraction raised KeyError.
    got = cohorts("Of the 40 patients, 22 were maleſ and 18 were female.")
    assert ("Male", 22) in got and ("Female", 18) in got


def _aes(sentence):
    from kb.extract.article import extract_article
    from kb.models import ArticleRecord
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(a.event, a.grade, a.n, a.percent) for a in ex.adverse_events]


def test_an_adverse_event_in_each_of_two_arms():
    assert _aes("The incidence of grade 3–4 granulocytopenia was 7.2% with capecitabine and 4.1% with S-1.") == [
        ("Granulocytopenia (capecitabine)", "3-4", None, 7.2), ("Granulocytopenia (S-1)", "3-4", None, 4.1)]
    assert _aes("Grade 3 or 4 neutropenia occurred in 47% of patients in the FEC-D group and 36% in the control "
                "group.") == [("Neutropenia (FEC-D group)", "3-4", None, 47.0), ("Neutropenia (control group)", "3-4", None, 36.0)]
    got = _aes("Grade 3–4 nonhaematologic toxicities were: asthenia (9.5% with capecitabine vs 7.0% with S-1), "
               "anorexia (6.1 vs 9.9%), and diarrhoea (2.1 vs 0%).")
    assert got == [("Asthenia (capecitabine)", "3-4", None, 9.5), ("Asthenia (S-1)", "3-4", None, 7.0),
                   ("Anorexia (capecitabine)", "3-4", None, 6.1), ("Anorexia (S-1)", "3-4", None, 9.9),
                   # (0% of an arm is none of its patients: n = 0)
                   ("Diarrhoea (capecitabine)", "3-4", None, 2.1), ("Diarrhoea (S-1)", "3-4", 0, 0.0)]


def _cohorts(sentence):
    from kb.extract.article import extract_article
    from kb.models import ArticleRecord
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(c.label, c.n) for c in ex.cohorts]


def test_two_arms_and_their_sizes():
    assert ("20 Gy/5 fr arm", 52) in _cohorts("In all, 97 patients (52 in the 20 Gy/5 fr arm and 45 in the 16 Gy/2 fr arm) "
                                              "were entered into the trial.")
    assert _cohorts("A total of 98 patients were enrolled; 50 were randomly assigned to capecitabine and 48 to S-1.")[1:] == [
        ("Capecitabine", 50), ("S-1", 48)]
    # a stage and a sex are no arms
    assert _cohorts("The mandible was more retrusive at stage 1 in males and at stages 3 and 4 in females.") == []


# --- adverse-event shapes found on a battery of common phrasings (session 8) ---------------

def _ae_rows(text):
    from kb.extract.article import extract_article
    from kb.models import ArticleRecord
    ex = extract_article(ArticleRecord("text", text=f"Results\n{text}\n"))
    return [(a.event, a.phase, a.grade, a.n, a.percent) for a in ex.adverse_events]


def test_the_kinds_a_counted_toxicity_goes_on_to_list_take_its_grade():
    assert _ae_rows("Grade 3 or higher haematologic toxicity was seen in 30% of patients, mainly neutropenia (21%) "
                "and anaemia (9%).") == [
        ("Haematologic toxicity", None, "≥3", None, 30.0), ("Neutropenia", None, "≥3", None, 21.0),
        ("Anaemia", None, "≥3", None, 9.0)]
    assert _ae_rows("Immune-related adverse events of any grade occurred in 20 patients (38%), including "
                "hypothyroidism (n = 7) and hepatitis (n = 2).") == [
        ("Immune-related adverse events", None, "any", 20, 38.0), ("Hypothyroidism", None, "any", 7, None),
        ("Hepatitis", None, "any", 2, None)]


def test_list_items_whose_bracket_names_their_grade_and_an_incidence_of_a_graded_event():
    assert _ae_rows("Common toxicities were anaemia (grade 3, 12%) and thrombocytopenia (grade 4, 5%).") == [
        ("Anaemia", None, "3", None, 12.0), ("Thrombocytopenia", None, "4", None, 5.0)]
    assert _ae_rows("The incidence of grade ≥2 radiation pneumonitis was 9.8%.") == [
        ("Radiation pneumonitis", None, "≥2", None, 9.8)]


def test_a_patient_who_died_of_a_toxicity_had_it_at_grade_5():
    assert _ae_rows("One patient (1.9%) died of pneumonitis.") == [("Pneumonitis", None, "5", 1, 1.9)]


def test_arm_sizes_that_end_their_clause_and_a_study_population_that_consisted_of_n():
    from kb.extract.article import extract_article
    from kb.models import ArticleRecord
    ex = extract_article(ArticleRecord("text", text="Results\nThe study population consisted of 88 patients: 50 in the "
                                       "observation arm and 38 in the interferon arm. Two patients in the interferon arm "
                                       "withdrew consent.\n"))
    assert [(c.label, c.n) for c in ex.cohorts] == [("All patients", 88), ("Observation arm", 50), ("Interferon arm", 38)]


def test_a_list_mixing_plain_items_and_items_that_name_their_grade():
    assert _ae_rows("The most common grade 3 toxicities were neutropenia (18%), anaemia (grade 4, 5%) and fatigue (9%).") \
        == [("Neutropenia", None, "3", None, 18.0), ("Fatigue", None, "3", None, 9.0), ("Anaemia", None, "4", None, 5.0)]
