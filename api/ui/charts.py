"""Charts drawn on the server as inline SVG: no chart library in the browser.

Colours carry meaning only together with text: every cell and bar is labelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

BANDS = (("red", 15, 25), ("amber", 5, 14), ("green", 1, 4))
FILL = {"red": "#d64545", "amber": "#f0b429", "green": "#3f9142", "grey": "#9aa5b1"}
INK = {"red": "#ffffff", "amber": "#1f2933", "green": "#ffffff", "grey": "#1f2933"}


def band(score: int) -> str:
    """The colour band of a probability x impact score."""
    for name, low, high in BANDS:
        if low <= score <= high:
            return name
    return "grey"


def heat_map(
    counts: Mapping[tuple[int, int], int],
    title: str,
    link: Callable[[int, int], str],
) -> Markup:
    """A 5x5 probability (rows, 5 at the top) by impact (columns) grid of counts."""
    cell, left, top = 56, 70, 30
    size = left + 5 * cell + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size + 30}" '
        f'class="chart heatmap" role="group" aria-label="{escape(title)}">',
        f'<text x="{left + 5 * cell / 2}" y="18" text-anchor="middle" '
        f'class="chart-title">{escape(title)}</text>',
    ]
    for probability in range(5, 0, -1):
        y = top + (5 - probability) * cell
        parts.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 5}" text-anchor="end">'
            f"{probability}</text>"
        )
        for impact in range(1, 6):
            x = left + (impact - 1) * cell
            score = probability * impact
            colour = band(score)
            count = counts.get((probability, impact), 0)
            label = (
                f"probability {probability}, impact {impact}, score {score} "
                f"({colour}): {count} risk{'s' if count != 1 else ''}"
            )
            parts.append(
                f'<a href="{escape(link(probability, impact))}" '
                f'aria-label="{escape(label)}" data-cell="{probability}-{impact}" '
                f'data-count="{count}"><title>{escape(label)}</title>'
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{FILL[colour]}" rx="3"/>'
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 6}" '
                f'text-anchor="middle" fill="{INK[colour]}" class="count">'
                f"{count or ''}</text></a>"
            )
    bottom = top + 5 * cell
    for impact in range(1, 6):
        middle = left + (impact - 1) * cell + cell / 2
        parts.append(
            f'<text x="{middle}" y="{bottom + 16}" text-anchor="middle">{impact}</text>'
        )
    parts.append(
        f'<text x="{left + 5 * cell / 2}" y="{bottom + 30}" text-anchor="middle">'
        "impact</text>"
        f'<text x="14" y="{top + 5 * cell / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + 5 * cell / 2})">probability</text></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def line_chart(
    series: Mapping[str, Sequence[int]],
    labels: Sequence[str],
    title: str,
    colours: Mapping[str, str] | None = None,
) -> Markup:
    """Lines over time (one per series), with a legend naming each line."""
    width, height, left, top, bottom = 560, 240, 40, 30, 40
    plot_w, plot_h = width - left - 110, height - top - bottom
    peak = max([1, *(v for values in series.values() for v in values)])
    steps = max(1, len(labels) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart line" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" class="chart-title">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" stroke="#52606d"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i in (0, len(labels) - 1):
        if labels:
            x = left + plot_w * i / steps
            parts.append(
                f'<text x="{x}" y="{top + plot_h + 18}" text-anchor="middle">'
                f"{escape(labels[i])}</text>"
            )
    for n, (name, values) in enumerate(series.items()):
        colour = (colours or {}).get(name, FILL.get(name, "#3e4c59"))
        points = " ".join(
            f"{left + plot_w * i / steps:.1f},{top + plot_h - plot_h * v / peak:.1f}"
            for i, v in enumerate(values)
        )
        dash = ' stroke-dasharray="6 3"' if n % 2 else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        y = top + 14 + n * 20
        last = values[-1] if values else 0
        parts.append(
            f'<line x1="{left + plot_w + 12}" y1="{y - 4}" x2="{left + plot_w + 32}" '
            f'y2="{y - 4}" stroke="{colour}" stroke-width="3"{dash}/>'
            f'<text x="{left + plot_w + 36}" y="{y}">{escape(name)} ({last})</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)


def bar_chart(bars: Sequence[tuple[str, int, str]], title: str) -> Markup:
    """Horizontal bars: (label, value, note shown after the value)."""
    row, left, width = 28, 170, 560
    height = 30 + row * max(1, len(bars))
    peak = max([1, *(value for _, value, _ in bars)])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart bars" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, value, note) in enumerate(bars):
        y = 28 + i * row
        length = (width - left - 150) * value / peak
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="20" '
            f'fill="#486581"/>'
            f'<text x="{left + length + 6}" y="{y + 15}">{value}'
            f"{escape(' ' + note if note else '')}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value above is escaped)
