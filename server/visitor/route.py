"""A walk on the ground: the legs between its stops (server.maps.sketch draws them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from server.services.geo import distance_m


class Stop(Protocol):
    """What a leg needs of a stop (a WalkStop, or anything with these)."""

    @property
    def name(self) -> str: ...
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...


@dataclass(frozen=True)
class Leg:
    """A stop, how far it is from the stop before, and from the start."""

    position: int
    name: str
    latitude: float
    longitude: float
    from_previous_m: float
    from_start_m: float


def legs(stops: Sequence[Stop]) -> list[Leg]:
    """The stops in order with straight-line distances between them."""
    found: list[Leg] = []
    total = 0.0
    previous = None
    for number, stop in enumerate(stops, start=1):
        lat, lon = stop.latitude, stop.longitude
        step = distance_m(previous[0], previous[1], lat, lon) if previous else 0.0
        total += step
        found.append(Leg(number, stop.name, lat, lon, step, total))
        previous = (lat, lon)
    return found
