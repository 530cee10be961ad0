"""ArticleRecord -> Extraction: the one entry point of the extract stage."""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from kb.extract import endpoints as ep
from kb.extract import figures as fig_rules
from kb.extract import sections as sections_module
from kb.extract import tables as tables_module
from kb.extract import therapies as therapies_module
from kb.extract.adverse import prose_adverse_events
from kb.extract.cohorts import prose_cohorts
from kb.extract.fastre import fold
from kb.extract.pages import add_page_locators
from kb.extract.sections import clean_view, detect_spans, prose_ranges, split_sentences
from kb.extract.study import find_design, find_follow_up, find_n_patients, find_total_cohorts
from kb.extract.tables import parse_tables
from kb.extract.therapies import find_therapies, given_status, therapies_in_label
from kb.extract.vocab import load_vocab
from kb.models import ArticleRecord, Cohort, Extraction, Figure, Span, StudyFacts, TherapyMention

PROSE_KINDS = {"title", "abstract", "introduction", "methods", "results", "discussion", "conclusions"}
_SECTION_RANK = {"table": 0, "results": 1, "discussion": 2, "conclusions": 3, "abstract": 4}


def document_spans(record: ArticleRecord) -> list[Span]:
    """The record's own spans when its ingester knew the structure, else the text model's.
    A text with no headings at all is an abstract: a short first line is its title."""
    if record.spans:
        return record.spans
    spans = detect_spans(record.text)
    if any(s.kind not in ("front", "table", "caption", "furniture") for s in spans):
        return _unlabelled_abstract(record.text, spans)  # the text has section headings: trust them
    text = record.text
    first = text.split("\n", 1)[0]
    if 0 < len(first.strip()) < 300 and "\n" in text:
        return [Span("title", 0, len(first)), Span("abstract", len(first), len(text))] + \
            [s for s in spans if s.kind in ("table", "caption")]
    return [Span("abstract", 0, len(text))] + [s for s in spans if s.kind in ("table", "caption")]


# A paragraph of prose: long, and of more than two sentences (a title or an author line is not).
_PROSE_PARAGRAPH = re.compile(r"^[^\n]{150,}$", re.M)


def _unlabelled_abstract(text: str, spans: list[Span]) -> list[Span]:
    """An abstract printed without its heading between the title block and the introduction
    (a journal page or a PDF's first page: title, authors, then a paragraph, then
    "Introduction") is the abstract: the prose of the text before the first heading, when the
    first section is the introduction and no abstract is labelled."""
    sections = [sp for sp in spans if sp.kind not in ("front", "table", "caption", "furniture")]
    front = next((sp for sp in spans if sp.kind == "front"), None)
    if front is None or not sections or any(sp.kind == "abstract" for sp in sections) \
            or min(sections, key=lambda sp: sp.start).kind != "introduction":
        return spans
    para = next((m for m in _PROSE_PARAGRAPH.finditer(text, front.start, front.end)
                 if text.count(". ", m.start(), m.end()) >= 2), None)
    if para is None:
        return spans
    out = [sp for sp in spans if sp is not front]
    if para.start() > front.start:
        out.append(Span("front", front.start, para.start(), front.title))
    out.append(Span("abstract", para.start(), front.end, None))
    return sorted(out, key=lambda sp: (sp.start, sp.kind in ("table", "caption", "furniture")))


FULL_TEXT_SECTIONS = {"methods", "results", "discussion"}


def is_full_text(record: ArticleRecord) -> bool:
    """A paper's body (methods, results or discussion), not just its title and abstract;
    or a structured source that states results outright."""
    return record.stated is not None or any(s.kind in FULL_TEXT_SECTIONS for s in document_spans(record))


def extract_article(record: ArticleRecord) -> Extraction:
    with ep.document_codes(record.text):
        return _extract(record)


