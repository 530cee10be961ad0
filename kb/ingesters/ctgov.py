"""ClinicalTrials.gov study records: API v2 JSON, classic (v1) JSON and legacy XML.

Told apart by content, never the file name:

* API v2 study JSON: an object with `protocolSection` (one study), `{"studies": [...]}`
  (a search page) or a bare list of study objects;
* the retired classic API JSON: `{"FullStudiesResponse": {"FullStudies": [{"Study": ...}]}}`
  or a bare `{"Study": ...}`, with the same modules under CamelCase names and every list
  wrapped in an object (`OutcomeMeasureList.OutcomeMeasure[...]`);
* the legacy XML download: a `<clinical_study>` document, read with a parser that loads no
  DTD, touches no network and resolves no entities.

JSON is streamed (issue 4): a search page or a list of studies is read one study at a time
with ijson (kb.ingesters.stream). A legacy XML file holds one study and is parsed whole.

Each format is first read into one small model (`CtStudy`), every item remembering where in
the file it stood: a JSON path ("resultsSection.outcomeMeasuresModule.outcomeMeasures[0]")
or an XPath ("/clinical_study/clinical_results/outcome_list/outcome[2]"). The model is then
rendered once, for all three formats, into `record.text`: a plain-text rendering of the
record (title, summary, arms, interventions, participants, every outcome measure with its
analyses, adverse events), and what the registry states outright becomes `record.stated`:
design, condition, enrollment, arm cohorts, interventions, figures and adverse events, each
quoting its own line of that text, with the locator of its source.

Figures are only made where the export contract can say what the registry says:
medians in a time unit (converted to months), percentages of participants (a `proportion`,
or a `rate` at a time point for survival-type outcomes), ratios stated as measurements,
and hazard / odds / risk ratios of statistical analyses. Everything else (scores, titres,
means of lab values, differences) is rendered into the text but yields no figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from lxml import etree

from kb.errors import ParseError
from kb.extract import endpoints as ep
from kb.extract.therapies import therapies_in_label
from kb.extract.vocab import load_vocab
from kb.hookspecs import hookimpl
from kb.ingesters.base import iso_date, refuse_declared_entities
from kb.ingesters.stream import JsonBroken, JsonScan, broken_json, json_items, scan_json
from kb.ingesters.pubmed_xml import iso_from_parts, month_number, root_name, text_of
from kb.models import (AdverseEvent, ArticleRecord, Cohort, Document, Extraction, Figure, Span, StudyFacts,
                       TherapyMention)

FORMAT_JSON = "ctgov-json"
FORMAT_XML = "ctgov-xml"
RULE_OUTCOME = "ctgov.outcome"
RULE_ANALYSIS = "ctgov.analysis"
# Posted results are the registry's own numbers, typed into fields: the only doubt left is
# whether our reading of the outcome's title (endpoint, time point) is the right one.
CONFIDENCE = 0.95

# Safe by construction, as for PubMed XML: no DTD, no network, no entity substitution.
XML_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)

_V2_KEYS = (b'"protocolSection"',)
_CLASSIC_KEYS = (b'"FullStudiesResponse"', b'"ProtocolSection"')

# Average month lengths: a median of 52 weeks is 11.96 months, of 365 days 11.99.
_DAYS_PER_MONTH = 365.25 / 12
_TIME_UNITS = {"month": 1.0, "week": 7 / _DAYS_PER_MONTH, "day": 1 / _DAYS_PER_MONTH, "year": 12.0}
_TIME_UNIT_RE = re.compile(r"^\s*(months?|weeks?|days?|years?)\s*$", re.I)
# "Percentage of participants", "% of subjects", "percent of patients": a share of people.
_PEOPLE = r"(?:participants?|subjects?|patients?|people|persons?|children|adults|infants|women|men|responders)"
_PERCENT_OF_PEOPLE = re.compile(rf"^\s*(?:%|percent(?:age)?)\s*(?:of\s+)?(?:all\s+)?{_PEOPLE}\b", re.I)
# "percent probability of OS", "percentage probability": a Kaplan-Meier estimate.
_PERCENT_PROBABILITY = re.compile(r"^\s*(?:%|percent(?:age)?)\s*(?:of\s+)?probability\b", re.I)
_RATIO_UNIT = re.compile(r"^\s*ratio\s*$", re.I)
_RATIO_KINDS = ((re.compile(r"hazard\s+ratio", re.I), "HR"), (re.compile(r"odds\s+ratio", re.I), "OR"),
                (re.compile(r"risk\s+ratio|relative\s+risk|rate\s+ratio", re.I), "RR"))
# "12-month", "2 year", "100-Day": a time point named in a title, a class or a time frame.
_TIMEPOINT = re.compile(r"\b(\d+(?:\.\d+)?)[\s-]*(months?|years?|yrs?|weeks?|days?)\b", re.I)
_SURVIVE = re.compile(r"\bsurviv", re.I)
_CONTROL_WORDS = re.compile(r"\b(?:placebo|control|sham|standard|usual care|observation|vehicle|comparator)\b", re.I)
_CONTROL_TYPES = {"PLACEBO_COMPARATOR", "ACTIVE_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION"}
# Intervention types that are no treatment when the vocabulary does not know the name.
_NOT_TREATMENT_TYPES = {"OTHER", "BEHAVIORAL", "DIAGNOSTIC_TEST"}
_PLACEBO = re.compile(r"^\s*(?:matching\s+)?(?:placebos?|sham(?:\s+\w+)?|vehicle)\s*$", re.I)
_TITLE_PREFIX = re.compile(
    r"^\s*(?:(?:hazard|odds|risk)\s+ratios?\s+(?:\(\w+\)\s+)?(?:of|for)\s+(?:the\s+)?|"
    rf"(?:percentage|percent|proportion|number|rate)\s+of\s+(?:all\s+)?{_PEOPLE}\s+"
    r"(?:(?:with|who|achieving|experiencing|having|reporting|that|(?P<without>without))\b)?\s*(?:(?:an?|the)\s+)?)",
    re.I)
# What a title says after the thing measured: the population ("for All Randomized
# Participants"), the analysis ("at Primary Endpoint"), the unit ("in Months") and a window
# in words ("During the Study", "Within the First Treatment Cycle"), which the outcome's
# time frame states anyway.
_TITLE_TAIL = re.compile(
    r"\s+(?:in|for|among)\s+all\b.*$|\s+at\s+(?:primary|updated|the|final|interim)\b.*$|"
    r"\s+in\s+(?:months|weeks|days|years)\b.*$|"
    r"\s+(?:during|within|throughout)\s+(?:the\s+)?(?:first\s+|entire\s+|whole\s+)?"
    r"(?:study|trial|treatment|cycle|follow|\w+\s+(?:cycle|period|phase))\b.*$", re.I)
# A numbered visit a title names: "at Week 52", "by Week 12", "Through Week 52", "From Baseline
# to Week 52", "at 12 months" (not "to 144 Weeks From ART Initiation", a span from an event,
# left to the words). Two measures of one thing at two visits differ only by it.
_TITLE_TIME = re.compile(
    r"\s*\b(?:(?:from\s+baseline\s+)?(?P<prep>at|by|through|to|up\s+to|until)\s+)"
    r"(?:(?P<unit>week|month|day|year)\s+(?P<n>\d+(?:\.\d+)?)|(?P<n2>\d+(?:\.\d+)?)[\s-]*(?P<unit2>week|month|day|year)s?\b(?!\s+(?:after|from|post|since)\b))",
    re.I)
_MAX_ENDPOINT_WORDS = 80
# An acronym in parentheses right after the words it abbreviates (two capitals at least).
# A plural one ("SAEs") is left to the words, which say it better.
_DEFINED_ACRONYM = re.compile(r"[a-z]\S*\s+\((?=[^()]*[A-Z][^()]*[A-Z])([A-Z][A-Za-z0-9-]{0,10}[A-Z0-9])\)")
_PLURAL_ACRONYM = re.compile(r"\s+\(([A-Z][A-Za-z0-9-]{0,10}[A-Z0-9]s)\)")
# Cancers of a site clinicians name by the site's adjective, never by its noun ("rectal
# cancer", not "rectum cancer"). Sites named by the noun ("colon", "breast") need no entry.
_SITE_ADJECTIVES = {"rectum": "rectal", "pancreas": "pancreatic", "ovary": "ovarian", "cervix": "cervical",
                    "esophagus": "esophageal", "oesophagus": "oesophageal", "uterus": "uterine"}
# "associated with ever use of X", "by duration of X": what a ratio of events is a ratio for.
_EXPOSURE = re.compile(r"\b(?:associated\s+with|according\s+to|in\s+relation\s+to|by)\s+(?P<x>\S.*)$", re.I)
# "(n=42,39)": the counts a class title carries, no part of its name.
_CLASS_COUNTS = re.compile(r"\s*\(\s*n\s*=\s*[\d,;\s]+\)\s*$", re.I)


# ---------------------------------------------------------------- the common model

@dataclass
class CtArm:
    label: str
    type: str | None
    description: str | None
    path: str


@dataclass
class CtIntervention:
    type: str | None
    name: str
    description: str | None
    other_names: list[str]
    path: str


@dataclass
class CtCount:
    """A group's participant count: who started the study, or the baseline denominator."""
    group_id: str
    n: int
    path: str


