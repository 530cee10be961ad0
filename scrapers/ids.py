"""Record identifiers as reviewers write them: `doi:10.1056/...`, `pmid:123`, `PMC123`, `NCT01234567`.

`parse_id` gives a `RecordId(kind, value)` with the value in its canonical spelling, so the
same paper asked for twice is one id (DOIs are lower-cased, PMCIDs and NCT ids upper-cased).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("doi", "pmid", "pmcid", "nct", "openalex")

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")
_PMCID = re.compile(r"^PMC\d{1,9}$", re.I)
_NCT = re.compile(r"^NCT\d{8}$", re.I)
_OPENALEX = re.compile(r"^W\d{2,12}$", re.I)
_DOI_PREFIXES = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)
_OPENALEX_PREFIX = re.compile(r"^https?://openalex\.org/", re.I)


class BadId(ValueError):
    pass


@dataclass(frozen=True, order=True)
class RecordId:
    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def parse_id(text: str) -> RecordId:
    """`doi:`, `pmid:`, `pmcid:`, `nct:` and `openalex:` prefixes, or a bare id recognised by shape."""
    raw = text.strip()
    if not raw:
        raise BadId("empty id")
    prefix, sep, rest = raw.partition(":")
    if sep and prefix.lower() in KINDS:
        return _checked(prefix.lower(), rest.strip(), raw)
    if _DOI_PREFIXES.match(raw):
        return _checked("doi", _DOI_PREFIXES.sub("", raw), raw)
    if _OPENALEX_PREFIX.match(raw):
        return _checked("openalex", _OPENALEX_PREFIX.sub("", raw), raw)
    for kind, pattern in (("doi", _DOI), ("pmid", _PMID), ("pmcid", _PMCID), ("nct", _NCT), ("openalex", _OPENALEX)):
        if pattern.match(raw):
            return _checked(kind, raw, raw)
    raise BadId(f"{raw!r} is not a DOI, PMID, PMCID, NCT number or OpenAlex id")


def _checked(kind: str, value: str, raw: str) -> RecordId:
    if kind == "doi":
        value = _DOI_PREFIXES.sub("", value).strip().lower()
        ok = _DOI.match(value)
    elif kind == "pmid":
        ok = _PMID.match(value)
    elif kind == "pmcid":
        value = value.upper() if value.upper().startswith("PMC") else f"PMC{value}"
        ok = _PMCID.match(value)
    elif kind == "nct":
        value = value.upper()
        ok = _NCT.match(value)
    else:
        value = _OPENALEX_PREFIX.sub("", value).upper()
        ok = _OPENALEX.match(value)
    if not ok:
        raise BadId(f"{raw!r} is not a valid {kind}")
    return RecordId(kind, value)


def read_id_file(path: str | Path) -> list[str]:
    """One id per line; blank lines and `#` comments ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise BadId(f"{path}: cannot be read ({e.strerror or e})") from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._()")


def file_stem(value: str) -> str:
    """A file name for an id that is safe on every OS and reversible: characters outside
    letters, digits and `-._()` are %-escaped (a DOI's `/` becomes `%2F`)."""
    out = "".join(c if c in _SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in value)
    if out.startswith("."):
        out = "%2E" + out[1:]
    if len(out) > 200:        # file names are capped at 255 bytes: keep a readable head and a hash
        out = out[:180] + "-" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
    return out