def _extract(record: ArticleRecord) -> Extraction:
    text = record.text
    spans = document_spans(record)
    clean = clean_view(text, prose_ranges(text, spans, PROSE_KINDS))
    sentences = []
    folded = fold(clean.text)
    # What is_cited looks for, looked for once in the whole text: a sentence has only what it has.
    cite_words = fig_rules.cited_words(folded)
    may_cite = bool(cite_words) or "[" in clean.text
    # An author-year reference marks another study's result, except in the results, where it
    # names a method ("Cox model (Cox, 1972)") beside this study's own figure.
    author_year = fig_rules.has_author_year(clean.text)
    for s, e in split_sentences(clean.text, clean.breaks):
        kind = _kind_at(clean.kinds, s)
        cited = fig_rules.is_cited(clean.text[s:e], folded[s:e], cite_words) if may_cite else False
        if not cited and author_year and kind != "results":
            cited = fig_rules.has_author_year(clean.text[s:e])
        sentences.append(fig_rules.Sentence(s, e, kind, cited))

    tables = parse_tables(text, spans)
    orig_sentences = clean.spans([(s.start, s.end) for s in sentences])   # each sentence's place in the document
    figures = _dedupe_figures(_own_discussion(fig_rules.prose_figures(clean, sentences, folded) + tables.figures,
                                              clean, sentences, orig_sentences), text)
    # A share or a survival probability cannot be below zero: one whose interval is, is a
    # difference between arms ("5-year DFS (experimental-control) was 0.6% (-3.9 to 5.1)"); so
    # is a value the quote calls one ("absolute difference [experimental-control] 1.3%").
    figures = [f for f in figures if not (f.measure in ("rate", "proportion") and (
        (f.ci_low is not None and f.ci_low < 0) or fig_rules.quotes_difference(f.quote, f.value)))]

    # The texts the study facts are read from, and their folded copies (fold works character
    # by character, so the fold of a join is the join of the folds).
    front_s = [s for s in sentences if s.section in ("title", "abstract")]
    methods_s = [s for s in sentences if s.section == "methods"]
    later_s = [s for s in sentences if s.section in ("methods", "results")]
    front, front_f = _joined(clean.text, folded, front_s)
    methods, methods_f = _joined(clean.text, folded, methods_s)
    front_full = " ".join(x for x in (record.title or "", front) if x)
    facts = StudyFacts(
        design=find_design(record.title or "", front, methods, (None, front_f, methods_f))
        or _design_from_types(record.publication_types),
        condition=load_vocab().find_condition(front_full or clean.text[:3000]),
        n_patients=find_n_patients(front + " " + methods, front_f + " " + methods_f),
        follow_up_median_months=find_follow_up(
            front + " " + " ".join(clean.text[s.start:s.end] for s in later_s),
            front_f + " " + " ".join(folded[s.start:s.end] for s in later_s)),
    )
    therapies = find_therapies(text, orig_sentences, spans)
    cohort_sents = [(s.start, s.end, s.section, s.cited) for s in sentences]
    cohorts = _dedupe_cohorts(
        _total_cohorts(clean.text, folded, front + " " + methods, front_f + " " + methods_f, facts.n_patients, sentences)
        + tables.cohorts + prose_cohorts(clean, cohort_sents, folded))
    total = next((c.n for c in cohorts if c.rule == "study.n_patients" and c.label.startswith("All patients")), None)
    if total:
        # '19 patients with orbital liposarcoma' the size of the whole series is the whole series.
        cohorts = [c for c in cohorts if not (c.rule == "prose.count" and c.n == total)]
    if facts.design == "review" and not tables.figures:
        # A narrative review states other studies' results: none of them are this study's figures.
        figures = []
    if record.stated:
        # A structured source's own figures, arms and events come first; what the text
        # model finds in its rendered text only adds what they do not already say.
        figures = _dedupe_figures(record.stated.figures + figures) if figures else list(record.stated.figures)
        # A registry's arms are distinct by definition (two arms of 97 are two arms).
        cohorts = list(record.stated.cohorts) + [c for c in _dedupe_cohorts(record.stated.cohorts + cohorts)
                                                 if c not in record.stated.cohorts]
        therapies = _merge_therapies(record.stated.therapies, therapies)
        adverse = record.stated.adverse_events + [a for a in tables.adverse_events]
        facts = _merge_facts(record.stated.study, facts)
    else:
        adverse = tables.adverse_events
    if not tables.adverse_events:
        # A paper with an adverse-event table states its events there; prose only repeats them.
        adverse = adverse + prose_adverse_events(clean, cohort_sents, folded)
    _name_groups_as_cohorts(figures, cohorts)
    for f in figures:
        f.endpoint = ep.contract_name(f.endpoint)
    ex = Extraction(study=facts, cohorts=cohorts, therapies=therapies, figures=figures, adverse_events=adverse)
    if record.extra.get("pages"):
        add_page_locators(ex, record.extra["pages"])  # "page 3" for what came from a PDF
    return ex