@dataclass
class CtMeasurement:
    group_id: str
    value: str
    spread: str | None
    lower: str | None
    upper: str | None
    path: str


@dataclass
class CtCategory:
    """One row of an outcome's results: class and category titles, a value per group.

    The registry's own structure tells what a row is: a class is a part of the participants
    or of the events (a subgroup, a time point, a cancer site), a category a value of a
    categorical measure (a response category). `title` joins both for the text."""
    title: str | None
    measurements: list[CtMeasurement]
    class_title: str | None = None
    category_title: str | None = None

    @classmethod
    def of(cls, class_title: str | None, category_title: str | None,
           measurements: list[CtMeasurement]) -> "CtCategory":
        return cls(_join_titles(class_title, category_title), measurements, class_title or None,
                   category_title or None)


@dataclass
class CtAnalysis:
    group_ids: list[str]
    param_type: str | None
    param_value: str | None
    ci_pct: str | None
    ci_lower: str | None
    ci_upper: str | None
    p_value: str | None
    method: str | None
    estimate_desc: str | None
    path: str


@dataclass
class CtOutcome:
    type: str | None
    title: str
    time_frame: str | None
    param_type: str | None
    dispersion_type: str | None
    unit: str | None
    groups: dict[str, str]
    denoms: list[CtCount]
    categories: list[CtCategory]
    analyses: list[CtAnalysis]
    path: str


@dataclass
class CtEventStat:
    group_id: str
    affected: int | None
    at_risk: int | None
    path: str


@dataclass
class CtEvent:
    term: str
    serious: bool
    stats: list[CtEventStat]
    path: str


@dataclass
class CtStudy:
    source_format: str
    nct_id: str | None = None
    brief_title: str | None = None
    official_title: str | None = None
    brief_summary: str | None = None
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    study_type: str | None = None          # normalised: INTERVENTIONAL, OBSERVATIONAL, ...
    allocation: str | None = None          # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str | None = None  # SINGLE_GROUP, PARALLEL, ...
    observational_model: str | None = None
    time_perspective: str | None = None
    phases: list[str] = field(default_factory=list)
    enrollment: int | None = None
    start_date: str | None = None
    first_posted: str | None = None
    results_posted: str | None = None
    completion_date: str | None = None
    arms: list[CtArm] = field(default_factory=list)
    interventions: list[CtIntervention] = field(default_factory=list)
    flow_groups: dict[str, str] = field(default_factory=dict)
    started: list[CtCount] = field(default_factory=list)
    baseline_groups: dict[str, str] = field(default_factory=dict)
    baseline: list[CtCount] = field(default_factory=list)
    outcomes: list[CtOutcome] = field(default_factory=list)
    event_groups: dict[str, str] = field(default_factory=dict)
    event_totals: list[tuple[str, str, int | None, int | None, str]] = field(default_factory=list)  # kind, group, n, at risk, path
    events: list[CtEvent] = field(default_factory=list)


def enum(s: str | None) -> str | None:
    """'Single Group Assignment' / 'SINGLE_GROUP' -> 'SINGLE_GROUP_ASSIGNMENT' / 'SINGLE_GROUP'."""
    if not s:
        return None
    return re.sub(r"[^A-Z0-9]+", "_", s.upper()).strip("_") or None


def to_int(s: Any) -> int | None:
    if isinstance(s, bool) or s is None:
        return None
    if isinstance(s, int):
        return s
    m = re.fullmatch(r"\s*(\d[\d,]*)\s*", str(s))
    return int(m.group(1).replace(",", "")) if m else None


def registry_date(s: str | None) -> str | None:
    """'2006-11', 'July 2001', 'September 13, 2001' -> ISO-8601 as precise as given."""
    if not s or not s.strip():
        return None
    if re.match(r"\s*\d{4}", s):
        return iso_date(s)
    m = re.match(r"\s*([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})\b", s)
    if not m:
        return None
    return iso_from_parts(m.group(3), month_number(m.group(1)), m.group(2))


# ---------------------------------------------------------------- JSON with paths

class J:
    """A JSON value and its path from the file's root, for locators."""

    __slots__ = ("v", "path")

    def __init__(self, v: Any, path: str):
        self.v, self.path = v, path

    def get(self, *keys: str) -> "J":
        node = self
        for k in keys:
            v = node.v.get(k) if isinstance(node.v, dict) else None
            node = J(v, f"{node.path}.{k}" if node.path else k)
        return node

    def items(self) -> list["J"]:
        return [J(x, f"{self.path}[{i}]") for i, x in enumerate(self.v)] if isinstance(self.v, list) else []

    def list(self, *keys: str) -> list["J"]:
        return self.get(*keys).items()

    def text(self, *keys: str) -> str | None:
        v = self.get(*keys).v
        if v is None or isinstance(v, (dict, list, bool)):
            return None
        s = " ".join(str(v).split())
        return s or None

    def texts(self, *keys: str) -> list[str]:
        return [t for t in (x.text() for x in self.list(*keys)) if t]


# Streamed one study at a time: a bare list, a search page's studies, a classic response's FullStudies.
STREAM_AT = ((), ("studies",), ("FullStudiesResponse", "FullStudies"))


def json_studies(scan: JsonScan, doc: Document) -> Iterator[tuple[J, str]]:
    """(study node, 'v2' | 'classic') for every study in a scanned JSON file, streamed."""
    obj = scan.root

    def streamed(lst: list, path: str) -> Iterator[J]:
        return (J(x, f"{path}[{i}]") for i, x in json_items(doc, scan, lst))

    if isinstance(obj, list):
        for item in streamed(obj, ""):
            yield from _json_study(item)
        return
    if not isinstance(obj, dict):
        return
    if isinstance(obj.get("studies"), list):
        for item in streamed(obj["studies"], "studies"):
            yield from _json_study(item)
        return
    if isinstance(obj.get("FullStudiesResponse"), dict):
        full = obj["FullStudiesResponse"].get("FullStudies")
        for item in streamed(full, "FullStudiesResponse.FullStudies") if isinstance(full, list) else ():
            if isinstance(item.v, dict) and isinstance(item.v.get("Study"), dict):
                yield item.get("Study"), "classic"
        return
    yield from _json_study(J(obj, ""))


def _json_study(node: J) -> Iterator[tuple[J, str]]:
    if not isinstance(node.v, dict):
        return
    if isinstance(node.v.get("protocolSection"), dict):
        yield node, "v2"
    elif isinstance(node.v.get("Study"), dict):
        yield node.get("Study"), "classic"
    elif isinstance(node.v.get("ProtocolSection"), dict):
        yield node, "classic"


# ---------------------------------------------------------------- API v2 JSON

