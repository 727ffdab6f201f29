"""Reading a GTFS feed: whose it is, its stops grouped under their stations, the lines serving
each, and the stops too far from the others to be real.

The feed is a zip, a folder, or a lone stops.txt. Its name comes from agency.txt (or the staff
give one): two agencies' feeds are two feeds, whatever their files are called. Platforms and
entrances (stops with a parent_station) are kept under their station, which alone is listed;
the lines come from routes.txt, trips.txt and stop_times.txt, read as a stream, so a large feed
costs time in proportion to its size and memory in proportion to its trips.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.errors import ImportProblem
from server.importers import fields as f
from server.importers.gtfsfiles import FeedFiles
from server.importers.report import Progress, Skipped, plural
from server.services.content_slugs import slugify
from server.services.geo import distance_m

REQUIRED_COLUMNS = ("stop_id", "stop_name", "stop_lat", "stop_lon")
STOP, STATION, ENTRANCE = 0, 1, 2  # location_type; 3 (generic node) and 4 (boarding area)
SHOWN_LOCATION_TYPES = {STOP, STATION, ENTRANCE}  # need no position and are not kept
DEFAULT_WITHIN_KM = 50.0
NUMBER = re.compile(r"(\d+)")


@dataclass
class Feed:
    """A feed read and checked, ready to store."""

    name: str
    agencies: str | None
    publisher: str | None
    version: str | None
    stops: list[dict[str, Any]]  # transit_stops rows, without feed and demo
    left_out: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_feed(
    path: Path,
    name: str | None = None,
    *,
    center: tuple[float, float] | None = None,
    within_km: float = DEFAULT_WITHIN_KM,
    keep_outliers: bool = False,
    progress: Progress | None = None,
) -> Feed:
    """Read the feed at `path`; stops further than `within_km` from `center` (by default, the
    feed's median position) are left out unless `keep_outliers`."""
    with FeedFiles.open(path) as files:
        feed = _identity(files, name)
        stops = _stops(files)
        _group(stops, feed)
        far, reasons = _far(stops, center, within_km)
        if keep_outliers and reasons:
            feed.notes.append(f"kept, as asked: {'; '.join(str(r) for r in reasons)}")
        elif far:
            feed.left_out.extend(reasons)
            stops = {key: stop for key, stop in stops.items() if key not in far}
        _lines(files, stops, feed, progress)
    feed.stops = [stop.row() for stop in stops.values()]
    return feed


@dataclass
class _Stop:
    stop_id: str
    line: int
    code: str | None
    name: str
    latitude: float
    longitude: float
    location_type: int
    parent_station: str | None
    wheelchair_boarding: int | None
    lines: set[str] = field(default_factory=set)

    def row(self) -> dict[str, Any]:
        values = {key: getattr(self, key) for key in ROW_COLUMNS}
        values["lines"] = sorted(self.lines, key=_natural)
        return values


ROW_COLUMNS = (
    "stop_id",
    "code",
    "name",
    "latitude",
    "longitude",
    "location_type",
    "parent_station",
    "wheelchair_boarding",
)


def _identity(files: FeedFiles, name: str | None) -> Feed:
    """Whose feed it is: the name the staff gave, else its agencies' names."""
    agencies: list[str] = []
    if files.has("agency.txt"):
        with files.rows("agency.txt") as rows:
            agencies = [found for (found,) in rows.columns("agency_name") if found]
    publisher = version = None
    if files.has("feed_info.txt"):
        with files.rows("feed_info.txt") as rows:
            first = next(rows.columns("feed_publisher_name", "feed_version"), ["", ""])
            publisher, version = (value[:100] or None for value in first)
    named = " ".join((name or "").split())
    if name is not None and not 0 < len(named) <= 80:
        raise ImportProblem(str(files.path), None, "feed", "a feed's name has 1 to 80 characters")
    unique = sorted(set(agencies), key=str.casefold)
    if not named and unique:
        shown = unique[:3] + ([f"and {len(unique) - 3} more"] if len(unique) > 3 else [])
        named = slugify(" ".join(shown), 80)
    if not named:
        raise ImportProblem(
            str(files.path),
            None,
            "agency.txt",
            "the feed has no agency.txt saying whose it is: give it a name with --feed NAME",
        )
    return Feed(named, ", ".join(unique)[:500] or None, publisher, version, [])


def _stops(files: FeedFiles) -> dict[str, _Stop]:
    """stops.txt's stops, stations and entrances, checked, in file order."""
    if not files.has("stops.txt"):
        raise ImportProblem(str(files.path), None, None, "the feed has no stops.txt")
    stops: dict[str, _Stop] = {}
    with files.rows("stops.txt") as rows:
        rows.need(*REQUIRED_COLUMNS)
        names = (
            *REQUIRED_COLUMNS,
            "stop_code",
            "location_type",
            "parent_station",
            "wheelchair_boarding",
        )
        for values in rows.columns(*names):
            row = dict(zip(names, values, strict=True))
            where = f.Where(rows.label, rows.line())
            location_type = _integer(row, "location_type", where, STOP) or STOP
            if location_type not in SHOWN_LOCATION_TYPES:
                continue
            stop_id = _required(row, "stop_id", where)
            if stop_id in stops:
                raise where.problem("stop_id", f"{stop_id!r} appears twice")
            stops[stop_id] = _Stop(
                stop_id=stop_id[:80],
                line=where.line or 0,
                code=row["stop_code"][:40] or None,
                name=_required(row, "stop_name", where)[:200],
                latitude=_coordinate(row, "stop_lat", f.latitude, where),
                longitude=_coordinate(row, "stop_lon", f.longitude, where),
                location_type=location_type,
                parent_station=row["parent_station"][:80] or None,
                wheelchair_boarding=_integer(row, "wheelchair_boarding", where, None),
            )
    return stops


def _group(stops: dict[str, _Stop], feed: Feed) -> None:
    """Keep platforms and entrances under their station; a parent that is not one is dropped."""
    stations = {key for key, stop in stops.items() if stop.location_type == STATION}
    orphans = []
    for key, stop in list(stops.items()):
        if stop.location_type == STATION:
            stop.parent_station = None  # a station has no parent (GTFS)
        elif stop.parent_station not in stations:
            if stop.parent_station is not None:
                feed.notes.append(
                    f"{stop.name!r} (stop {key}, line {stop.line}) names {stop.parent_station!r} "
                    "as its station, which is not a station of the feed: it is listed on its own"
                )
            stop.parent_station = None
            if stop.location_type == ENTRANCE:  # an entrance alone leads nowhere
                orphans.append(key)
    for key in orphans:
        feed.left_out.append(
            Skipped(stops[key].line, "parent_station", f"the entrance {key!r} has no station")
        )
        del stops[key]
    children = [stop for stop in stops.values() if stop.parent_station]
    if stations:
        platforms = sum(stop.location_type == STOP for stop in children)
        feed.notes.append(
            f"{plural(len(stations), 'station')} listed once each, with "
            f"{plural(platforms, 'platform')} and {plural(len(children) - platforms, 'entrance')} "
            "under them"
        )


def _far(
    stops: dict[str, _Stop], center: tuple[float, float] | None, within_km: float
) -> tuple[set[str], list[Skipped]]:
    """The stops (with their platforms and entrances) further than `within_km` from `center`,
    and why each listed one is."""
    listed = [stop for stop in stops.values() if stop.parent_station is None]
    if not listed:
        return set(), []
    if center is None:
        center = (
            statistics.median(stop.latitude for stop in listed),
            statistics.median(stop.longitude for stop in listed),
        )
        origin = f"the feed's median position ({center[0]:.4f}, {center[1]:.4f})"
    else:
        origin = f"the territory ({center[0]:.4f}, {center[1]:.4f})"
    far: set[str] = set()
    reasons = []
    for stop in listed:
        km = distance_m(*center, stop.latitude, stop.longitude) / 1000
        if km > within_km:
            far.add(stop.stop_id)
            reasons.append(
                Skipped(
                    stop.line,
                    "stop_lat",
                    f"{stop.name!r} (stop {stop.stop_id}) is {km:,.{1 if km < 10 else 0}f} km "
                    f"from {origin}, "
                    f"more than {within_km:g} km",
                )
            )
    far |= {key for key, stop in stops.items() if stop.parent_station in far}
    return far, reasons


def _lines(
    files: FeedFiles, stops: dict[str, _Stop], feed: Feed, progress: Progress | None
) -> None:
    """Give each stop, and each station, the lines whose trips call there."""
    if not all(files.has(name) for name in ("routes.txt", "trips.txt", "stop_times.txt")):
        feed.notes.append("no routes.txt, trips.txt and stop_times.txt: stops have no lines")
        return
    with files.rows("routes.txt") as rows:
        rows.need("route_id")
        labels = {
            route: (short or long or route)[:40]
            for route, short, long in rows.columns(
                "route_id", "route_short_name", "route_long_name"
            )
        }
    with files.rows("trips.txt") as rows:
        rows.need("trip_id", "route_id")
        routes = {trip: route for trip, route in rows.columns("trip_id", "route_id")}
    called: set[tuple[str, str]] = set()  # (stop, route): a line calls once per trip
    with files.rows("stop_times.txt", progress) as rows:
        rows.need("trip_id", "stop_id")
        for trip, stop_id in rows.columns("trip_id", "stop_id"):
            route = routes.get(trip)
            if route is not None:
                called.add((stop_id, route))
    for stop_id, route in called:
        stop = stops.get(stop_id)
        label = labels.get(route)
        if stop is None or label is None:
            continue
        stop.lines.add(label)
        if stop.parent_station:
            stops[stop.parent_station].lines.add(label)


def _natural(label: str) -> list[Any]:
    """Sort "2" before "10", and "M1" before "M2"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in NUMBER.split(label)]


def _required(row: dict[str, str], column: str, where: f.Where) -> str:
    if not row[column]:
        raise where.problem(column, "is empty")
    return row[column]


def _coordinate(row: dict[str, str], column: str, check: f.Check, where: f.Where) -> float:
    raw = _required(row, column, where)
    try:
        return float(check(float(raw)))
    except ValueError as error:
        reason = str(error) if "between" in str(error) else f"must be a number, not {raw!r}"
        raise where.problem(column, reason) from None


def _integer(row: dict[str, str], column: str, where: f.Where, default: int | None) -> int | None:
    raw = row[column]
    if not raw:
        return default
    if not raw.isdigit():
        raise where.problem(column, f"must be a whole number, not {raw!r}")
    return int(raw)
