"""Distances on the ground and the bounding box that prefilters the nearby query."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
WALKING_METRES_PER_MINUTE = 4800 / 60  # 4.8 km/h


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def walking_minutes(metres: float) -> int:
    """Minutes on foot at 4.8 km/h, rounded up, at least 1."""
    return max(1, math.ceil(metres / WALKING_METRES_PER_MINUTE))


@dataclass(frozen=True)
class BoundingBox:
    """Latitude and longitude ranges that contain a circle."""

    south: float
    north: float
    west: float
    east: float


def bounding_box(latitude: float, longitude: float, radius_m: float) -> BoundingBox:
    """The smallest latitude/longitude box around a circle (away from the poles)."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 1e-6))
    return BoundingBox(latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon)
