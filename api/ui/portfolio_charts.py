"""The PMO head's pictures: RAG across projects, and bars that link to the entries.

Drawn on the server as inline SVG like the other charts (`api.ui.charts`):
colour always comes with words, and every mark is a link to what it counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from api.ui.charts import FILL, INK

LETTER = {"green": "G", "amber": "A", "red": "R"}


@dataclass(frozen=True)
class Bar:
    """One linked bar: its label, length, the words after it and where it leads."""

    label: str
    value: Decimal
    note: str
    href: str
    key: str
    colour: str = "#486581"


def rag_grid(
    projects: Sequence[Mapping[str, Any]],
    dimensions: Sequence[str],
    link: Mapping[str, str],
) -> Markup:
    """A row per project, a cell per dimension: reported colour, suggested dot."""
    cell, left, top, row = 64, 190, 46, 44
    width = left + cell * len(dimensions) + 90
    height = top + row * max(1, len(projects)) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart rag-grid" role="group" '
        f'aria-label="Reported and suggested RAG of every project">',
        '<text x="0" y="16" class="chart-title">Reported (cell) and suggested '
        "(dot) RAG</text>",
    ]
    for i, name in enumerate(dimensions):
        parts.append(
            f'<text x="{left + i * cell + cell / 2}" y="{top - 8}" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    for n, project in enumerate(projects):
        y = top + n * row
        stale = " (report stale)" if project["stale"] else ""
        parts.append(
            f'<a href="{escape(link[project["project_id"]])}" '
            f'data-project="{escape(project["project_id"])}">'
            f'<text x="{left - 8}" y="{y + row / 2 + 4}" text-anchor="end">'
            f"{escape(project['code'])}</text></a>"
        )
        for i, name in enumerate(dimensions):
            parts.append(_cell(project, name, left + i * cell, y, cell, row, link))
        parts.append(
            f'<text x="{left + cell * len(dimensions) + 6}" y="{y + row / 2 + 4}" '
            f'class="stale">{"stale" if stale else ""}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def _cell(
    project: Mapping[str, Any],
    name: str,
    x: float,
    y: float,
    cell: int,
    row: int,
    link: Mapping[str, str],
) -> str:
    reported = project["reported_rag"].get(name) or "grey"
    suggested = project["suggested_rag"].get(name) or "grey"
    rosier = name in project["rosier_than_suggested"]
    said = {"grey": "none"}
    label = (
        f"{project['code']} {name}: reported {said.get(reported, reported)}"
        f", suggested {said.get(suggested, suggested)}"
        f"{' (rosier than suggested)' if rosier else ''}"
    )
    ring = ' stroke="#1f2933" stroke-width="3"' if rosier else ""
    return (
        f'<a href="{escape(link[project["project_id"]])}" aria-label="{escape(label)}" '
        f'data-cell="{escape(project["code"])}-{escape(name)}" '
        f'data-reported="{reported}" data-suggested="{suggested}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="{x}" y="{y}" width="{cell - 4}" height="{row - 4}" rx="3" '
        f'fill="{FILL[reported]}"{ring}/>'
        f'<text x="{x + 16}" y="{y + row / 2 + 4}" text-anchor="middle" '
        f'fill="{INK[reported]}">{LETTER.get(reported, "-")}</text>'
        f'<circle cx="{x + cell - 18}" cy="{y + row / 2 - 2}" r="8" '
        f'fill="{FILL[suggested]}" stroke="#ffffff" stroke-width="2"/></a>'
    )


def linked_bars(bars: Sequence[Bar], title: str, chart_id: str) -> Markup:
    """Horizontal bars, each a link to the entry it stands for."""
    row, left, width = 28, 230, 640
    height = 30 + row * max(1, len(bars))
    peak = max([Decimal(1), *(b.value for b in bars)])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart bars" id="{escape(chart_id)}" role="group" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
    ]
    if not bars:
        parts.append('<text x="0" y="44">None.</text>')
    for i, bar in enumerate(bars):
        y = 28 + i * row
        length = float((width - left - 170) * bar.value / peak)
        words = f"{bar.label}: {bar.note}"
        parts.append(
            f'<a href="{escape(bar.href)}" data-key="{escape(bar.key)}" '
            f'aria-label="{escape(words)}"><title>{escape(words)}</title>'
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(_short(bar.label))}</text>"
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="20" '
            f'fill="{bar.colour}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 15}">{escape(bar.note)}'
            "</text></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def paired_bars(
    pairs: Sequence[tuple[str, Decimal, Decimal, str, str]], title: str
) -> Markup:
    """Two bars per row (budget, then actual), each row linking to its page."""
    row, left, width = 44, 190, 640
    height = 44 + row * max(1, len(pairs))
    peak = max([Decimal(1), *(max(a, b) for _, a, b, _, _ in pairs)])
    scale = width - left - 170
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart bars" id="budget-actual" role="group" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
        '<rect x="0" y="26" width="12" height="10" fill="#9fb3c8"/>'
        '<text x="16" y="35">budget</text>'
        '<rect x="80" y="26" width="12" height="10" fill="#243b53"/>'
        '<text x="96" y="35">actual to date</text>',
    ]
    for i, (label, budget, actual, unit, href) in enumerate(pairs):
        y = 44 + i * row
        b, a = (float(scale * v / peak) for v in (budget, actual))
        words = f"{label}: budget {budget} {unit}, actual {actual} {unit}"
        parts.append(
            f'<a href="{escape(href)}" data-key="{escape(label)}" '
            f'aria-label="{escape(words)}"><title>{escape(words)}</title>'
            f'<text x="{left - 8}" y="{y + 20}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{b:.1f}" height="16" fill="#9fb3c8"/>'
            f'<rect x="{left}" y="{y + 18}" width="{a:.1f}" height="16" '
            f'fill="#243b53"/>'
            f'<text x="{left + max(a, b) + 6:.1f}" y="{y + 20}">'
            f"{escape(f'{actual} of {budget} {unit}')}</text></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def _short(text: str, most: int = 32) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