def read_v2(s: J) -> CtStudy:
    p, r = s.get("protocolSection"), s.get("resultsSection")
    ident, status, design = p.get("identificationModule"), p.get("statusModule"), p.get("designModule")
    info = design.get("designInfo")
    st = CtStudy(
        source_format="ctgov-json-v2",
        nct_id=ident.text("nctId"), brief_title=ident.text("briefTitle"), official_title=ident.text("officialTitle"),
        brief_summary=p.get("descriptionModule").text("briefSummary"),
        conditions=p.get("conditionsModule").texts("conditions"),
        keywords=p.get("conditionsModule").texts("keywords"),
        study_type=enum(design.text("studyType")), allocation=enum(info.text("allocation")),
        intervention_model=enum(info.text("interventionModel")),
        observational_model=enum(info.text("observationalModel")),
        time_perspective=enum(info.text("timePerspective")),
        phases=design.texts("phases"), enrollment=to_int(design.get("enrollmentInfo", "count").v),
        start_date=registry_date(status.text("startDateStruct", "date")),
        first_posted=registry_date(status.text("studyFirstPostDateStruct", "date")),
        results_posted=registry_date(status.text("resultsFirstPostDateStruct", "date")),
        completion_date=registry_date(status.text("completionDateStruct", "date")),
    )
    ai = p.get("armsInterventionsModule")
    st.arms = [CtArm(a.text("label") or "", enum(a.text("type")), a.text("description"), a.path)
               for a in ai.list("armGroups") if a.text("label")]
    st.interventions = [CtIntervention(enum(i.text("type")), i.text("name") or "", i.text("description"),
                                       i.texts("otherNames"), i.path)
                        for i in ai.list("interventions") if i.text("name")]
    flow = r.get("participantFlowModule")
    st.flow_groups = {g.text("id"): g.text("title") or g.text("id") for g in flow.list("groups") if g.text("id")}
    st.started = _first_started(
        [[(m.text("type"), [(a.text("groupId"), a.get("numSubjects").v, a.path) for a in m.list("achievements")])
          for m in per.list("milestones")] for per in flow.list("periods")])
    base = r.get("baselineCharacteristicsModule")
    st.baseline_groups = {g.text("id"): g.text("title") or g.text("id") for g in base.list("groups") if g.text("id")}
    st.baseline = _counts([(c.text("groupId"), c.get("value").v, c.path)
                           for d in base.list("denoms")[:1] for c in d.list("counts")])
    for o in r.list("outcomeMeasuresModule", "outcomeMeasures"):
        cats = []
        for c in o.list("classes"):
            for cat in c.list("categories"):
                cats.append(CtCategory.of(c.text("title"), cat.text("title"), [
                    CtMeasurement(m.text("groupId") or "", m.text("value") or "", m.text("spread"),
                                  m.text("lowerLimit"), m.text("upperLimit"), m.path)
                    for m in cat.list("measurements")]))
        st.outcomes.append(CtOutcome(
            type=o.text("type"), title=o.text("title") or "", time_frame=o.text("timeFrame"),
            param_type=o.text("paramType"), dispersion_type=o.text("dispersionType"), unit=o.text("unitOfMeasure"),
            groups={g.text("id"): g.text("title") or g.text("id") for g in o.list("groups") if g.text("id")},
            denoms=_counts([(c.text("groupId"), c.get("value").v, c.path)
                            for d in o.list("denoms")[:1] for c in d.list("counts")]),
            categories=cats,
            analyses=[CtAnalysis(a.texts("groupIds"), a.text("paramType"), a.text("paramValue"), a.text("ciPctValue"),
                                 a.text("ciLowerLimit"), a.text("ciUpperLimit"), a.text("pValue"),
                                 a.text("statisticalMethod"), a.text("estimateComment"), a.path)
                      for a in o.list("analyses")],
            path=o.path))
    ae = r.get("adverseEventsModule")
    for g in ae.list("eventGroups"):
        gid = g.text("id")
        if not gid:
            continue
        st.event_groups[gid] = g.text("title") or gid
        for kind, key in (("Deaths", "deaths"), ("Serious adverse events", "serious"), ("Other adverse events", "other")):
            if g.get(f"{key}NumAtRisk").v is not None:
                st.event_totals.append((kind, gid, to_int(g.get(f"{key}NumAffected").v),
                                        to_int(g.get(f"{key}NumAtRisk").v), g.path))
    for key, serious in (("seriousEvents", True), ("otherEvents", False)):
        for e in ae.list(key):
            st.events.append(CtEvent(e.text("term") or "", serious, [
                CtEventStat(x.text("groupId") or "", to_int(x.get("numAffected").v), to_int(x.get("numAtRisk").v), x.path)
                for x in e.list("stats")], e.path))
    return st


# ---------------------------------------------------------------- classic (v1) JSON

def read_classic(s: J) -> CtStudy:
    p, r = s.get("ProtocolSection"), s.get("ResultsSection")
    ident, status, design = p.get("IdentificationModule"), p.get("StatusModule"), p.get("DesignModule")
    info = design.get("DesignInfo")
    st = CtStudy(
        source_format="ctgov-json-classic",
        nct_id=ident.text("NCTId"), brief_title=ident.text("BriefTitle"), official_title=ident.text("OfficialTitle"),
        brief_summary=p.get("DescriptionModule").text("BriefSummary"),
        conditions=p.get("ConditionsModule").texts("ConditionList", "Condition"),
        keywords=p.get("ConditionsModule").texts("KeywordList", "Keyword"),
        study_type=enum(design.text("StudyType")), allocation=enum(info.text("DesignAllocation")),
        intervention_model=enum(info.text("DesignInterventionModel")),
        observational_model=enum((info.texts("DesignObservationalModelList", "DesignObservationalModel") or [None])[0]),
        time_perspective=enum((info.texts("DesignTimePerspectiveList", "DesignTimePerspective") or [None])[0]),
        phases=design.texts("PhaseList", "Phase"), enrollment=to_int(design.get("EnrollmentInfo", "EnrollmentCount").v),
        start_date=registry_date(status.text("StartDateStruct", "StartDate")),
        first_posted=registry_date(status.text("StudyFirstPostDateStruct", "StudyFirstPostDate")),
        results_posted=registry_date(status.text("ResultsFirstPostDateStruct", "ResultsFirstPostDate")),
        completion_date=registry_date(status.text("CompletionDateStruct", "CompletionDate")),
    )
    ai = p.get("ArmsInterventionsModule")
    st.arms = [CtArm(a.text("ArmGroupLabel") or "", enum(a.text("ArmGroupType")), a.text("ArmGroupDescription"), a.path)
               for a in ai.list("ArmGroupList", "ArmGroup") if a.text("ArmGroupLabel")]
    st.interventions = [CtIntervention(enum(i.text("InterventionType")), i.text("InterventionName") or "",
                                       i.text("InterventionDescription"),
                                       i.texts("InterventionOtherNameList", "InterventionOtherName"), i.path)
                        for i in ai.list("InterventionList", "Intervention") if i.text("InterventionName")]
    flow = r.get("ParticipantFlowModule")
    st.flow_groups = {g.text("FlowGroupId"): g.text("FlowGroupTitle") or g.text("FlowGroupId")
                      for g in flow.list("FlowGroupList", "FlowGroup") if g.text("FlowGroupId")}
    st.started = _first_started(
        [[(m.text("FlowMilestoneType"), [(a.text("FlowAchievementGroupId"), a.get("FlowAchievementNumSubjects").v, a.path)
                                         for a in m.list("FlowAchievementList", "FlowAchievement")])
          for m in per.list("FlowMilestoneList", "FlowMilestone")]
         for per in flow.list("FlowPeriodList", "FlowPeriod")])
    base = r.get("BaselineCharacteristicsModule")
    st.baseline_groups = {g.text("BaselineGroupId"): g.text("BaselineGroupTitle") or g.text("BaselineGroupId")
                          for g in base.list("BaselineGroupList", "BaselineGroup") if g.text("BaselineGroupId")}
    st.baseline = _counts([(c.text("BaselineDenomCountGroupId"), c.get("BaselineDenomCountValue").v, c.path)
                           for d in base.list("BaselineDenomList", "BaselineDenom")[:1]
                           for c in d.list("BaselineDenomCountList", "BaselineDenomCount")])
    for o in r.list("OutcomeMeasuresModule", "OutcomeMeasureList", "OutcomeMeasure"):
        cats = []
        for c in o.list("OutcomeClassList", "OutcomeClass"):
            for cat in c.list("OutcomeCategoryList", "OutcomeCategory"):
                cats.append(CtCategory.of(c.text("OutcomeClassTitle"), cat.text("OutcomeCategoryTitle"), [
                    CtMeasurement(m.text("OutcomeMeasurementGroupId") or "", m.text("OutcomeMeasurementValue") or "",
                                  m.text("OutcomeMeasurementSpread"), m.text("OutcomeMeasurementLowerLimit"),
                                  m.text("OutcomeMeasurementUpperLimit"), m.path)
                    for m in cat.list("OutcomeMeasurementList", "OutcomeMeasurement")]))
        st.outcomes.append(CtOutcome(
            type=o.text("OutcomeMeasureType"), title=o.text("OutcomeMeasureTitle") or "",
            time_frame=o.text("OutcomeMeasureTimeFrame"), param_type=o.text("OutcomeMeasureParamType"),
            dispersion_type=o.text("OutcomeMeasureDispersionType"), unit=o.text("OutcomeMeasureUnitOfMeasure"),
            groups={g.text("OutcomeGroupId"): g.text("OutcomeGroupTitle") or g.text("OutcomeGroupId")
                    for g in o.list("OutcomeGroupList", "OutcomeGroup") if g.text("OutcomeGroupId")},
            denoms=_counts([(c.text("OutcomeDenomCountGroupId"), c.get("OutcomeDenomCountValue").v, c.path)
                            for d in o.list("OutcomeDenomList", "OutcomeDenom")[:1]
                            for c in d.list("OutcomeDenomCountList", "OutcomeDenomCount")]),
            categories=cats,
            analyses=[CtAnalysis(a.texts("OutcomeAnalysisGroupIdList", "OutcomeAnalysisGroupId"),
                                 a.text("OutcomeAnalysisParamType"), a.text("OutcomeAnalysisParamValue"),
                                 a.text("OutcomeAnalysisCIPctValue"), a.text("OutcomeAnalysisCILowerLimit"),
                                 a.text("OutcomeAnalysisCIUpperLimit"), a.text("OutcomeAnalysisPValue"),
                                 a.text("OutcomeAnalysisStatisticalMethod"), a.text("OutcomeAnalysisEstimateComment"),
                                 a.path)
                      for a in o.list("OutcomeAnalysisList", "OutcomeAnalysis")],
            path=o.path))
    ae = r.get("AdverseEventsModule")
    for g in ae.list("EventGroupList", "EventGroup"):
        gid = g.text("EventGroupId")
        if not gid:
            continue
        st.event_groups[gid] = g.text("EventGroupTitle") or gid
        for kind, key in (("Deaths", "Deaths"), ("Serious adverse events", "Serious"), ("Other adverse events", "Other")):
            if g.get(f"EventGroup{key}NumAtRisk").v is not None:
                st.event_totals.append((kind, gid, to_int(g.get(f"EventGroup{key}NumAffected").v),
                                        to_int(g.get(f"EventGroup{key}NumAtRisk").v), g.path))
    for key, serious in (("Serious", True), ("Other", False)):
        for e in ae.list(f"{key}EventList", f"{key}Event"):
            st.events.append(CtEvent(e.text(f"{key}EventTerm") or "", serious, [
                CtEventStat(x.text(f"{key}EventStatsGroupId") or "", to_int(x.get(f"{key}EventStatsNumAffected").v),
                            to_int(x.get(f"{key}EventStatsNumAtRisk").v), x.path)
                for x in e.list(f"{key}EventStatsList", f"{key}EventStats")], e.path))
    return st


