"""A walk on the ground: the legs between its stops, along the streets when the territory has
a street map (server.services.walking), else in a straight line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from server.services import walking
from server.services.street_maps import MapData


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
    on_streets: bool = False  # the distance from the stop before is measured along the streets
    way: tuple[tuple[float, float], ...] = ()  # the points from the stop before to this one


def legs(stops: Sequence[Stop], data: MapData | None = None) -> list[Leg]:
    """The stops in order with the distance on foot between them (straight without a map)."""
    positions = [(stop.latitude, stop.longitude) for stop in stops]
    ways = walking.legs(data, positions)
    found: list[Leg] = []
    total = 0.0
    for number, stop in enumerate(stops, start=1):
        way = ways[number - 2] if number > 1 else None
        step = way.metres if way else 0.0
        total += step
        lat, lon = positions[number - 1]
        name = stop.name
        if way is None:
            found.append(Leg(number, name, lat, lon, step, total))
        else:
            found.append(Leg(number, name, lat, lon, step, total, way.on_streets, way.points))
    return found
