"""Finding endpoint mentions in a phrase, in order, as codes ("OS") or names ("distant metastasis").

The lexicon is data/vocab/endpoints.csv (code, name, synonyms); this module only compiles
it into one regex and answers questions about positions.
"""
from __future__ import annotations

import csv
import re
from functools import cache, lru_cache

from kb.extract.lexicon import TermMatcher
from kb.extract.vocab import vocab_dir

# Endpoints whose time-point values are survival probabilities (rates), not event shares.
TIME_TO_EVENT = {"OS", "PFS", "DFS", "DMFS", "LRRFS", "LRFS", "EFS", "RFS", "TTP", "DSS", "CSS", "MFS",
                 "FFS", "TTF", "LRC", "LC", "RC", "DMC", "BCSS", "MSS", "TTR", "FFR", "LPFS", "DRFS",
                 "IDFS", "OS/PFS", "DOR", "LCR", "FFP", "BFFS", "TFS", "CRFS"}

# How papers name event outcomes, mapped to the words the gold format uses.
_EVENT_NAMES = [
    (r"distant metastas[ie]s|distant failures?|distant relapses?|distant recurrences?|distant (?:disease|spread)|metastatic disease",
     "distant metastasis"),
    (r"local(?:ly)? (?:recurrences?|relapses?|failures?)", "local recurrence"),
    (r"regional (?:nodal )?(?:recurrences?|relapses?|failures?)|(?:nodal|neck) (?:recurrences?|relapses?|failures?)",
     "regional recurrence"),
    (r"locoregional (?:recurrences?|relapses?|failures?)", "locoregional recurrence"),
    # (metastases to the nodes are no distant ones)
    (r"(?:lymph[- ]node|nodal|neck|cervical(?: lymph)? node)\s+metastas[ie]s", "lymph node metastasis"),
    (r"metastas[ie]s", "distant metastasis"),
    (r"recurrences?|relapses?", "recurrence"),
    (r"progression", "progression"),
    (r"deaths?|died|mortality", "death"),
]


AMBIGUOUS_CODES = {"SD", "PD", "PR", "MR", "MM", "LC", "RC", "CR"}


