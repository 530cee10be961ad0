"""Is this the same paper? Pure functions: normalise, score, classify. No database here.

Exact identifiers (DOI, PMID, PMCID, NCT id) decide first. Without a shared identifier two
records are the same paper when their titles agree almost word for word and their year
and first author do not disagree; a lower title score makes a near-duplicate that is
reported, never merged. A preprint and its published version, or a conference abstract and
the full paper, are linked rather than merged: they are different documents of one study.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Titles that agree this closely (rapidfuzz token_sort_ratio, 0-100) are the same paper:
# differences are punctuation, case, a trailing period or a British/American spelling.
SAME_TITLE = 95.0
# Below SAME_TITLE and at or above this, a pair is worth a human look (reported only).
NEAR_TITLE = 85.0

PREPRINT_DOI = re.compile(r"^10\.(?:1101|21203|2139|20944|31219|22541|36227)/")
PREPRINT_VENUE = re.compile(r"\b(?:medrxiv|biorxiv|research square|ssrn|preprints?|arxiv)\b", re.I)
MEETING = re.compile(r"\b(?:congress|conference|meeting abstract|proceedings|abstract supplement)\b", re.I)

IDENTIFIER_KINDS = ("doi", "pmid", "pmcid", "nct")


@dataclass
class Candidate:
    """The fields matching looks at; built from a study row or an incoming record."""
    id: str | None
    title: str | None
    year: int | None
    first_author: str | None
    identifiers: dict[str, str]
    journal: str | None = None
    publication_types: tuple[str, ...] = ()
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


@dataclass
class Verdict:
    relation: str          # same, preprint_of, conference_abstract_of, near_duplicate, different
    score: float           # title similarity 0-100 (100 for an identifier match)
    reasons: list[str]


def normalise_title(title: str | None) -> str:
    if not title:
        return ""
    # (ASCII is its own NFKD form, and a title without "<" has no markup: most titles skip both.
    # The runs of other characters become single spaces, so no whitespace is left to collapse.)
    t = title if title.isascii() else unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    if "<" in t:
        t = _MARKUP.sub(" ", t)
    return _NOT_ALNUM.sub(" ", t.lower()).strip()


_MARKUP = re.compile(r"<[^>]+>")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def surname(name: str | None) -> str:
    """'Junmei Zhao' / 'Zhao J' / 'Zhao, Junmei' -> 'zhao'."""
    if not name:
        return ""
    n = (name if name.isascii() else unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()).strip()
    if "," in n:
        n = n.split(",")[0]
    else:
        parts = n.split()
        # "Zhao J" (initials last) vs "Junmei Zhao" (family last)
        n = parts[0] if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,3}\.?", parts[-1]) else parts[-1] if parts else ""
    return re.sub(r"[^a-z]", "", n.lower())


def blocking_keys(c: Candidate) -> set[str]:
    """Keys under which two records must meet to be compared at all: so matching scales."""
    keys = {f"{k}:{v}" for k, v in c.identifiers.items() if v}
    words = [w for w in normalise_title(c.title).split() if len(w) > 3][:3]
    if words:
        keys.add("t:" + " ".join(words))
    if c.year and c.first_author:
        keys.add(f"y:{c.year}:{surname(c.first_author)}")
    return keys


def kind_of(c: Candidate) -> str:
    doi = c.identifiers.get("doi") or ""
    if PREPRINT_DOI.match(doi) or PREPRINT_VENUE.search(c.journal or "") or \
            any("preprint" in t.lower() for t in c.publication_types):
        return "preprint"
    if any(MEETING.search(t) for t in c.publication_types) or MEETING.search(c.journal or ""):
        return "conference"
    return "paper"


def compare(a: Candidate, b: Candidate) -> Verdict:
    shared = [k for k in IDENTIFIER_KINDS if a.identifiers.get(k) and a.identifiers.get(k) == b.identifiers.get(k)]
    clash = [k for k in IDENTIFIER_KINDS if a.identifiers.get(k) and b.identifiers.get(k)
             and a.identifiers[k] != b.identifiers[k] and k != "doi"]
    ka, kb = kind_of(a), kind_of(b)
    if shared and not clash:
        return Verdict(_relation(ka, kb, "same"), 100.0, [f"same {k}" for k in shared])
    ta, tb = normalise_title(a.title), normalise_title(b.title)
    if not ta or not tb:
        return Verdict("different", 0.0, ["no title to compare"])
    score = float(fuzz.token_sort_ratio(ta, tb))
    reasons = [f"title {score:.0f}"]
    if a.year and b.year:
        if abs(a.year - b.year) > 1:
            return Verdict("different", score, reasons + [f"years {a.year} and {b.year}"])
        reasons.append("same year" if a.year == b.year else "adjacent years")
    if clash:
        # Two PubMed ids (or trial ids) are two records; PubMed itself keeps them apart.
        return Verdict("different", score, reasons + [f"different {k}" for k in clash])
    apart = _placed_apart(a, b)
    if apart:
        return Verdict("different", score, reasons + [apart])
    sa, sb = surname(a.first_author), surname(b.first_author)
    if sa and sb:
        if sa != sb:
            # Same title, other authors: worth a look only when the title is specific
            # ("Reply." or "Editorial" by different people are different papers).
            specific = len(ta.split()) >= 5
            return Verdict("near_duplicate" if score >= SAME_TITLE and specific else "different", score,
                           reasons + [f"first authors {sa} and {sb}"])
        reasons.append("same first author")
    if score >= SAME_TITLE and len(ta.split()) < 5 and not (sa and sb) and not (a.year and b.year):
        # A short title with neither year nor author to back it ("Editorial", a web page's
        # "Skip to main content") is no proof of one paper: reported, not merged.
        return Verdict("near_duplicate", score, reasons + ["short title, no year or author to confirm"])
    if score >= SAME_TITLE:
        return Verdict(_relation(ka, kb, "same"), score, reasons)
    if score >= NEAR_TITLE:
        return Verdict("near_duplicate", score, reasons)
    return Verdict("different", score, reasons)


def first_page(pages: str | None) -> str:
    """'345-50' -> '345'; article numbers 'e0046493' and '46493' alike -> '46493'."""
    if not pages:
        return ""
    start = re.split(r"\s*[-\u2013,]\s*", pages.strip(), maxsplit=1)[0].lower()
    return re.sub(r"^e?0*", "", re.sub(r"[^0-9a-z]", "", start))


def _placed_apart(a: Candidate, b: Candidate) -> str | None:
    """Why two items of one journal are two papers whatever their titles say: another volume,
    issue or first page. Recurring items ('Editor's comments', 'Correction', 'Reply')
    repeat title, author and year; a journal's name written two ways (full, abbreviated)
    decides nothing here."""
    if not a.journal or not b.journal or normalise_title(a.journal) != normalise_title(b.journal):
        return None
    for what, x, y in (("volumes", a.volume, b.volume), ("issues", a.issue, b.issue)):
        x, y = re.sub(r"[^0-9a-z]", "", (x or "").lower()), re.sub(r"[^0-9a-z]", "", (y or "").lower())
        if x and y and x != y:
            return f"{what} {x} and {y}"
    pa, pb = first_page(a.pages), first_page(b.pages)
    if pa and pb and pa != pb:
        return f"first pages {pa} and {pb}"
    return None


def _relation(ka: str, kb: str, default: str) -> str:
    if ka == kb:
        return default
    if "preprint" in (ka, kb):
        return "preprint_of"
    if "conference" in (ka, kb):
        return "conference_abstract_of"
    return default


# How much of a paper a source carries: figures from the richest source are the study's.
FULL_TEXT, ABSTRACT, REFERENCE = 3, 2, 1


def richness(full_text: bool, has_abstract: bool) -> int:
    """Full text (or a registry's posted results) 3, a record with an abstract 2, a bare reference 1."""
    return FULL_TEXT if full_text else ABSTRACT if has_abstract else REFERENCE
