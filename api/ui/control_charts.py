"""The power/interest grid: each stakeholder placed by interest and influence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

QUADRANTS = (
    ("Keep satisfied", 1, 3, "#f0b429"),
    ("Manage closely", 3, 3, "#d64545"),
    ("Monitor", 1, 1, "#9aa5b1"),
    ("Keep informed", 3, 1, "#3f9142"),
)


def power_interest_grid(
    stakeholders: Sequence[Mapping[str, Any]], title: str
) -> Markup:
    """Interest (x, 1-5) by influence (y, 1-5); a labelled dot per stakeholder."""
    cell, left, top = 70, 60, 30
    size = 5 * cell
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + size + 10} '
        f'{top + size + 50}" class="chart grid-chart" role="group" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left + size / 2}" y="18" text-anchor="middle" '
        f'class="chart-title">{escape(title)}</text>',
    ]
    for label, x0, y0, colour in QUADRANTS:
        x = left if x0 == 1 else left + 2 * cell
        width = 2 * cell if x0 == 1 else 3 * cell
        height = 3 * cell if y0 == 3 else 2 * cell
        y = top if y0 == 3 else top + 3 * cell
        parts.append(
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
            f'fill="{colour}" fill-opacity="0.18" stroke="#52606d"/>'
            f'<text x="{x + 6}" y="{y + 16}" class="quadrant">{escape(label)}</text>'
        )
    placed: dict[tuple[int, int], int] = {}
    for s in stakeholders:
        interest, influence = int(s["interest"]), int(s["influence"])
        nth = placed.get((interest, influence), 0)
        placed[(interest, influence)] = nth + 1
        cx = left + (interest - 0.5) * cell
        cy = top + (5 - influence + 0.5) * cell + nth * 14 - 10
        name = f"{s['name']}: interest {interest}, influence {influence}"
        parts.append(
            f'<g class="stakeholder" data-id="{escape(str(s["id"]))}">'
            f"<title>{escape(name)}</title>"
            f'<circle cx="{cx - 24}" cy="{cy}" r="5" fill="#1f2933"/>'
            f'<text x="{cx - 16}" y="{cy + 4}" font-size="10">'
            f"{escape(str(s['name'])[:14])}</text></g>"
        )
    parts.append(
        f'<text x="{left + size / 2}" y="{top + size + 30}" text-anchor="middle">'
        "Interest →</text>"
        f'<text x="16" y="{top + size / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + size / 2})">Influence →</text></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
