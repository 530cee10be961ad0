"""find_therapies on the real seed texts and on small realistic sentences."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from kb.extract.therapies import fallback_spans, find_therapies, given_status
from kb.extract.vocab import split_sentences
from kb.models import Span

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def sample(prefix: str) -> str:
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def by_mention(result):
    return {t.mention.lower(): t for t in result}


def seed_spans(text: str) -> list[Span]:
    """Section spans for seed 000 as a section parser would mark them (headings by line)."""
    marks = [("abstract", "Abstract"), ("introduction", "Introduction"),
             ("methods", r"Materials and\s+methods"), ("results", "Results"),
             ("discussion", "Discussion"), ("conclusions", "Conclusions")]
    starts = [(re.search(rf"^[ \t]*{head}[ \t]*$", text, re.M).start(), kind) for kind, head in marks]
    spans = [Span(kind, a, (starts[i + 1][0] if i + 1 < len(starts) else len(text)))
             for i, (a, kind) in enumerate(starts)]
    t1 = text.index("Table 1 Demographic")
    spans.append(Span("table", t1, text.index(" surgery alone, 33.0%")))
    return spans


GIVEN_000 = {
    "surgery": "surgery", "local resection": "surgery", "extended resection": "surgery",
    "radiotherapy": "radiotherapy", "2d radiotherapy (2drt)": "radiotherapy",
    "intensity-modulated radiotherapy (imrt)": "radiotherapy",
    "preoperative radiotherapy": "radiotherapy", "postoperative radiotherapy": "radiotherapy",
    "radiotherapy alone": "radiotherapy", "chemotherapy": "chemotherapy",
    "palliative chemotherapy": "chemotherapy", "chemoradiotherapy": "chemoradiotherapy",
    "dacarbazine": "chemotherapy", "cisplatin": "chemotherapy", "paclitaxel": "chemotherapy",
    "vindesine": "chemotherapy", "immunologic/targeted therapy": "immunologic/targeted therapy",
    "il-2": "immunotherapy", "ifn-a-2b": "immunotherapy", "pd-1 antibodies": "immunotherapy",
    "3d radiation techniques": "radiotherapy",
}
DISCUSSED_ONLY_000 = {"vemurafenib", "imatinib", "nilotinib", "nivolumab", "ipilimumab"}


@pytest.mark.parametrize("with_spans", [False, True], ids=["fallback-sections", "given-sections"])
def test_seed_000_given_therapies(with_spans):
    text = sample("000")
    spans = seed_spans(text) if with_spans else []
    sentences = split_sentences(text) if with_spans else []
    found = by_mention(find_therapies(text, sentences, spans))
    given = {m: t.therapy_class for m, t in found.items() if t.given}
    assert given == GIVEN_000
    for name in DISCUSSED_ONLY_000:
        assert name in found and found[name].given is False, name


def test_seed_000_mentions_and_offsets():
    text = sample("000")
    found = by_mention(find_therapies(text, [], []))
    # words split across lines are joined in the mention; offsets cover the original
    ifn = found["ifn-a-2b"]
    assert ifn.mention == "IFN-a-2b" and text[ifn.start:ifn.end] == "IFN-a-\n2b"
    crt = found["chemoradiotherapy"]
    assert text[crt.start:crt.end] == "chemora-\ndiotherapy"
    imrt = found["intensity-modulated radiotherapy (imrt)"]
    assert re.sub(r"\s+", " ", text[imrt.start:imrt.end]) == "intensity-modulated radiotherapy (IMRT)"
    assert found["local resection"].canonical == "local excision"
    assert found["pd-1 antibodies"].canonical == "PD-1 antibody"
    assert found["ifn-a-2b"].canonical == "interferon alfa-2b"
    # one mention per canonical: table abbreviations ("Surgery + RT", "2DRT") add nothing
    canonicals = [t.canonical for t in found.values()]
    assert len(canonicals) == len(set(canonicals))
    assert "rt" not in found and "2drt" not in found and "imrt" not in found
    # general recommendations in the conclusions are not this study's treatment
    assert found["radical surgery"].given is False


def test_seed_002_review_covers_abstract_therapies():
    text = sample("002")
    found = find_therapies(text, [], [])
    assert {(t.mention, t.therapy_class) for t in found if t.given} == {
        ("proteasome inhibitors", "targeted therapy"),
        ("immunomodulatory drugs", "immunotherapy"),
        ("anti-CD38 monoclonal antibodies", "immunotherapy"),
        ("immunotherapy", "immunotherapy"),
    }
    # offsets point at the English abstract, not at the JSON metadata line
    first_line_end = text.index("\n")
    assert all(t.start > first_line_end for t in found)


def test_seed_000_is_fast():
    text = sample("000")
    find_therapies(text, [], [])                     # compile once
    t0 = time.perf_counter()
    for _ in range(3):
        find_therapies(text, [], [])
    assert (time.perf_counter() - t0) / 3 < 1.0


# ---------------------------------------------------------------- small texts

def doc(*sections: tuple[str, str]) -> tuple[str, list[Span]]:
    text, spans = "", []
    for kind, body in sections:
        spans.append(Span(kind, len(text), len(text) + len(body)))
        text += body
    return text, spans


def test_hyphenated_line_breaks_are_joined():
    text, spans = doc(("methods", "All patients received adjuvant chemo-\ntherapy and Immu-\n"
                                  "nologic/targeted therapy was given to 12 patients.\n"),
                      ("results", "No results.\n"))
    found = by_mention(find_therapies(text, [], spans))
    assert "adjuvant chemotherapy" in found
    assert "immunologic/targeted therapy" in found
    assert found["adjuvant chemotherapy"].given


def test_longest_match_and_generic_mention_both_recorded():
    text, spans = doc(("methods", "Postoperative radiotherapy was delivered to 40 patients. "
                                  "Radiotherapy used 6 MV photons.\n"), ("results", "None.\n"))
    found = by_mention(find_therapies(text, [], spans))
    assert found["postoperative radiotherapy"].canonical == "postoperative radiotherapy"
    assert found["radiotherapy"].canonical == "radiotherapy"


def test_introduction_only_is_discussed_and_both_ways_is_given():
    text, spans = doc(
        ("introduction", "Pembrolizumab improved survival in melanoma. Ipilimumab is approved.\n"),
        ("methods", "Patients received pembrolizumab 200 mg every 3 weeks.\n"),
        ("results", "Median PFS was 8 months.\n"),
    )
    found = by_mention(find_therapies(text, [], spans))
    assert found["pembrolizumab"].given is True
    assert found["pembrolizumab"].start == text.index("pembrolizumab 200")   # the given occurrence
    assert found["ipilimumab"].given is False


def test_discussion_of_other_studies_is_not_given():
    text, spans = doc(
        ("methods", "Patients were treated with surgery.\n"),
        ("results", "Five-year OS was 40%.\n"),
        ("discussion", "Larkin et al. reported that nivolumab plus ipilimumab improved OS [12]. "
                       "Cetuximab was effective in a meta-analysis. Osimertinib is a third-generation TKI. "
                       "In our cohort, temozolomide was given to five patients.\n"),
    )
    found = by_mention(find_therapies(text, [], spans))
    for name in ("nivolumab", "ipilimumab", "cetuximab", "osimertinib"):
        assert found[name].given is False, name
    assert found["temozolomide"].given is True


def test_defined_abbreviation_is_kept_and_ambiguous_one_needs_definition():
    text, spans = doc(
        ("methods", "Patients received stereotactic body radiotherapy (SBRT) or chemotherapy (CT). "
                    "CT scans were done every 3 months.\n"),
        ("results", "SBRT was well tolerated.\n"),
    )
    found = by_mention(find_therapies(text, [], spans))
    assert "stereotactic body radiotherapy (sbrt)" in found
    assert "chemotherapy (ct)" in found
    assert len([t for t in found.values() if t.canonical == "chemotherapy"]) == 1
    # without a definition, CT is imaging, not chemotherapy
    text2, spans2 = doc(("methods", "CT scans were done every 3 months.\n"), ("results", "None.\n"))
    assert find_therapies(text2, [], spans2) == []


def test_abbreviations_are_case_sensitive():
    text, spans = doc(("methods", "We used the IL-2 assay kit from the art department; all rt values.\n"),
                      ("results", "none\n"))
    found = by_mention(find_therapies(text, [], spans))
    assert "il-2" in found
    assert "rt" not in found


def test_affiliations_are_not_therapies():
    text, spans = doc(("front", "Jane Doe, Department of Surgery, University Hospital\n"),
                      ("methods", "Patients received nivolumab.\n"), ("results", "OS was 20 months.\n"))
    found = by_mention(find_therapies(text, [], spans))
    assert "surgery" not in found
    assert found["nivolumab"].given


def test_review_without_methods_counts_title_and_abstract_only():
    text, spans = doc(("front", "CAR-T cells and bispecific antibodies in myeloma\n"),
                      ("abstract", "We review teclistamab and idecabtagene vicleucel.\n"),
                      ("other", "Selinexor has also been studied [4].\n"))
    found = by_mention(find_therapies(text, [], spans))
    assert found["car-t cells"].given and found["bispecific antibodies"].given
    assert found["teclistamab"].given and found["idecabtagene vicleucel"].given
    assert found["selinexor"].given is False


def test_references_are_ignored():
    text, spans = doc(("methods", "Patients received surgery.\n"), ("results", "None.\n"),
                      ("references", "1. Smith J. Bortezomib in myeloma. N Engl J Med 2003.\n"))
    assert "bortezomib" not in by_mention(find_therapies(text, [], spans))


def test_given_status_rules():
    assert given_status("methods", "Patients received IMRT according to NCCN guidelines.", False) is True
    assert given_status("methods", "Smith et al. used IMRT.", False) is False
    assert given_status("discussion", "IMRT reduces toxicity [28].", False) is False
    assert given_status("discussion", "In our study, IMRT reduced toxicity.", False) is True
    assert given_status("introduction", "We gave IMRT.", False) is False
    assert given_status("references", "IMRT", False) is None


def test_fallback_spans_from_headings():
    text = sample("000")
    kinds = [s.kind for s in fallback_spans(text)]
    assert kinds[:2] == ["abstract", "introduction"]
    assert {"methods", "results", "discussion", "conclusions"} <= set(kinds)
    assert [s.kind for s in fallback_spans(sample("002"))] == ["abstract", "other"]