def _total_cohorts(text: str, folded: str, front: str, front_f: str, n_patients: int | None,
                   sentences: list) -> list[Cohort]:
    """The whole series ('All patients', qualified by how the paper counts it: 'All patients
    (enrolled)') and an enrolled number the analysed total was drawn from ('Enrolled'). When the
    abstract and methods state no total, the results may ('Of the 142 patients, ...')."""
    found = find_total_cohorts(front, front_f) if n_patients else []
    if not n_patients:
        results = [s for s in sentences if s.section == "results" and not s.cited]
        if results:
            r_text, r_f = _joined(text, folded, results)
            # (not 'N patients were treated with X': in the results, that is one group)
            found = find_total_cohorts(r_text, r_f, treated=False) or _results_total(r_text)
        if not found and ("among " in folded or "of " in folded):
            # an abstract's results too: "RESULTS: Among 196 patients with SNMM, ..." (the front,
            # which holds the abstract, gave no total: only this opening is looked for there)
            opening = (_results_total(text[s.start:s.end]) for s in sentences
                       if s.section == "abstract" and not s.cited and _opens_on_a_total(folded, s.start, s.end))
            found = next((f for f in opening if f), [])
    return [Cohort(label, n, rule="study.n_patients") for label, n, _, _ in found]


# 'Of the 142 patients, 87 received ...', 'Among the 96 patients, ...': a sentence that opens on
# a number of patients and divides it is about the whole series.
_RESULTS_TOTAL = re.compile(r"(?:^|(?<=[.;:] ))(?:Of|Among) (?:(?:the|all|these|our) )?(?P<n>\d{1,3}(?:,\d{3})+|\d+) "
                            r"(?:[A-Za-z-]+ ){0,2}?(?:patients|cases)(?: with [^,;.()]{1,40})?\s*,")


def _opens_on_a_total(folded: str, start: int, end: int) -> bool:
    """Whether a sentence may open on 'Among/Of N patients' (after a label such as 'RESULTS:')."""
    return folded.startswith(("among ", "of "), start) or folded.find(": among ", start, end) >= 0 \
        or folded.find(": of ", start, end) >= 0


def _results_total(text: str) -> list[tuple[str, int, int, int]]:
    m = _RESULTS_TOTAL.search(text)
    return [("All patients", int(m.group("n").replace(",", "")), m.start(), m.end())] if m else []


def _joined(text: str, folded: str, sentences: list) -> tuple[str, str]:
    """The sentences' texts joined with a space, and the same of `folded`. Sentences that
    follow each other with one space between (those of an abstract, as a rule) are one
    stretch of the text: it is cut out once instead of joined from pieces."""
    if not sentences:
        return "", ""
    prev = sentences[0]
    for s in sentences[1:]:
        if s.start != prev.end + 1 or text[prev.end] != " ":
            return " ".join(text[s.start:s.end] for s in sentences), " ".join(folded[s.start:s.end] for s in sentences)
        prev = s
    a, b = sentences[0].start, sentences[-1].end
    return text[a:b], folded[a:b]


def _merge_therapies(first: list[TherapyMention], more: list[TherapyMention]) -> list[TherapyMention]:
    seen = {t.canonical for t in first}
    return list(first) + [t for t in more if t.canonical not in seen]


def _merge_facts(stated: StudyFacts, found: StudyFacts) -> StudyFacts:
    """What the source states wins; the text fills what it leaves empty."""
    return StudyFacts(**{k: getattr(stated, k) if getattr(stated, k) is not None else getattr(found, k)
                         for k in ("design", "condition", "n_patients", "follow_up_median_months")})


@lru_cache(maxsize=4096)
def _treatment_classes(label: str) -> frozenset[str]:
    """The modalities a group label names: 'surgery combined with chemoradiotherapy' ->
    {surgery, radiotherapy, chemotherapy}; abbreviations (RT, CT) through the vocabulary."""
    classes = set()
    for _, cls in therapies_in_label(label):
        classes |= {"radiotherapy", "chemotherapy"} if cls == "chemoradiotherapy" else {cls}
    return frozenset(classes)


