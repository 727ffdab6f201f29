"""A GTFS feed's timetable, for the next departures: routes, trips, service calendars and the
stop times of the stops kept, stored beside the stops (server/importers/gtfs.py calls it).

Times stay as GTFS gives them, seconds after the service day's "noon minus 12 h" (they may pass
24:00:00); server/services/departures.py turns them into moments in the feed's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from server.errors import ImportProblem
from server.importers.gtfsfiles import FeedFiles
from server.importers.report import Progress
from server.models import (
    TransitRoute,
    TransitService,
    TransitServiceDate,
    TransitStopTime,
    TransitTrip,
)

BATCH = 5000
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TABLES = (TransitStopTime, TransitTrip, TransitRoute, TransitServiceDate, TransitService)


def timezone(files: FeedFiles) -> str | None:
    """The feed's time zone (agency.txt's agency_timezone), in which its times are told."""
    if not files.has("agency.txt"):
        return None
    with files.rows("agency.txt") as rows:
        return next((zone for (zone,) in rows.columns("agency_timezone") if zone), None)


def replace_timetable(
    session: Session, files: FeedFiles, feed: str, stops: set[str], progress: Progress | None
) -> list[str]:
    """Replace the feed's stored timetable with the file's; notes on what was stored."""
    for table in TABLES:
        session.execute(delete(table).where(table.feed == feed))
    if not all(files.has(name) for name in ("routes.txt", "trips.txt", "stop_times.txt")):
        return []  # the stops' importer says so already
    if not files.has("calendar.txt") and not files.has("calendar_dates.txt"):
        return []  # stops only (a feed of stops, as the demo's): no departures to show
    _insert(session, TransitRoute, _routes(files, feed))
    _insert(session, TransitTrip, _trips(files, feed))
    if files.has("calendar.txt"):
        _insert(session, TransitService, _services(files, feed))
    if files.has("calendar_dates.txt"):
        _insert(session, TransitServiceDate, _service_dates(files, feed))
    count = _insert(session, TransitStopTime, _stop_times(files, feed, stops, progress))
    return [f"{count:,} departures from the stops kept"]


def _insert(session: Session, table: Any, rows: Iterator[dict[str, Any]]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)
        count += len(batch)
    return count


def _routes(files: FeedFiles, feed: str) -> Iterator[dict[str, Any]]:
    with files.rows("routes.txt") as rows:
        rows.need("route_id")
        names = ("route_id", "route_short_name", "route_long_name", "route_type", "route_color")
        for route, short, long, kind, color in rows.columns(*names):
            yield {
                "feed": feed,
                "route_id": route[:80],
                "label": (short or long or route)[:40],
                "route_type": whole(kind),
                "color": color[:6] or None,
            }


def _trips(files: FeedFiles, feed: str) -> Iterator[dict[str, Any]]:
    with files.rows("trips.txt") as rows:
        rows.need("trip_id", "route_id", "service_id")
        for trip, route, service, headsign in rows.columns(
            "trip_id", "route_id", "service_id", "trip_headsign"
        ):
            yield {
                "feed": feed,
                "trip_id": trip[:80],
                "route_id": route[:80],
                "service_id": service[:80],
                "headsign": headsign[:200] or None,
            }


def _date(value: str, label: str, line: int, column: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise ImportProblem(label, line, column, f"{value!r} is not a date (YYYYMMDD)") from None


def _services(files: FeedFiles, feed: str) -> Iterator[dict[str, Any]]:
    with files.rows("calendar.txt") as rows:
        rows.need("service_id", *WEEKDAYS, "start_date", "end_date")
        for values in rows.columns("service_id", *WEEKDAYS, "start_date", "end_date"):
            service, *days, start, end = values
            yield {
                "feed": feed,
                "service_id": service[:80],
                "weekdays": "".join("1" if day == "1" else "0" for day in days),
                "start_date": _date(start, rows.label, rows.line(), "start_date"),
                "end_date": _date(end, rows.label, rows.line(), "end_date"),
            }


def _service_dates(files: FeedFiles, feed: str) -> Iterator[dict[str, Any]]:
    with files.rows("calendar_dates.txt") as rows:
        rows.need("service_id", "date", "exception_type")
        for service, day, kind in rows.columns("service_id", "date", "exception_type"):
            if kind not in ("1", "2"):
                raise ImportProblem(rows.label, rows.line(), "exception_type", "must be 1 or 2")
            yield {
                "feed": feed,
                "service_id": service[:80],
                "date": _date(day, rows.label, rows.line(), "date"),
                "exception_type": int(kind),
            }


def whole(value: str) -> int | None:
    """A whole number in ASCII digits that a database's INTEGER holds; None otherwise.

    str.isdigit alone lets through digits int() refuses ("²") and numbers past 2**31.
    """
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    return int(value)


def seconds(value: str) -> int | None:
    """GTFS's H:MM:SS (hours may pass 24) as seconds; None when empty or not a time."""
    parts = [whole(part) for part in value.split(":")]
    if len(parts) != 3:
        return None
    hours, minutes, secs = parts
    if hours is None or minutes is None or secs is None:
        return None
    if minutes > 59 or secs > 59 or hours > 47:
        return None
    return hours * 3600 + minutes * 60 + secs


def _stop_times(
    files: FeedFiles, feed: str, stops: set[str], progress: Progress | None
) -> Iterator[dict[str, Any]]:
    with files.rows("stop_times.txt", progress) as rows:
        rows.need("trip_id", "stop_id", "stop_sequence")
        names = ("trip_id", "stop_id", "stop_sequence", "departure_time", "arrival_time")
        for trip, stop, sequence, departure, arrival in rows.columns(*names):
            if stop not in stops:
                continue
            leaves = seconds(departure or arrival)
            if leaves is None:
                if departure or arrival:
                    raise ImportProblem(
                        rows.label,
                        rows.line(),
                        "departure_time",
                        f"{departure or arrival!r} is not a time (H:MM:SS)",
                    )
                continue  # a call without a time of its own (not a timepoint): not shown
            order = whole(sequence)
            if order is None:
                raise ImportProblem(rows.label, rows.line(), "stop_sequence", "not a whole number")
            yield {
                "feed": feed,
                "trip_id": trip[:80],
                "stop_id": stop[:80],
                "stop_sequence": order,
                "departure_seconds": leaves,
            }
