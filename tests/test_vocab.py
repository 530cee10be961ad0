"""Vocabulary loading and lookups (data/vocab/*.csv, kb/extract/vocab.py)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kb.errors import KbError
from kb.extract.vocab import (
    FUZZY_THRESHOLD,
    abbreviation_fits,
    join_line_breaks,
    key,
    load_vocab,
    vocab_dir,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
GOLD_CLASSES = {"surgery", "radiotherapy", "chemotherapy", "immunotherapy", "targeted therapy",
                "immunologic/targeted therapy", "hormone therapy", "stem cell transplant",
                "cell therapy", "chemoradiotherapy"}


@pytest.fixture(scope="module")
def vocab():
    return load_vocab()


def sample(prefix: str) -> str:
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the data files

def test_vocab_sizes_and_integrity(vocab):
    assert len(vocab.therapies) >= 250
    assert len(vocab.endpoints) >= 30
    assert len(vocab.conditions) >= 80
    assert GOLD_CLASSES <= {e.therapy_class for e in vocab.therapies.values()}
    for entry in vocab.therapies.values():
        for parent in entry.parents:
            assert parent in vocab.therapies, f"{entry.canonical}: unknown parent {parent}"
    for entry in vocab.conditions.values():
        for parent in entry.parents:
            assert parent in vocab.conditions, f"{entry.canonical}: unknown parent {parent}"


def test_no_surface_form_names_two_therapies(vocab):
    owner: dict[str, str] = {}
    for entry in vocab.therapies.values():
        for surface in entry.surfaces:
            k = key(surface)
            assert owner.setdefault(k, entry.canonical) == entry.canonical, (
                f"{surface!r} is both {owner[k]!r} and {entry.canonical!r}")


def test_csv_has_no_stray_columns():
    for name, cols in (("therapies.csv", 4), ("endpoints.csv", 3), ("conditions.csv", 3)):
        with (vocab_dir() / name).open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                assert len(row) == cols, (name, row)


def test_kb_vocab_dir_overrides_location(tmp_path, monkeypatch):
    (tmp_path / "therapies.csv").write_text(
        "canonical,class,parent,synonyms\nfoomab,targeted therapy,,FMB|foo-mab\n", encoding="utf-8")
    (tmp_path / "endpoints.csv").write_text("code,name,synonyms\nOS,overall survival,\n", encoding="utf-8")
    (tmp_path / "conditions.csv").write_text("canonical,parent,synonyms\nfoo cancer,,\n", encoding="utf-8")
    monkeypatch.setenv("KB_VOCAB_DIR", str(tmp_path))
    v = load_vocab()
    assert set(v.therapies) == {"foomab"}
    assert v.match_therapy("Foo-mabs") == ("foomab", "targeted therapy")
    monkeypatch.delenv("KB_VOCAB_DIR")
    assert "nivolumab" in load_vocab().therapies


def test_missing_vocab_dir_is_a_kb_error(tmp_path):
    with pytest.raises(KbError):
        load_vocab(tmp_path / "nowhere")


# ---------------------------------------------------------------- therapies

@pytest.mark.parametrize("mention, expected", [
    ("postoperative radiotherapy", ("postoperative radiotherapy", "radiotherapy")),
    ("Post-operative  Radiotherapy", ("postoperative radiotherapy", "radiotherapy")),
    ("PD-1 antibodies", ("PD-1 antibody", "immunotherapy")),
    ("anti–PD‑1 antibody", ("PD-1 antibody", "immunotherapy")),       # en dash, non-breaking hyphen
    ("IFN-a-2b", ("interferon alfa-2b", "immunotherapy")),
    ("IFN-α-2b", ("interferon alfa-2b", "immunotherapy")),
    ("IL-2", ("interleukin-2", "immunotherapy")),
    ("2DRT", ("2D radiotherapy", "radiotherapy")),
    ("immunologic/targeted therapy", ("immunologic/targeted therapy", "immunologic/targeted therapy")),
    ("proteasome inhibitors", ("proteasome inhibitor", "targeted therapy")),
    ("immunomodulatory drugs", ("immunomodulatory drug", "immunotherapy")),
    ("anti-CD38 monoclonal antibodies", ("anti-CD38 monoclonal antibody", "immunotherapy")),
    ("ASCT", ("autologous stem cell transplantation", "stem cell transplant")),
    ("T-DXd", ("trastuzumab deruxtecan", "targeted therapy")),
    ("chemoradiation", ("chemoradiotherapy", "chemoradiotherapy")),
    ("oesophagectomy", ("esophagectomy", "surgery")),
])
def test_match_therapy_exact(vocab, mention, expected):
    assert vocab.match_therapy(mention) == expected


def test_match_therapy_fuzzy_near_miss(vocab):
    assert vocab.match_therapy("pembrolizumb") == ("pembrolizumab", "immunotherapy")
    assert vocab.match_therapy("daratumumbab") == ("daratumumab", "immunotherapy")
    # look-alike drugs stay apart
    assert vocab.match_therapy("vinblastine")[0] == "vinblastine"
    assert vocab.match_therapy("lenalidomide")[0] == "lenalidomide"
    assert FUZZY_THRESHOLD >= 85


def test_match_therapy_never_fuzzes_short_abbreviations(vocab):
    assert vocab.match_therapy("IMRX") is None          # one letter from IMRT
    assert vocab.match_therapy("PD-2") is None
    assert vocab.match_therapy("aspirin") is None


def test_ambiguous_abbreviations_need_context(vocab):
    assert vocab.match_therapy("CT") is None            # computed tomography, usually
    assert vocab.match_therapy("PI") is None
    assert "chemotherapy" in vocab.ambiguous_therapy("CT")


def test_therapy_terms_hierarchy(vocab):
    immuno = vocab.therapy_terms("immunotherapy")
    assert {"immunologic/targeted therapy", "nivolumab", "PD-1 antibody", "interleukin-2",
            "interferon alfa-2b", "daratumumab", "teclistamab", "lenalidomide"} <= immuno
    assert "bortezomib" not in immuno and "cisplatin" not in immuno
    targeted = vocab.therapy_terms("targeted therapy")
    assert {"proteasome inhibitor", "bortezomib", "imatinib", "immunologic/targeted therapy",
            "trastuzumab deruxtecan"} <= targeted
    assert "nivolumab" not in targeted
    assert vocab.therapy_terms("PD-1 inhibitors") >= {"PD-1 antibody", "nivolumab", "pembrolizumab"}
    assert "ipilimumab" not in vocab.therapy_terms("PD-1 antibody")
    assert vocab.therapy_terms("radiotherapy") >= {"intensity-modulated radiotherapy", "chemoradiotherapy",
                                                   "postoperative radiotherapy"}


def test_therapy_classes(vocab):
    assert vocab.therapy_classes("nivolumab") == {"immunotherapy"}
    assert {"immunotherapy", "immunologic/targeted therapy"} <= vocab.therapy_classes("immunotherapy")
    assert vocab.therapy_classes("chemoradiotherapy") == {"chemoradiotherapy"}
    assert vocab.therapy_classes("no such therapy") == set()


# ---------------------------------------------------------------- endpoints

@pytest.mark.parametrize("text, code", [
    ("overall survival", "OS"),
    ("OS", "OS"),
    ("5-year OS rate", "OS"),
    ("Progression-free survival", "PFS"),
    ("local regional relapse free survival", "LRRFS"),
    ("locoregional relapse-free survival", "LRRFS"),
    ("distant metastasis-free survival", "DMFS"),
    ("disease-free survival probability", "DFS"),
    ("local relapse-free survival", "LRFS"),
    ("objective response rate", "ORR"),
    ("complete remission", "CR"),
    ("pathologic complete response", "pCR"),
    ("local relapses", "local recurrence"),
    ("distant metastases", "distant metastasis"),
    ("local control", "LC"),                   # not LRFS
    ("distant metastasis free survivl", "DMFS"),  # fuzzy on a long name
    ("tumour size", None),
])
def test_endpoint_code(vocab, text, code):
    assert vocab.endpoint_code(text) == code


def test_endpoint_terms(vocab):
    assert vocab.endpoint_terms("OS") == {"OS", "overall survival"}
    assert vocab.endpoint_terms("overall survival") == {"OS", "overall survival"}
    survival = vocab.endpoint_terms("survival")
    assert {"OS", "PFS", "DMFS", "LRRFS"} <= survival
    assert "ORR" not in survival


# ---------------------------------------------------------------- conditions

def test_match_condition(vocab):
    assert vocab.match_condition("NSCLC") == "non-small cell lung cancer"
    assert vocab.match_condition("mucosal melanoma of the head and neck") == "head and neck mucosal melanoma"
    assert vocab.match_condition("acute myeloid leukaemia") == "acute myeloid leukemia"
    assert vocab.match_condition("MM") is None             # ambiguous on its own
    assert vocab.match_condition("multiple myelom") == "multiple myeloma"   # fuzzy
    assert "melanoma" in vocab.condition_ancestors("head and neck mucosal melanoma")


def test_find_condition_seed_retrospective_study(vocab):
    assert vocab.find_condition(sample("000")) == "head and neck mucosal melanoma (MMHN)"


def test_find_condition_seed_review_record(vocab):
    # JSON metadata line first, then the English title and abstract.
    assert vocab.find_condition(sample("002")) == "extramedullary involvement in multiple myeloma"


def test_find_condition_keeps_qualifiers_and_abbreviation(vocab):
    text = ("Daratumumab in relapsed/refractory multiple myeloma\n"
            "Patients with relapsed/refractory multiple myeloma (RRMM) received daratumumab.")
    assert vocab.find_condition(text) == "relapsed/refractory multiple myeloma"
    text = "Background: Locally advanced non-small cell lung cancer (NSCLC) is common. We studied..."
    assert vocab.find_condition(text) == "Locally advanced non-small cell lung cancer (NSCLC)"
    assert vocab.find_condition("A study of something else entirely.") is None


# ---------------------------------------------------------------- text helpers

def test_join_line_breaks_keeps_real_hyphens_and_offsets():
    text = "given chemo-\ntherapy and IFN-a-\n2b plus PD-\n1 antibodies"
    joined = join_line_breaks(text)
    assert joined.text == "given chemotherapy and IFN-a-2b plus PD-1 antibodies"
    i = joined.text.index("chemotherapy")
    start, end = joined.span(i, i + len("chemotherapy"))
    assert text[start:end] == "chemo-\ntherapy"
    assert len(joined.match) == len(joined.text)


def test_abbreviation_fits():
    assert abbreviation_fits("IMRT", "intensity-modulated radiotherapy")
    assert abbreviation_fits("2DRT", "2D radiotherapy")
    assert abbreviation_fits("MMHN", "head and neck mucosal melanoma")   # reordered initials
    assert not abbreviation_fits("n", "surgery")
    assert not abbreviation_fits("XYZ", "radiotherapy")
