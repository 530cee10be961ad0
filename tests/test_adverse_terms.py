"""Adverse events named by a known toxicity (data/vocab/adverse_events.csv) or stated in the
shapes blind annotators met in real abstracts: fatal events, an event's grades with their
shares, graded events counted without a verb, list heads with qualifiers. Sentences are written
for these tests."""
import pytest

from kb.extract.article import extract_article
from kb.extract.vocab import load_vocab
from kb.models import ArticleRecord


def events(sentence):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(a.event, a.phase, a.grade, a.n, a.percent) for a in ex.adverse_events]


def test_the_vocabulary_lists_toxicities_and_leaves_out_presenting_symptoms():
    terms = load_vocab().adverse_events
    assert terms["mucositis"] == "gastrointestinal" and terms["osteoradionecrosis"] == "musculoskeletal"
    assert terms["CRS"] == "immune" and terms["toxic death"] == "fatal"
    for symptom in ("epistaxis", "hypertension", "fever", "headache", "weight loss"):
        assert symptom not in terms


@pytest.mark.parametrize("sentence,expected", [
    # a known toxicity counted with no grade: any grade
    ("Radiation myelopathy was reported in 2 patients.", [("Radiation myelopathy", None, "any", 2, None)]),
    ("Febrile neutropenia occurred in 12% of patients.", [("Febrile neutropenia", None, "any", None, 12.0)]),
    ("Five patients developed osteoradionecrosis of the mandible.", [("Osteoradionecrosis of the mandible", None, "any", 5, None)]),
    # ("transient" is no part of the name, as in lists: "transient and mild")
    ("Transient cerebral necrosis was observed in 3 patients (4.2%).", [("Cerebral necrosis", None, "any", 3, 4.2)]),
])
def test_a_known_toxicity_counted_without_a_grade(sentence, expected):
    assert events(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "Epistaxis was observed in 20 patients at presentation.",        # a presenting symptom
    "Anaemia was observed in 40% of patients at diagnosis.",          # the disease, not its treatment
    "HPV infection was observed in 30 patients.",                     # a virus, not a toxicity
    "Hepatitis B infection was reported in 4 patients.",
    "Twelve patients had neutropenia before treatment.",
    "Local recurrence developed in 14 patients.",                     # an outcome, left to the figures
])
def test_what_is_not_a_toxicity(sentence):
    assert events(sentence) == []


def test_fatal_events_are_grade_5():
    assert events("There were three toxic deaths.") == [("Toxic death", None, "5", 3, None)]
    assert events("Grade 3-4 adverse events were reported in 41% of patients; AEs were fatal in 2 patients.") == [
        ("Adverse events", None, "3-4", None, 41.0), ("Fatal adverse events", None, "5", 2, None)]
    # ('AEs led to discontinuation in 12%' is no event named 'Led to discontinuation')
    assert all("led" not in e[0].lower() for e in events(
        "Grade 3 adverse events occurred in 20% of patients, and led to treatment discontinuation in 12%."))


def test_an_events_grades_with_their_shares():
    assert events("Patients treated with interferon had flu-like toxicity grade 1 (40%), 2 (35%) or 3 (5%).") == [
        ("Flu-like toxicity", None, "1", None, 40.0), ("Flu-like toxicity", None, "2", None, 35.0),
        ("Flu-like toxicity", None, "3", None, 5.0)]
    assert events("The worst mucositis was grade 2 in 11 patients (34%) and grade 3 in 4 patients (12%).") == [
        ("Mucositis", None, "2", 11, 34.0), ("Mucositis", None, "3", 4, 12.0)]


def test_a_graded_event_counted_without_a_verb():
    assert events("The main toxicity was grade 3-4 thrombocytopenia in 9 patients (28%).") == [
        ("Thrombocytopenia", None, "3-4", 9, 28.0)]
    assert events("Grade 3 tumours were found in 20 patients.") == []   # a tumour's grade


def test_list_heads_with_qualifiers_and_arm_labels():
    assert events("The most frequent non-haematological grade 3/4 toxicities during consolidation were "
                  "vomiting (9%) and diarrhoea (5%).") == [
        ("Vomiting", None, "3-4", None, 9.0), ("Diarrhoea", None, "3-4", None, 5.0)]
    assert events("The main grade 3/4 toxicities being anaemia (12%, arm A) and rash (7%, arm B).") == [
        ("Anaemia (arm A)", None, "3-4", None, 12.0), ("Rash (arm B)", None, "3-4", None, 7.0)]
    assert events("Eight patients (25%) had grade 3 toxicity, with fatigue (12.5%) and anorexia (6.3%) the most "
                  "common.")[1:] == [("Fatigue", None, "3", None, 12.5), ("Anorexia", None, "3", None, 6.3)]
    # 'AEs with drug A (26%) than with placebo (18%)': arms compared, no list of events
    assert events("There were more drug-related AEs with zoledronate (26.0%) than with placebo (18.0%).") == []


def test_phases_of_a_whole_kind_of_events():
    assert events("Acute and late toxicities of grade 3 or higher were observed in 2 patients.") == [
        ("Acute and late toxicities", None, "≥3", 2, None)]
    assert events("Two patients experienced late grade 3 toxicity.") == [("Late toxicity", "late", "3", 2, None)]


def test_a_phase_before_a_grade_written_g():
    assert events("Acute ≥ G2 toxicity was reported in 30% of patients.") == [("Acute toxicity", "acute", "≥2", None, 30.0)]
