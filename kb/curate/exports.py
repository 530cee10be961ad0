"""Exports for the review: the evidence table of the included studies' curated figures
(CSV, Markdown, JSON) and their references as RIS (rispy) and BibTeX (bibtexparser), to
take into Zotero, EndNote or a meta-analysis."""
from __future__ import annotations

import json
import re
import unicodedata

import bibtexparser
import rispy
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter
from sqlite_utils import Database

from kb.curate.screening import included_studies
from kb.errors import KbError
from kb.query.export import build_export

CURATED = ("accepted", "corrected", "added")
TABLE_COLUMNS = ["study_id", "study", "year", "doi", "pmid", "design", "condition", "n_patients", "figure_id",
                 "endpoint", "measure", "timepoint_months", "group", "comparator", "variable", "analysis", "value",
                 "unit", "ci_low", "ci_high", "p_value", "p_op", "status", "quote", "document", "start", "end"]


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    cur = db.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def study_ids(db: Database, studies: list[str] | None = None) -> list[str]:
    """The included studies (screening), or the ones named."""
    if studies:
        return studies
    ids = included_studies(db)
    if not ids:
        raise KbError("no included studies yet: record screening decisions with `kb screen STUDY include`")
    return ids


def evidence_table(db: Database, *, statuses: tuple[str, ...] = CURATED, studies: list[str] | None = None) -> list[dict]:
    """One row per figure of the included studies with one of the statuses (curated values)."""
    ids = study_ids(db, studies)
    marks = ", ".join("?" for _ in ids)
    smarks = ", ".join("?" for _ in statuses)
    rows = _rows(db, f"""
        SELECT s.id AS study_id, s.title, s.year, s.doi, s.pmid, s.design, s.condition, s.n_patients,
               (SELECT a.family FROM study_authors sa JOIN authors a ON a.id = sa.author_id
                WHERE sa.study_id = s.id ORDER BY sa.position LIMIT 1) AS first_author,
               f.id AS figure_id, f.endpoint, f.measure, f.timepoint_months, f."group", f.comparator, f.variable,
               f.analysis, f.value, f.unit, f.ci_low, f.ci_high, f.p_value, f.p_op, f.status, f.quote,
               d.name AS document, f.start, f."end"
        FROM figure_values f JOIN study_values s ON s.id = f.study_id JOIN documents d ON d.id = f.document_id
        WHERE f.study_id IN ({marks}) AND f.status IN ({smarks}) AND f.superseded = 0
        ORDER BY s.year, s.id, f.endpoint, f.measure, f.start""", [*ids, *statuses])
    for r in rows:
        label = r.pop("first_author") or (r["title"] or r["study_id"])[:40]
        r["study"] = f"{label} {r['year'] or 'n.d.'}"
        r.pop("title")
    return rows


