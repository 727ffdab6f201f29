"""The next departures from a stop: the GTFS timetable (server/models/timetable.py) on the right
service days, in the feed's time zone, then GTFS-Realtime (delays, cancellations, alerts) from
the poller's snapshot when it is fresh.

GTFS counts a trip's times from "noon minus 12 h" of its service day, in the feed's zone: on the
days the clocks change that is not midnight, and a time past 24:00:00 belongs to the day before.
So each of yesterday, today and tomorrow is asked for the departures that fall in the window.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from server.models import (
    TransitFeed,
    TransitRoute,
    TransitService,
    TransitServiceDate,
    TransitStop,
    TransitStopTime,
    TransitTrip,
)

HORIZON = dt.timedelta(minutes=90)
LATE = dt.timedelta(minutes=30)  # a departure this late may still be ahead, once delayed
SHOWN = 4


@dataclass
class Departure:
    """A trip leaving a stop: when the timetable says, and when it is expected now."""

    trip_id: str
    route_id: str
    line: str
    headsign: str
    stop_id: str
    sequence: int
    service_day: dt.date
    scheduled: dt.datetime
    expected: dt.datetime | None = None
    delay: int | None = None
    cancelled: bool = False
    realtime: bool = False

    @property
    def leaves(self) -> dt.datetime:
        """The moment it leaves, as best known."""
        return self.expected or self.scheduled

    def to_json(self) -> dict[str, Any]:
        """The API's form."""
        return {
            "line": self.line,
            "headsign": self.headsign,
            "scheduled_at": self.scheduled.isoformat(),
            "expected_at": None if self.cancelled else self.leaves.isoformat(),
            "delay_seconds": self.delay,
            "cancelled": self.cancelled,
            "realtime": self.realtime,
        }


def service_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The moment a service day's times count from: noon minus 12 h, local (GTFS), in UTC."""
    noon = dt.datetime.combine(day, dt.time(12), zone).astimezone(dt.UTC)
    return noon - dt.timedelta(hours=12)


def active_services(session: Session, feed: str, day: dt.date) -> set[str]:
    """The services running on `day`: by the calendar's weekdays and dates, then exceptions."""
    services = {
        service
        for service, weekdays in session.execute(
            select(TransitService.service_id, TransitService.weekdays).where(
                TransitService.feed == feed,
                TransitService.start_date <= day,
                TransitService.end_date >= day,
            )
        )
        if weekdays[day.weekday()] == "1"
    }
    for service, kind in session.execute(
        select(TransitServiceDate.service_id, TransitServiceDate.exception_type).where(
            TransitServiceDate.feed == feed, TransitServiceDate.date == day
        )
    ):
        if kind == 1:
            services.add(service)
        else:
            services.discard(service)
    return services


def station_stops(session: Session, feed: str, stop_id: str) -> list[str]:
    """A stop and, for a station, its platforms: where its departures are timetabled."""
    children = session.scalars(
        select(TransitStop.stop_id).where(
            TransitStop.feed == feed, TransitStop.parent_station == stop_id
        )
    )
    return [stop_id, *children]


def feed_zone(session: Session, feed: str, fallback: str = "Europe/Paris") -> ZoneInfo:
    """The zone the feed's times are told in (agency_timezone)."""
    zone = session.scalars(select(TransitFeed.timezone).where(TransitFeed.name == feed)).first()
    return _zone(zone or fallback)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# One timetabled call: (seconds of its service day, trip, route, headsign, line, stop, sequence).
Call = tuple[int, str, str, str, str, str, int]


def day_calls(session: Session, feed: str, stop_ids: Iterable[str], day: dt.date) -> list[Call]:
    """Every call at these stops on one service day, in time order (what a page filters)."""
    services = active_services(session, feed, day)
    if not services:
        return []
    trip = and_(TransitTrip.feed == feed, TransitTrip.trip_id == TransitStopTime.trip_id)
    route = and_(TransitRoute.feed == feed, TransitRoute.route_id == TransitTrip.route_id)
    rows = session.execute(
        select(
            TransitStopTime.departure_seconds,
            TransitStopTime.trip_id,
            TransitTrip.route_id,
            TransitTrip.headsign,
            TransitRoute.label,
            TransitStopTime.stop_id,
            TransitStopTime.stop_sequence,
        )
        .join(TransitTrip, trip)
        .join(TransitRoute, route)
        .where(
            TransitStopTime.feed == feed,
            TransitStopTime.stop_id.in_(list(stop_ids)),
            TransitTrip.service_id.in_(services),
        )
    )
    return sorted(
        (seconds, t, r, h or "", label, stop, seq) for seconds, t, r, h, label, stop, seq in rows
    )