def _name_groups_as_cohorts(figures: list[Figure], cohorts: list[Cohort]) -> None:
    """Prose often names a group in words ('surgery combined with radiotherapy') that a table
    names tersely ('Surgery + RT'). When exactly one cohort names the same set of modalities,
    the figure takes the cohort's name, so figures and cohorts line up."""
    by_classes: dict[frozenset, list[str]] = {}
    for c in cohorts:
        level = c.label.split(": ", 1)[-1]
        cl = _treatment_classes(level)
        if len(cl) > 1:
            by_classes.setdefault(cl, []).append(level)
    if not by_classes:
        return
    for f in figures:
        if f.section == "table" or not f.group:
            continue
        names = by_classes.get(_treatment_classes(f.group), [])
        if len(names) == 1:
            f.group = names[0]


def clear_caches() -> None:
    """Forget per-text caches (benchmarks measure a cold article, not a repeated one)."""
    _treatment_classes.cache_clear()
    given_status.cache_clear()
    therapies_module._DISPLAY.clear()
    ep.clear_caches()
    tables_module.clear_caches()
    sections_module.clear_caches()


def _kind_at(kinds: list[tuple[int, str]], pos: int) -> str:
    kind = kinds[0][1] if kinds else "other"
    for start, k in kinds:
        if start > pos:
            break
        kind = k
    return kind


def _design_from_types(types: list[str]) -> str | None:
    low = " ".join(types).lower()
    for key, name in (("meta-analysis", "meta-analysis"), ("systematic review", "systematic review"),
                      ("randomized controlled trial", "randomized controlled trial"), ("review", "review"),
                      ("case reports", "case report"), ("clinical trial", "single-arm trial")):
        if key in low:
            return name
    return None