def to_markdown(rows: list[dict], columns: list[str]) -> str:
    def cell(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            v = f"{v:g}"
        return " ".join(str(v).split()).replace("|", "\\|")
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def evidence_json(db: Database, *, statuses: tuple[str, ...] = CURATED, studies: list[str] | None = None) -> dict:
    """The evidence export (EXPORT_FORMAT.md) restricted to the included studies and curated figures."""
    return build_export(db, study_ids=study_ids(db, studies), statuses=statuses)


# --- references -------------------------------------------------------------------------

def references(db: Database, studies: list[str] | None = None) -> list[dict]:
    ids = study_ids(db, studies)
    out = []
    for sid in ids:
        rows = _rows(db, """SELECT s.*, j.name AS journal, j.issn FROM study_values s
                            LEFT JOIN journals j ON j.id = s.journal_id WHERE s.id = ?""", [sid])
        if not rows:
            continue
        s = rows[0]
        s["authors"] = _rows(db, """SELECT a.name, a.family, a.given, a.collective FROM study_authors sa
                                    JOIN authors a ON a.id = sa.author_id WHERE sa.study_id = ? ORDER BY sa.position""",
                             [sid])
        s["keywords"] = [r["keyword"] for r in _rows(db, """SELECT k.keyword FROM study_keywords sk JOIN keywords k
                         ON k.id = sk.keyword_id WHERE sk.study_id = ? ORDER BY k.keyword""", [sid])]
        out.append(s)
    return out


def _person(a: dict) -> str:
    if a["collective"] or not a["family"]:
        return a["name"]
    return f"{a['family']}, {a['given']}" if a["given"] else a["family"]


def _pages(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    parts = re.split(r"\s*[-\u2013]+\s*", pages, maxsplit=1)
    return parts[0] or None, (parts[1] if len(parts) > 1 and parts[1] else None)


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its "1." counter line before each record (Zotero and EndNote
    expect a record to open with TY)."""

    def set_header(self, count):
        return None


def to_ris(refs: list[dict]) -> str:
    entries = []
    for s in refs:
        start, end = _pages(s["pages"])
        notes = [f"kb study: {s['id']}"]
        if s["pmid"]:
            notes.insert(0, f"PMID: {s['pmid']}")
        if s["pmcid"]:
            notes.insert(1, f"PMCID: {s['pmcid']}")
        e = {
            "type_of_reference": "JOUR", "title": s["title"], "authors": [_person(a) for a in s["authors"]],
            "year": str(s["year"]) if s["year"] else None,
            "date": s["pub_date"].replace("-", "/") if s["pub_date"] else None,
            "journal_name": s["journal"], "secondary_title": s["journal"], "volume": s["volume"],
            "number": s["issue"], "start_page": start, "end_page": end, "issn": s["issn"], "doi": s["doi"],
            "abstract": s["abstract"], "keywords": s["keywords"] or None, "language": s["language"],
            "urls": [f"https://pubmed.ncbi.nlm.nih.gov/{s['pmid']}/"] if s["pmid"] else None,
            "notes": notes, "id": s["id"],
        }
        entries.append({k: v for k, v in e.items() if v})
    return rispy.dumps(entries, implementation=_RisWriter)


_LATEX = str.maketrans({"&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$"})


def _citation_key(s: dict, seen: set[str]) -> str:
    first = s["authors"][0] if s["authors"] else None
    name = (first["family"] or first["name"]) if first else (s["title"] or "anon")
    word = re.sub(r"[^A-Za-z]", "", unicodedata.normalize("NFKD", name.split()[0] if name.split() else "anon")
                  .encode("ascii", "ignore").decode()) or "anon"
    base = f"{word.lower()}{s['year'] or ''}"
    key, n = base, 0
    while key in seen:
        n += 1
        key = base + "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26] * (1 + (n - 1) // 26)
    seen.add(key)
    return key


def to_bibtex(refs: list[dict]) -> str:
    bib = BibDatabase()
    seen: set[str] = set()
    for s in refs:
        names = [("{" + a["name"] + "}") if a["collective"] or not a["family"] else _person(a) for a in s["authors"]]
        e = {"ENTRYTYPE": "article", "ID": _citation_key(s, seen),
             "title": (s["title"] or "").translate(_LATEX), "author": " and ".join(names),
             "journal": (s["journal"] or "").translate(_LATEX), "year": str(s["year"] or ""),
             "volume": s["volume"] or "", "number": s["issue"] or "", "pages": (s["pages"] or "").replace("-", "--"),
             "doi": s["doi"] or "", "pmid": s["pmid"] or "", "issn": s["issn"] or "",
             "abstract": (s["abstract"] or "").translate(_LATEX), "keywords": ", ".join(s["keywords"]),
             "note": f"kb study: {s['id']}"}
        bib.entries.append({k: str(v) for k, v in e.items() if v})
    writer = BibTexWriter()
    writer.indent = "  "
    writer.order_entries_by = None
    return bibtexparser.dumps(bib, writer)


def dumps_json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"
