"""PRISMA 2020 flow counts from the store and the screening decisions, and the diagram as SVG.

Counts (every number follows from the store; see docs/curation.md):
- records identified, per source: records of stored documents (study_documents rows), by
  the document's format (pubmed-xml, ris, ...);
- duplicates removed: records merged into a study another record had made
  (records identified minus studies);
- records screened: the studies;
- records excluded: final title/abstract decision exclude (and no full-text decision),
  by reason; awaiting screening: no final decision yet (none, or reviewers disagree);
- reports sought for retrieval: studies past screening (include or maybe, or any
  full-text decision);
- reports assessed for eligibility: those with a full-text document in the store
  (documents.richness = 3) or a full-text decision; not retrieved: the rest;
- reports excluded: final full-text decision exclude, by reason;
- studies included: final decision include (full text when decided there, else title);
  awaiting eligibility: sought, neither included nor excluded.
So screened = excluded + awaiting screening + sought, and sought = included + excluded at
full text + awaiting eligibility.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape

from sqlite_utils import Database

from kb.curate.screening import final_decisions

FULL_TEXT = 3  # documents.richness of a full text


@dataclass
class Prisma:
    identified: dict[str, int] = field(default_factory=dict)
    identified_total: int = 0
    duplicates_removed: int = 0
    screened: int = 0
    excluded_screening: int = 0
    excluded_screening_reasons: dict[str, int] = field(default_factory=dict)
    awaiting_screening: int = 0
    sought: int = 0
    not_retrieved: int = 0
    assessed: int = 0
    full_texts: int = 0
    excluded_full: int = 0
    excluded_full_reasons: dict[str, int] = field(default_factory=dict)
    awaiting_eligibility: int = 0
    included: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def prisma_counts(db: Database) -> Prisma:
    p = Prisma()
    p.identified = dict(db.execute("""SELECT d.format, count(*) FROM study_documents sd JOIN documents d
                                      ON d.id = sd.document_id GROUP BY d.format ORDER BY d.format""").fetchall())
    p.identified_total = sum(p.identified.values())
    studies = [r[0] for r in db.execute("SELECT id FROM studies WHERE id IN (SELECT study_id FROM study_documents)")]
    p.screened = len(studies)
    p.duplicates_removed = p.identified_total - p.screened
    full_text = {r[0] for r in db.execute(f"""SELECT sd.study_id FROM study_documents sd JOIN documents d
                                             ON d.id = sd.document_id WHERE d.richness >= {FULL_TEXT}""")}
    title, full = final_decisions(db, "title"), final_decisions(db, "full")
    ex_title, ex_full = Counter(), Counter()
    for sid in studies:
        t, f = title.get(sid, (None, None)), full.get(sid, (None, None))
        if f[0] is None and t[0] == "exclude":
            p.excluded_screening += 1
            ex_title[t[1] or "(no reason)"] += 1
            continue
        if f[0] is None and t[0] not in ("include", "maybe"):
            p.awaiting_screening += 1
            continue
        p.sought += 1
        if sid in full_text or f[0] is not None:
            p.assessed += 1
            p.full_texts += sid in full_text
        else:
            p.not_retrieved += 1
        if f[0] == "exclude":
            p.excluded_full += 1
            ex_full[f[1] or "(no reason)"] += 1
        elif f[0] == "include" or (f[0] is None and t[0] == "include"):
            p.included += 1
        else:
            p.awaiting_eligibility += 1
    p.excluded_screening_reasons = dict(sorted(ex_title.items(), key=lambda kv: (-kv[1], kv[0])))
    p.excluded_full_reasons = dict(sorted(ex_full.items(), key=lambda kv: (-kv[1], kv[0])))
    return p


def prisma_rows(p: Prisma) -> list[dict]:
    """The counts as (stage, box, n) rows for a table."""
    rows = [{"stage": "identification", "box": f"records identified: {src}", "n": n} for src, n in p.identified.items()]
    rows += [
        {"stage": "identification", "box": "records identified (total)", "n": p.identified_total},
        {"stage": "identification", "box": "duplicate records removed", "n": p.duplicates_removed},
        {"stage": "screening", "box": "records screened", "n": p.screened},
        {"stage": "screening", "box": "records excluded", "n": p.excluded_screening},
    ]
    rows += [{"stage": "screening", "box": f"  excluded: {r}", "n": n} for r, n in p.excluded_screening_reasons.items()]
    rows += [
        {"stage": "screening", "box": "awaiting screening", "n": p.awaiting_screening},
        {"stage": "eligibility", "box": "reports sought for retrieval", "n": p.sought},
        {"stage": "eligibility", "box": "reports not retrieved", "n": p.not_retrieved},
        {"stage": "eligibility", "box": "reports assessed for eligibility", "n": p.assessed},
        {"stage": "eligibility", "box": "  of which full texts in the store", "n": p.full_texts},
        {"stage": "eligibility", "box": "reports excluded", "n": p.excluded_full},
    ]
    rows += [{"stage": "eligibility", "box": f"  excluded: {r}", "n": n} for r, n in p.excluded_full_reasons.items()]
    rows += [
        {"stage": "eligibility", "box": "awaiting eligibility decision", "n": p.awaiting_eligibility},
        {"stage": "included", "box": "studies included in review", "n": p.included},
    ]
    return rows


# --- the diagram -------------------------------------------------------------------------

_W, _BOX_W, _GAP = 760, 330, 40
_LINE = 16


def _box(x: int, y: int, lines: list[str], fill: str = "#ffffff") -> tuple[str, int]:
    h = 16 + _LINE * len(lines)
    parts = [f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{h}" rx="4" fill="{fill}" stroke="#333"/>']
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if i == 0 else ""
        parts.append(f'<text x="{x + 10}" y="{y + 20 + i * _LINE}"{weight}>{escape(line)}</text>')
    return "\n".join(parts), h


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" marker-end="url(#arrow)"/>'


def prisma_svg(p: Prisma, title: str = "PRISMA 2020 flow diagram") -> str:
    left, right = 20, 20 + _BOX_W + 60
    y = 50
    out = []
    rows = [
        (["Records identified from:", *[f"  {src} (n = {n})" for src, n in p.identified.items()],
          f"  total (n = {p.identified_total})"],
         ["Records removed before screening:", f"  duplicate records (n = {p.duplicates_removed})"]),
        ([f"Records screened (n = {p.screened})", f"  awaiting screening (n = {p.awaiting_screening})"],
         [f"Records excluded (n = {p.excluded_screening})",
          *[f"  {r} (n = {n})" for r, n in p.excluded_screening_reasons.items()]]),
        ([f"Reports sought for retrieval (n = {p.sought})"], [f"Reports not retrieved (n = {p.not_retrieved})"]),
        ([f"Reports assessed for eligibility (n = {p.assessed})", f"  full texts in the store (n = {p.full_texts})",
          f"  awaiting decision (n = {p.awaiting_eligibility})"],
         [f"Reports excluded (n = {p.excluded_full})", *[f"  {r} (n = {n})" for r, n in p.excluded_full_reasons.items()]]),
        ([f"Studies included in review (n = {p.included})"], None),
    ]
    prev_bottom = None
    for lines_l, lines_r in rows:
        box_l, h_l = _box(left, y, lines_l, "#eef4fb")
        h = h_l
        if prev_bottom is not None:
            out.append(_arrow(left + _BOX_W // 2, prev_bottom, left + _BOX_W // 2, y - 2))
        out.append(box_l)
        if lines_r:
            box_r, h_r = _box(right, y, lines_r)
            out.append(box_r)
            out.append(_arrow(left + _BOX_W, y + h_l // 2, right - 2, y + h_l // 2))
            h = max(h, h_r)
        prev_bottom = y + h_l
        y += h + _GAP
    height = y
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{height}" viewBox="0 0 {_W} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="13">',
        "<defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"10\" refX=\"9\" refY=\"3\" orient=\"auto\">"
        "<path d=\"M0,0 L0,6 L9,3 z\" fill=\"#333\"/></marker></defs>",
        f'<text x="{left}" y="28" font-size="16" font-weight="bold">{escape(title)}</text>',
        *out,
        "</svg>",
    ]) + "\n"
