"""The fast paths of the extract stage (issue 4) give what the plain searches they replace give.

Each fast path is checked against the plain regex search it stands for, on the eval and
sample texts, their sentences in variants (upper case, title case, characters re.IGNORECASE
folds), and random strings over the characters that decide the answer.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from kb.extract import article, cohorts, fastre, lexicon, sections, study, vocab
from kb.extract.sections import clean_view, prose_ranges
from kb.models import ArticleRecord

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    paths = sorted((ROOT / "eval" / "docs").glob("*.txt")) + sorted((ROOT / "data" / "samples").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


TEXTS = _texts()


def _sentences(limit: int = 3000) -> list[str]:
    rnd = random.Random(11)
    out = []
    for text in TEXTS:
        for s in re.split(r"(?<=[.!?;])\s+|\n", text):
            if s.strip():
                out += [s, s.upper(), s.title()]
    rnd.shuffle(out)
    return out[:limit]


SENTENCES = _sentences()


def _random_strings(alphabet: str, n: int, seed: int, longest: int = 30) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


def test_digits_as_the_pattern_finds_them():
    strings = SENTENCES + TEXTS + _random_strings("a1 9.\u0663\u00e9x", 3000, 1) + ["", "7", "x", "\u0661\u0662"]
    for s in strings:
        assert fastre.has_digit(s) == (re.search(r"\d", s) is not None), s
        assert fastre.digit_run_starts(s) == [m.start() for m in re.finditer(r"\d+", s)], s


def test_number_starts_with_the_digit_runs_given():
    for s in SENTENCES[:1000]:
        folded = fastre.fold(s)
        assert fastre.number_starts(s, folded, fastre.digit_run_starts(s)) == fastre.number_starts(s, folded)


def test_present_literals_are_those_in_the_text():
    gated = fastre.gate_literals(study._DESIGN_WORDS, ("case", "random", "we ", "spective"))
    assert sorted(w for _, words in gated for w in words) == sorted(study._DESIGN_WORDS)
    for s in SENTENCES + ["we report a case series", "randomly assigned", "retrospective", "WE REVIEW"]:
        folded = fastre.fold(s)
        assert set(fastre.present_literals(folded, gated)) == {w for w in study._DESIGN_WORDS if w in folded}
        assert set(fastre.present_literals(folded, study._PATIENTS_GATED)) == \
            {w for w in study._PATIENTS_LEADS if w in folded}


def test_sex_gate_as_the_pattern():
    for s in SENTENCES + _random_strings("1 men women male\u00a0\u0663", 3000, 2):
        folded = fastre.fold(s)
        assert cohorts._sex_folded(folded) == (cohorts._SEX_FOLDED.search(folded) is not None), s


def test_cohort_patterns_tried_at_digit_runs_find_what_finditer_finds():
    for s in SENTENCES + _random_strings("1 2,00.males and 3 female x(", 3000, 3, 40):
        runs = fastre.digit_run_starts(s)
        for pat in (cohorts._PAIR, cohorts._SEX):
            assert [m.span() for m in fastre.finditer_at(pat, s, runs)] == [m.span() for m in pat.finditer(s)], s


def test_sentence_events_as_the_pattern_finds_them():
    strings = SENTENCES + TEXTS + _random_strings("ab .!?()[]\u03b1\u00e9\u3000\n", 5000, 4)
    for s in strings:
        assert sections._sentence_events(s) == [m.start() for m in sections._SENTENCE_EVENTS.finditer(s)], s


def test_abbreviation_ends_as_the_pattern_finds_them():
    # The word list is _ABBREV's own.
    words = re.search(r"\(\?:([^()]*)\)", sections._ABBREV.pattern).group(1).replace("\\", "").split("|")
    assert sorted(words) == sorted(w for ws in sections._ABBREV_WORDS.values() for w in ws)
    rnd = random.Random(5)
    pieces = words + ["A", "Z", "a", "_", "\u00e9", "1", " ", ".", "x", "\u0663"]
    for _ in range(50_000):
        w = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))[-8:] + "."
        assert sections._ends_abbreviation(w) == (sections._ABBREV.search(w) is not None), w


def test_clean_view_of_ascii_text_as_of_the_same_text_read_plainly(monkeypatch):
    # The ASCII path finds line breaks and tabs with str.find; the other path with the pattern.
    texts = TEXTS + ["a\tb\r\nc  d\n\ne-\nf", "x\r\r\ty", "\t", "\n", "a  \t  b"]
    for text in texts:
        spans = article.document_spans(ArticleRecord(source_format="text", text=text))
        keep = prose_ranges(text, spans, article.PROSE_KINDS)
        fast = clean_view(text, keep)
        # The same text with one non-ASCII character added at its end (outside every range)
        # takes the pattern's path and must give the same view.
        plain = clean_view(text + "\u00e9", keep)
        assert (fast.text, fast.breaks, fast.kinds) == (plain.text, plain.breaks, plain.kinds)
        assert fast.spans([(0, len(fast.text))]) == plain.spans([(0, len(plain.text))]) if fast.text else True


def test_joined_sentences_as_joined():
    for text in TEXTS[:10]:
        rec = ArticleRecord(source_format="text", text=text)
        spans = article.document_spans(rec)
        clean = clean_view(text, prose_ranges(text, spans, article.PROSE_KINDS))
        folded = fastre.fold(clean.text)
        sents = [type("S", (), {"start": a, "end": b})() for a, b in sections.split_sentences(clean.text, clean.breaks)]
        for part in (sents, sents[:3], sents[1:2], []):
            assert article._joined(clean.text, folded, part) == (
                " ".join(clean.text[s.start:s.end] for s in part), " ".join(folded[s.start:s.end] for s in part))


def test_lazy_term_patterns_are_the_terms_patterns():
    matcher = vocab.load_vocab().therapy_pattern
    by_key = matcher._by_key
    assert isinstance(by_key, lexicon._LazyPatterns)
    some = list(by_key)[:50]
    for k in some:
        assert k in by_key
        assert by_key.get(k) is by_key[k]
        assert by_key[k].flags & re.IGNORECASE
    assert by_key.get("no such key \u0000") is None


def test_adverse_event_gates_hold_for_every_match():
    from kb.extract import adverse
    strings = SENTENCES + _random_strings("AE ae grade 3 \u0130\u017f tox side effects were ", 3000, 6, 60) + [
        "Grade 3 neutropenia occurred in 24% of patients", "the most common AEs were rash (12%)",
        "TOXICITIES WERE ANEMIA (9%)", "Side effects included nausea (5%)", "GRADE \u2265 3 AES WERE X (2%)"]
    for s in strings:
        folded = fastre.fold(s)
        if adverse._LIST_HEAD.search(s):
            assert fastre.has_any(folded, adverse._LIST_HEAD_WORDS), s
        if adverse._GRADE_RE.search(s):
            assert "grade" in folded, s