def _join_titles(*titles: str | None) -> str | None:
    return " / ".join(t for t in titles if t) or None


def _counts(rows: list[tuple[str | None, Any, str]]) -> list[CtCount]:
    return [CtCount(gid, n, path) for gid, raw, path in rows if gid and (n := to_int(raw)) is not None]


def _first_started(periods: list[list[tuple[str | None, list[tuple[str | None, Any, str]]]]]) -> list[CtCount]:
    """Per flow group, the STARTED count of the first period in which it is not zero (a
    follow-up extension group starts nobody in the double-blind period)."""
    out: dict[str, CtCount] = {}
    for milestones in periods:
        for kind, achievements in milestones:
            if (kind or "").strip().upper() != "STARTED":
                continue
            for c in _counts(achievements):
                if c.n > 0 and c.group_id not in out:
                    out[c.group_id] = c
    return list(out.values())


# ---------------------------------------------------------------- legacy XML

def read_xml(root) -> CtStudy:
    tree = root.getroottree()
    path = tree.getpath

    def t(el, p: str) -> str | None:
        return text_of(el.find(p)) if el is not None else None

    def ts(el, p: str) -> list[str]:
        return [x for x in (text_of(e) for e in el.iterfind(p)) if x] if el is not None else []

    st = CtStudy(
        source_format="ctgov-xml",
        nct_id=t(root, "id_info/nct_id"), brief_title=t(root, "brief_title"), official_title=t(root, "official_title"),
        brief_summary=t(root, "brief_summary/textblock"), conditions=ts(root, "condition"),
        keywords=ts(root, "keyword"), study_type=enum(t(root, "study_type")),
        allocation=enum(t(root, "study_design_info/allocation")),
        intervention_model=enum(t(root, "study_design_info/intervention_model")),
        observational_model=enum(t(root, "study_design_info/observational_model")),
        time_perspective=enum(t(root, "study_design_info/time_perspective")),
        phases=ts(root, "phase"), enrollment=to_int(t(root, "enrollment")),
        start_date=registry_date(t(root, "start_date")),
        first_posted=registry_date(t(root, "study_first_posted") or t(root, "firstreceived_date")),
        results_posted=registry_date(t(root, "results_first_posted") or t(root, "firstreceived_results_date")),
        completion_date=registry_date(t(root, "completion_date")),
    )
    st.arms = [CtArm(t(a, "arm_group_label") or "", enum(t(a, "arm_group_type")), t(a, "description"), path(a))
               for a in root.iterfind("arm_group") if t(a, "arm_group_label")]
    st.interventions = [CtIntervention(enum(t(i, "intervention_type")), t(i, "intervention_name") or "",
                                       t(i, "description"), ts(i, "other_name"), path(i))
                        for i in root.iterfind("intervention") if t(i, "intervention_name")]
    res = root.find("clinical_results")
    if res is None:
        return st

    def groups(el) -> dict[str, str]:
        return {g.get("group_id"): t(g, "title") or g.get("group_id")
                for g in (el.iterfind("group_list/group") if el is not None else ()) if g.get("group_id")}

    def counts(els) -> list[CtCount]:
        return _counts([(e.get("group_id"), e.get("count") or e.get("value"), path(e)) for e in els])

    flow = res.find("participant_flow")
    st.flow_groups = groups(flow)
    periods = []
    for per in (flow.iterfind("period_list/period") if flow is not None else ()):
        periods.append([(t(m, "title"), [(c.get("group_id"), c.get("count"), path(c))
                                         for c in m.iterfind("participants_list/participants")])
                        for m in per.iterfind("milestone_list/milestone")])
    st.started = _first_started(periods)
    base = res.find("baseline")
    st.baseline_groups = groups(base)
    if base is not None:
        first = base.find("analyzed_list/analyzed")
        st.baseline = counts(first.iterfind("count_list/count")) if first is not None else []
    for o in res.iterfind("outcome_list/outcome"):
        m = o.find("measure")
        cats = []
        for c in (m.iterfind("class_list/class") if m is not None else ()):
            for cat in c.iterfind("category_list/category"):
                cats.append(CtCategory.of(t(c, "title"), t(cat, "title"), [
                    CtMeasurement(x.get("group_id") or "", (x.get("value") or "").strip(), x.get("spread"),
                                  x.get("lower_limit"), x.get("upper_limit"), path(x))
                    for x in cat.iterfind("measurement_list/measurement")]))
        analyzed = m.find("analyzed_list/analyzed") if m is not None else None
        st.outcomes.append(CtOutcome(
            type=t(o, "type"), title=t(o, "title") or "", time_frame=t(o, "time_frame"),
            param_type=t(m, "param"), dispersion_type=t(m, "dispersion"), unit=t(m, "units"),
            groups=groups(o), denoms=counts(analyzed.iterfind("count_list/count")) if analyzed is not None else [],
            categories=cats,
            analyses=[CtAnalysis(ts(a, "group_id_list/group_id"), t(a, "param_type"), t(a, "param_value"),
                                 t(a, "ci_percent"), t(a, "ci_lower_limit"), t(a, "ci_upper_limit"), t(a, "p_value"),
                                 t(a, "method"), t(a, "estimate_desc"), path(a))
                      for a in o.iterfind("analysis_list/analysis")],
            path=path(o)))
    ev = res.find("reported_events")
    st.event_groups = groups(ev)
    for tag, serious in (("serious_events", True), ("other_events", False)):
        for cat in (ev.iterfind(f"{tag}/category_list/category") if ev is not None else ()):
            for e in cat.iterfind("event_list/event"):
                stats = [CtEventStat(c.get("group_id") or "", to_int(c.get("subjects_affected")),
                                     to_int(c.get("subjects_at_risk")), path(c)) for c in e.iterfind("counts")]
                term = t(e, "sub_title") or ""
                if (t(cat, "title") or "").strip().lower() == "total":
                    kind = "Serious adverse events" if serious else "Other adverse events"
                    st.event_totals += [(kind, s.group_id, s.affected, s.at_risk, s.path) for s in stats]
                else:
                    st.events.append(CtEvent(term, serious, stats, path(e)))
    return st


