"""ClinicalTrials.gov ingester, on checked-in real records (tests/fixtures/ctgov, see SOURCES.md):
API v2 study JSON, the retired classic (v1) JSON and the legacy <clinical_study> XML.

Every item the registry states (cohort, therapy, figure, adverse event) must quote its own
line of record.text and carry a locator that resolves, in the file itself, to the value it
came from. Nothing here touches the network.
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from kb import pipeline
from kb.errors import ParseError
from kb.ingesters import ctgov
from kb.ingesters.ctgov import CtgovJsonIngester, CtgovXmlIngester, months, outcome_endpoint, parse_p
from kb.models import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"
V2 = sorted((FIXTURES / "v2").glob("*.json"))
CLASSIC = sorted((FIXTURES / "classic").glob("*.json"))
LEGACY = sorted((FIXTURES / "xml").glob("*.xml"))
CZP = FIXTURES / "v2" / "NCT02278341.json"             # named NCT02278341, holds NCT02552212 (certolizumab)
REPAGLINIDE = FIXTURES / "v2" / "NCT00763412.json"     # 2 arms, no analyses, no adverse event terms
NO_RESULTS = FIXTURES / "v2" / "NCT00973089.json"      # hasResults false
OBSERVATIONAL = FIXTURES / "v2" / "NCT05594173.json"   # prospective cohort
CHECKMATE = FIXTURES / "xml" / "NCT01642004.xml"       # nivolumab vs docetaxel: OS/PFS HRs, medians, rates
RTOG_XML = FIXTURES / "xml" / "NCT00023673.xml"        # the same study as RTOG_CLASSIC
RTOG_CLASSIC = FIXTURES / "classic" / "NCT00023673.json"
ARROW = FIXTURES / "classic" / "NCT02028676.json"      # 810 KB, factorial trial, many hazard ratios
PIOGLITAZONE = FIXTURES / "xml" / "NCT02958956.xml"    # hazard ratios posted as measurements
PUBMED = Path(__file__).parent / "fixtures" / "pubmed"
HTML_PAGE = PUBMED / "Invalid-nct-id.html"             # an HTML error page saved in place of study XML
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
REALDATA_JATS = Path("/work/shared/realdata/jats_xml")

JSON_ING, XML_ING = CtgovJsonIngester(), CtgovXmlIngester()


def make_doc(path: Path | str, data: bytes | None = None) -> Document:
    data = Path(path).read_bytes() if data is None else data
    return Document(name=Path(path).name, path=str(path), data=data,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def ingester_for(path: Path):
    return XML_ING if path.suffix == ".xml" else JSON_ING


def records(path: Path, data: bytes | None = None):
    return list(ingester_for(path).parse(make_doc(path, data)))


def one(path: Path):
    (rec,) = records(path)
    return rec


# ---------------------------------------------------------------- locators

_STEP = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")


def resolve_json(obj, locator: str):
    """'a.b[0].c' -> obj['a']['b'][0]['c']; the whole locator must be consumed."""
    pos, node = 0, obj
    while pos < len(locator):
        m = _STEP.match(locator, pos)
        assert m, f"bad locator {locator!r} at {pos}"
        node = node[m.group(1)] if m.group(1) else node[int(m.group(2))]
        pos = m.end()
    return node


def scalars(node) -> set[str]:
    """Every scalar a located JSON value or XML element holds, as text."""
    if isinstance(node, dict):
        return {str(v).strip() for v in node.values() if not isinstance(v, (dict, list))}
    if isinstance(node, list):
        return {str(v).strip() for v in node if not isinstance(v, (dict, list))}
    out = {v.strip() for v in node.attrib.values()}
    out |= {(e.text or "").strip() for e in node.iter() if isinstance(e.tag, str)}
    return out


@lru_cache(maxsize=4)
def _parsed(path: Path):
    if path.suffix == ".xml":
        return etree.parse(str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def locate(path: Path, locator: str):
    """The value a locator names, in the file itself: XPath for XML, a JSON path otherwise."""
    if path.suffix == ".xml":
        found = _parsed(path).xpath(locator)
        assert len(found) == 1, locator
        return found[0]
    return resolve_json(_parsed(path), locator)


def as_numbers(values: set[str]) -> set[float]:
    out = set()
    for v in values:
        try:
            out.add(round(float(v), 6))
        except ValueError:
            pass
    return out


# ---------------------------------------------------------------- every sample

ALL = V2 + CLASSIC + LEGACY


@pytest.mark.parametrize("path", ALL, ids=[f"{p.parent.name}/{p.name}" for p in ALL])
def test_every_sample_parses_with_exact_quotes_and_resolving_locators(path):
    rec = one(path)
    assert re.fullmatch(r"NCT\d{8}", rec.nct_id)
    assert rec.title and rec.text.startswith(rec.title)
    assert rec.source_format == {"v2": "ctgov-json-v2", "classic": "ctgov-json-classic",
                                 "xml": "ctgov-xml"}[path.parent.name]
    assert rec.pub_date and re.fullmatch(r"\d{4}(-\d\d){0,2}", rec.pub_date)
    kinds = {s.kind: rec.text[s.start:s.end] for s in rec.spans}
    assert kinds["title"] == rec.title
    if rec.abstract:
        assert kinds["abstract"] == rec.abstract
    st = rec.stated
    for item in [*st.figures, *st.cohorts, *st.adverse_events]:
        assert item.quote == rec.text[item.start:item.end]
        assert "\n" not in item.quote
        assert item.locator
        node = locate(path, item.locator)
        n = getattr(item, "n", None)
        if n is not None:                                   # cohorts and adverse events
            assert str(n) in scalars(node)
    for t in st.therapies:
        assert rec.text[t.start:t.end] == t.mention
    for f in st.figures:
        assert f.unit in ("%", "ratio", "months") and f.measure in ("rate", "HR", "OR", "RR", "median", "proportion")
        assert f.rule in ("ctgov.outcome", "ctgov.analysis") and f.confidence == 0.95
        values = as_numbers(scalars(locate(path, f.locator)))
        assert round(f.value, 6) in values                  # all samples state times in months
        if f.ci_low is not None:
            assert round(f.ci_low, 6) in values


# ---------------------------------------------------------------- NCT02278341.json (holds NCT02552212)

def test_czp_identity_design_and_arms():
    rec = one(CZP)
    assert rec.nct_id == "NCT02552212"           # the file name says NCT02278341; the content wins
    assert rec.title.startswith("Phase 3, Multicenter, Randomized, Placebo-Controlled, Double-Blind Study to Evaluate")
    assert rec.pub_date == "2015-09-17"
    assert rec.year == 2015
    assert "Axial Spondyloarthritis" in rec.keywords
    st = rec.stated.study
    assert (st.design, st.condition, st.n_patients) == ("randomized controlled trial", "Axial Spondyloarthritis", 317)
    assert "Arms:\nCertolizumab Pegol 200 mg Q2W: EXPERIMENTAL. Certolizumab Pegol (CZP) 400 mg" in rec.text
    assert "\nPlacebo: PLACEBO_COMPARATOR. Matching placebo" in rec.text


def test_czp_interventions_and_cohorts():
    rec = one(CZP)
    assert [(t.mention, t.canonical, t.therapy_class) for t in rec.stated.therapies] == [
        ("Certolizumab Pegol", "certolizumab pegol", "other")]          # the placebo is no therapy
    assert [(c.label, c.n, c.quote) for c in rec.stated.cohorts] == [
        ("Placebo", 158, "Placebo: 158 started"),
        ("CZP 200 mg Q2W", 159, "CZP 200 mg Q2W: 159 started"),
        ("SFE OL CZP 200 mg Q2W", 243, "SFE OL CZP 200 mg Q2W: 243 started"),   # starts in the 2nd period
    ]
    assert rec.stated.cohorts[0].locator == "resultsSection.participantFlowModule.periods[0].milestones[0].achievements[0]"


def test_czp_odds_ratio_with_ci_and_p():
    rec = one(CZP)
    ors = [f for f in rec.stated.figures if f.measure == "OR"]
    assert len(ors) == 5
    f = ors[0]
    assert (f.value, f.unit, f.ci_low, f.ci_high, f.p_value, f.p_op) == (15.231, "ratio", 7.336, 31.623, 0.001, "<")
    assert (f.group, f.comparator) == ("CZP 200 mg Q2W (FAS)", "Placebo (FAS)")   # placebo listed first
    assert f.endpoint == "ASDAS-MI Response (Week 52)"   # the short name the title defines, and its visit
    assert f.rule == "ctgov.analysis"
    assert f.locator == "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].analyses[0]"
    assert f.quote == ("Analysis (Placebo (FAS) vs CZP 200 mg Q2W (FAS)): Odds Ratio (OR) 15.231 "
                       "(95% CI 7.336 to 31.623), p <0.001, Regression, Logistic")
    uveitis = [f for f in ors if f.p_op == "="]
    assert [(f.value, f.p_value) for f in uveitis] == [(0.484, 0.247)]          # '=0.247'


def test_czp_proportions_per_arm():
    rec = one(CZP)
    first = [f for f in rec.stated.figures if f.locator.startswith(
        "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].classes")]
    assert [(f.measure, f.group, f.value, f.unit) for f in first] == [
        ("proportion", "Placebo (FAS)", 7.0, "%"), ("proportion", "CZP 200 mg Q2W (FAS)", 47.2, "%")]
    assert first[1].quote == "CZP 200 mg Q2W (FAS): 47.2 percentage of subjects"
    assert first[1].locator.endswith("outcomeMeasures[0].classes[0].categories[0].measurements[1]")
    # Plasma concentrations (µg/mL) and score changes are rendered but are no figures.
    assert "Outcome: Certolizumab Pegol Plasma Concentration at Week 12 (PRIMARY)." in rec.text
    assert not any("Concentration" in f.endpoint for f in rec.stated.figures)
    assert {f.measure for f in rec.stated.figures} == {"proportion", "OR"}
    assert len(rec.stated.figures) == 26


def test_czp_adverse_events():
    rec = one(CZP)
    aes = rec.stated.adverse_events
    # every term x group the registry counts, zeros too (0 of 158 is what it states), and each
    # group's totals: 5 groups x (serious, other)
    assert len(aes) == 235
    assert sum(a.n == 0 for a in aes) == 150
    glaucoma = [(a.grade, a.n, a.percent, a.quote) for a in aes if a.event == "Glaucoma"]
    assert glaucoma[:2] == [("serious", 0, 0.0, "Serious adverse event: Glaucoma — Placebo (SS): 0/158"),
                            ("serious", 1, 0.6, "Serious adverse event: Glaucoma — CZP 200 mg Q2W (SS): 1/159")]
    assert [a.locator for a in aes if a.event == "Glaucoma"][1] == \
        "resultsSection.adverseEventsModule.seriousEvents[0].stats[1]"
    # the registry's "other" events are its non-serious ones
    diarrhoea = [(a.grade, a.n, a.percent) for a in aes if a.event == "Diarrhoea" and a.grade != "serious"]
    assert diarrhoea[0] == ("non-serious", 10, 6.3)          # 10/158 in the placebo group
    totals = [(a.event, a.grade, a.n, a.percent, a.quote) for a in aes if a.event.startswith("any ")]
    assert len(totals) == 10
    assert totals[:2] == [
        ("any serious adverse event", "serious", 4, 2.5, "Serious adverse events — Placebo (SS): 4/158"),
        ("any other (non-serious) adverse event", "non-serious", 59, 37.3, "Other adverse events — Placebo (SS): 59/158")]
    assert all(a.locator.startswith("resultsSection.adverseEventsModule.eventGroups[") for a in aes
               if a.event.startswith("any "))


# ---------------------------------------------------------------- NCT00763412.json

def test_repaglinide_arms_interventions_cohorts():
    rec = one(REPAGLINIDE)
    assert rec.nct_id == "NCT00763412"
    assert rec.stated.study.design == "randomized controlled trial"
    # 31 enrolled, 16 started the two arms (8 + 8): the study is of the 16
    assert rec.stated.study.n_patients == 16
    assert "\n1 Placebo: PLACEBO_COMPARATOR. 1 pill before each meal" in rec.text
    assert "\n2. repaglinide: EXPERIMENTAL. repaglinide 0.5 mg" in rec.text
    assert [(t.mention, t.canonical, t.therapy_class) for t in rec.stated.therapies] == [
        ("repaglinide", "repaglinide", "other")]
    assert "repaglinide (DRUG); other names: Prandin." in rec.text
    assert [(c.label, c.n) for c in rec.stated.cohorts] == [("Placebo", 8), ("2. Repaglinide", 8)]


def test_repaglinide_units_the_contract_cannot_express_make_no_figures():
    rec = one(REPAGLINIDE)
    assert rec.stated.figures == []        # BMI kg/m^2, % body mass, mg/L, z scores, Tanner stage
    assert "Outcome: BMI (PRIMARY). Time frame: 2 year/end of study." in rec.text
    assert "\n1 Placebo: 19.63 Kg/m^2 (Full Range 15.56 to 22.64)\n" in rec.text
    assert "\nFat — 1 Placebo: 19.82 % body mass (Full Range 12 to 37.8)\n" in rec.text
    # no participant had an event: each group's totals, zero
    assert [(a.event, a.n) for a in rec.stated.adverse_events] == [
        ("any serious adverse event", 0), ("any other (non-serious) adverse event", 0)] * 2
    assert "Serious adverse events — Placebo: 0/8" in rec.text


# ---------------------------------------------------------------- legacy XML and classic JSON

def test_checkmate_017_hazard_ratios_medians_and_rates():
    rec = one(CHECKMATE)
    figs = rec.stated.figures
    os_hr = [f for f in figs if f.endpoint == "OS" and f.measure == "HR"]
    f = os_hr[0]
    assert (f.value, f.ci_low, f.ci_high, f.p_value, f.p_op) == (0.62, 0.47, 0.81, 0.0004, "=")
    assert (f.group, f.comparator) == ("Nivolumab", "Docetaxel")
    assert f.locator == "/clinical_study/clinical_results/outcome_list/outcome[1]/analysis_list/analysis"
    # A 96.85% CI is stated in the quote but is not the 95% CI the contract's fields mean.
    (hr_9685,) = [f for f in os_hr if f.value == 0.59]
    assert (hr_9685.ci_low, hr_9685.ci_high, hr_9685.p_value) == (None, None, 0.0002)
    assert "(96.85% CI 0.43 to 0.81)" in hr_9685.quote
    medians = [(f.group, f.value, f.ci_low, f.ci_high) for f in figs if f.endpoint == "OS" and f.measure == "median"]
    assert medians[:2] == [("Nivolumab", 9.23, 7.33, 12.62), ("Docetaxel", 6.01, 5.29, 7.39)]
    rates = [(f.timepoint_months, f.group, f.value) for f in figs if f.endpoint == "OS" and f.measure == "rate"]
    assert rates == [(6.0, "Nivolumab", 63.7), (6.0, "Docetaxel", 50.7), (12.0, "Nivolumab", 42.2),
                     (12.0, "Docetaxel", 24.3), (18.0, "Nivolumab", 28.1), (18.0, "Docetaxel", 12.5)]
    orr = [(f.group, f.value) for f in figs if f.endpoint == "ORR" and f.measure == "proportion" and "PD-L1" not in f.group]
    assert orr == [("Nivolumab", 20.0), ("Docetaxel", 8.8)]
    assert [(t.canonical, t.therapy_class) for t in rec.stated.therapies] == [
        ("nivolumab", "immunotherapy"), ("docetaxel", "chemotherapy")]
    assert [(c.label, c.n) for c in rec.stated.cohorts] == [("Nivolumab", 135), ("Docetaxel", 137)]
    anaemia = [(a.n, a.percent) for a in rec.stated.adverse_events if a.event == "Anaemia" and a.grade == "serious"]
    assert anaemia == [(2, 1.5), (0, 0.0)]                             # 2/131, 0/129
    assert len(figs) == 54


def test_classic_json_and_legacy_xml_of_one_study_agree():
    a, b = one(RTOG_CLASSIC), one(RTOG_XML)
    assert a.nct_id == b.nct_id == "NCT00023673"
    assert a.source_format == "ctgov-json-classic" and b.source_format == "ctgov-xml"
    assert a.stated.study == b.stated.study
    assert a.stated.study.design == "single-arm trial"
    assert [(c.label, c.n) for c in a.stated.cohorts] == [(c.label, c.n) for c in b.stated.cohorts]
    assert [(t.canonical, t.therapy_class) for t in a.stated.therapies] == [
        ("carboplatin", "chemotherapy"), ("paclitaxel", "chemotherapy"), ("3D conformal radiotherapy", "radiotherapy")]
    key = lambda f: (f.endpoint, f.measure, f.timepoint_months, f.group, f.value, f.ci_low, f.ci_high)  # noqa: E731
    assert [key(f) for f in a.stated.figures] == [key(f) for f in b.stated.figures] == [
        ("OS", "rate", 12.0, "Phase I/II: 74 Gy/37 fx + Chemotherapy", 75.5, 61.5, 85.0)]
    key = lambda x: (x.event, x.grade, x.n, x.percent)  # noqa: E731
    assert sorted(map(key, a.stated.adverse_events)) == sorted(map(key, b.stated.adverse_events))
    assert len(a.stated.adverse_events) == 332
    assert a.stated.figures[0].locator.startswith(
        "FullStudiesResponse.FullStudies[0].Study.ResultsSection.OutcomeMeasuresModule.OutcomeMeasureList")


def test_classic_arrow_hazard_ratios():
    rec = one(ARROW)
    hrs = [f for f in rec.stated.figures if f.measure == "HR"]
    assert len(hrs) == 38 and len(rec.stated.figures) == 38      # risk differences are no contract measure
    f = hrs[0]
    assert (f.value, f.ci_low, f.ci_high, f.p_value, f.p_op) == (1.13, 0.73, 1.73, 0.59, "=")
    assert (f.group, f.comparator) == ("Clinically Driven Monitoring (CDM)", "Laboratory Plus Clinical Monitoring (LCM)")
    assert f.endpoint == "Disease Progression to a New WHO Stage 4 Event or Death"
    # Monitoring strategies are interventions, not therapies.
    assert not any("monitoring" in t.canonical for t in rec.stated.therapies)


def test_hazard_ratios_posted_as_measurements():
    rec = one(PIOGLITAZONE)
    assert rec.stated.study.design == "prospective cohort"
    prostate = rec.stated.figures[0]
    assert (prostate.measure, prostate.unit, prostate.value, prostate.ci_low, prostate.ci_high) == (
        "HR", "ratio", 1.13, 1.02, 1.26)
    # The cancer site is what the ratio counts (see tests/test_ctgov_endpoints.py).
    assert (prostate.endpoint, prostate.variable, prostate.group) == (
        "Prostate cancer", "Ever Use of Pioglitazone", "Ever Use of Pioglitazone")
    assert prostate.quote == "Prostate — Full Cohort: 1.13 Ratio (95% Confidence Interval 1.02 to 1.26)"
    assert {f.measure for f in rec.stated.figures} == {"HR"}      # case counts are no figures


def test_observational_design_and_no_results_study():
    assert one(OBSERVATIONAL).stated.study.design == "prospective cohort"
    rec = one(NO_RESULTS)
    assert rec.stated.figures == [] and rec.stated.cohorts == [] and rec.stated.adverse_events == []
    assert rec.stated.study.design == "randomized controlled trial"


# ---------------------------------------------------------------- small rules

@pytest.mark.parametrize("raw, expected", [
    ("<0.001", (0.001, "<")), ("=0.247", (0.247, "=")), ("0.0004", (0.0004, "=")), ("< 0.0001", (0.0001, "<")),
    ("≤0.05", (0.05, "<")), (">0.05", (None, None)), ("NA", (None, None)), (None, (None, None)),
])
def test_parse_p(raw, expected):
    assert parse_p(raw) == expected


def test_time_units_convert_to_months():
    assert months(52, "weeks") == 11.96
    assert months(365, "Days") == 11.99
    assert months(2, "years") == 24.0
    assert months(9.23, "months") == 9.23
    assert months(3, "Kg/m^2") is None


@pytest.mark.parametrize("title, endpoint", [
    ("Overall Survival (OS) Time in Months for All Randomized Participants", "OS"),
    ("Duration of Objective Response (DOR) in Months for All Confirmed Responders", "DOR"),
    ("Progression-Free Survival (PFS) at Primary Endpoint", "PFS"),
    ("Percentage of Patients Who Survive at Least 12 Months", "OS"),
    ("Percentage of Participants Achieving an Eczema Area and Severity Index-50 (EASI-50) at Week 16",
     "EASI-50 (Week 16)"),   # the short name the title defines; alone, its visit tells it apart
    ("Number of Subjects Without Relevant Changes to Background Medication", "no Relevant Changes to Background Medication"),
])
def test_outcome_endpoint(title, endpoint):
    assert outcome_endpoint(title) == endpoint


# ---------------------------------------------------------------- wrappers and hostile input

def test_studies_page_gives_one_record_per_study(tmp_path):
    studies = [json.loads(p.read_text(encoding="utf-8")) for p in (REPAGLINIDE, CZP)]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies, "nextPageToken": "x"}), encoding="utf-8")
    assert JSON_ING.sniff(page.read_bytes()[:65536], make_doc(page))
    recs = records(page)
    assert [r.nct_id for r in recs] == ["NCT00763412", "NCT02552212"]
    for r in recs:
        for f in r.stated.figures + r.stated.cohorts:
            assert f.locator.startswith("studies[")
            node = resolve_json(json.loads(page.read_text(encoding="utf-8")), f.locator)
            assert isinstance(node, dict)


def test_xml_with_entity_declarations_is_refused(tmp_path):
    bomb = b'<?xml version="1.0"?><!DOCTYPE clinical_study [<!ENTITY a "aaaaaaaaaa">]>' \
           b"<clinical_study><brief_title>&a;</brief_title></clinical_study>"
    path = tmp_path / "x.xml"
    path.write_bytes(bomb)
    assert XML_ING.sniff(bomb, make_doc(path))
    with pytest.raises(ParseError, match="declares entities"):
        records(path)


def test_xml_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    data = (f'<?xml version="1.0"?><!DOCTYPE clinical_study SYSTEM "file://{secret}">'
            "<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info>"
            "<brief_title>T</brief_title></clinical_study>").encode()
    path = tmp_path / "x.xml"
    path.write_bytes(data)
    (rec,) = records(path)
    assert "TOPSECRET" not in rec.text and rec.nct_id == "NCT00000001"


def test_malformed_json_and_json_without_a_study(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"protocolSection": {')
    with pytest.raises(ParseError, match="malformed"):
        records(bad)
    other = tmp_path / "other.json"
    other.write_bytes(b'{"protocolSection": "not a module"}')
    with pytest.raises(ParseError, match="no ClinicalTrials.gov study"):
        records(other)


# ---------------------------------------------------------------- sniffing

def _sniff(ing, path: Path) -> bool:
    data = path.read_bytes()
    return ing.sniff(data[:65536], make_doc(path, data))


def _not_ctgov() -> list[Path]:
    paths = sorted(PUBMED.glob("*.xml")) + sorted(PUBMED.glob("*.gz")) + [HTML_PAGE] + sorted(SAMPLES.glob("*"))
    if REALDATA_JATS.is_dir():
        paths += sorted(REALDATA_JATS.glob("*"))
    return paths


@pytest.mark.parametrize("path", ALL, ids=[p.name + "-" + p.parent.name for p in ALL])
def test_sniff_claims_each_format_with_its_own_ingester(path):
    own, other = (XML_ING, JSON_ING) if path.suffix == ".xml" else (JSON_ING, XML_ING)
    assert _sniff(own, path)
    assert not _sniff(other, path)


@pytest.mark.parametrize("path", _not_ctgov(), ids=lambda p: p.name)
def test_sniff_rejects_everything_else(path):
    assert not _sniff(JSON_ING, path)
    assert not _sniff(XML_ING, path)


def test_html_error_page_is_not_claimed_and_not_parsed():
    assert not _sniff(XML_ING, HTML_PAGE) and not _sniff(JSON_ING, HTML_PAGE)
    with pytest.raises(ParseError):
        records(HTML_PAGE.with_suffix(".xml"), HTML_PAGE.read_bytes())


def test_sniff_is_by_content_not_name(tmp_path):
    renamed = tmp_path / "study.txt"
    renamed.write_bytes(CZP.read_bytes())
    assert _sniff(JSON_ING, renamed)
    fake = tmp_path / "NCT01234567.json"
    fake.write_text('{"title": "not a trial", "abstract": "x"}\n', encoding="utf-8")
    assert not _sniff(JSON_ING, fake)


# ---------------------------------------------------------------- through the pipeline

def test_pipeline_picks_ctgov():
    assert pipeline.pick_ingester(make_doc(CZP)).format == "ctgov-json"
    assert pipeline.pick_ingester(make_doc(RTOG_CLASSIC)).format == "ctgov-json"
    assert pipeline.pick_ingester(make_doc(CHECKMATE)).format == "ctgov-xml"


def test_ingest_through_pipeline(store):
    report = pipeline.ingest_paths(store, [str(CZP), str(CHECKMATE)])
    assert report.failed == [] and report.studies == 2
    rows = {r[0]: r[1:] for r in store.execute(
        "SELECT nct_id, design, n_patients, year FROM studies ORDER BY nct_id").fetchall()}
    assert rows == {"NCT01642004": ("randomized controlled trial", 272, 2012),  # 352 enrolled, 272 randomized
                    "NCT02552212": ("randomized controlled trial", 317, 2015)}
    sid = store.execute("SELECT id FROM studies WHERE nct_id = 'NCT02552212'").fetchone()[0]
    cohorts = store.execute("SELECT label, n, locator FROM cohorts WHERE study_id = ? ORDER BY id", [sid]).fetchall()
    assert [(c[0], c[1]) for c in cohorts][:3] == [("Placebo", 158), ("CZP 200 mg Q2W", 159),
                                                   ("SFE OL CZP 200 mg Q2W", 243)]
    assert all(c[2] for c in cohorts[:3])
    figs = store.execute("SELECT endpoint, measure, value, ci_low, ci_high, p_value, p_op, \"group\", comparator, "
                         "locator, rule, quote, start, \"end\", document_id FROM figures WHERE study_id = ?",
                         [sid]).fetchall()
    ctgov_figs = [f for f in figs if (f[10] or "").startswith("ctgov.")]
    assert len(ctgov_figs) == 26 and all(f[9] for f in ctgov_figs)
    (or_row,) = [f for f in ctgov_figs if f[1] == "OR" and f[2] == 15.231]
    assert or_row[3:9] == (7.336, 31.623, 0.001, "<", "CZP 200 mg Q2W (FAS)", "Placebo (FAS)")
    # Quotes still point into the stored document text (offsets shifted per record).
    doc_text = store.execute("SELECT text FROM documents WHERE id = ?", [or_row[14]]).fetchone()[0]
    for f in figs:
        assert doc_text[f[12]:f[13]] == f[11]
    n_ae = store.execute("SELECT count(*) FROM adverse_events WHERE study_id = ? AND locator IS NOT NULL",
                         [sid]).fetchone()[0]
    assert n_ae == 235
    therapies = store.execute("SELECT t.canonical FROM study_therapies st JOIN therapies t ON t.id = st.therapy_id "
                              "WHERE st.study_id = ?", [sid]).fetchall()
    assert ("certolizumab pegol",) in therapies

    def counts():
        return {t: store.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
                for t in ("documents", "studies", "figures", "cohorts", "adverse_events", "study_therapies")}
    before = counts()
    again = pipeline.ingest_paths(store, [str(CZP), str(CHECKMATE)])
    assert again.ingested == [] and sorted(again.unchanged) == sorted([str(CZP), str(CHECKMATE)])
    assert counts() == before


@pytest.mark.parametrize("title,endpoint", [
    # a plural acronym is left to the words; a long title is never cut inside a parenthesis
    ("Serious Adverse Events (SAEs) During the Study", "Serious Adverse Events"),
    ("Positive Response (≥4-Fold Increase) to Tetanus Toxoid (the Adacel [Tdap] Vaccine) Among Participants With a "
     "Pre-vaccination Tetanus Titer", "Positive Response (≥4-Fold Increase) to Tetanus Toxoid"),
])
def test_outcome_endpoint_words(title, endpoint):
    assert outcome_endpoint(title) == endpoint


def test_adverse_events_not_collected_make_none():
    # An observational study's page prints 0/0 totals: nobody at risk, so no event, not zeros.
    rec = one(Path(__file__).parent.parent / "eval" / "docs" / "registry" / "NCT02958956.xml")
    assert "Serious adverse events — Ever User of Pioglitazone: 0/0" in rec.text
    assert rec.stated.adverse_events == []