def _same_group(a: str | None, b: str | None) -> bool:
    if not a or not b or a.lower() in ("overall", "all") or b.lower() in ("overall", "all"):
        return True
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return bool(wa & wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.5


# The closing paragraph of a structured abstract ("Conclusions: This research confirms that the
# overall 5-year survival rate of 12% ..."): it restates results, it does not add any.
_CONCLUDING = re.compile(r"\s*(?:conclusions?|interpretation|summary)\s*:", re.I)


def _restates(f: Figure, earlier: list[Figure], text: str | None) -> bool:
    """A figure of a concluding paragraph that repeats, for the same group (or with none
    named, "Overall"), one stated before it in the same section."""
    if not text or not earlier:
        return False
    line = text.rfind("\n", 0, f.start) + 1
    return bool(_CONCLUDING.match(text, line)) and any(
        g.section == f.section and g.start < line and _same_group(f.group, g.group) for g in earlier)


def _own_discussion(figs: list[Figure], clean, sentences: list, orig_sentences: list[tuple[int, int]]) -> list[Figure]:
    """A paper's discussion weighs its results against other studies': a figure stated only
    there is another study's far more often than a result of this one the results left out.
    Kept: what restates a figure stated elsewhere in the paper (the same endpoint, measure,
    value and time), and a figure of a sentence that names no other study when it or the
    sentence before speaks of this one ("we found", "our series"). A paper with no results
    section keeps its discussion's figures."""
    if not any(f.section == "discussion" for f in figs) or not any(f.section in ("results", "table") for f in figs):
        return figs
    stated = {(f.endpoint, f.measure, round(f.value, 9), f.timepoint_months) for f in figs if f.section != "discussion"}
    starts = [a for a, _ in orig_sentences]

    def own(f: Figure) -> bool:
        k = bisect.bisect_right(starts, f.start) - 1
        if k < 0:
            return False
        text = clean.text[sentences[k].start:sentences[k].end]
        before = clean.text[sentences[k - 1].start:sentences[k - 1].end] if k else ""
        return not _OTHER_STUDY.search(text) and not fig_rules.has_author_year(text) \
            and bool(_FIRST_PERSON.search(text) or _FIRST_PERSON.search(before))
    return [f for f in figs if f.section != "discussion"
            or (f.endpoint, f.measure, round(f.value, 9), f.timepoint_months) in stated or own(f)]


# A sentence that names another study: "the Nordic study", "The LIFE trial", "et al", "[12]", "reported".
_OTHER_STUDY = re.compile(r"\b(?:the|a|an|that|another|other|previous|earlier|prior)\s+(?!present\b|current\b)(?:[\w-]+\s+)?"
                          r"(?:stud(?:y|ies)|trials?|series|report|meta-analys[ie]s)\b|\bet al\b|\[\s*\d|"
                          r"\breported\b|\b(?-i:[A-Z][A-Z0-9-]{2,})\s+(?:study|trial)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us)\b|\b(?:this|the present|the current)\s+(?:study|series|cohort|trial)\b",
                           re.I)


def _same_ratio(f: Figure, g: Figure) -> bool:
    """A ratio with the same value and interval stated in two places is one estimate, however
    each place names its arms ('experimental' in the abstract, 'FEC-D' in the results)."""
    return f.measure in ("HR", "OR", "RR") and f.ci_low is not None and g.ci_low is not None \
        and f.ci_high is not None and g.ci_high is not None and abs(f.ci_high - g.ci_high) < 1e-9


def _dedupe_figures(figs: list[Figure], text: str | None = None) -> list[Figure]:
    """A number stated in the abstract and again in the results or a table is stored once,
    from the richest place (table > results > discussion > abstract); so is one an abstract's
    conclusions restate from its results (`text`: the document, to find that paragraph)."""
    out: list[Figure] = []
    # Only figures with the same endpoint, measure, value and timepoint can repeat each other.
    seen: dict[tuple, list[Figure]] = {}
    for f in sorted(figs, key=lambda f: (_SECTION_RANK.get(f.section or "", 5), f.start)):
        # (the endpoint as exported: a bare "5-year survival" in the abstract is the results' OS)
        key = (ep.contract_name(f.endpoint), f.measure, round(f.value, 9), f.timepoint_months)
        if any(g.section != f.section
               and (f.ci_low is None or g.ci_low is None or abs(f.ci_low - g.ci_low) < 1e-9)
               and (_same_group(f.group, g.group) or _same_ratio(f, g))
               and not (f.section == "table" and g.section == "table")
               for g in seen.get(key, ())) or _restates(f, seen.get(key, []), text):
            continue
        seen.setdefault(key, []).append(f)
        out.append(f)
    return sorted(out, key=lambda f: f.start)


def _label_words(label: str) -> set[str]:
    """Words with plural s dropped, plus the acronym of multi-word labels
    ('intensity-modulated radiotherapy' -> 'imrt'), so a table's IMRT row and the
    prose's 'intensity-modulated radiotherapy' are recognised as one group."""
    words = [w.rstrip("s") if len(w) > 3 else w for w in re.findall(r"[a-z0-9]+", label.lower())]
    out = set(words)
    parts = re.findall(r"[a-z]+", label.lower().replace("therapy", " therapy"))
    if len(parts) > 1:
        out.add("".join(p[0] for p in parts if p not in ("and", "of", "the", "with")))
    return out


def _dedupe_cohorts(cohorts: list[Cohort]) -> list[Cohort]:
    """One cohort per group: the same size and a shared word (or acronym) is the same group,
    kept from the first source (study total, then tables, then prose)."""
    out: list[Cohort] = []
    by_n: dict[int, list[set[str]]] = {}
    for c in cohorts:
        if c.n is None:
            continue
        words = _label_words(c.label)
        # Arms listed side by side are distinct by definition ('surgery alone, n = 86; surgery
        # plus radiotherapy, n = 86').
        if any(words & other for other in by_n.get(c.n, ())) and not (
                c.rule == "prose.arm_list" and not any(words == other for other in by_n.get(c.n, ()))
                and any(o.rule == "prose.arm_list" and o.n == c.n and o.start is not None and c.start is not None
                        and abs(o.start - c.start) < 200 for o in out)):
            continue
        by_n.setdefault(c.n, []).append(words)
        out.append(c)
    return out


def figure_therapies(f: Figure) -> list[tuple[str, str]]:
    """(canonical, class) of the therapies a figure is about: named in its group or
    variable ('without X' is not about X)."""
    found: list[tuple[str, str]] = []
    for label in (f.group, f.variable):
        if label and not re.match(r"\s*(without|no|non)\b", label, re.I):
            found += [t for t in therapies_in_label(label) if t not in found]
    return found
