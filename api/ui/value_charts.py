"""The value pictures, drawn on the server as inline SVG.

Planned against measured for a benefit; demand against capacity per role and
month. Every mark carries its numbers as text, so colour is never the only
way to read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from api.ui.charts import FILL, INK

PLAN = "#486581"
MEASURED = "#d64545"


def benefit_chart(figures: Mapping[str, Any]) -> Markup:
    """A benefit's planned line (baseline to target) and its measurements."""
    width, height, left, top, bottom = 560, 220, 70, 30, 40
    plot_w, plot_h = width - left - 20, height - top - bottom
    start = date.fromisoformat(figures["realise_from"])
    end = date.fromisoformat(figures["realise_to"])
    points = figures["measurements"]
    days = [date.fromisoformat(m["measured_on"]) for m in points]
    first, last = min([start, *days]), max([end, *days])
    span = max(1, (last - first).days)
    values = [
        Decimal(figures["baseline_value"]),
        Decimal(figures["target_value"]),
        *(Decimal(m["value"]) for m in points),
    ]
    low, high = min(values), max(values)
    rise = high - low or Decimal(1)

    def x(day: date) -> float:
        return left + plot_w * (day - first).days / span

    def y(value: Decimal) -> float:
        return top + plot_h - float((value - low) / rise) * plot_h

    title = f"{figures['title']}: planned against measured ({figures['unit']})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart benefit" role="img" aria-label="{escape(title)}" '
        f'data-benefit="{escape(figures["id"])}" data-points="{len(points)}">'
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{high}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">{low}</text>',
        f'<text x="{left}" y="{top + plot_h + 18}">{first}</text>',
        f'<text x="{left + plot_w}" y="{top + plot_h + 18}" text-anchor="end">'
        f"{last}</text>",
        f'<polyline class="plan" fill="none" stroke="{PLAN}" stroke-width="2.5" '
        f'stroke-dasharray="6 3" points="{x(first):.1f},'
        f"{y(Decimal(figures['baseline_value'])):.1f} {x(start):.1f},"
        f"{y(Decimal(figures['baseline_value'])):.1f} {x(end):.1f},"
        f"{y(Decimal(figures['target_value'])):.1f} {x(last):.1f},"
        f'{y(Decimal(figures["target_value"])):.1f}"/>',
    ]
    if points:
        line = " ".join(
            f"{x(day):.1f},{y(Decimal(m['value'])):.1f}"
            for day, m in zip(days, points, strict=True)
        )
        parts.append(
            f'<polyline class="measured" fill="none" stroke="{MEASURED}" '
            f'stroke-width="2" points="{line}"/>'
        )
    for day, m in zip(days, points, strict=True):
        label = f"{m['measured_on']}: measured {m['value']}, planned {m['planned']}"
        parts.append(
            f'<circle class="point" cx="{x(day):.1f}" cy="{y(Decimal(m["value"])):.1f}"'
            f' r="4" fill="{MEASURED}"><title>{escape(label)}</title></circle>'
        )
    parts.append(
        f'<text x="{left + 8}" y="{height - 4}" fill="{PLAN}">- - planned</text>'
        f'<text x="{left + 110}" y="{height - 4}" fill="{MEASURED}">'
        "● measured</text></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def allocation_grid(picture: Mapping[str, Any]) -> Markup:
    """Roles (rows) by months (columns): demand / capacity, over-allocation red."""
    months: Sequence[str] = picture["months"]
    roles = picture["roles"]
    cell_w, cell_h, left, top = 62, 34, 150, 40
    width = left + cell_w * max(1, len(months)) + 10
    height = top + cell_h * max(1, len(roles)) + 30
    title = "Demand against capacity (FTE) per role and month"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart allocation" role="group" aria-label="{escape(title)}">',
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
    ]
    for j, month in enumerate(months):
        parts.append(
            f'<text x="{left + j * cell_w + cell_w / 2}" y="{top - 6}" '
            f'text-anchor="middle">{escape(month)}</text>'
        )
    for i, role in enumerate(roles):
        y = top + i * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2 + 5}" text-anchor="end">'
            f"{escape(role['role'])}</text>"
        )
        for j, cell in enumerate(role["months"]):
            over = cell["over_allocated"]
            colour = "red" if over else "green" if cell["demand"] != "0" else "grey"
            label = (
                f"{role['role']}, {cell['month']}: demand {cell['demand']} FTE, "
                f"capacity {cell['capacity']} FTE"
                + (" (over-allocated)" if over else "")
            )
            parts.append(
                f'<g data-role="{escape(role["role"])}" data-month="{cell["month"]}" '
                f'data-over="{str(over).lower()}" aria-label="{escape(label)}">'
                f"<title>{escape(label)}</title>"
                f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" rx="3" fill="{FILL[colour]}"/>'
                f'<text x="{left + j * cell_w + cell_w / 2 - 1}" '
                f'y="{y + cell_h / 2 + 5}" text-anchor="middle" fill="{INK[colour]}">'
                f"{escape(cell['demand'])}/{escape(cell['capacity'])}</text></g>"
            )
    parts.append(
        f'<text x="{left}" y="{height - 6}">Each cell: demand/capacity; red where '
        "demand exceeds capacity.</text></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def progress_chart(projects: Sequence[Mapping[str, Any]]) -> Markup:
    """Per benefit, the share of its planned change planned by now and measured."""
    rows = [
        (project["code"], b)
        for project in projects
        for b in project["benefits"]
        if b["status"] != "withdrawn"
    ]
    row, left, width, bar = 34, 260, 620, 12
    height = 50 + row * max(1, len(rows))
    plot = width - left - 70
    title = "Benefits: share of the planned change, planned by now and measured"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart progress" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
        f'<text x="{left}" y="36" fill="{PLAN}">■ planned</text>'
        f'<text x="{left + 90}" y="36" fill="{MEASURED}">■ measured</text>',
    ]
    for i, (code, b) in enumerate(rows):
        y = 44 + i * row
        parts.append(
            f'<g data-benefit="{escape(b["id"])}"><text x="{left - 8}" y="{y + 14}" '
            f'text-anchor="end">{escape(code)}: {escape(b["title"][:32])}</text>'
        )
        for n, (key, colour) in enumerate(
            (("planned_progress", PLAN), ("measured_progress", MEASURED))
        ):
            share = Decimal(b[key] or 0)
            length = plot * float(min(max(share, Decimal(0)), Decimal("1.2"))) / 1.2
            label = f"{share * 100:.0f}%" if b[key] is not None else "not measured"
            parts.append(
                f'<rect class="{key}" x="{left}" y="{y + n * bar}" '
                f'width="{length:.1f}" height="{bar - 1}" fill="{colour}"/>'
                f'<text x="{left + length + 4}" y="{y + n * bar + bar - 2}" '
                f'font-size="10">{escape(label)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
