"""Therapies a paper's own patients received, and those it only discusses.

`find_therapies` matches the therapy vocabulary (data/vocab/therapies.csv) against the
document text and decides, per occurrence, whether it describes this study's treatment
("given") or other work (introduction, literature in the discussion). A therapy counts as
given when any of its occurrences does.

Rules (each occurrence; `kind` is the innermost section span around it):

* references: ignored. Raw JSON metadata lines: ignored. Affiliation lines in the front
  matter ("Department of Surgery"): ignored.
* review-like documents (no methods or results section): title/abstract/front count as
  given (what the review covers); everything else is discussed only.
* introduction: discussed only.
* methods, results, abstract, front, table, caption: given, unless the sentence
  explicitly reports other work ("et al.", "previous studies", "studies have shown",
  "a meta-analysis", "reported that").
* discussion, conclusions: given only when the sentence speaks of this study ("our",
  "we", "the present paper") and cites nothing; general statements and recommendations
  ("Radical surgery ... can improve local control") are discussed only.
* other / unlabelled text: given unless the sentence cites or reports other work.

One `TherapyMention` per canonical therapy. Its `mention` is the paper's wording of the
chosen occurrence (a given one if any; a long form, with its abbreviation when the paper
defines it right after, "2D radiotherapy (2DRT)", over a bare abbreviation; then the
earliest), with words hyphenated across line breaks joined. `start`/`end` are the
original-text offsets of that occurrence.
"""
from __future__ import annotations

import bisect
from functools import lru_cache
import re
from dataclasses import dataclass

from kb.extract import fastre
from kb.extract.vocab import (
    JoinedText,
    Vocab,
    abbreviation_fits,
    is_abbreviation,
    is_json_line,
    join_line_breaks,
    key,
    load_vocab,
    match_text,
    split_sentences,
)
from kb.models import Span, TherapyMention

#: Sentence cues that the sentence reports other people's work.
_OTHERS_STRONG = re.compile(
    r"\bet\s+al\b|\bprevious(?:ly)?\s+(?:published\s+)?(?:stud|report|trial|publication|literature)"
    r"|\b(?:studies|trials|reports|researchers|investigators|authors)\s+(?:have|has)\s+"
    r"(?:shown|demonstrated|reported|found|suggested|indicated|revealed|confirmed)"
    r"|\bmeta-?\s?analys[ie]s\b|\breported\s+that\b|\bit\s+(?:has\s+been|was)\s+reported\b"
    r"|\b(?:other|several|many|some|these|those|prior|earlier|recent|previous|similar|relevant)\s+"
    r"(?:studies|trials|reports|series|investigators|authors|researchers)\b"
    r"|\b(?:a|one|another)\s+(?:recent\s+|previous\s+|large\s+|randomi[sz]ed\s+|phase\s+\w+\s+)*"
    r"(?:study|trial)\s+(?:by|from|of\s+\d+|revealed|showed|found|reported|demonstrated)",
    re.I,
)
#: Cues that only count outside methods/results (where they often describe this study).
_OTHERS_GENERAL = re.compile(
    r"\bguidelines?\b|\bliterature\b|\b(?:has|have|was|were)\s+been\s+(?:approved|reported|shown)\b"
    r"|\bwas\s+approved\b|\bapproval\b|\brecommended\b|\bin\s+recent\s+years\b",
    re.I,
)
_CITATION = re.compile(
    r"\[\s*\d+(?:\s*[,\u2013\u2014\-]\s*\d+)*\s*\]"                       # [16], [17-19], [1, 2]
    r"|\(\s*[A-Z][A-Za-z'\u2019\-]+(?:\s+(?:et\s+al\.?|and\s+[A-Z][A-Za-z\-]+))?,?\s+(?:19|20)\d\d[a-z]?\s*\)",
)
_SELF = re.compile(
    r"\b(?:we|our|us)\b|\b(?:this|the\s+present|the\s+current|present|current)\s+"
    r"(?:study|paper|series|cohort|analysis|trial|work|report|investigation)\b",
    re.I,
)
_AFFILIATION = re.compile(r"\b(?:Department|Dept\.|University|Hospital|Institute|Center|Centre|College|"
                          r"School|Laboratory|Faculty|Division)\b")
