"""Places on a map as circles whose area grows with a number: the dashboard's taps per place."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from server.maps import projection
from server.maps.svg import INK, ORANGE, frame, text


@dataclass(frozen=True)
class Spot:
    """A place on the map, with its number."""

    label: str
    latitude: float
    longitude: float
    value: int


def place_map(title: str, spots: Sequence[Spot]) -> Markup:
    """The places as circles whose area grows with their value, projected as the portal's map."""
    width, height = projection.WIDTH, projection.HEIGHT
    center, span = projection.fit([(s.latitude, s.longitude) for s in spots])
    peak = max([s.value for s in spots] + [1])
    parts = frame(title, width, height)
    parts.append(f'<rect width="{width}" height="{height}" fill="#f4f4f0"/>')
    # Biggest first, so the small circles stay visible on top.
    for spot in sorted(spots, key=lambda s: -s.value):
        x, y = projection.pixel(center, spot.latitude, spot.longitude, span)
        radius = 3 + 22 * math.sqrt(spot.value / peak)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{ORANGE}" '
            f'fill-opacity="0.55" stroke="{INK}" stroke-width="0.6">'
            f"<title>{escape(spot.label)}: {spot.value}</title></circle>"
        )
    scale = width / span * (1000 if span >= 3000 else 100)
    parts.append(
        f'<line x1="8" y1="{height - 10}" x2="{8 + scale:.1f}" y2="{height - 10}" '
        f'stroke="{INK}" stroke-width="3"/>'
    )
    parts.append(text(12 + scale, height - 6, "1 km" if span >= 3000 else "100 m", size=10))
    parts.append(text(width - 14, 14, "N", size=11))
    parts.append("</svg>")
    return Markup("".join(parts))
