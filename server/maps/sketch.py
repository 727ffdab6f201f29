"""A walk's stops joined in order on a small SVG sketch, numbered, with a scale bar and, when
known, the place the visitor stands at."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup, escape

from server.services.geo import METRES_PER_DEGREE

WIDTH, HEIGHT, MARGIN = 320, 200, 18
SCALE_STEPS = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


class Stop(Protocol):
    """A numbered stop of a walk (server.visitor.route.Leg is one)."""

    @property
    def position(self) -> int: ...

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...


def sketch(route: Sequence[Stop], title: str, here: tuple[float, float] | None = None) -> Markup:
    """An inline SVG of the stops joined in order, numbered, with a scale bar and, when known,
    the place the visitor stands at (a square)."""
    if not route:
        return Markup("")
    points = [(leg.latitude, leg.longitude) for leg in route] + ([here] if here else [])
    mid_lat = sum(lat for lat, _ in points) / len(points)
    squash = math.cos(math.radians(mid_lat))  # metres per degree of longitude shrink northwards
    xs = [lon * squash for _, lon in points]
    ys = [-lat for lat, _ in points]
    # The largest scale at which the route fits both ways; a single spot sits in the middle.
    wide, high = max(xs) - min(xs), max(ys) - min(ys)
    scale = min(
        (WIDTH - 2 * MARGIN) / wide if wide > 1e-7 else math.inf,
        (HEIGHT - 2 * MARGIN) / high if high > 1e-7 else math.inf,
    )
    scale = scale if scale < math.inf else 1.0
    left = (WIDTH - (max(xs) - min(xs)) * scale) / 2
    top = (HEIGHT - (max(ys) - min(ys)) * scale) / 2

    def at(index: int) -> tuple[float, float]:
        return (
            round(left + (xs[index] - min(xs)) * scale, 1),
            round(top + (ys[index] - min(ys)) * scale, 1),
        )

    path = " ".join(f"{x},{y}" for x, y in (at(i) for i in range(len(route))))
    parts = [
        f'<svg class="sketch" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="sketch-t">',
        f'<title id="sketch-t">{escape(title)}</title>',
        f'<polyline points="{path}" fill="none" stroke="#0b57d0" stroke-width="3" '
        'stroke-linejoin="round" stroke-dasharray="6 4"/>',
    ]
    if here:
        x, y = at(len(points) - 1)
        parts.append(f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="#1a1a1a"/>')
    for index, leg in enumerate(route):
        x, y = at(index)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="10" fill="#fff" stroke="#0b57d0" stroke-width="2"/>'
            f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="11">{leg.position}</text>'
        )
    parts.append(_scale_bar(scale))
    parts.append("</svg>")
    return Markup("".join(parts))


def _scale_bar(units_per_degree: float) -> str:
    """A bar of a round length in the bottom left corner ("200 m")."""
    # Both axes were projected so that one unit is one degree of latitude.
    pixels_per_metre = units_per_degree / METRES_PER_DEGREE
    metres = next((step for step in SCALE_STEPS if step * pixels_per_metre >= 40), SCALE_STEPS[-1])
    length = round(metres * pixels_per_metre, 1)
    label = f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"
    y = HEIGHT - 6
    return (
        f'<path d="M6 {y - 4}v4h{length}v-4" fill="none" stroke="#1a1a1a"/>'
        f'<text x="{6 + length + 4}" y="{y}" font-size="10">{label}</text>'
    )
