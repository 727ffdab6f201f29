"""Places on a map as circles whose area grows with a number: the dashboard's taps per place."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from server.maps import projection, streets
from server.maps.svg import INK, ORANGE, frame, text
from server.services.street_maps import MapData

_maps = itertools.count(1)  # the street names' ids, unique on a page with several maps


@dataclass(frozen=True)
class Spot:
    """A place on the map, with its number."""

    label: str
    latitude: float
    longitude: float
    value: int


def place_map(title: str, spots: Sequence[Spot], base: MapData | None = None) -> Markup:
    """The places as circles whose area grows with their value, each labelled with its name
    where the label covers no other, over the territory's street map when there is one."""
    width, height = projection.WIDTH, projection.HEIGHT
    center, span = projection.fit([(s.latitude, s.longitude) for s in spots])
    area = projection.Frame(center, span, width, height)
    peak = max([s.value for s in spots] + [1])
    parts = frame(title, width, height)
    parts.append(f'<rect width="{width}" height="{height}" fill="{streets.BACKGROUND}"/>')
    # Biggest first, so the small circles stay visible on top.
    placed = []
    for spot in sorted(spots, key=lambda s: -s.value):
        x, y = area.pixel(spot.latitude, spot.longitude)
        placed.append((spot, x, y, 3 + 22 * math.sqrt(spot.value / peak)))
    labels, boxes = _labels(placed, width)
    under, names = streets.base(area, base, boxes, prefix=f"pm{next(_maps)}-")
    parts += under
    for spot, x, y, radius in placed:
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{ORANGE}" '
            f'fill-opacity="0.55" stroke="{INK}" stroke-width="0.6">'
            f"<title>{escape(spot.label)}: {spot.value}</title></circle>"
        )
    parts.append(names)
    parts += labels
    scale = width / span * (1000 if span >= 3000 else 100)
    parts.append(
        f'<line x1="8" y1="{height - 10}" x2="{8 + scale:.1f}" y2="{height - 10}" '
        f'stroke="{INK}" stroke-width="3"/>'
    )
    parts.append(text(12 + scale, height - 6, "1 km" if span >= 3000 else "100 m", size=10))
    parts.append(text(width - 14, 14, "N", size=11))
    parts.append("</svg>")
    return Markup("".join(parts))


def _labels(
    placed: list[tuple[Spot, float, float, float]], width: int
) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    """Each place's name beside its circle, biggest first, where it covers no other name."""
    out: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    for spot, x, y, radius in placed:
        name = spot.label if len(spot.label) <= 24 else spot.label[:23] + "…"
        wide = len(name) * 5.6
        left = x + radius + 2
        anchor = "start"
        if left + wide > width:  # no room on the right: the name goes on the left
            left, anchor = x - radius - 2 - wide, "end"
        box = (left, y - 6, left + wide, y + 5)
        if any(_overlap(box, other) for other in boxes):
            continue
        boxes.append(box)
        at = left if anchor == "start" else left + wide
        out.append(
            f'<text x="{at:.1f}" y="{y + 3.5:.1f}" font-size="10" text-anchor="{anchor}" '
            f'fill="{INK}" stroke="#fff" stroke-width="2.4" paint-order="stroke">'
            f"{escape(name)}</text>"
        )
    return out, boxes


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