def service_days(now: dt.datetime, zone: ZoneInfo) -> list[dt.date]:
    """The service days whose trips may leave around `now`: yesterday's run past midnight."""
    today = now.astimezone(zone).date()
    return [today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)]


def within(
    calls: dict[dt.date, list[Call]],
    zone: ZoneInfo,
    now: dt.datetime,
    horizon: dt.timedelta = HORIZON,
    ahead: int | None = None,
) -> list[Departure]:
    """The departures among each day's `calls` between now (less LATE) and the horizon; with
    `ahead`, no more than that many still to come from each day."""
    found = []
    for day, day_list in calls.items():
        coming = 0
        start = service_start(day, zone)
        low = (now - LATE - start).total_seconds()
        high = (now + horizon - start).total_seconds()
        # By index from the first call in the window: a slice would copy the rest of the day.
        for index in range(bisect.bisect_left(day_list, (max(int(low), 0),)), len(day_list)):
            seconds = day_list[index][0]
            if seconds > high:
                break
            if start + dt.timedelta(seconds=seconds) >= now:
                coming += 1
                if ahead is not None and coming > ahead:
                    break
            found.append(departure(day_list[index], day, start))
    found.sort(key=lambda departure: departure.scheduled)
    return found


def departure(call: Call, day: dt.date, start: dt.datetime) -> Departure:
    """The departure of one timetabled call on the service day `day`, which starts at `start`."""
    seconds, trip_id, route_id, headsign, label, stop_id, sequence = call
    moment = start + dt.timedelta(seconds=seconds)
    return Departure(trip_id, route_id, label, headsign, stop_id, sequence, day, moment)


def scheduled(
    session: Session,
    feed: str,
    stop_ids: Iterable[str],
    now: dt.datetime,
    horizon: dt.timedelta = HORIZON,
) -> list[Departure]:
    """The timetabled departures from these stops between now (less LATE) and the horizon."""
    zone = feed_zone(session, feed)
    stops = list(stop_ids)
    calls = {day: day_calls(session, feed, stops, day) for day in service_days(now, zone)}
    return within(calls, zone, now, horizon)


def apply_realtime(departures: list[Departure], trips: dict[str, dict[str, Any]]) -> None:
    """Set each departure's live delay or cancellation from GTFS-RT trip updates (by trip_id)."""
    for departure in departures:
        update = trips.get(departure.trip_id)
        if update is None:
            continue
        if update["start_date"] and update["start_date"] != f"{departure.service_day:%Y%m%d}":
            continue  # the update is about another day's run of the trip
        departure.realtime = True
        if update["cancelled"]:
            departure.cancelled = True
            continue
        delay = update.get("delay")
        for stop in update["stops"]:  # the last update at or before this stop carries on
            sequence = stop["sequence"]
            here = stop["stop_id"] == departure.stop_id or sequence == departure.sequence
            if here or (sequence is not None and sequence < departure.sequence):
                if here and stop["skipped"]:
                    departure.cancelled = True
                if here and stop["time"] is not None:
                    moment = dt.datetime.fromtimestamp(stop["time"], dt.UTC)
                    delay = int((moment - departure.scheduled).total_seconds())
                elif stop["delay"] is not None:
                    delay = stop["delay"]
        if delay is None:
            departure.realtime = False  # the update says nothing about this stop
            continue
        departure.delay = delay
        departure.expected = departure.scheduled + dt.timedelta(seconds=delay)


def upcoming(departures: list[Departure], now: dt.datetime, limit: int = SHOWN) -> list[Departure]:
    """The next `limit` departures still ahead (a cancelled one while it was due ahead)."""
    ahead = [
        departure
        for departure in departures
        if (departure.scheduled if departure.cancelled else departure.leaves) >= now
    ]
    ahead.sort(key=lambda departure: departure.leaves)
    return ahead[:limit]
