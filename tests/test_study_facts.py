"""Study design and number of patients from the ways abstracts state them.

Regressions found on our held-out documents (session 2): designs left empty when the paper
names none outright, and patient counts after "performed on", "the course of" or a
semicolon. The sentences are written for these tests, in the same shapes.
"""
from __future__ import annotations

import pytest

from kb.extract.article import extract_article
from kb.models import ArticleRecord


def study(title: str, abstract: str):
    return extract_article(ArticleRecord("text", text=f"{title}\n\n{abstract}\n")).study


@pytest.mark.parametrize("title,abstract,design", [
    ("Outcomes after salvage surgery for recurrent oral cancer",
     "A total of 214 patients underwent salvage surgery at our institution between 2001 and 2016.", "retrospective cohort"),
    ("Outcomes after salvage surgery for recurrent oral cancer",
     "We reviewed patients operated on from January 2005 to December 2018 at two centres.", "retrospective cohort"),
    ("Chemoradiation for anal cancer: a pooled analysis of two phase III trials",
     "Long-term outcomes were compared between arms.", "pooled analysis"),
    ("Diet and gastric cancer in the Japan Prospective Investigation of lifestyle",
     "Hazard ratios were estimated with Cox models.", "prospective cohort"),
    # an explicit design outranks the period the patients were treated in
    ("Nivolumab in melanoma", "Between 2014 and 2016, 418 patients were randomized to nivolumab or dacarbazine.",
     "randomized controlled trial"),
])
def test_design_from_what_the_abstract_says(title, abstract, design):
    assert study(title, abstract).design == design


def test_a_period_without_patients_is_not_a_design():
    assert study("Incidence of thyroid cancer", "Incidence rose between 1990 and 2010 in every region.").design is None


@pytest.mark.parametrize("sentence,n", [
    ("A pooled analysis was performed on 119 eligible patients with muscle-invasive bladder cancer.", 119),
    ("Using registry data, we studied the course of 732 patients under 60 years of age.", 732),
    ("Of the 62 patients enrolled; 53 were eligible.", 53),
    ("27 Chinese metastatic breast cancer patients were enrolled in this study.", 27),
    # rare-cancer series (session 6): a parenthesis after the patients, a period before them,
    # the data "of" them, where they were treated, the results' opening count
    ("Forty-one patients (25 men and 16 women) with sinonasal melanoma treated from 1990 to 2015 were reviewed.", 41),
    ("From 2003 to 2018, 52 patients, including 30 with nasal and 22 with oral tumours, received proton therapy.", 52),
    ("We analysed the clinical outcomes of 38 Japanese patients with plasma cell leukaemia.", 38),
    ("Survival was compared in 91 patients treated at two university hospitals.", 91),
    ("Results: Of 143 patients, 61 (43%) received adjuvant radiotherapy.", 143),
    # an event's count is not the series
    ("In total, 12 patients died of their disease.", None),
])
def test_number_of_patients(sentence, n):
    assert study("A study of outcomes", sentence).n_patients == n


@pytest.mark.parametrize("sentence,cohorts", [
    ("In total 101 patients met criteria including 81 late and 20 early survivors.",
     {("All patients", 101), ("Late survivors", 81), ("Early survivors", 20)}),
    # a response category as a group; when it was reached is not part of its name
    # (the series the sentence divides is the whole one, as in a results section)
    ("Among the 119 eligible patients, 101 (85%) achieved T0, and 18 (15%) achieved Ta or Tis after induction.",
     {("All patients", 119), ("T0", 101), ("Ta or Tis", 18)}),
])
def test_groups_counted_in_an_abstract(sentence, cohorts):
    ex = extract_article(ArticleRecord("text", text=f"A study of outcomes\n\n{sentence}\n"))
    assert {(c.label, c.n) for c in ex.cohorts} == cohorts


@pytest.mark.parametrize("sentence,n", [
    ("In all, 312 patients with glottic carcinoma (cT1-cT2) treated with radiotherapy were retrospectively analyzed. "
     "Salvage surgery was performed in 21 of 40 patients.", 312),
    ("We reviewed retrospectively 83 patients with parotid carcinoma.", 83),
    ("From 2001–2012, 47 patients with uterine sarcoma underwent surgery.", 47),
    ("Chart review of 215 patients from 9 centres.", 215),
])
def test_number_of_patients_in_more_shapes(sentence, n):
    assert study("A study of outcomes", sentence).n_patients == n
