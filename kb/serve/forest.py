"""Forest plot of ratio estimates (HR, OR, RR) for one therapy and outcome across studies.

`forest_rows` turns `kb query` rows into plot rows; `forest_svg` draws them as a
self-contained SVG on a log scale (no script, no font or style from elsewhere), so the
page that shows it loads nothing beyond the server.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

RATIO_MEASURES = ("HR", "OR", "RR")

# Geometry in SVG user units (px at 100 %). The label column fits about 64 characters of
# 12 px sans-serif; longer labels are cut with an ellipsis and kept whole in the tooltip.
WIDTH = 1040
LABEL_X, LABEL_CHARS = 8, 64
PLOT_X0, PLOT_X1 = 480, 820
TEXT_X = 840
TOP, ROW_H, AXIS_H = 34, 36, 58
BOX = 9
# Ticks a reader expects on a ratio axis; those inside the data's range are drawn.
TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
# Finer ticks for a narrow range, where the ones above would leave one or two.
FINE_TICKS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7, 10)


@dataclass(frozen=True)
class ForestRow:
    figure_id: str
    study_id: str
    study: str
    year: int | None
    label: str                 # group vs comparator, or the variable
    detail: str                # analysis, timepoint, endpoint
    value: float
    ci_low: float | None
    ci_high: float | None
    p_op: str | None
    p_value: float | None
    quote: str
    status: str

    @property
    def estimate(self) -> str:
        ci = f" ({self.ci_low:g}–{self.ci_high:g})" if self.has_ci else ""
        return f"{self.value:g}{ci}"

    @property
    def p(self) -> str:
        return f"p {self.p_op or '='} {self.p_value:g}" if self.p_value is not None else ""

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None


def _label(r: dict) -> str:
    group, comparator, variable = r.get("group"), r.get("comparator"), r.get("variable")
    if group and comparator:
        text = f"{group} vs {comparator}"
    else:
        text = group or comparator or ""
    if variable and variable not in text:
        text = f"{variable}: {text}" if text else variable
    return text or "(group not stated)"


def _detail(r: dict) -> str:
    parts = [r.get("endpoint") or ""]
    if r.get("analysis"):
        parts.append(r["analysis"])
    if r.get("timepoint_months") is not None:
        parts.append(f"{r['timepoint_months']:g} months")
    return " · ".join(p for p in parts if p)


def forest_rows(figures: list[dict]) -> list[ForestRow]:
    """Plot rows from `query_figures` rows. A ratio is drawn on a log scale, so a value or
    bound that is not positive cannot be placed: such a value is left out, such a bound is
    treated as not stated."""
    out = []
    for r in figures:
        v = r.get("value")
        if v is None or v <= 0:
            continue
        lo, hi = r.get("ci_low"), r.get("ci_high")
        if lo is None or hi is None or lo <= 0 or hi <= 0 or lo > hi:
            lo = hi = None
        study = r.get("study_title") or r.get("document") or r.get("study_id")
        out.append(ForestRow(figure_id=r["id"], study_id=r["study_id"], study=study, year=r.get("year"),
                             label=_label(r), detail=_detail(r), value=float(v), ci_low=lo, ci_high=hi,
                             p_op=r.get("p_op"), p_value=r.get("p_value"), quote=r.get("quote") or "",
                             status=r.get("status") or ""))
    return out


def log_domain(rows: list[ForestRow]) -> tuple[float, float]:
    """The x range: every estimate and bound, and 1 (no difference), with a margin."""
    values = [1.0]
    for r in rows:
        values += [r.value] + ([r.ci_low, r.ci_high] if r.has_ci else [])
    lo, hi = math.log10(min(values)), math.log10(max(values))
    pad = max((hi - lo) * 0.08, 0.05)
    return 10 ** (lo - pad), 10 ** (hi + pad)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def forest_svg(rows: list[ForestRow], measure: str = "HR", row_href=None) -> Markup:
    """The plot as inline SVG markup; `row_href(row)` gives each row's link (optional)."""
    lo, hi = log_domain(rows) if rows else (0.1, 10.0)
    span = math.log10(hi) - math.log10(lo)

    def x(v: float) -> float:
        return round(PLOT_X0 + (math.log10(v) - math.log10(lo)) / span * (PLOT_X1 - PLOT_X0), 2)

    height = TOP + ROW_H * max(len(rows), 1) + AXIS_H
    bottom = TOP + ROW_H * max(len(rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kb-forest" role="img" aria-labelledby="kb-forest-title" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<title id="kb-forest-title">Forest plot: {len(rows)} {escape(measure)} estimates</title>',
        f'<text x="{LABEL_X}" y="18" font-weight="bold">Study and comparison</text>',
        f'<text x="{(PLOT_X0 + PLOT_X1) / 2}" y="18" font-weight="bold" text-anchor="middle">{escape(measure)} (log scale)</text>',
        f'<text x="{TEXT_X}" y="18" font-weight="bold">{escape(measure)} (95% CI)</text>',
    ]
    # The line of no difference, then the ticks of the axis.
    parts.append(f'<line class="kb-forest-null" x1="{x(1)}" y1="{TOP - 6}" x2="{x(1)}" y2="{bottom}" '
                 f'stroke="#888" stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{PLOT_X0}" y1="{bottom}" x2="{PLOT_X1}" y2="{bottom}" stroke="#333"/>')
    ticks = [t for t in TICKS if lo <= t <= hi]
    if len(ticks) < 4:
        ticks = [t for t in FINE_TICKS if lo <= t <= hi]
    for t in ticks:
        parts.append(f'<line x1="{x(t)}" y1="{bottom}" x2="{x(t)}" y2="{bottom + 5}" stroke="#333"/>'
                     f'<text class="kb-forest-tick" x="{x(t)}" y="{bottom + 18}" text-anchor="middle">{t:g}</text>')
    parts.append(f'<text x="{x(1) - 6}" y="{bottom + 36}" text-anchor="end" fill="#555">← lower in group</text>'
                 f'<text x="{x(1) + 6}" y="{bottom + 36}" fill="#555">higher in group →</text>')
    previous_study = None
    for i, r in enumerate(rows):
        y = TOP + i * ROW_H + ROW_H / 2
        study = f"{r.study} ({r.year or 'n.d.'})"
        tooltip = f"{study}\n{r.label}\n{r.detail}\n{measure} {r.estimate} {r.p}\n“{' '.join(r.quote.split())}”"
        row = [f'<g class="kb-forest-row" data-figure-id="{escape(r.figure_id)}"><title>{escape(tooltip)}</title>']
        if i % 2 == 0:
            row.append(f'<rect x="0" y="{y - ROW_H / 2}" width="{WIDTH}" height="{ROW_H}" fill="#f4f6f8"/>')
        if study != previous_study:
            row.append(f'<text x="{LABEL_X}" y="{y - 3}" font-weight="bold">{escape(_cut(study, LABEL_CHARS))}</text>')
        row.append(f'<text x="{LABEL_X}" y="{y + 12}" fill="#333">{escape(_cut(r.label + " · " + r.detail, LABEL_CHARS + 6))}</text>')
        if r.has_ci:
            row.append(f'<line class="kb-forest-ci" x1="{x(r.ci_low)}" y1="{y}" x2="{x(r.ci_high)}" y2="{y}" '
                       f'stroke="#1f4e79" stroke-width="2"/>')
        fill = "#1f4e79" if r.has_ci else "#fff"   # hollow: no interval stated
        row.append(f'<rect class="kb-forest-point" x="{x(r.value) - BOX / 2}" y="{y - BOX / 2}" width="{BOX}" '
                   f'height="{BOX}" fill="{fill}" stroke="#1f4e79" stroke-width="1.5"/>')
        row.append(f'<text class="kb-forest-estimate" x="{TEXT_X}" y="{y + 4}">{escape(r.estimate)}'
                   f'<tspan fill="#555"> {escape(r.p)}</tspan></text>')
        row.append("</g>")
        body = "".join(row)
        if row_href is not None:
            body = f'<a href="{escape(row_href(r))}">{body}</a>'
        parts.append(body)
        previous_study = study
    if not rows:
        parts.append(f'<text x="{(PLOT_X0 + PLOT_X1) / 2}" y="{TOP + ROW_H / 2}" text-anchor="middle" fill="#555">'
                     f'no {escape(measure)} figures match</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