def parse_xml_root(doc: Document):
    try:
        root = etree.fromstring(doc.data, etree.XMLParser(**XML_PARSER_OPTIONS))
    except etree.XMLSyntaxError as e:
        raise ParseError(doc.path, f"malformed ClinicalTrials.gov XML: {' '.join(str(e).split())}") from None
    if root.tag != "clinical_study":
        raise ParseError(doc.path, f"not ClinicalTrials.gov XML: the root element is <{etree.QName(root).localname}>")
    refuse_declared_entities(root, doc.path, "ClinicalTrials.gov XML")
    return root


# ---------------------------------------------------------------- rendering

class Writer:
    """Builds record.text line by line and remembers where each line starts."""

    def __init__(self):
        self.parts: list[str] = []
        self.pos = 0

    def line(self, s: str = "") -> tuple[int, int]:
        start, end, _ = self.emit(s)
        return start, end

    def emit(self, s: str) -> tuple[int, int, str]:
        """Write one line (whitespace collapsed, so a line is one line); (start, end, line)."""
        s = " ".join(s.split())
        start = self.pos
        self.parts.append(s + "\n")
        self.pos += len(s) + 1
        return start, start + len(s), s

    def blank(self) -> None:
        if self.parts and self.parts[-1] != "\n":
            self.line()

    @property
    def text(self) -> str:
        return "".join(self.parts).rstrip("\n")


def number(s: str | None) -> float | None:
    """A registry number ('7.0', '-1.696', '1,234'); 'NA', '>10' and blanks are None."""
    if s is None:
        return None
    m = re.fullmatch(r"\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)\s*", s)
    return float(m.group(1).replace(",", "")) if m else None


def parse_p(s: str | None) -> tuple[float | None, str | None]:
    """'<0.001' -> (0.001, '<'); '=0.247' or '0.0004' -> (.., '='); '≤0.05' -> '<'; '>0.05' -> nothing."""
    if not s:
        return None, None
    m = re.fullmatch(r"\s*(<=|≤|<|=|>=|≥|>)?\s*p?\s*([0-9]*\.?[0-9]+(?:[eE]-?\d+)?)\s*", s)
    if not m:
        return None, None
    op = m.group(1) or "="
    if op.startswith((">", "≥")):
        return None, None
    return float(m.group(2)), "<" if op in ("<", "<=", "≤") else "="


def months(value: float, unit: str | None) -> float | None:
    m = _TIME_UNIT_RE.match(unit or "")
    if not m:
        return None
    u = m.group(1).lower().rstrip("s")
    return round(value * _TIME_UNITS[u], 2)


def timepoint_months(*texts: str | None) -> float | None:
    for s in texts:
        m = _TIMEPOINT.search(s or "")
        if m:
            u = m.group(2).lower()
            u = "year" if u.startswith("y") else u.rstrip("s")
            return round(float(m.group(1)) * _TIME_UNITS[u], 2)
    return None


def outcome_endpoint(title: str, shared_times: frozenset[str] = frozenset()) -> str:
    """The endpoint an outcome's title names: a code when it names one ('Overall Survival
    (OS) Time in Months' -> OS; 'Duration of Objective Response (DOR)' -> DOR), else the
    title in a few words ('Percentage of Subjects With X at Week 52' -> 'X (Week 52)').

    The title's words decide, never an abbreviation alone: an abbreviation's vocabulary
    meaning counts only when the title's words say it ('Time To Response (TTR)' is not
    time to recurrence). `shared_times` are the visits every outcome of the record names
    ('Week 16' when all are 'at Week 16'): they tell no two measures apart and are left out."""
    vocab = load_vocab()
    title = re.sub(r"^[^:]{1,60}:\s+(?=\S)", "", title) if ":" in title[:62] else title  # "LCM vs CDM: ..."
    for abbr in re.findall(r"\(([^()]{1,15})\)", title):
        code = vocab.endpoint_code(abbr)
        if code and _words_state(vocab, code, title):
            return code
    code = vocab.endpoint_code(title)
    if code:
        return code
    plain = _DEFINED_ACRONYM.sub(lambda m: m.group(0)[:m.start(1) - m.start(0) - 1].rstrip(), title)
    if not re.match(r"\s*(?:duration|time)\s+(?:of|to)\b", title, re.I):
        found = ep.endpoint_code(plain)
        if found and ep.is_specific(found):
            return found
    if _SURVIVE.search(title) and not ep.all_endpoints(title):
        return "OS"
    return _title_words(vocab, title, shared_times)


