"""What moves near a place: bike stations (bikes, free docks), car parks (free spaces) and
transit stops (lines, next departures), each with its distance, walking time and age.

Figures come from the poller's last good snapshots (server/mobility), never from a feed on the
visitor's request; a figure older than its feed's stale_after is given as unknown (None), with
its age, rather than as a number that may be wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from server.mobility.feeds import FeedSettings
from server.mobility.live import Mobility
from server.services.geo import bounding_box, distance_m, walking_minutes
from server.services.nearby import Item, Kind

NEAREST = 3  # stations, car parks, stops: as many of each as a visitor weighs


@dataclass
class Spot:
    """A bike station, a car park or a stop, with its figures as of `updated_at`."""

    kind: str  # bikes | parking | stop
    feed: str
    id: str
    name: dict[str, str]  # by language ("" when the feed does not say)
    latitude: float
    longitude: float
    distance_m: float
    updated_at: dt.datetime | None
    age_seconds: float | None
    stale: bool  # past the feed's limit: the figures below are None
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def walking_minutes(self) -> int:
        """Minutes on foot from the place."""
        return walking_minutes(self.distance_m)

    def to_json(self) -> dict[str, Any]:
        """The API's form."""
        return {
            "id": self.id,
            "feed": self.feed,
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "distance_m": round(self.distance_m),
            "walking_minutes": self.walking_minutes,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "age_seconds": round(self.age_seconds) if self.age_seconds is not None else None,
            "stale": self.stale,
            **self.figures,
        }


@dataclass
class Nearby:
    """What moves near one place."""

    bikes: list[Spot]
    parking: list[Spot]
    stops: list[Spot]
    configured: bool  # whether any feed is configured here at all

    def __bool__(self) -> bool:
        return bool(self.bikes or self.parking or self.stops)


BIKE_FIGURES = ("bikes", "docks")
PARKING_FIGURES = ("free",)


def near(
    live: Mobility,
    latitude: float,
    longitude: float,
    now: dt.datetime,
    radius_m: float,
    stops: Iterable[Spot] = (),
) -> Nearby:
    """The nearest stations and car parks within `radius_m` of a position, and `stops` given."""
    return Nearby(
        bikes=_nearest(live, live.holding("bikes"), latitude, longitude, now, radius_m),
        parking=_nearest(live, live.holding("parking"), latitude, longitude, now, radius_m),
        stops=sorted(stops, key=lambda spot: spot.distance_m)[:NEAREST],
        configured=bool(live.feeds),
    )


def _nearest(
    live: Mobility,
    feeds: list[FeedSettings],
    latitude: float,
    longitude: float,
    now: dt.datetime,
    radius_m: float,
) -> list[Spot]:
    box = bounding_box(latitude, longitude, radius_m)
    found: list[tuple[float, FeedSettings, dict[str, Any]]] = []
    for feed in feeds:
        snapshot = live.store.snapshot(feed.name)
        if snapshot is None:
            continue
        for item in snapshot.items:
            lat, lon = item["lat"], item["lon"]
            if not (box.south <= lat <= box.north and box.west <= lon <= box.east):
                continue
            metres = distance_m(latitude, longitude, lat, lon)
            if metres <= radius_m:
                found.append((metres, feed, item))
    found.sort(key=lambda entry: entry[0])
    return [_spot(feed, item, metres, now) for metres, feed, item in found[:NEAREST]]


def _spot(feed: FeedSettings, item: dict[str, Any], metres: float, now: dt.datetime) -> Spot:
    updated = dt.datetime.fromisoformat(item["updated_at"])
    age = max((now - updated).total_seconds(), 0.0)
    stale = age > feed.stale_after
    if feed.holds == "bikes":
        figures = {
            "bikes": None if stale else item["bikes"],
            "docks": None if stale else item.get("docks"),
            "capacity": item.get("capacity"),
            "installed": item["installed"],
            "renting": item["renting"],
            "returning": item["returning"],
        }
    else:
        figures = {
            "free": None if stale else item.get("free"),
            "capacity": item.get("capacity"),
            "open": None if stale else item.get("open"),
            "address": item.get("address") or None,
        }
    return Spot(
        feed.holds,
        feed.name,
        item["id"],
        item["name"],
        item["lat"],
        item["lon"],
        metres,
        updated,
        age,
        stale,
        figures,
    )


def stops(items: Iterable[Item], now: dt.datetime) -> list[Spot]:
    """The nearest transit stops among nearby `items`, with their lines."""
    found = sorted(
        (item for item in items if item.kind is Kind.TRANSIT_STOP), key=lambda i: i.distance_m
    )
    return [
        Spot(
            "stop",
            item.details["feed"],
            item.details["stop_id"],
            {"": item.name},
            item.latitude,
            item.longitude,
            item.distance_m,
            None,
            None,
            False,
            {"lines": item.details["lines"]},
        )
        for item in found[:NEAREST]
    ]