@cache
def _lexicon() -> tuple[TermMatcher, dict[str, str]]:
    terms: dict[str, str] = {}
    with open(vocab_dir() / "endpoints.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].strip()
            for t in [code, row.get("name") or ""] + (row.get("synonyms") or "").split("|"):
                t = t.strip()
                if t:
                    terms[_key(t)] = code
    # Longest first so "distant metastasis-free survival" wins over "metastasis".
    alts = sorted(terms, key=len, reverse=True)
    # (a code takes a plural s: "the ORRs were")
    pats = [(re.split(r"[\s/-]+", t)[0], re.escape(t) + "s?" if t.isupper() else _flex(t)) for t in alts]
    return TermMatcher(pats), terms


def _key(t: str) -> str:
    return re.sub(r"[\s-]+", " ", t.strip()).lower() if not t.isupper() else t


def _flex(term: str) -> str:
    """A term tolerant of hyphen/space variants: 'relapse-free' ~ 'relapse free'."""
    words = re.split(r"[\s-]+", term)
    pattern = r"[\s-]*".join(re.escape(w) for w in words)
    return pattern + ("s?" if words[-1][-1:].isalpha() and not words[-1].endswith("s") else "")


def _code_of(mention: str) -> str | None:
    _, terms = _lexicon()
    for m in (mention, mention[:-1] if mention.endswith("s") and len(mention) > 5 else None):
        if not m:
            continue
        if m in terms:
            return terms[m]
        k = _key(m)
        if k in terms:
            return terms[k]
        if m.upper() in terms:
            return terms[m.upper()]
    return None


# The endpoint abbreviations the document being read defines ("local control (LC)",
# "multiple myeloma-free survival (MMFS)"): set by `document_codes`, empty between documents.
_doc_codes: dict[str, str] = {}


def _mentions(text: str) -> tuple[tuple[int, int, str], ...]:
    return _cached_mentions(text, tuple(_doc_codes.items()) if _doc_codes else ())


@lru_cache(maxsize=16384)
def _cached_mentions(text: str, codes: tuple[tuple[str, str], ...]) -> tuple[tuple[int, int, str], ...]:
    """Cached: rules ask about the same sentence heads many times."""
    found = _find_mentions(text)
    if codes:
        found = _with_defined(text, found, dict(codes))
    return tuple(found)


def clear_caches() -> None:
    _cached_mentions.cache_clear()


class document_codes:
    """`with document_codes(text):` the endpoint abbreviations `text` defines are endpoints
    while it is read: an ambiguous code ("LC" is also lung cancer) once the paper says what it
    means, and a code the vocabulary lacks ("BCS") as the words it stands for."""

    def __init__(self, text: str):
        self.codes = defined_codes(text) if ")" in text else {}

    def __enter__(self) -> dict[str, str]:
        _doc_codes.clear()
        _doc_codes.update(self.codes)
        return self.codes

    def __exit__(self, *exc) -> None:
        _doc_codes.clear()


# ("relapse or progression (R/P)": a slash may join the letters)
_DEFINITION = re.compile(r"\((?P<abbr>[A-Z](?:/?[A-Za-z0-9]){1,6})\)")
_LONG_WORDS = re.compile(r"[A-Za-z]+")
_SKIPPABLE = {"of", "to", "and", "or", "the", "from", "in"}


def defined_meaning(abbr: str) -> str | None:
    """What the document being read defines `abbr` to mean, if it does."""
    return _doc_codes.get(abbr)


def defined_codes(text: str) -> dict[str, str]:
    """{abbreviation: endpoint} for each endpoint the text defines in the form 'long form
    (ABBR)', where the long form's initials spell the abbreviation. Codes the vocabulary
    already reads unambiguously are left to it."""
    out: dict[str, str] = {}
    for m in _DEFINITION.finditer(text):
        abbr = m.group("abbr")
        if abbr in out or sum(c.isupper() for c in abbr) < 2:
            continue
        known = None if abbr in AMBIGUOUS_CODES else _code_of(abbr)
        long = _long_form(text[max(0, m.start() - 90):m.start()].rstrip(), abbr)
        if not long:
            continue
        found = _find_mentions(long)
        if known:
            # A known code the paper defines otherwise ("locoregional relapse-free survival
            # (LRFS)"): the paper's meaning, in this paper.
            if found and found[-1][1] == len(long) and found[-1][0] == 0 and found[-1][2] not in (known, "survival"):
                out[abbr] = found[-1][2]
            continue
        if found and found[-1][1] == len(long) and found[-1][0] == 0 and found[-1][2] != "survival":
            out[abbr] = found[-1][2]
        elif found and found[-1][1] == len(long) or re.search(r"(?:survival|control)$|^(?:time to|freedom from)\b",
                                                              long, re.I):
            out[abbr] = re.sub(r"\s+", " ", long).lower()
    return out


def _long_form(before: str, abbr: str) -> str | None:
    """The words ending `before` whose initials (each part of a hyphenated word counts) spell
    `abbr`, or its capitals ('SaFS'): 'multiple myeloma-free survival' for MMFS. 'of', 'to',
    'and' may count or not."""
    found = _spelled(before, [c.lower() for c in abbr if c.isalpha()])
    if found is None and not abbr.isupper():
        found = _spelled(before, [c.lower() for c in abbr if c.isupper()])
    return found


def _spelled(before: str, letters: list[str]) -> str | None:
    words = list(_LONG_WORDS.finditer(before))
    k, i = len(letters) - 1, len(words) - 1
    start = None
    while k >= 0 and i >= 0:
        w = words[i].group(0).lower()
        if w[0] == letters[k]:
            k -= 1
        elif w not in _SKIPPABLE:
            return None
        start = words[i].start()
        i -= 1
    if k >= 0 or start is None:
        return None
    long = before[start:]
    return long if "(" not in long and ")" not in long and len(long) <= 80 else None


def _with_defined(text: str, found: list[tuple[int, int, str]], codes: dict[str, str]) -> list[tuple[int, int, str]]:
    """`found` plus the mentions of the document's own abbreviations; a known code the
    document defines otherwise takes its meaning."""
    found = [(a, b, codes.get(text[a:b], codes.get(text[a:b - 1], c)) if text[a:a + 1].isupper() else c)
             for a, b, c in found]
    extra = []
    for abbr, code in codes.items():
        at = text.find(abbr)
        while at >= 0:
            end = at + len(abbr)
            if end < len(text) and text[end] == "s":
                end += 1
            if not (at > 0 and (text[at - 1].isalnum() or text[at - 1] == "-")) \
                    and not (end < len(text) and (text[end].isalnum() or text[end] == "-")) \
                    and not any(a < end and at < b for a, b, _ in found):
                extra.append((at, end, code))
            at = text.find(abbr, at + 1)
    return sorted(found + extra) if extra else found


def _find_mentions(text: str) -> list[tuple[int, int, str]]:
    pat, _ = _lexicon()
    out = []
    for m in pat.finditer(text):
        raw = m.group(0)
        # Short codes must be upper case in the text ("OS", not "os" inside a word), and
        # codes that also mean something else (SD = standard deviation, PD-1) need their long name.
        if raw.endswith("s") and raw[:-1].isupper() and len(raw) > 2:
            raw = raw[:-1]   # "ORRs": the code's plural
        if len(raw) <= 5 and not raw.isupper() and _key(raw) not in _lexicon()[1]:
            continue  # "pCR" as the vocabulary writes it is fine; "os" inside prose is not
        if raw in AMBIGUOUS_CODES or text[m.end():m.end() + 1] == "-" and text[m.end() + 1:m.end() + 2].isalnum():
            continue
        code = _code_of(raw)
        start = m.start()
        if code == "survival" and text[max(0, start - 1):start] in (" ", "-"):
            named = _qualified_survival(text, start)
            if named:
                start, code = named
                # ("local failure-free survival": not also the event "local failure" inside it)
                while out and out[-1][0] >= start:
                    out.pop()
        if code:
            out.append((start, m.end(), code))
    return out


# "multiple myeloma-free survival", "melanoma-specific survival": a survival the vocabulary
# does not know is its own endpoint, named in words, not overall survival.
_QUALIFIER = re.compile(r"(?:(?<![\w-])(?P<w>[A-Za-z][a-z]+)\s+)?(?<![\w-])(?P<q>[A-Za-z][A-Za-z]+)-(?:free|specific)[\s-]+$")
_NOT_QUALIFIERS = {"the", "a", "an", "and", "or", "of", "with", "for", "in", "to", "at", "by", "on", "median",
                   "estimated", "actuarial", "overall", "rates", "rate", "were", "was", "year", "month", "all",
                   "whose", "their", "its", "longer", "shorter", "improved", "better", "worse", "mean", "our"}


def _qualified_survival(text: str, start: int) -> tuple[int, str] | None:
    """(start, name) of an unknown '<disease>-free survival' ending at `start`."""
    m = _QUALIFIER.search(text, max(0, start - 60), start)
    if not m or m.group("q").lower() in _NOT_QUALIFIERS:
        return None
    at = m.start("q")
    q = m.group("q")
    if q.isupper() and _code_of(q):
        # "BCR-free survival": the code's words, "biochemical recurrence-free survival"
        name = _names().get(_code_of(q)) or q
        return at, f"{name.lower()}-{text[m.end('q') + 1:start].strip()} survival".replace("  ", " ")
    if m.group("w") and m.group("w").lower() not in _NOT_QUALIFIERS:
        at = m.start("w")
    return at, re.sub(r"\s+", " ", text[at:start] + "survival").lower()


def all_endpoints(text: str) -> list[str]:
    """Endpoints in order; 'overall survival (OS)' is one mention, not two."""
    out: list[str] = []
    last_end = -10
    for start, end, code in _mentions(text):
        between = text[last_end:start] if last_end >= 0 else ""
        if out and out[-1] == code and re.fullmatch(r"\s*\(?\s*", between):
            last_end = end
            continue
        out.append(code)
        last_end = end
    return out


# The codes the export contract names; other endpoints are exported in words.
CONTRACT_CODES = {"OS", "PFS", "DFS", "DMFS", "LRRFS", "LRFS", "EFS", "RFS", "TTP", "DSS", "CSS", "ORR", "CR"}


@cache
def _names() -> dict[str, str]:
    with open(vocab_dir() / "endpoints.csv", encoding="utf-8") as fh:
        return {row["code"].strip(): (row.get("name") or "").strip() for row in csv.DictReader(fh)}


def contract_name(endpoint: str) -> str:
    """'TTR' -> 'time to recurrence': codes outside the contract's list are written as words."""
    if endpoint in CONTRACT_CODES:
        return endpoint
    if endpoint.lower() == "survival":
        return "OS"  # a bare "5-year survival" or "median survival time" is overall survival
    return _names().get(endpoint) or endpoint


# Trial reports name the event a ratio counts: "hazard ratio for progression or death".
_RATIO_EVENTS = [
    (r"(?:disease )?progression or death|death or (?:disease )?progression", "PFS"),
    (r"(?:disease )?recurrence or death|relapse or death|death or (?:recurrence|relapse)", "DFS"),
    (r"death(?: from any cause)?|mortality", "OS"),
]


def ratio_event(phrase: str) -> str | None:
    """'for disease progression or death' -> PFS; 'for death' -> OS."""
    m = re.match(r"\s*(?:for|of)\s+(.*?)\s*(?:,|\bwas\b|\bwere\b|\bis\b|=|$)", phrase, re.I)
    if not m:
        return None
    for pat, code in _RATIO_EVENTS:
        if re.fullmatch(pat, m.group(1).strip(), re.I):
            return code
    return None


def outcome_of_sentence(text: str) -> str | None:
    """The outcome a sentence's ratios are about, when it says so: 'associated with later
    recurrence', 'risk of death', 'predictors of OS'."""
    m = re.search(r"\b(?:associated with|predictors? of|predictive of|prognostic (?:factors? )?(?:of|for)|"
                  r"risks? of|odds of|hazards? of|factors? for)\s+(?:(?:a|an|the|later|longer|shorter|improved|"
                  r"worse|better|poorer|increased|decreased|reduced|higher|lower|inferior|superior)\s+){0,2}", text, re.I)
    if not m:
        return None
    found = _mentions(text[m.end():m.end() + 60])
    return found[0][2] if found and found[0][0] == 0 else None


def first_endpoint(text: str) -> str | None:
    m = _mentions(text)
    return m[0][2] if m else None


def last_endpoint(text: str) -> str | None:
    m = _mentions(text)
    return m[-1][2] if m else None


def last_endpoint_span(text: str) -> tuple[int, int] | None:
    m = _mentions(text)
    return (m[-1][0], m[-1][1]) if m else None


def endpoint_code(text: str) -> str | None:
    m = _mentions(text)
    return m[0][2] if m else None


def is_specific(endpoint: str | None) -> bool:
    """A named endpoint (OS, TTR, 'local control'), not a bare 'survival' or 'recurrence'."""
    return bool(endpoint) and endpoint.lower() not in {"survival", "recurrence", "relapse", "progression",
                                                       "death", "mortality", "response", "metastasis"}


RESPONSE = {"ORR", "CR", "PR", "VGPR", "DCR", "PCR", "CBR", "MRD", "SCR", "NCR", "MR"}


def is_response(endpoint: str) -> bool:
    return endpoint.upper() in RESPONSE or "response" in endpoint.lower() or "remission" in endpoint.lower()


# Control endpoints: with a time point a probability ("3-year local control 80%"), without
# one the share of patients controlled ("the local control rate was 96%").
CONTROL = {"LC", "LRC", "RC", "DMC"}


def is_crude_share(endpoint: str) -> bool:
    """A response, or a control rate stated without a time point: the share of patients."""
    return is_response(endpoint) or endpoint.upper() in CONTROL or endpoint.lower().endswith(" control")


def is_time_to_event(endpoint: str) -> bool:
    return endpoint.upper() in TIME_TO_EVENT or endpoint.lower().endswith("survival")


def event_endpoint(phrase: str) -> str | None:
    """'Distant metastasis', 'local relapses' -> the event endpoint name."""
    p = phrase.strip().lower()
    for pat, name in _EVENT_NAMES:
        if re.fullmatch(rf"(?:the\s+)?(?:{pat})", p) or re.search(rf"\b(?:{pat})\b", p):
            return name
    return None