_CJK_LABEL = re.compile(r"^[^\x00-\x7f]{2,}\s*[:\uff1a]\s*$")
_HEADING = re.compile(
    r"^[ \t]*(?:\d+(?:\.\d+)*\.?[ \t]+)?"
    r"(abstract|summary|introduction|background|(?:materials?|patients?|subjects?)\s+and\s+methods|"
    r"methods?|methodology|study\s+design|results?|discussion|conclusions?|references|bibliography|"
    r"acknowledge?ments?)[ \t]*:?[ \t]*$",
    re.I | re.M,
)
_HEADING_KIND = {
    "abstract": "abstract", "summary": "abstract", "introduction": "introduction",
    "background": "introduction", "methods": "methods", "method": "methods", "methodology": "methods",
    "study design": "methods", "results": "results", "result": "results", "discussion": "discussion",
    "conclusion": "conclusions", "conclusions": "conclusions", "references": "references",
    "bibliography": "references", "acknowledgements": "other", "acknowledgments": "other",
}
_GIVEN_KINDS = {"methods", "results", "abstract", "front", "table", "caption"}
_ABBR_AFTER = re.compile(r"[ \t]*\n?[ \t]*\(\s*([A-Za-z0-9][A-Za-z0-9\-/&+]{0,11})\s*\)")
_WS = re.compile(r"\s+")
_BROKEN_WORD = re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])")


@dataclass
class _Occurrence:
    canonical: str
    mention: str
    start: int                 # original-text offsets
    end: int
    given: bool
    abbreviation: bool         # a bare abbreviation ("IMRT") rather than a long form
    defined: bool              # long form followed by its abbreviation ("... (IMRT)")


def find_therapies(text: str, sentences: list[tuple[int, int]], spans: list[Span]) -> list[TherapyMention]:
    """Every therapy the text names, one `TherapyMention` per canonical therapy.

    `sentences` are (start, end) offsets into `text` (computed here when empty); `spans`
    mark sections (found from plain headings when empty). `given` is False for therapies
    named only in the introduction or while discussing other studies.
    """
    if not text:
        return []
    vocab = load_vocab()
    doc = join_line_breaks(text)
    spans = list(spans) or fallback_spans(text)
    sentence_bounds = sorted(sentences) if sentences else split_sentences(text)
    review = not any(s.kind in ("methods", "results") for s in spans)
    context = _Context(text, spans, sentence_bounds, review)

    occurrences: list[_Occurrence] = []
    defined_abbreviations: dict[str, str] = {}
    covered_until = -1
    for m in vocab.therapy_pattern.finditer(doc.match):
        if m.start() < covered_until:
            continue                                   # inside "(IMRT)" after its long form
        surface = doc.text[m.start():m.end()]
        canonical = vocab.therapy_for_surface(surface)
        if canonical is None:
            continue
        end = m.end()
        defined = False
        ab = _ABBR_AFTER.match(doc.text, end)
        if ab and not is_abbreviation(surface) and abbreviation_fits(ab.group(1), surface):
            abbr = ab.group(1)
            other = vocab.therapy_for_surface(abbr)
            if other in (None, canonical):
                defined_abbreviations.setdefault(abbr, canonical)
                end, defined = ab.end(), True
        covered_until = end
        occ = _make_occurrence(vocab, doc, context, canonical, m.start(), end,
                               abbreviation=is_abbreviation(surface), defined=defined)
        if occ is not None:
            occurrences.append(occ)

    occurrences += _abbreviation_occurrences(vocab, doc, context, defined_abbreviations, occurrences)
    return _one_per_canonical(vocab, occurrences)


# ---------------------------------------------------------------------- context

class _Context:
    """Where an offset sits: its section kind and its sentence."""

    def __init__(self, text: str, spans: list[Span], sentences: list[tuple[int, int]], review: bool):
        self.text = text
        self.spans = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
        self.sentences = sentences
        self._sentence_starts = [a for a, _ in sentences]
        self.review = review
        self._normalised: dict[tuple[int, int], str] = {}

    def kind(self, offset: int) -> str:
        best = None
        for s in self.spans:
            if s.start > offset:
                break
            if s.start <= offset < s.end and (best is None or s.end - s.start < best.end - best.start):
                best = s
        return best.kind if best is not None else "other"

    def sentence(self, offset: int) -> str:
        i = bisect.bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and self.sentences[i][0] <= offset < self.sentences[i][1]:
            a, b = self.sentences[i]
        else:                                           # offset between sentences: its line
            a = self.text.rfind("\n", 0, offset) + 1
            b = self.text.find("\n", offset)
            b = len(self.text) if b < 0 else b
        if (a, b) not in self._normalised:          # many mentions share a sentence
            s = _BROKEN_WORD.sub("", self.text[a:b])
            self._normalised[(a, b)] = _WS.sub(" ", s)
        return self._normalised[(a, b)]

    def line(self, offset: int) -> str:
        a = self.text.rfind("\n", 0, offset) + 1
        b = self.text.find("\n", offset)
        return self.text[a:len(self.text) if b < 0 else b]


