"""Positions onto a map picture and back: a plane centred on a position, north up, WIDTH pixels
across SPAN_M metres (or a span of the caller's choosing)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from server.services.geo import METRES_PER_DEGREE

WIDTH, HEIGHT = 360, 270
SPAN_M = 600.0  # metres from the left edge to the right edge


def _scale(latitude: float, span_m: float = SPAN_M) -> tuple[float, float]:
    """Pixels per degree of latitude and of longitude at this latitude."""
    per_metre = WIDTH / span_m
    return (
        per_metre * METRES_PER_DEGREE,
        per_metre * METRES_PER_DEGREE * math.cos(math.radians(latitude)),
    )


def pixel(
    center: tuple[float, float], latitude: float, longitude: float, span_m: float = SPAN_M
) -> tuple[float, float]:
    """Where a position falls on the map centred on `center`."""
    per_lat, per_lon = _scale(center[0], span_m)
    return (
        WIDTH / 2 + (longitude - center[1]) * per_lon,
        HEIGHT / 2 - (latitude - center[0]) * per_lat,
    )


def point_at(center: tuple[float, float], x: float, y: float) -> tuple[float, float]:
    """The position under a click at (x, y) on the map centred on `center`."""
    per_lat, per_lon = _scale(center[0])
    x, y = min(max(x, 0), WIDTH), min(max(y, 0), HEIGHT)
    return (
        round(center[0] - (y - HEIGHT / 2) / per_lat, 6),
        round(center[1] + (x - WIDTH / 2) / per_lon, 6),
    )


def fit(points: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], float]:
    """The centre and the width in metres of a map showing all these positions."""
    if not points:
        return (0.0, 0.0), SPAN_M
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    center = ((south + north) / 2, (west + east) / 2)
    wide = (east - west) * METRES_PER_DEGREE * math.cos(math.radians(center[0]))
    high = (north - south) * METRES_PER_DEGREE * WIDTH / HEIGHT
    return center, min(max(max(wide, high) * 1.3, 1000.0), 20000.0)


def reach_m(span_m: float = SPAN_M) -> float:
    """How far from the centre the map shows things (half its diagonal)."""
    return math.hypot(span_m, span_m * HEIGHT / WIDTH) / 2


class Frame:
    """A map picture of `width` by `height` units, north up, centred on `center`, `span_m` metres
    across: where positions fall on it, and which positions it shows."""

    def __init__(
        self, center: tuple[float, float], span_m: float, width: int = WIDTH, height: int = HEIGHT
    ) -> None:
        self.center, self.span_m, self.width, self.height = center, span_m, width, height
        self.per_metre = width / span_m
        self.per_lat = self.per_metre * METRES_PER_DEGREE
        self.per_lon = self.per_lat * math.cos(math.radians(center[0]))
        half_lat, half_lon = height / 2 / self.per_lat, width / 2 / self.per_lon
        # south, north, west, east of what shows
        self.bounds = (
            center[0] - half_lat,
            center[0] + half_lat,
            center[1] - half_lon,
            center[1] + half_lon,
        )

    def pixel(self, latitude: float, longitude: float) -> tuple[float, float]:
        """Where a position falls on the picture."""
        return (
            self.width / 2 + (longitude - self.center[1]) * self.per_lon,
            self.height / 2 - (latitude - self.center[0]) * self.per_lat,
        )

    def overlaps(self, south: float, north: float, west: float, east: float) -> bool:
        """Whether a box of positions shows, at least in part."""
        s, n, w, e = self.bounds
        return south <= n and north >= s and west <= e and east >= w


def framing(
    points: Sequence[tuple[float, float]],
    width: int = WIDTH,
    height: int = HEIGHT,
    least_m: float = 400.0,
    most_m: float = 8000.0,
) -> Frame:
    """The frame that shows all these positions with a margin, at least `least_m` across."""
    if not points:
        return Frame((0.0, 0.0), least_m, width, height)
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    center = ((south + north) / 2, (west + east) / 2)
    wide = (east - west) * METRES_PER_DEGREE * math.cos(math.radians(center[0]))
    high = (north - south) * METRES_PER_DEGREE * width / height
    return Frame(center, min(max(max(wide, high) * 1.25, least_m), most_m), width, height)
