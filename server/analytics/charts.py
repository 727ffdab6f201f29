"""Charts drawn on the server as SVG: bars, horizontal bars and a heat map (the map of taps is
server.maps.circles).

Each picture scales to its container (a viewBox, no fixed width), names itself with <title> and
aria-labelledby, and carries its numbers: a <title> on every bar or cell, and the largest value
on the axis. No script and no external resource: the page's CSP would refuse them anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from server.maps.svg import BLUE, RULE, frame, text

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Series:
    """One set of values drawn in one colour."""

    name: str
    values: Sequence[int]
    colour: str = BLUE


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], 40.0
    for item in series:
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{item.colour}"/>'
        )
        parts.append(text(x + 14, y, item.name))
        x += 22 + 7 * len(item.name)
    return parts


def bars(title: str, labels: Sequence[str], series: Sequence[Series], every: int = 0) -> Markup:
    """Vertical bars, one group per label, the series side by side (never stacked together)."""
    width, height, left, top, bottom = 640, 240, 40, 24, 40
    plot_w, plot_h = width - left - 8, height - top - bottom
    peak = max([max(s.values, default=0) for s in series] + [1])
    parts = frame(title, width, height)
    parts += _legend(series, 14)
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="{RULE}"/>'
    )
    parts.append(text(left - 4, top + 4, peak, "end"))
    parts.append(text(left - 4, top + plot_h, 0, "end"))
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.8 / max(len(series), 1), 0.5)
    every = every or max(1, math.ceil(len(labels) / 10))
    for n, label in enumerate(labels):
        x0 = left + n * slot + slot * 0.1
        for k, item in enumerate(series):
            value = item.values[n]
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + k * bar:.2f}" y="{top + plot_h - h:.2f}" width="{bar:.2f}" '
                f'height="{h:.2f}" fill="{item.colour}"><title>{escape(label)}: '
                f"{escape(item.name)} {value}</title></rect>"
            )
        if n % every == 0:
            parts.append(text(left + (n + 0.5) * slot, height - bottom + 16, label, "middle", 10))
    parts.append("</svg>")
    return Markup("".join(parts))


def hbars(title: str, rows: Sequence[tuple[str, int]], colour: str = BLUE) -> Markup:
    """Horizontal bars with their label and value written out (the busiest places)."""
    width, line = 640, 22
    height = 8 + line * max(len(rows), 1)
    peak = max([value for _, value in rows] + [1])
    parts = frame(title, width, height)
    for n, (label, value) in enumerate(rows):
        y = 4 + n * line
        w = 300 * value / peak
        parts.append(text(0, y + 14, label[:38]))
        parts.append(
            f'<rect x="280" y="{y + 3}" width="{w:.1f}" height="{line - 6}" fill="{colour}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(text(284 + w, y + 14, value))
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_map(
    title: str, grid: Sequence[Sequence[int]], weekdays: Sequence[str] = WEEKDAYS
) -> Markup:
    """A 7 by 24 grid, Monday at the top, midnight on the left; darker is busier."""
    cell, left, top = 24, 40, 18
    width, height = left + 24 * cell + 4, top + 7 * cell + 4
    peak = max([max(row, default=0) for row in grid] + [1])
    parts = frame(title, width, height)
    for hour in range(0, 24, 3):
        parts.append(text(left + hour * cell + cell / 2, 12, f"{hour:02d}h", "middle", 10))
    for day, row in enumerate(grid):
        y = top + day * cell
        parts.append(text(left - 6, y + cell * 0.65, weekdays[day], "end"))
        for hour, value in enumerate(row):
            shade = 0.06 + 0.94 * value / peak if value else 0.0
            parts.append(
                f'<rect x="{left + hour * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{BLUE}" fill-opacity="{shade:.2f}" stroke="{RULE}" stroke-width="0.5">'
                f"<title>{escape(weekdays[day])} {hour:02d}:00-{hour + 1:02d}:00: "
                f"{value}</title></rect>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
