"""The fast paths of extraction give the answers of the plain ones they replace.

kb/extract gates its costly patterns with cheap tests (words every match holds, positions
every match starts at, a folded copy of the text) and reads some structures in bulk. Each
test here recomputes an answer the plain way -- the pattern searched over the whole text, the
whole alternation scanned, the offsets listed one by one -- and compares, over the repository's
own papers and seeded variants of them (upper case, the non-ASCII letters that re.IGNORECASE
folds to ASCII ones). A pattern edited without its gate fails here, not silently in an export.
"""
from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from kb.extract import (
    fastre,
    figures,
    lexicon,
    numbers,
    sections,
    study,
    therapies,
    vocab,
)
from kb.extract.article import PROSE_KINDS, document_spans
from kb.models import ArticleRecord

ROOT = Path(__file__).resolve().parents[1]


def _corpus() -> list[str]:
    paths = sorted((ROOT / "eval" / "docs").glob("*.txt")) + sorted((ROOT / "data" / "samples").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def _variants(text: str, rnd: random.Random) -> list[str]:
    exotic = {"i": "\u0130", "s": "\u017f", "k": "\u212a"}
    mixed = "".join(exotic.get(c, c) if rnd.random() < 0.05 else c for c in text)
    return [text, text.upper(), mixed, text.title()]


def _sentences(limit: int = 4000) -> list[str]:
    rnd = random.Random(7)
    out = []
    for text in _corpus():
        for s in re.split(r"(?<=[.!?;])\s+|\n", text):
            if s.strip():
                out.extend(_variants(s, rnd))
    rnd.shuffle(out)
    return out[:limit] + [
        "Smith et al. used IMRT.", "Previously published studies", "A recent phase III trial by X showed",
        "In our study, we gave IMRT.", "We retrospectively reviewed 85 patients.", "a total of 120 patients were included",
        "Of the 97 patients enrolled, 90 were evaluable", "Twenty-two patients were enrolled",
        "median follow-up was 36 months", "Median follow up: 4.2 years", "the 1-, 3- and 5-year OS rates",
        "at 1, 2 and 5 years", "five-year OS", "at 24 months", "5-y", "12 Mos", "This narrative review",
        "A review\nof", "We report a case of", "randomised, double-blind", "phase II study of", "case series",
        "INCLUDING 3 trials", "\u0130T WAS REPORTED", "Guidelines recommend", "the present study",
    ]


SENTENCES = _sentences()


def test_fold_is_what_ignorecase_matches():
    # Every character re.IGNORECASE matches to an ASCII letter folds to that letter, and no other.
    for cp in list(range(0x250)) + [0x212A, 0x212B, 0x1E9E]:
        ch = chr(cp)
        for letter in "abcdefghijklmnopqrstuvwxyz":
            assert (re.fullmatch(letter, ch, re.I) is not None) == (fastre.fold(ch) == letter), (hex(cp), letter)
    for s in SENTENCES[:500]:
        assert len(fastre.fold(s)) == len(s)
        assert lexicon.ascii_lower(s) == s.translate(lexicon._ASCII_LOWER)


def test_search_and_finditer_at_candidates_match_plain_search():
    rx = re.compile(r"\b(?:a total of|we reviewed)\s+\d+", re.I)
    for s in SENTENCES:
        folded = fastre.fold(s)
        m1, m2 = rx.search(s), fastre.search_at_literals(rx, s, folded, ("a total of", "we reviewed"))
        assert (m1 and m1.span()) == (m2 and m2.span())
        timepoints = [m.span() for m in numbers.TIMEPOINT_RE.finditer(s)]
        assert timepoints == [m.span() for m in fastre.finditer_at(numbers.TIMEPOINT_RE, s,
                                                                     fastre.number_starts(s, folded))]
        assert [m.span() for m in numbers.PERCENT_RE.finditer(s)] == \
            [m.span() for m in fastre.finditer_at(numbers.PERCENT_RE, s, fastre.number_token_starts(s))]


def test_branches_rejoin_to_the_pattern():
    for p in (therapies._OTHERS_STRONG, therapies._OTHERS_GENERAL, therapies._SELF, figures.CITED_RE):
        assert "|".join(b.pattern for b in fastre.branches(p)) == p.pattern


def _design_plain(title: str, front: str, methods: str) -> str | None:
    for text in (title, front, methods):
        for pat, name, _ in study._DESIGNS:
            if re.search(pat, text, re.I | re.M):
                return name
    return None


def _n_patients_plain(text: str) -> int | None:
    for pat in (study._PATIENTS_OF, study._PATIENTS, study._PATIENTS_BARE, study._STUDY_OF):
        m = pat.search(text)
        if m:
            raw = m.group("n").replace(",", "")
            n = int(raw) if raw.isdigit() else numbers.word_to_int(raw)
            if n:
                return n
    return None


def test_study_facts_as_searched_plainly():
    for s in SENTENCES:
        assert study.find_design(s, s, s) == _design_plain(s, s, s), s
        assert study.find_design("", s, "") == _design_plain("", s, ""), s
        assert study.find_n_patients(s) == _n_patients_plain(s), s
        m = study._FOLLOW_UP.search(s)
        assert (study.find_follow_up(s) is None) == (m is None or numbers.to_float(m.group("v")) is None), s


def _timepoint_plain(s: str) -> float | None:
    m = numbers.TIMEPOINT_RE.search(s)
    if m:
        return numbers.timepoint_months(m.group(1), m.group(2) or m.group(3))
    m = numbers.AT_TIMEPOINT_RE.search(s)
    return numbers.timepoint_months(m.group(1), m.group(2)) if m else None


def _timepoint_list_plain(s: str):
    m = numbers.TIMEPOINT_LIST_RE.search(s) or numbers.AT_TIMEPOINT_LIST_RE.search(s)
    return (m.start(), m.end()) if m else None


def test_timepoints_as_searched_plainly():
    for s in SENTENCES:
        assert numbers.find_timepoint(s) == _timepoint_plain(s), s
        found = numbers.find_timepoint_list(s)
        assert (found and found[1:]) == _timepoint_list_plain(s), s


def _cited_plain(text: str) -> bool:
    for m in figures._CITATION.finditer(text):
        if not figures._VALUE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            return True
    return bool(figures.CITED_RE.search(text))


def _given_plain(kind: str, sentence: str) -> bool | None:
    if kind == "references":
        return None
    strong = bool(therapies._OTHERS_STRONG.search(sentence))
    cited = bool(therapies._CITATION.search(sentence))
    general = bool(therapies._OTHERS_GENERAL.search(sentence))
    if kind == "introduction":
        return False
    if kind in ("discussion", "conclusions"):
        return bool(therapies._SELF.search(sentence)) and not (strong or cited or general)
    if kind in therapies._GIVEN_KINDS:
        return not strong
    return not (strong or cited or general)


def test_sentence_cues_as_searched_plainly():
    for s in SENTENCES:
        assert figures.is_cited(s) == _cited_plain(s), s
        for kind in ("methods", "discussion", "introduction", "other", "references"):
            assert therapies.given_status.__wrapped__(kind, s, False) == _given_plain(kind, s), (kind, s)


def _starts_plain(matcher: lexicon.TermMatcher, text: str) -> list[tuple[int, int]]:
    """The matcher's candidates found the plain way: every match of its start pattern."""
    low = text.translate(lexicon._ASCII_LOWER)
    out, taken = [], 0
    for w in matcher._starts.finditer(low):
        i = w.start()
        if i < taken:
            continue
        word = lexicon._WORD.match(low, i).group(0)
        best = None
        for n in range(min(len(word), lexicon._KEY), 0, -1):
            pat = matcher._by_key.get(word[:n])
            m = pat.match(text, i) if pat is not None else None
            if m and m.end() > i and (best is None or m.end() > best.end()):
                best = m
        if best is not None:
            out.append(best.span())
            taken = best.end()
    return out


@pytest.mark.parametrize("which", ["therapy", "condition"])
def test_term_matcher_finds_what_its_start_pattern_finds(which):
    v = vocab.load_vocab()
    matcher = v.therapy_pattern if which == "therapy" else v.condition_pattern
    texts = [vocab.match_text(t) for t in _corpus()] + SENTENCES[:1500] + [
        "il 2 IL-2 il2 5-FU 5 fu 7+3 7 + 3 HER2+ hr+ Waldenström WALDENSTRÖM T cell t-cell S-1 R-CHOP"]
    for t in texts:
        assert [m.span() for m in matcher.finditer(t)] == _starts_plain(matcher, t)


def test_clean_view_offsets_and_sentences():
    for text in _corpus():
        record = ArticleRecord(source_format="text", text=text)
        clean = sections.clean_view(text, sections.prose_ranges(text, document_spans(record), PROSE_KINDS))
        index = clean.index
        assert len(index) == len(clean.text)
        bounds = sections.split_sentences(clean.text, clean.breaks)
        assert clean.spans(bounds) == [clean.span(a, b) for a, b in bounds]
        for a, b in bounds[:200]:
            assert clean.span(a, b) == (index[a], index[min(b, len(index)) - 1] + 1)


def test_line_break_joins_keep_offsets():
    for text in _corpus() + ["chemo-\ntherapy IFN-a-\n2b PD-\n1", "a-\n b\u2010\nc"]:
        joined = vocab.join_line_breaks(text)
        offsets = joined.offsets
        assert len(offsets) == len(joined.text) + 1 and offsets[-1] == len(text)
        for i, ch in enumerate(joined.text):
            assert text[offsets[i]] == ch or (ch == "-" and text[offsets[i]] in "\u00ad\u2010\u2011")


def test_headings_and_furniture_as_matched_plainly():
    for text in _corpus():
        for line in text.split("\n"):
            s = re.sub(r"\s+", " ", sections._NUMBERED.sub("", line)).strip().rstrip(":").strip()
            plain = sections._HEADINGS.get(s.lower()) if 2 < len(s) < 60 else None
            assert sections.heading_kind(line) == plain
            assert bool(sections._furniture(line)) == bool(sections._FURNITURE.match(line))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