def _words(s: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", s.lower()))


def _words_state(vocab, code: str, text: str) -> bool:
    """Whether a text's words say what an endpoint code means: all the words of one of its
    names ('overall survival' in 'Overall Survival (OS) Time'; 'duration of response' in
    'Duration of Objective Response (DOR)')."""
    entry = vocab.endpoints.get(code)
    have = _words(text)
    return bool(entry) and any(_words(s) <= have for s in (entry.name, *entry.surfaces) if not s.isupper())


def _clashes(vocab, acronym: str, expansion: str) -> bool:
    """An acronym the vocabulary knows as another endpoint than the words it abbreviates here
    ('TTR' for 'Time To Response', where the vocabulary's TTR is time to recurrence)."""
    code = vocab.endpoint_code(acronym)
    if not code:
        return False
    entry = vocab.endpoints.get(code)
    exp = _words(expansion)
    return not any(_words(s) <= exp or exp <= _words(s) for s in (entry.name, *entry.surfaces) if not s.isupper())


def acronym_expansion(before: str, acronym: str) -> int | None:
    """Where, in the text before '(ACR)', the words it abbreviates start: each letter of the
    acronym in order, the first one starting a word (Schwartz & Hearst 2003), within a few
    words. 'Axial SpondyloArthritis International Society 40% Response Criteria' + ASAS40 -> 0."""
    chars = [c.lower() for c in acronym if c.isalnum()]
    text = before.rstrip()
    floor = 0
    words = list(re.finditer(r"\S+", text))
    if len(words) > len(chars) + 5:
        floor = words[-(len(chars) + 5)].start()
    i = len(text) - 1
    for k in range(len(chars) - 1, -1, -1):
        c = chars[k]
        while i >= floor and (text[i].lower() != c or (k == 0 and i > floor and text[i - 1].isalnum())):
            i -= 1
        if i < floor:
            return None
        i -= 1
    return text.rfind(" ", 0, i + 2) + 1


def _title_words(vocab, title: str, shared_times: frozenset[str]) -> str:
    """A title without what is not the thing measured, each defined acronym standing for its
    words ('Investigator's Global Assessment (IGA) Score of "0" or "1"' -> 'IGA Score 0 or 1';
    '... Withdrawal From Investigational Medicinal Product (IMP)' -> '... Withdrawal From IMP'),
    so the acronym alone is the name only when it abbreviates the whole measured thing
    (EASI-75), and a numbered visit kept as '(Week 52)' unless every outcome names it."""
    prefix = _TITLE_PREFIX.match(title)
    words = title[prefix.end():] if prefix and prefix.end() < len(title) else title
    negated = bool(prefix and prefix.group("without"))
    time = _TITLE_TIME.search(words)
    qualifier = None
    if time:
        label = visit_label(time)
        words = (words[:time.start()] + " " + words[time.end():]).strip()
        if label not in shared_times:
            prep = time.group("prep").lower()
            qualifier = f"({label})" if prep in ("at", "to") else f"({prep} {label})"
    words = _PLURAL_ACRONYM.sub("", words)

    def short(m: re.Match) -> str:
        acronym, lead = m.group(1), words[:m.start(1) - 1]
        start = acronym_expansion(lead, acronym)
        if start is None or _clashes(vocab, acronym, lead[start:]):
            return m.group(0)[:m.start(1) - m.start(0) - 1].rstrip()   # the words, without '(ACR)'
        return "\x00" + str(start) + "\x00" + acronym
    # One acronym at a time, left to right, each replacing the words just before it.
    while True:
        m = _DEFINED_ACRONYM.search(words)
        if not m:
            break
        rep = short(m)
        if rep.startswith("\x00"):
            _, start, acronym = rep.split("\x00")
            rest = re.sub(r"^\s*\([^()]*\)", "", words[m.end():])   # '(≥75% Improvement From Baseline)' restates it
            words = words[:int(start)] + acronym + rest
        else:
            words = words[:m.start()] + rep + words[m.end():]
    words = _TITLE_TAIL.sub("", words).strip() or words.strip()
    words = re.sub(r"\bresponse\s+criteria\s+(response)\b", r"\1", words, flags=re.I)   # 'ASAS40 Response Criteria Response'
    words = re.sub(r"[\"“”]", "", words)
    words = re.sub(r"\b(score|grade|stage)\s+of\s+(?=\d)", r"\1 ", words, flags=re.I)   # 'Score of 0 or 1'
    words = re.sub(r"\s+", " ", words).strip() or title
    if negated:
        words = "no " + words
    if len(words) > _MAX_ENDPOINT_WORDS:
        words = words[:_MAX_ENDPOINT_WORDS].rsplit(" ", 1)[0]
        if words.count("(") > words.count(")"):   # never cut inside a parenthesis
            words = words[:words.rindex("(")].rstrip()
    return f"{words} {qualifier}" if qualifier else words


def visit_label(m: re.Match) -> str:
    """'Week 52' for 'at Week 52', 'at 52 weeks' or 'to week 52'."""
    unit = (m.group("unit") or m.group("unit2")).lower()
    return f"{unit.capitalize()} {m.group('n') or m.group('n2')}"


def shared_visits(titles: list[str]) -> frozenset[str]:
    """The numbered visits every outcome title of a record names: the record's one
    assessment visit ('at Week 16' in all ten titles), which tells no measure apart."""
    sets = [{visit_label(m) for m in _TITLE_TIME.finditer(t)} for t in titles]
    return frozenset(set.intersection(*sets)) if sets else frozenset()


@dataclass
class _Ctx:
    w: Writer
    study: CtStudy
    arm_types: dict[str, str]   # lower-cased arm label -> normalised arm type
    figures: list[Figure] = field(default_factory=list)
    shared_times: frozenset[str] = frozenset()   # visits every outcome title names


def render(st: CtStudy) -> tuple[str, list[Span], Extraction]:
    w = Writer()
    spans: list[Span] = []
    title = st.official_title or st.brief_title
    if title:
        s, e = w.line(title)
        spans.append(Span("title", s, e))
    if st.brief_summary:
        w.blank()
        s, e = w.line(st.brief_summary)
        spans.append(Span("abstract", s, e))
    w.blank()
    rest = w.pos
    facts: list[str] = []
    if st.nct_id:
        facts.append(f"Registry: ClinicalTrials.gov {st.nct_id}")
    if st.conditions:
        facts.append("Conditions: " + "; ".join(st.conditions))
    design_bits = [x for x in (st.study_type, st.allocation, st.intervention_model, st.observational_model,
                               st.time_perspective) if x]
    if design_bits or st.phases:
        facts.append("Design: " + ", ".join(design_bits + st.phases))
    if st.enrollment is not None:
        facts.append(f"Enrollment: {st.enrollment}")
    for f in facts:
        w.line(f)

    ctx = _Ctx(w, st, {a.label.lower(): a.type or "" for a in st.arms},
               shared_times=shared_visits([o.title for o in st.outcomes]))
    if st.arms:
        w.blank()
        w.line("Arms:")
        for a in st.arms:
            w.line(f"{a.label}: {a.type or 'arm'}." + (f" {a.description}" if a.description else ""))
    therapies = render_interventions(w, st)
    cohorts = render_participants(w, st)
    for o in st.outcomes:
        render_outcome(ctx, o)
    adverse = render_adverse_events(w, st)
    text = w.text
    spans.append(Span("other", rest, len(text)))
    facts_ = StudyFacts(design=study_design(st), condition=st.conditions[0] if st.conditions else None,
                        n_patients=patients_studied(st))
    return text, spans, Extraction(study=facts_, cohorts=cohorts, therapies=therapies, figures=ctx.figures,
                                   adverse_events=adverse)


def patients_studied(st: CtStudy) -> int | None:
    """The participants who started the study's arms when the flow is posted, else the
    enrollment. Enrollment also counts people never assigned (CheckMate 017: 352 enrolled,
    272 randomized); a flow total above it counts groups of later periods twice over."""
    started = sum(c.n for c in st.started) if st.started else None
    if started and st.enrollment:
        return min(started, st.enrollment)
    return started or st.enrollment


def render_interventions(w: Writer, st: CtStudy) -> list[TherapyMention]:
    out: list[TherapyMention] = []
    if not st.interventions:
        return out
    vocab = load_vocab()
    w.blank()
    w.line("Interventions:")
    seen: set[str] = set()
    for i in st.interventions:
        name = " ".join(i.name.split())
        line = name + (f" ({i.type})" if i.type else "")
        if i.other_names:
            line += "; other names: " + ", ".join(i.other_names)
        if i.description:
            line += f". {i.description}"
        s, _ = w.line(line)
        for canonical, cls in intervention_therapies(vocab, i, name):
            if canonical not in seen:
                seen.add(canonical)
                out.append(TherapyMention(mention=name, canonical=canonical, therapy_class=cls,
                                          start=s, end=s + len(name)))
    return out


def intervention_therapies(vocab, i: CtIntervention, name: str) -> list[tuple[str, str]]:
    """(canonical, class) an intervention gives: the vocabulary's entry for its name or one
    of its other names; else the therapies its name lists ('Chemotherapy (gemcitabine +
    carboplatin)'); else the name itself, class "other". A placebo gives nothing, and so
    does an unknown intervention of a kind that is no treatment (a monitoring strategy,
    a diagnostic test, a behavioural programme)."""
    if _PLACEBO.match(name):
        return []
    hit = vocab.match_therapy(name) or next(filter(None, map(vocab.match_therapy, i.other_names)), None)
    if hit:
        return [hit]
    parts = therapies_in_label(name)
    if parts:
        return parts
    if (i.type or "") in _NOT_TREATMENT_TYPES:
        return []
    return [(name.lower(), "other")]


def render_participants(w: Writer, st: CtStudy) -> list[Cohort]:
    """One cohort per flow group that started (else per baseline group), quoting its line."""
    if st.started:
        counts, names, how, rule = st.started, st.flow_groups, "started", "ctgov.flow"
    else:
        counts = [c for c in st.baseline if c.n > 0]
        names, how, rule = st.baseline_groups, "at baseline", "ctgov.baseline"
        if len(counts) > 1:      # the last baseline group is the registry's "Total"
            total = counts[-1]
            if sum(c.n for c in counts[:-1]) == total.n or names.get(total.group_id, "").lower() == "total":
                counts = counts[:-1]
    out: list[Cohort] = []
    if not counts:
        return out
    w.blank()
    w.line("Participants:")
    for c in counts:
        label = names.get(c.group_id, c.group_id)
        s, e, line = w.emit(f"{label}: {c.n} {how}")
        out.append(Cohort(label=label, n=c.n, quote=line, start=s, end=e, rule=rule, locator=c.path))
    return out


def _value_text(o: CtOutcome, m: CtMeasurement) -> str:
    s = f"{m.value} {o.unit}" if o.unit else m.value
    disp = o.dispersion_type or ""
    if m.lower is not None or m.upper is not None:
        s += f" ({disp + ' ' if disp else ''}{m.lower if m.lower is not None else 'NA'} to "\
             f"{m.upper if m.upper is not None else 'NA'})"
    elif m.spread is not None:
        s += f" ({disp + ' ' if disp else ''}{m.spread})"
    return s


def render_outcome(ctx: _Ctx, o: CtOutcome) -> None:
    w = ctx.w
    w.blank()
    head = f"Outcome: {o.title}" + (f" ({o.type})" if o.type else "") + "."
    if o.time_frame:
        head += f" Time frame: {o.time_frame.rstrip('.')}."
    w.line(head)
    if o.param_type:
        w.line(f"Measure: {o.param_type}" + (f", {o.dispersion_type}" if o.dispersion_type else "")
               + (f"; unit: {o.unit}" if o.unit else "") + ".")
    if o.denoms:
        w.line("Participants analyzed: " + "; ".join(f"{o.groups.get(c.group_id, c.group_id)}: {c.n}"
                                                       for c in o.denoms))
    kind = figure_kind(o)
    endpoint = outcome_endpoint(o.title, ctx.shared_times) if kind else None
    members = event_members(o) if kind else {}
    test = comparing_test(o)
    for cat in o.categories:
        for m in cat.measurements:
            group = o.groups.get(m.group_id, m.group_id)
            prefix = f"{cat.title} — " if cat.title else ""
            line = f"{prefix}{group}: {_value_text(o, m)}"
            s, e, line = w.emit(line)
            if kind:
                f = measurement_figure(o, kind, endpoint, cat, m, group, members)
                if f is not None:
                    f.quote, f.start, f.end = line, s, e
                    if test and not cat.title and m.group_id in test.group_ids:
                        f.p_value, f.p_op = parse_p(test.p_value)
                    ctx.figures.append(f)
    for a in o.analyses:
        names = [o.groups.get(g, g) for g in a.group_ids]
        line = f"Analysis ({' vs '.join(names) or 'all groups'}):"
        if a.param_type or a.param_value:
            line += f" {a.param_type or 'estimate'} {a.param_value or 'NA'}"
        if a.ci_lower is not None or a.ci_upper is not None:
            line += f" ({a.ci_pct + '% ' if a.ci_pct else ''}CI {a.ci_lower or 'NA'} to {a.ci_upper or 'NA'})"
        if a.p_value:
            p = a.p_value.strip()
            line += f", p {p if p[:1] in '<=>≤≥' else '= ' + p}"
        if a.method:
            line += f", {a.method}"
        if a.estimate_desc:
            line += f". {a.estimate_desc}"
        s, e, line = w.emit(line)
        f = analysis_figure(ctx, o, a, names)
        if f is not None:
            f.quote, f.start, f.end = line, s, e
            ctx.figures.append(f)


def comparing_test(o: CtOutcome) -> CtAnalysis | None:
    """The one test of an outcome that compares its groups, when there is exactly one with a
    p-value: that p belongs to each group's value it compares, as a table's p belongs to
    every row of its variable (gold schema). Rows of classes (subgroups, sites) have tests of
    their own or none, so only class-less rows take it."""
    tests = [a for a in o.analyses if parse_p(a.p_value)[0] is not None]
    return tests[0] if len(tests) == 1 and len(tests[0].group_ids) >= 2 else None


def figure_kind(o: CtOutcome) -> str | None:
    """What kind of figure an outcome's measurements are, when the contract can say it."""
    param = enum(o.param_type) or ""
    unit = o.unit or ""
    if param == "MEDIAN" and _TIME_UNIT_RE.match(unit):
        return "median"
    if param in ("NUMBER", "") and (_PERCENT_OF_PEOPLE.match(unit) or _PERCENT_PROBABILITY.match(unit)):
        return "percent"
    if param in ("NUMBER", "") and _RATIO_UNIT.match(unit) and ratio_kind(o.title):
        return "ratio"
    return None


def ratio_kind(s: str | None) -> str | None:
    for pat, kind in _RATIO_KINDS:
        if pat.search(s or ""):
            return kind
    return None


def _ci(o: CtOutcome, m: CtMeasurement) -> tuple[float | None, float | None]:
    """CI limits of a measurement, only when the outcome says they are a 95% CI."""
    if not re.search(r"95\s*%\s*confidence", o.dispersion_type or "", re.I):
        return None, None
    return number(m.lower), number(m.upper)


def measurement_figure(o: CtOutcome, kind: str, endpoint: str, cat: CtCategory, m: CtMeasurement,
                       group: str, members: dict[str, str] | None = None) -> Figure | None:
    value = number(m.value)
    if value is None:
        return None
    lo, hi = _ci(o, m)
    f = Figure(endpoint=endpoint, measure="", value=value, unit="", quote="", start=0, end=0,
               group=group, ci_low=lo, ci_high=hi, confidence=CONFIDENCE, rule=RULE_OUTCOME,
               section="results", locator=m.path)
    head, level = row_parts(cat)
    if members and head in members:
        # The row is one kind of the events the title counts ('Prostate' of 'Cancers'): its
        # own endpoint; what the ratio is for is the exposure the title names (the variable),
        # and the group is the row's level of it (a dose, a duration) or, with no levels, the
        # exposed themselves ('Ever Use of Pioglitazone', against those never exposed).
        f.endpoint = members[head]
        x = _EXPOSURE.search(_TITLE_PREFIX.sub("", o.title))
        f.variable = x.group("x").strip() if x else None
        f.group = f"{group}, {level}" if level else (f.variable or group)
        cat = CtCategory(cat.category_title, cat.measurements, None, cat.category_title) if level else \
            CtCategory(None, cat.measurements)
    elif cat.class_title and not is_time_class(cat.class_title):
        # A class the registry reports each arm in is a part of the participants (a subgroup:
        # 'PD-L1 expression >= 5%'): with the arm, it is the group the value is for.
        f.group = f"{group}, {_CLASS_COUNTS.sub('', cat.class_title)}"
        cat = CtCategory(cat.category_title, cat.measurements, None, cat.category_title)
    if kind == "median":
        f.measure, f.unit = "median", "months"
        f.value = months(value, o.unit)
        f.ci_low = months(lo, o.unit) if lo is not None else None
        f.ci_high = months(hi, o.unit) if hi is not None else None
        f.variable = f.variable or cat.title
    elif kind == "ratio":
        f.measure, f.unit = ratio_kind(o.title), "ratio"
        f.variable = f.variable or cat.title
    else:
        tp = timepoint_months(cat.title, o.title)
        survival = ep.is_time_to_event(f.endpoint) or bool(_PERCENT_PROBABILITY.match(o.unit or ""))
        f.unit = "%"
        if survival:
            f.measure = "rate"
            f.timepoint_months = tp if tp is not None else _plain_timepoint(o.time_frame)
        else:
            f.measure = "proportion"
            if cat.title:
                f.variable = f.variable or cat.title
    return f


def row_parts(cat: CtCategory) -> tuple[str | None, str | None]:
    """A row's class and the level within it: 'Prostate: <12 months ago' (one class title)
    or class 'Prostate' with category '<12 months ago' -> ('Prostate', '<12 months ago')."""
    if not cat.class_title:
        return None, cat.category_title
    head, sep, level = cat.class_title.partition(": ")
    if sep and head.strip() and level.strip():
        return head.strip(), level.strip()
    return cat.class_title, cat.category_title


def is_time_class(title: str) -> bool:
    """A class that is a time point ('6 months', 'Week 12', 'Baseline'), not a part of the participants."""
    return bool(_TIMEPOINT.search(title) or re.match(r"\s*(?:baseline|(?:week|month|day|year|cycle|visit)\s*\d)",
                                                     title, re.I))


def event_members(o: CtOutcome) -> dict[str, str]:
    """Rows that are kinds of the events an outcome counts, with the endpoint each names.

    'Hazard Ratio of the 10 Most Common Cancers ...' with classes Prostate, Breast, ...,
    Melanoma: the title counts a plural of a disease the vocabulary knows ('Cancers'), and
    most rows name a kind of it, alone ('Melanoma') or with it ('Prostate' + cancer): each
    row's ratio is the incidence of that disease, so the disease is the row's endpoint
    ('Prostate cancer', 'Melanoma'); the rest of the rows are taken as kinds too. Subgroups
    of people ('PD-L1 expression >= 5%') name no disease and stay groups."""
    heads = list(dict.fromkeys(h for h in (row_parts(c)[0] for c in o.categories) if h))
    if len(heads) < 2:
        return {}
    vocab = load_vocab()
    for noun in re.findall(r"\b([A-Za-z]{4,}s)\b", o.title):
        singular = _singular(vocab, noun)
        if not singular:
            continue
        kind = vocab.match_condition(singular)
        named: dict[str, str] = {}
        for h in heads:
            alone = vocab.match_condition(h)
            if alone and kind in vocab.condition_ancestors(alone):
                named[h] = h
            else:
                d = vocab.match_condition(f"{h} {singular}")
                if d and kind in vocab.condition_ancestors(d):
                    named[h] = f"{h} {singular}"
        if 2 * len(named) >= len(heads):
            return {h: named.get(h) or f"{_SITE_ADJECTIVES.get(h.lower(), h)} {singular}" for h in heads}
    return {}


def _singular(vocab, plural: str) -> str | None:
    """'Cancers' -> 'cancer', 'Malignancies' -> 'malignancy' when the vocabulary names that
    disease by exactly that word."""
    low = plural.lower()
    for s in (low[:-3] + "y" if low.endswith("ies") else None, low[:-2] if low.endswith("es") else None, low[:-1]):
        if s and any(s == x.lower() for c in vocab.conditions.values() for x in (c.canonical, *c.surfaces)):
            return s
    return None


def _plain_timepoint(time_frame: str | None) -> float | None:
    """A time frame that is only a duration ('2 years', 'Month 12') is the time point."""
    if time_frame and re.fullmatch(r"\s*(?:at\s+)?(?:\d+(?:\.\d+)?[\s-]*(?:months?|years?|weeks?|days?)|"
                                   r"(?:month|year|week|day)\s+\d+(?:\.\d+)?)\s*", time_frame, re.I):
        m = re.fullmatch(r"\s*(?:at\s+)?(?:month|year|week|day)\s+(\d+(?:\.\d+)?)\s*", time_frame, re.I)
        if m:
            unit = time_frame.strip().split()[-2].lower()
            return timepoint_months(f"{m.group(1)} {unit}")
        return timepoint_months(time_frame)
    return None


def analysis_figure(ctx: _Ctx, o: CtOutcome, a: CtAnalysis, names: list[str]) -> Figure | None:
    kind = ratio_kind(a.param_type)
    value = number(a.param_value)
    if not kind or value is None:
        return None
    group, comparator = experimental_and_control(ctx, a.group_ids, names)
    lo = hi = None
    if a.ci_pct is None or number(a.ci_pct) == 95:
        lo, hi = number(a.ci_lower), number(a.ci_upper)
    p, op = parse_p(a.p_value)
    return Figure(endpoint=outcome_endpoint(o.title, ctx.shared_times), measure=kind, value=value, unit="ratio", quote="",
                  start=0, end=0, group=group, comparator=comparator, ci_low=lo, ci_high=hi, p_value=p, p_op=op,
                  confidence=CONFIDENCE, rule=RULE_ANALYSIS, section="results", locator=a.path)


def experimental_and_control(ctx: _Ctx, ids: list[str], names: list[str]) -> tuple[str | None, str | None]:
    """Of an analysis's two groups, the one tested and the one it is compared with: a group
    whose arm is a comparator (or that is named placebo, control, standard...) is the
    comparator; failing that, the registry's order (first group vs second)."""
    if len(names) != 2:
        return (" vs ".join(names) or None), None

    def is_control(name: str) -> bool:
        arm_type = ctx.arm_types.get(name.lower())
        if arm_type is None:
            arm_type = next((t for label, t in ctx.arm_types.items()
                             if label and (label in name.lower() or name.lower() in label)), "")
        return arm_type in _CONTROL_TYPES or bool(_CONTROL_WORDS.search(name))

    first, second = names
    if is_control(first) and not is_control(second):
        return second, first
    return first, second


def render_adverse_events(w: Writer, st: CtStudy) -> list[AdverseEvent]:
    out: list[AdverseEvent] = []
    if not (st.event_totals or st.events):
        return out
    w.blank()
    w.line("Adverse events:")
    for kind, gid, n, at_risk, where in st.event_totals:
        s, end, line = w.emit(f"{kind} — {st.event_groups.get(gid, gid)}: {_fraction(n, at_risk)}")
        total = _TOTAL_EVENTS.get(kind)
        if total and n is not None and at_risk != 0:   # (0/0: not collected, "none at risk")
            out.append(AdverseEvent(event=total[0], grade=total[1], phase=None, n=n, percent=_percent(n, at_risk),
                                    quote=line, start=s, end=end, locator=where))
    for e in st.events:
        label = "Serious adverse event" if e.serious else "Other adverse event"
        for x in e.stats:
            group = st.event_groups.get(x.group_id, x.group_id)
            s, end, line = w.emit(f"{label}: {e.term} — {group}: {_fraction(x.affected, x.at_risk)}")
            if x.affected is None or x.at_risk == 0:
                continue
            # A zero is kept: "0 of 8 in this arm" is what the registry states, and a reviewer
            # weighing harms needs it as much as the events that happened.
            # The registry's "other" events are its non-serious ones (above its frequency threshold).
            out.append(AdverseEvent(event=e.term, grade="serious" if e.serious else "non-serious", phase=None,
                                    n=x.affected, percent=_percent(x.affected, x.at_risk), quote=line, start=s,
                                    end=end, locator=x.path))
    return out


# Each arm's totals, as events of their own (the registry's deaths are its own section, not a grade).
_TOTAL_EVENTS = {"Serious adverse events": ("any serious adverse event", "serious"),
                 "Other adverse events": ("any other (non-serious) adverse event", "non-serious")}


def _percent(n: int, at_risk: int | None) -> float | None:
    return round(100 * n / at_risk, 1) if at_risk else None


def _fraction(n: int | None, at_risk: int | None) -> str:
    return f"{'NA' if n is None else n}/{'NA' if at_risk is None else at_risk}"


def study_design(st: CtStudy) -> str | None:
    kind = st.study_type or ""
    if kind.startswith("INTERVENTIONAL"):
        if st.allocation == "RANDOMIZED":
            return "randomized controlled trial"
        if (st.intervention_model or "").startswith("SINGLE_GROUP"):
            return "single-arm trial"
        if st.allocation == "NON_RANDOMIZED":
            return "non-randomized trial"
        return "clinical trial"
    if kind.startswith("OBSERVATIONAL"):
        model, perspective = st.observational_model or "", st.time_perspective or ""
        if model.startswith("CASE_CONTROL"):
            return "case-control"
        if perspective.startswith("CROSS_SECTIONAL") or model.startswith("CROSS_SECTIONAL"):
            return "cross-sectional"
        if model.startswith("CASE_ONLY") or model.startswith("CASE_SERIES"):
            return "case series"
        if perspective.startswith("RETROSPECTIVE"):
            return "retrospective cohort"
        return "prospective cohort"
    if kind.startswith("EXPANDED_ACCESS"):
        return "expanded access"
    return None


# ---------------------------------------------------------------- records

def build_record(st: CtStudy) -> ArticleRecord:
    text, spans, stated = render(st)
    pub = st.first_posted or st.results_posted or st.start_date
    extra = {k: v for k, v in (("start_date", st.start_date), ("completion_date", st.completion_date),
                               ("results_first_posted", st.results_posted), ("phases", st.phases or None),
                               ("study_type", st.study_type), ("brief_title", st.brief_title))
             if v}
    return ArticleRecord(
        source_format=st.source_format, text=text, title=st.official_title or st.brief_title,
        abstract=st.brief_summary, nct_id=st.nct_id, pub_date=pub, year=int(pub[:4]) if pub else None,
        keywords=list(dict.fromkeys(st.conditions + st.keywords)),
        publication_types=["Clinical Trial Registry Record"], language="en", spans=spans, extra=extra,
        stated=stated)


def _json_head(head: bytes) -> bytes:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


class CtgovJsonIngester:
    format = FORMAT_JSON
    priority = 70      # before the literature-platform JSON (50), which also starts with "{"

    def sniff(self, head: bytes, doc: Document) -> bool:
        h = _json_head(head)
        if h[:1] not in (b"{", b"["):
            return False
        return any(k in h for k in _V2_KEYS) or (
            any(k in h for k in _CLASSIC_KEYS) and b'"IdentificationModule"' in h)

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        try:
            scan = scan_json(doc, STREAM_AT, text=True)
        except JsonBroken as b:
            raise broken_json(doc, b, "ClinicalTrials.gov") from None
        found = False
        for node, kind in json_studies(scan, doc):
            found = True
            yield build_record(read_v2(node) if kind == "v2" else read_classic(node))
        if not found:
            raise ParseError(doc.path, "no ClinicalTrials.gov study in this JSON")


class CtgovXmlIngester:
    format = FORMAT_XML
    priority = 70

    def sniff(self, head: bytes, doc: Document) -> bool:
        return root_name(head) == "clinical_study"

    def parse(self, doc: Document) -> Iterator[ArticleRecord]:
        yield build_record(read_xml(parse_xml_root(doc)))


@hookimpl
def register_ingesters():
    return [CtgovJsonIngester(), CtgovXmlIngester()]
