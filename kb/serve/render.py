"""How kb values look in Datasette's HTML: identifiers as links, a figure's number marked
in its quote. Pure functions from values to markup; the plugin decides where they apply."""
from __future__ import annotations

import math
import re
from urllib.parse import quote as urlquote

from markupsafe import Markup, escape

# Identifier kind -> URL of the record it names. These are links a reader may follow;
# no page of kb serve loads anything from them.
IDENTIFIER_URLS = {
    "doi": "https://doi.org/{}",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
    "nct": "https://clinicaltrials.gov/study/{}",
}
# Column name -> identifier kind, wherever a table, view or query names it so.
IDENTIFIER_COLUMNS = {"doi": "doi", "pmid": "pmid", "pmcid": "pmcid", "nct_id": "nct", "nct": "nct"}
_VALID = {
    "doi": re.compile(r"10\.\d{4,9}/\S+"),
    "pmid": re.compile(r"\d{1,9}"),
    "pmcid": re.compile(r"PMC\d{1,9}", re.I),
    "nct": re.compile(r"NCT\d{8}", re.I),
}

# A number as quotes write it: "0.671", "67.0", "1,749" (decimal comma), "1·5" (middle
# dot). Signs are left out: "0.349–1.540" is a range, not a negative 1.540.
_NUMBER = re.compile(r"(?<![\d.·])\d+(?:[.,·]\d+)?")


def identifier_link(kind: str, value) -> Markup | None:
    """An <a> to the record an identifier names, or None for a value that is not one."""
    if value is None or kind not in IDENTIFIER_URLS:
        return None
    text = str(value).strip()
    if not _VALID[kind].fullmatch(text):
        return None
    href = IDENTIFIER_URLS[kind].format(urlquote(text, safe="/:.()-_;"))
    return Markup('<a class="kb-id kb-id-{}" href="{}" rel="noopener noreferrer">{}</a>').format(kind, href, text)


def _readings(token: str) -> list[float]:
    """The values a number token may stand for ("1,749" is 1.749 or 1749)."""
    out = []
    for t in {token.replace(",", ".").replace("·", "."), token.replace(",", "")}:
        try:
            out.append(float(t.replace("·", ".")))
        except ValueError:
            pass
    return out


def value_span(quote: str, value: float) -> tuple[int, int] | None:
    """Offsets of the first number in `quote` that equals `value` (sign ignored)."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    target = abs(float(value))
    for m in _NUMBER.finditer(quote):
        if any(math.isclose(v, target, rel_tol=1e-9, abs_tol=1e-9) for v in _readings(m.group())):
            return m.span()
    return None


def highlight_quote(quote: str | None, value) -> Markup | None:
    """The quote with runs of white space shown as one space and the figure's value in a
    <mark>; the quote unmarked when the value does not stand in it."""
    if quote is None:
        return None
    text = " ".join(str(quote).split())
    span = value_span(text, value)
    if span is None:
        return Markup('<span class="kb-quote">{}</span>').format(text)
    a, b = span
    return Markup('<span class="kb-quote">{}<mark class="kb-value">{}</mark>{}</span>').format(
        text[:a], text[a:b], text[b:])


def row_link(href: str, text) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, escape(text))
