"""The fast paths of the prose figure rules (issue 4) give what the plain searches they replace give.

Each one is checked against the search it stands for, on the eval and sample texts, their
sentences in variants (upper case, title case, the non-ASCII characters re.IGNORECASE folds
to ASCII letters), and random strings over the characters that decide the answer.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from kb.extract import fastre
from kb.extract import figures as F
from kb.extract.sections import clean_view

ROOT = Path(__file__).resolve().parents[1]
_EXOTIC = str.maketrans({"i": "\u0131", "k": "\u212a", "s": "\u017f", "I": "\u0130"})


def _texts() -> list[str]:
    paths = sorted((ROOT / "eval" / "docs").glob("*.txt")) + sorted((ROOT / "data" / "samples").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


TEXTS = _texts()


def _sentences(limit: int = 4000) -> list[str]:
    rnd = random.Random(12)
    out = []
    for text in TEXTS:
        for s in re.split(r"(?<=[.!?])\s+|\n", text):
            if s.strip():
                out += [s, s.upper(), s.title(), s.translate(_EXOTIC)]
    rnd.shuffle(out)
    return out[:limit]


SENTENCES = _sentences()


def _random_strings(alphabet: str, n: int, seed: int, longest: int = 40) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_digit_marks_are_where_the_pattern_finds_digits():
    # "?" beside the characters past ASCII (which the copy writes as "?"); digits of other
    # scripts; more than 64 characters past ASCII (the pattern's path).
    strings = SENTENCES + TEXTS + _random_strings("a1 9.?\u0663\u00e9x\uff11\u2265", 3000, 1) \
        + _random_strings("\u00e9\u0663?1", 200, 2, longest=300) + ["", "7", "?", "\u0661\u0662"]
    for s in strings:
        assert fastre.digit_marks(s) == bytes(0x31 if re.match(r"\d", c) else 0x20 for c in s), s


def test_any_literal_starts():
    for s in SENTENCES[:1000]:
        f = fastre.fold(s)
        lits = ("ab", "a", "the", "of", "o")
        assert fastre.any_literal_starts(f, lits) == sorted({i for lit in lits for i in fastre.literal_starts(f, lit)})


def test_fold_as_the_character_class_decides():
    exotic = re.compile("[\u0130\u0131\u017f\u212a]")

    def plain(text: str) -> str:
        low = fastre.ascii_lower(text)
        return low.translate(fastre._EXOTIC) if exotic.search(low) else low
    for s in SENTENCES + TEXTS + _random_strings("aK\u0130\u0131\u017f\u212a\u00e9 ", 2000, 3):
        assert fastre.fold(s) == plain(s), s


def test_years_as_findall():
    strings = SENTENCES + _random_strings("1920 -\u2013.,%03", 4000, 4) + ["\u0661\u0669\u0669\u0660 2004"]
    for s in strings:
        assert F._years(s) == F._YEAR_OR_RANGE.findall(s), s


def test_median_re_at_median():
    strings = SENTENCES + [s + " median OS was 12 months" for s in SENTENCES[:300]] \
        + [s + " The medians of OS and PFS were 12, 8 and 5.5 months" for s in SENTENCES[:300]] \
        + _random_strings("median 12 mo,.%MEDIAN", 2000, 5)
    for s in strings:
        fs = fastre.fold(s)
        fast = fastre.finditer_at(F.MEDIAN_RE, s, fastre.literal_starts(fs, "median")) if "median" in fs else ()
        assert _spans(fast) == _spans(F.MEDIAN_RE.finditer(s)), s
        fast = fastre.finditer_at(F._MEDIAN_LIST, s, fastre.literal_starts(fs, "median")) if "median" in fs else ()
        assert _spans(fast) == _spans(F._MEDIAN_LIST.finditer(s)), s


def test_fraction_gate_at_dots():
    for s in SENTENCES + _random_strings("0.5 1a.\u0663", 20000, 6, longest=14):
        fast = F._Gates.fraction.search(s)
        assert bool(fast) == bool(F._FRACTION_GATE.search(s)), s


def test_labelled_pair_gate():
    strings = SENTENCES + _random_strings("AB, 1% v vs versus", 4000, 7) + ["(EE, 18% v EP, 20%; P = .7)"]
    for s in strings:
        if F._LABELLED_PAIR.search(s):
            assert F._Gates.pct_v.search(s), s


def test_response_patterns_at_their_starts():
    names = ["ORR", "CR rate", "sCR", "pCR", "complete remission", "R0 resection rate", "VGPR or better", "MRD-negativity",
             "stable disease", "limb salvage", "larynx preservation", "disease control rate", "partial response"]
    rnd = random.Random(8)
    made = [f"The {rnd.choice(names)} was {rnd.randint(1, 99)}%, and {rnd.randint(1, 99)}% achieved a "
            f"{rnd.choice(names)}" for _ in range(500)]
    for s in SENTENCES + made + [m.upper() for m in made] + [m.translate(_EXOTIC) for m in made]:
        fs = fastre.fold(s)
        fast = fastre.finditer_at(F._RESPONSE, s, fastre.any_literal_starts(fs, F._RESPONSE_STARTS))
        assert _spans(fast) == _spans(F._RESPONSE.finditer(s)), s
        fast = fastre.finditer_at(F._RESPONSE_AFTER, s, fastre.number_token_starts(s))
        assert _spans(fast) == _spans(F._RESPONSE_AFTER.finditer(s)), s


def test_ratio_gate_passes_every_ratio_word():
    for s in SENTENCES + _random_strings("HORr atiskzd", 4000, 9):
        if fastre.has_any(s, F._RATIO_WORDS):
            assert ("R" in s and ("HR" in s or "OR" in s or "RR" in s)) or " ratio" in s or " risk" in s, s


def test_time_word_at_its_starts():
    time_word = re.compile(r"month|year|week|\bmo\b|\byrs?\b|days?\b", re.I)
    for s in SENTENCES + _random_strings("mo yr days.", 4000, 10):
        fs = fastre.fold(s)
        has_time = fastre.has_any(fs, ("month", "year", "week")) or (
            fastre.has_any(fs, ("mo", "yr", "day"))
            and fastre.search_at_literals(fastre.TIME_WORD, fs, fs, ("mo", "yr", "day")) is not None)
        assert has_time == bool(time_word.search(s)), s


def test_clauses_without_semicolon():
    for s in SENTENCES[:1000] + ["", ";", "a;b;"]:
        out, pos = [], 0
        for part in re.split(r"(;)", s):
            if part == ";":
                pos += 1
                continue
            out.append((pos, part))
            pos += len(part)
        assert F._clauses(s) == out, s


def test_sentence_text_is_its_stretch():
    text = "First one. Second 12% here."
    clean = clean_view(text, [(0, len(text), "results", False)])
    sent = F.Sentence(11, 27, "results", False)
    assert sent.text(clean) == "Second 12% here." == sent.text(clean)


def _number_strings(seed: int) -> list[str]:
    """Sentences of numbers, units and joining words, the characters the number patterns decide on."""
    rnd = random.Random(seed)
    words = ["12", "3.5", ".7", "0.68", "1,234", "45%", "6 %", "vs", "vs.", "v", "versus", "compared with", "months",
             "mo", "years", "NR", "not reached", "nr", "(", ")", "[95% CI 1-2]", ",", "and", "±", "0.05", "-", ".",
             "after", "from", "response", "responses after", "induction", "in", "was", "five", "years after"]
    return ["".join(rnd.choice(words) + rnd.choice(["", " ", "  "]) for _ in range(rnd.randint(1, 14)))
            for _ in range(4000)]


NUMBER_STRINGS = _number_strings(13)


def test_number_led_patterns_at_number_starts():
    for s in SENTENCES + NUMBER_STRINGS:
        fs = fastre.fold(s)
        numbers = fastre.number_token_starts(s)
        assert _spans(fastre.finditer_at(F.VS_RE, s, numbers)) == _spans(F.VS_RE.finditer(s)), s
        assert _spans(fastre.finditer_at(F._TIME_PAIR, s, F._time_pair_starts(numbers, fs))) == \
            _spans(F._TIME_PAIR.finditer(s)), s
        assert _spans(fastre.finditer_at(F._FRACTION, s, fastre.any_literal_starts(s, ("0.", ".")))) == \
            _spans(F._FRACTION.finditer(s)), s


def test_word_gates_of_state_and_response_patterns():
    for s in SENTENCES + NUMBER_STRINGS:
        fs = fastre.fold(s)
        if F._YEARS_AFTER.search(s):
            assert ("year" in fs or "month" in fs) and fastre.has_any(fs, ("after", "from", "following", "since")), s
        fast = fastre.search_at_literals(F._RESPONSE_AFTER_PHASE, s, fs, ("respon",)) if "respon" in fs else None
        plain = F._RESPONSE_AFTER_PHASE.search(s)
        assert (fast and fast.span()) == (plain and plain.span()), s


def test_count_patterns_need_a_closing_percentage():
    rnd = random.Random(14)
    made = [f"{rnd.choice(['Local recurrence', 'Seven', '12 patients', 'All relapses'])} "
            f"{rnd.choice(['occurred in ', 'was observed in ', ''])}{rnd.randint(1, 90)} ({rnd.randint(1, 99)}"
            f"{rnd.choice(['%)', ' % )', '%', '%]'])} {rnd.choice(['died', 'required surgery', 'relapsed', ''])}"
            for _ in range(2000)]
    for s in SENTENCES + made + NUMBER_STRINGS:
        comb = re.search(rf"\ball\s+(?P<label>[a-z ,]+?)\s+occurred in\s+\d+\s*\(\s*{F._PCT}\s*\)", s, re.I)
        if F._EVENT_COUNT.search(s) or F._COUNT_THEN_EVENT.search(s) or F._COUNT_THEN_NEED.search(s) or comb:
            assert F._Gates.paren_pct.search(s), s


def test_number_token_starts_are_digit_runs_and_dots():
    for s in SENTENCES + NUMBER_STRINGS + _random_strings("1.2 .\u0663a", 3000, 15):
        plain = sorted({m.start() for m in re.finditer(r"\d+", s)} | {m.start() for m in re.finditer(r"\.", s)})
        assert fastre.number_token_starts(s) == plain, s


def test_fold_of_a_stretch_is_the_stretch_of_the_fold():
    """prose_figures gives each sentence its stretch of the folded text as its fold."""
    rnd = random.Random(16)
    for text in TEXTS + [t.translate(_EXOTIC) for t in TEXTS] + _random_strings("aK\u0130\u0131\u017f\u212a\u00e9\ud800 ", 500, 17):
        folded = fastre.fold(text)
        for _ in range(30):
            s = rnd.randint(0, len(text))
            e = rnd.randint(s, len(text))
            assert folded[s:e] == fastre.fold(text[s:e])


def test_model_words_as_the_patterns_find_them():
    rnd = random.Random(18)
    words = ["multivariate", "Multivariable", "ADJUSTED", "unadjusted", "univariate", "crude", "analysis", "HR 2.1",
             "(95% CI 1.1-3.2)", "un", "adjust", "0.5 (95% CI", "=1.2 (CI", "x3.4 [confidence"]
    made = [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 8))) for _ in range(3000)]
    for s in SENTENCES + made + [m.translate(_EXOTIC) for m in made]:
        fs = fastre.fold(s)
        plain = "multivariate" if re.search(r"multivariat|multivariable|adjusted", s, re.I) else \
            "univariate" if re.search(r"univariat|univariable|unadjusted|crude", s, re.I) else None
        assert F._analysis(s) == F._analysis(s, fs) == plain, s
        if F._MODEL_MENTION.search(s):
            assert fastre.has_any(fs, F._MULTI_WORDS) or fastre.has_any(fs, F._UNI_WORDS), s
        assert _spans(fastre.finditer_at(F._BARE_RATIO, s, fastre.number_token_starts(s))) == \
            _spans(F._BARE_RATIO.finditer(s)), s


def test_word_gates_of_enumeration_and_response_patterns():
    rnd = random.Random(19)
    words = ["12%", "(45%)", "after", "following", "surgery", "patients", "responded", "had a response", "achieved an",
             "objective response", "CI", "confidence", "95%", "AFTER", "Responded"]
    made = [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 9))) for _ in range(3000)]
    for s in SENTENCES + made + [m.translate(_EXOTIC) for m in made]:
        fs = fastre.fold(s)
        if F._VALUE_AFTER.search(s):
            assert "after" in fs or "following" in fs, s
        if F._RESPONDED.search(s):
            assert "respon" in fs, s
        if F._Gates.ci_word.search(s):
            assert "CI" in s or "confidence" in s, s