# The cue patterns above, branch by branch, each with a test on the folded sentence that
# every match of the branch passes (words it contains, or a pattern its text contains):
# a branch is searched only when its test passes. Same answers, far fewer searches.
_STRONG_CHECKS = list(zip(fastre.branches(_OTHERS_STRONG), [
    re.compile(r"et\s+al"), ("previous",),
    re.compile(r"(?:studies|trials|reports|researchers|investigators|authors)\s+ha"), ("meta",),
    ("reported",), ("reported",), ("studies", "trials", "reports", "series", "investigators", "authors", "researchers"),
    re.compile(r"(?:study|trial)\s+(?:by|from|of\s+\d|revealed|showed|found|reported|demonstrated)")]))
_GENERAL_WORDS = ("guideline", "literature", "been", "approved", "approval", "recommended", "recent")
_SELF_WORDS = ("we", "our", "us", "this", "present", "current")


@lru_cache(maxsize=4096)
def given_status(kind: str, sentence: str, review: bool) -> bool | None:
    """True (this study's treatment), False (discussed only) or None (ignore)."""
    if kind == "references":
        return None
    if review:
        return kind in ("abstract", "front", "title")
    if kind == "introduction":
        return False
    folded = fastre.fold(sentence)
    # Each cue is looked for only when the answer depends on it (the searches have no effects).
    if kind in ("discussion", "conclusions") and not (fastre.has_any(folded, _SELF_WORDS) and _SELF.search(sentence)):
        return False
    strong = fastre.any_branch(sentence, folded, _STRONG_CHECKS)
    if kind in _GIVEN_KINDS:
        return not strong
    return not (strong or bool(_CITATION.search(sentence))
                or (fastre.has_any(folded, _GENERAL_WORDS) and bool(_OTHERS_GENERAL.search(sentence))))


def _make_occurrence(vocab: Vocab, doc: JoinedText, ctx: _Context, canonical: str, start: int, end: int,
                     *, abbreviation: bool, defined: bool) -> _Occurrence | None:
    ostart, oend = doc.span(start, end)
    line = ctx.line(ostart)
    if is_json_line(line):
        return None
    kind = ctx.kind(ostart)
    if kind == "front" and _AFFILIATION.search(line):
        return None
    given = given_status(kind, ctx.sentence(ostart), ctx.review)
    if given is None:
        return None
    mention = _display(vocab, _WS.sub(" ", doc.text[start:end]).strip())
    return _Occurrence(canonical, mention, ostart, oend, given, abbreviation, defined)


_DISPLAY: dict[tuple[int, str], str] = {}


def _display(vocab: Vocab, mention: str) -> str:
    """Cached: the same wording recurs many times in a paper."""
    k = (id(vocab), mention)
    if k not in _DISPLAY:
        if len(_DISPLAY) > 50_000:
            _DISPLAY.clear()
        _DISPLAY[k] = _display_uncached(vocab, mention)
    return _DISPLAY[k]


def _display_uncached(vocab: Vocab, mention: str) -> str:
    """Sentence-initial capitals undone ("Radiotherapy" -> "radiotherapy") unless the
    vocabulary writes the term with a capital (a name such as "Mohs surgery")."""
    first = re.match(r"[A-Z][a-z]+", mention)
    if not first or is_abbreviation(first.group(0)):
        return mention
    word = first.group(0)
    # (any capitalised surface starting with the word: a look-up among their prefixes)
    capitalised = word in _capitalised_words(vocab) or word in _capitalised_prefixes(vocab)
    return mention if capitalised else mention[0].lower() + mention[1:]


