"""How kb names the endpoint of a ClinicalTrials.gov outcome measure, on the checked-in real
records (tests/fixtures/ctgov, see SOURCES.md). Each test is named after what broke.

The export's endpoint is compared as a string (the shared scorer's norm_endpoint), so two
outcome measures must never share a name unless they measure the same thing, and the name
must be what the title's words say, not what an abbreviation in it could mean elsewhere.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from kb.extract import endpoints as ep
from kb.ingesters.ctgov import CtgovJsonIngester, CtgovXmlIngester, acronym_expansion, outcome_endpoint, shared_visits
from kb.models import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"
CZP = FIXTURES / "v2" / "NCT02278341.json"             # holds NCT02552212 (certolizumab, axSpA)
DUPILUMAB = FIXTURES / "v2" / "NCT02210780.json"       # every outcome 'at Week 16'
CHECKMATE = FIXTURES / "xml" / "NCT01642004.xml"       # PD-L1 subgroups as classes; TTR
BLAST = FIXTURES / "xml" / "NCT01207388.xml"           # MRD response
PIOGLITAZONE = FIXTURES / "xml" / "NCT02958956.xml"    # HRs with one class per cancer site
ARROW = FIXTURES / "classic" / "NCT02028676.json"      # 'New Grade 3 or 4 Adverse Event (AE), ...'


@lru_cache(maxsize=None)
def figures(path: Path) -> tuple:
    data = path.read_bytes()
    doc = Document(name=path.name, path=str(path), data=data, sha256=hashlib.sha256(data).hexdigest(),
                   size=len(data))
    ingester = CtgovXmlIngester() if path.suffix == ".xml" else CtgovJsonIngester()
    (rec,) = list(ingester.parse(doc))
    # Exported names: codes outside the contract's list are written in words.
    return tuple((ep.contract_name(f.endpoint), f) for f in rec.stated.figures)


def names(path: Path) -> Counter:
    return Counter(name for name, _ in figures(path))


# ---------------------------------------------------------------- 1. an acronym of a qualifier

def test_acronym_of_an_object_does_not_replace_the_whole_title():
    # 'Adverse Events Leading to Withdrawal From Investigational Medicinal Product (IMP)'
    # was named 'IMP', the thing withdrawn from, not the events counted.
    n = names(CZP)
    assert n["Adverse Events Leading to Withdrawal From IMP"] == 5
    assert "IMP" not in n and "AU" not in n
    assert n["AU or New AU Flares (through Week 52)"] == 1


def test_acronym_of_the_scale_keeps_the_response_definition():
    # 'Investigator's Global Assessment (IGA) Score of "0" or "1"' was named 'IGA'.
    assert names(DUPILUMAB)["IGA Score 0 or 1"] == 2
    # An acronym that is the whole measured thing still is the name, its restated
    # definition '(≥50% Improvement From Baseline)' left out.
    assert names(DUPILUMAB)["EASI-50"] == 2 and names(DUPILUMAB)["EASI-75"] == 2


def test_acronym_of_a_qualifier_stands_for_its_words_only():
    assert names(BLAST)["MRD Response"] == 1     # was 'minimal residual disease negativity'
    assert "minimal residual disease negativity" not in names(BLAST)
    arrow = names(ARROW)
    assert "AE" not in arrow and arrow["New Grade 3 or 4 AE, Not Solely Related to HIV"] == 5


def test_plural_acronym_and_study_window_are_left_out():
    n = names(CZP)
    assert n["Treatment-Emergent Adverse Events"] == 5 and n["Serious Adverse Events"] == 5


def test_acronym_expansion_follows_its_letters():
    before = "Percentage of Subjects With Axial SpondyloArthritis International Society 40% Response Criteria"
    assert before[acronym_expansion(before, "ASAS40"):] == "Axial SpondyloArthritis International Society 40% " \
                                                         "Response Criteria"
    assert acronym_expansion("Number of Subjects With Anterior Uveitis", "AU") == len("Number of Subjects With ")
    assert acronym_expansion("Some unrelated words", "XYZ") is None


# ---------------------------------------------------------------- 2. an ambiguous abbreviation

def test_time_to_response_is_not_time_to_recurrence():
    # TTR is the vocabulary's time to recurrence; the title's words say response.
    n = names(CHECKMATE)
    assert n["Time To Response"] == 2 and "time to recurrence" not in n
    # Where the words do say the abbreviation's meaning, the code stays.
    assert n["duration of response"] == 1 and n["OS"] == 21


def test_abbreviation_code_needs_the_titles_words():
    assert outcome_endpoint("Time To Response (TTR) in Months for All Confirmed Responders") == "Time To Response"
    assert outcome_endpoint("Time to Recurrence (TTR) in Months") == "TTR"
    assert outcome_endpoint("Hematological Relapse-free Survival (RFS)") == "RFS"


# ---------------------------------------------------------------- 3. measures that differ by time

def test_same_response_at_two_visits_stays_two_endpoints():
    # 'ASAS40 Response at Week 12' and 'at Week 52' were both 'ASAS40', indistinguishable.
    czp = figures(CZP)
    week12 = {(f.measure, f.group, f.value) for name, f in czp if name == "ASAS40 Response (Week 12)"}
    week52 = {(f.measure, f.group, f.value) for name, f in czp if name == "ASAS40 Response (Week 52)"}
    assert ("proportion", "CZP 200 mg Q2W (FAS)", 47.8) in week12 and len(week12) == 3
    assert ("proportion", "CZP 200 mg Q2W (FAS)", 56.6) in week52 and len(week52) == 3
    assert names(CZP)["ASDAS-MI Response (Week 52)"] == 3
    assert names(CZP)["no Relevant Changes to Background Medication (Week 52)"] == 1


def test_visit_every_outcome_shares_is_no_part_of_the_name():
    # All of the dupilumab record's outcomes are 'at Week 16': it tells nothing apart.
    assert not any("Week" in name for name in names(DUPILUMAB))
    assert shared_visits(["X at Week 16", "Y at Week 16", "Z to Week 16"]) == frozenset({"Week 16"})
    assert shared_visits(["X at Week 12", "X at Week 52"]) == frozenset()


def test_span_from_an_event_is_no_visit():
    assert outcome_endpoint("Change From Baseline in CD4% to 144 Weeks From ART Initiation") == \
        "Change From Baseline in CD4% to 144 Weeks From ART Initiation"
    assert outcome_endpoint("Change From Baseline in Absolute CD4 to Week 72") == "Change From Baseline in Absolute CD4 (Week 72)"


# ---------------------------------------------------------------- 4. classes that are event types

def test_cancer_sites_are_endpoints_and_the_exposure_is_the_variable():
    # 'Hazard Ratio of the 10 Most Common Cancers Associated With Ever Use of Pioglitazone',
    # one class per site: each HR is that cancer's incidence.
    pio = figures(PIOGLITAZONE)
    sites = Counter(name for name, _ in pio)
    assert sites == {s: 16 for s in ("Prostate cancer", "Breast cancer", "Lung/Bronchus cancer", "Colon cancer",
                                     "Non-Hodgkin Lymphoma", "Corpus Uteri cancer", "Pancreatic cancer",
                                     "Kidney/Renal Pelvis cancer", "rectal cancer", "Melanoma")}
    ever = [f for name, f in pio if name == "Prostate cancer" and f.variable == "Ever Use of Pioglitazone"]
    assert [(f.value, f.group) for f in ever] == [(1.13, "Ever Use of Pioglitazone")]
    since = {f.group: f.value for name, f in pio
             if name == "Melanoma" and f.variable == "Time Since First Use of Pioglitazone"}
    assert since["Full Cohort, <12 months ago"] == 1.03 and len(since) == 6
    assert {f.variable for _, f in pio} == {"Ever Use of Pioglitazone", "Time Since First Use of Pioglitazone",
                                            "Duration of Pioglitazone", "Cumulative Dose of Pioglitazone"}


def test_subgroup_classes_are_groups_not_endpoints():
    # CheckMate 017's PD-L1 classes are people, not events: arm and subgroup make the group.
    check = figures(CHECKMATE)
    subgroup = [(name, f.group, f.variable, f.value) for name, f in check if "PD-L1" in (f.group or "")]
    assert ("OS", "Nivolumab, PD-L1 expression >= 5%", None, 9.95) in subgroup
    assert len(subgroup) == 18 and {name for name, *_ in subgroup} == {"OS", "PFS", "ORR"}


# ---------------------------------------------------------------- strict attributes

def test_each_arms_value_carries_the_p_of_the_test_comparing_the_arms():
    # CheckMate 017's median OS per arm had no p though the outcome's one log-rank test
    # (p = 0.0004) compares exactly those arms; the gold schema gives a test's p to every row.
    medians = {(f.group, f.value): (f.p_value, f.p_op) for name, f in figures(CHECKMATE)
               if name == "OS" and f.measure == "median" and f.ci_high in (12.62, 7.39)}   # updated follow-up
    assert medians == {("Nivolumab", 9.23): (0.0004, "="), ("Docetaxel", 6.01): (0.0004, "=")}
    # Rows of subgroup classes have tests of their own (or none): they take no p.
    assert all(f.p_value is None for _, f in figures(CHECKMATE) if f.measure == "median" and "PD-L1" in f.group)
    # An outcome without a test gives none: time to response.
    assert all(f.p_value is None for name, f in figures(CHECKMATE) if name == "Time To Response")
