"""The text model (kb/extract/sections.py) on the melanoma PDF text: sections, tables,
the clean view with its offset map, and sentences."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MELANOMA
from kb.extract.article import PROSE_KINDS
from kb.extract.sections import clean_view, detect_spans, heading_kind, prose_ranges, section_at, split_sentences


@pytest.fixture(scope="module")
def text(melanoma_text):
    return melanoma_text


@pytest.fixture(scope="module")
def spans(text):
    return detect_spans(text)


@pytest.fixture(scope="module")
def clean(text, spans):
    return clean_view(text, prose_ranges(text, spans, PROSE_KINDS))


# --- sections and tables --------------------------------------------------------------

def test_detects_the_sections_in_order(spans):
    order = [s.kind for s in spans if s.kind not in ("table", "caption", "furniture")]
    assert order[0] == "abstract"
    for kind in ("abstract", "introduction", "methods", "results", "discussion", "conclusions"):
        assert kind in order, kind
    firsts = [order.index(k) for k in ("abstract", "introduction", "methods", "results", "discussion", "conclusions")]
    assert firsts == sorted(firsts)


def test_detects_four_tables(spans, text):
    tables = [s for s in spans if s.kind == "table"]
    numbers = {int(re.match(r"Table (\d+)", s.title).group(1)) for s in tables}
    assert numbers == {1, 2, 3, 4}
    for s in tables:
        assert text[s.start:s.end].lstrip().startswith("Table")


@pytest.mark.parametrize("needle, kind", [
    ("rate of less than 30% [7, 8]", "introduction"),
    ("In total, 262 previously untreated patients", "methods"),
    ("The median follow-up time for MMHN patients", "results"),
    ("Angelo et\u00a0al. [25]", "discussion"),
    ("T4a 2.897 (2.121, 3.957)", "table"),          # a Table 2 row
    ("Fig. 1 Survival curves", "caption"),
])
def test_section_at_known_places(spans, text, needle, kind):
    assert section_at(spans, text.index(needle)) == kind


def test_tables_are_not_prose(text, spans):
    ranges = prose_ranges(text, spans, PROSE_KINDS)
    tables = [(s.start, s.end) for s in spans if s.kind == "table"]
    for r_start, r_end, _, _ in ranges:
        for t_start, t_end in tables:
            assert r_end <= t_start or r_start >= t_end


@pytest.mark.parametrize("line, kind", [
    ("Materials and\u00a0methods", "methods"), (" Introduction", "introduction"), ("Results", "results"),
    ("2. Statistical analysis", "methods"), ("Conclusions", "conclusions"),
    ("Results: The median follow-up time was 34.0 months", None),
])
def test_heading_kind(line, kind):
    assert heading_kind(line) == kind


# --- the clean view -------------------------------------------------------------------

def test_clean_view_joins_a_word_hyphenated_across_lines():
    original = "A total of 246 (93.9%) patients received sur-\ngery, 149 (56.9%) patients received chemotherapy."
    c = clean_view(original, [(0, len(original), "abstract", True)])
    assert c.text == "A total of 246 (93.9%) patients received surgery, 149 (56.9%) patients received chemotherapy."
    i = c.text.index("surgery")
    quote, start, end = c.quote(i, i + len("surgery"))
    assert quote == "sur-\ngery" == original[start:end]


def test_clean_view_keeps_real_compound_hyphens():
    original = "The ethics committee reviewed fol-\nlow-up information and long-\nterm outcomes."
    c = clean_view(original, [(0, len(original), "methods", True)])
    assert "follow-up information" in c.text
    assert "long-term outcomes" in c.text


@pytest.mark.parametrize("clean_phrase, original_phrase", [
    ("no surgical indications", "no sur-\ngical indications"),
    ("5-year overall survival (OS) rate of less than 30%", "5-year overall sur-\nvival (OS) rate of less than 30%"),
    ("follow-up information", "fol-\nlow-up information"),
    ("surgery combined with chemoradiotherapy (n = 76)", "surgery combined with chemora-\ndiotherapy (n = 76)"),
])
def test_clean_view_maps_back_to_the_original(clean, text, clean_phrase, original_phrase):
    i = clean.text.index(clean_phrase)
    quote, start, end = clean.quote(i, i + len(clean_phrase))
    assert quote == original_phrase
    assert text[start:end] == original_phrase


def test_clean_view_cuts_tables_out(clean):
    assert "T4a 2.897 (2.121, 3.957)" not in clean.text
    assert "Table 2 Summary of univariate analysis" not in clean.text


def test_clean_index_is_monotonic(clean):
    assert len(clean.index) == len(clean.text)
    assert all(a <= b for a, b in zip(clean.index, clean.index[1:]))


def test_clean_letters_come_from_the_original(clean, text):
    for i, ch in enumerate(clean.text):
        if ch.isalnum():
            orig = text[clean.index[i]]
            assert orig == ch or not orig.isascii(), (i, ch, orig)  # ligatures map to their letters


_TEXT = MELANOMA.read_text(encoding="utf-8")
_CLEAN = clean_view(_TEXT, prose_ranges(_TEXT, detect_spans(_TEXT), PROSE_KINDS))


@settings(max_examples=200, deadline=None)
@given(start=st.integers(0, len(_CLEAN.text) - 2), length=st.integers(1, 200))
def test_any_clean_stretch_quotes_the_original(start, length):
    """Every stretch of the clean view maps back to an original stretch that holds the same
    words in the same order (a stretch across a cut-out table also spans that table)."""
    end = min(len(_CLEAN.text), start + length)
    quote, o_start, o_end = _CLEAN.quote(start, end)
    assert quote == _TEXT[o_start:o_end]
    flat = re.sub(r"[^A-Za-z0-9]", "", quote)
    pos = 0
    for word in re.findall(r"[A-Za-z0-9]+", _CLEAN.text[start:end]):
        found = flat.find(word, pos)
        assert found >= 0, (word, quote)
        pos = found + len(word)


# --- sentences ------------------------------------------------------------------------

def test_sentences_of_the_introduction_and_discussion(clean):
    sentences = [clean.text[s:e] for s, e in split_sentences(clean.text, clean.breaks)]
    assert "MMHN has a poor prognosis, with a 5-year overall survival (OS) rate of less than 30% [7, 8]." in sentences
    dangelo = [s for s in sentences if "Angelo et al. [25]" in s]
    assert len(dangelo) == 1  # "et al." does not end the sentence
    assert dangelo[0].endswith("and 8.3% (ipilimumab alone).")


def test_split_sentences_on_a_results_paragraph():
    para = ("The 5-year OS, DMFS, DFS, and LRRFS rates were 37.7%, 30.2%, 20.3%, and 21.0%, respectively. "
            "The 3-year OS rates of patients with stage III, IVa, and IVb were 77.0%, 41.3% and 25.0%, respectively "
            "(P < 0.001); DFS rates were 52.9%, 20.9% and 8.3%, respectively (P < 0.001) (Fig. 1). "
            "Patients ≤ 57 years old had a better 5-year OS rate (42.1% vs. 34.2%).")
    got = [para[s:e] for s, e in split_sentences(para)]
    assert len(got) == 3
    assert got[1].endswith("(Fig. 1).")
    assert got[2].startswith("Patients ≤ 57")


def test_hard_breaks_split_sentences():
    para = "Statistical analysis SPSS version 22.0 was used Results The median follow-up was 34 months."
    cut = para.index("Results")
    assert [para[s:e] for s, e in split_sentences(para, [cut])] == [
        "Statistical analysis SPSS version 22.0 was used ", "Results The median follow-up was 34 months."]
