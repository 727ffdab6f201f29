"""A walk on the ground: the legs between its stops (server.maps.sketch draws them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.services.geo import distance_m


@dataclass(frozen=True)
class Leg:
    """A stop, how far it is from the stop before, and from the start."""

    position: int
    name: str
    latitude: float
    longitude: float
    from_previous_m: float
    from_start_m: float


def legs(stops: Sequence[object]) -> list[Leg]:
    """The stops in order with straight-line distances between them."""
    found: list[Leg] = []
    total = 0.0
    previous = None
    for number, stop in enumerate(stops, start=1):
        lat, lon = stop.latitude, stop.longitude  # type: ignore[attr-defined]
        step = distance_m(previous[0], previous[1], lat, lon) if previous else 0.0
        total += step
        found.append(Leg(number, stop.name, lat, lon, step, total))  # type: ignore[attr-defined]
        previous = (lat, lon)
    return found