_CAPITALISED: dict[int, tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = {}


def _capitalised(vocab: Vocab) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """Surfaces the vocabulary writes with a capital, their first words, and every prefix of
    them (computed once)."""
    if id(vocab) not in _CAPITALISED:
        surfaces = tuple(s for e in vocab.therapies.values() for s in e.surfaces if s[:1].isupper())
        _CAPITALISED[id(vocab)] = (surfaces, frozenset(s.split()[0].rstrip("-/") for s in surfaces),
                                   frozenset(s[:k] for s in surfaces for k in range(len(s) + 1)))
    return _CAPITALISED[id(vocab)]


def _capitalised_surfaces(vocab: Vocab) -> tuple[str, ...]:
    return _capitalised(vocab)[0]


def _capitalised_words(vocab: Vocab) -> frozenset[str]:
    return _capitalised(vocab)[1]


def _capitalised_prefixes(vocab: Vocab) -> frozenset[str]:
    return _capitalised(vocab)[2]


def therapies_in_label(label: str) -> list[tuple[str, str]]:
    """(canonical, class) of every therapy a short label names ('Surgery + RT'): the
    vocabulary alone, without the sentence and section reasoning of find_therapies."""
    vocab = load_vocab()
    text = match_text(label)
    out = []
    for m in vocab.therapy_pattern.finditer(text):
        canonical = vocab.therapy_for_surface(label[m.start():m.end()])
        if canonical and canonical not in [c for c, _ in out]:
            out.append((canonical, vocab.therapies[canonical].therapy_class))
    # In a combination label ("Surgery + CT") CT is chemotherapy, not a CT scan.
    if "+" in label and re.search(r"\bCT\b", label) and "chemotherapy" in vocab.therapies \
            and "chemotherapy" not in [c for c, _ in out]:
        out.append(("chemotherapy", vocab.therapies["chemotherapy"].therapy_class))
    return out


def _abbreviation_occurrences(vocab: Vocab, doc: JoinedText, ctx: _Context, defined: dict[str, str],
                              found: list[_Occurrence]) -> list[_Occurrence]:
    """Bare uses of abbreviations the paper defined for a therapy (incl. ambiguous ones
    such as "CT" once the paper writes "chemotherapy (CT)") that the vocabulary missed."""
    if not defined:
        return []
    taken = sorted((o.start, o.end) for o in found)
    starts = [a for a, _ in taken]
    pattern = re.compile(r"(?<![0-9A-Za-z])(" + "|".join(re.escape(a) for a in sorted(defined, key=len, reverse=True))
                         + r")s?(?![0-9A-Za-z])")
    out = []
    for m in pattern.finditer(doc.text):
        ostart, oend = doc.span(m.start(), m.end())
        i = bisect.bisect_right(starts, ostart) - 1
        if i >= 0 and taken[i][0] <= ostart < taken[i][1]:
            continue
        occ = _make_occurrence(vocab, doc, ctx, defined[m.group(1)], m.start(), m.end(),
                               abbreviation=True, defined=False)
        if occ is not None:
            out.append(occ)
    return out


def _one_per_canonical(vocab: Vocab, occurrences: list[_Occurrence]) -> list[TherapyMention]:
    groups: dict[str, list[_Occurrence]] = {}
    for occ in occurrences:
        groups.setdefault(occ.canonical, []).append(occ)
    out = []
    for canonical, occs in groups.items():
        given = any(o.given for o in occs)
        pool = [o for o in occs if o.given] or occs
        best = min(pool, key=lambda o: (not o.defined, o.abbreviation, o.start))
        out.append(TherapyMention(mention=best.mention, canonical=canonical,
                                  therapy_class=vocab.therapies[canonical].therapy_class,
                                  start=best.start, end=best.end, given=given))
    out.sort(key=lambda t: (t.start is None, t.start))
    return out


# ---------------------------------------------------------------------- sections

def fallback_spans(text: str) -> list[Span]:
    """Section spans from plain heading lines ("Materials and methods", "Discussion"),
    for callers that have none. Text before the first heading is "front". Without any
    heading the whole text is one "abstract" (a title/abstract record), except that a
    line that is only a non-Latin label ("期刊介绍:") starts an "other" span (a
    platform's journal description)."""
    heads = []
    for m in _HEADING.finditer(text):
        word = re.sub(r"\s+", " ", m.group(1).lower())
        kind = _HEADING_KIND.get(word) or ("methods" if "methods" in word else "other")
        heads.append((m.start(), kind, m.group(1)))
    if not heads:
        spans = []
        start, kind = 0, "abstract"
        pos = 0
        for line in text.splitlines(keepends=True):
            if _CJK_LABEL.match(line.strip()) and kind != "other":
                spans.append(Span(kind, start, pos))
                start, kind = pos, "other"
            pos += len(line)
        spans.append(Span(kind, start, len(text)))
        return [s for s in spans if s.end > s.start]
    spans = []
    if heads[0][0] > 0 and text[:heads[0][0]].strip():
        spans.append(Span("front", 0, heads[0][0]))
    for i, (start, kind, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        spans.append(Span(kind, start, end, title=title))
    return spans


def therapy_key(mention: str) -> str:
    """Comparison key of a mention (exposed for callers that deduplicate across papers)."""
    return key(mention)
