"""What moves near a place: bike stations (bikes, free docks), car parks (free spaces) and
transit stops (lines, next departures), each with its distance, walking time and age.

Figures come from the poller's last good snapshots (server/mobility), never from a feed on the
visitor's request; a figure older than its feed's stale_after is given as unknown (None), with
its age, rather than as a number that may be wrong.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from server.mobility.feeds import FeedSettings
from server.mobility.live import Mobility
from server.services import departures as departures_mod
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
    # Until when what is said of it holds, but for its age and (stops(ahead=True)) its next
    # departures: a station or car park turns stale; a stop's live data turns stale, an alert
    # starts or ends, a call comes within the horizon. None: nothing else changes it.
    # (server/visitor/kept_block.py keeps the rendered block until then.)
    changes_at: dt.datetime | None = None

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
            **{key: value for key, value in self.figures.items() if not key.startswith("_")},
            **(
                {
                    "departures": [d.to_json() for d in self.figures["_departures"]],
                    "alerts": [_alert_json(alert) for alert in self.figures["_alerts"]],
                }
                if self.kind == "stop"
                else {}
            ),
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
    found: list[tuple[float, FeedSettings, dict[str, Any]]] = []
    for feed in feeds:
        snapshot = live.store.snapshot(feed.name)
        if snapshot is None:
            continue
        key = ("near", latitude, longitude, radius_m)
        near = snapshot.memo.get(key)
        if near is None:  # once per place and snapshot: positions do not move between fetches
            near = snapshot.memo[key] = _within(snapshot.items, latitude, longitude, radius_m)
        found.extend((metres, feed, item) for metres, item in near)
    found.sort(key=lambda entry: entry[0])
    return [_spot(feed, item, metres, now) for metres, feed, item in found[:NEAREST]]


def _within(
    items: list[dict[str, Any]], latitude: float, longitude: float, radius_m: float
) -> list[tuple[float, dict[str, Any]]]:
    """The nearest items within `radius_m`, with their distance, nearest first."""
    box = bounding_box(latitude, longitude, radius_m)
    found = []
    for item in items:
        lat, lon = item["lat"], item["lon"]
        if box.south <= lat <= box.north and box.west <= lon <= box.east:
            metres = distance_m(latitude, longitude, lat, lon)
            if metres <= radius_m:
                found.append((metres, item))
    found.sort(key=lambda entry: entry[0])
    return found[:NEAREST]


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
            "electric": None if stale else item.get("electric"),
            "mechanical": None if stale else item.get("mechanical"),
        }
    else:
        figures = {
            "free": None if stale else item.get("free"),
            "capacity": item.get("capacity"),
            "open": None if stale else item.get("open"),
            "address": item.get("address") or None,
            "free_of_charge": item.get("free_of_charge"),
            "pmr": item.get("pmr"),
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
        None if stale else after(updated + dt.timedelta(seconds=feed.stale_after), now),
    )


TICK = dt.timedelta(microseconds=1)
LATE_OUT = departures_mod.LATE + dt.timedelta(seconds=1)
ENTERS = -departures_mod.HORIZON
AHEAD = departures_mod.SHOWN * 4  # calls still to come that stops() takes per service day
LOOK_AHEAD = dt.timedelta(minutes=10)  # a stop's changes_at is never later than this
SHOWN = departures_mod.SHOWN


def after(threshold: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The first moment after `now` at which a test against `threshold` (`>=`, `>` or `<=`)
    may turn: the threshold itself, or just past it when `now` is on it; None when past."""
    if threshold > now:
        return threshold
    if threshold + TICK > now:
        return threshold + TICK
    return None


def earliest(*moments: dt.datetime | None) -> dt.datetime | None:
    """The earliest of the moments given (None ones left out)."""
    return min((moment for moment in moments if moment is not None), default=None)


MEMO_SIZE = 4096
MEMO_SECONDS = 600.0  # a new import shows within ten minutes on every worker


def stops(
    session: Session,
    live: Mobility,
    items: Iterable[Item],
    now: dt.datetime,
    *,
    ahead: bool = False,
) -> list[Spot]:
    """The nearest transit stops among nearby `items`, with their lines, next departures (live
    when a fresh GTFS-RT snapshot knows them) and the alerts that concern them.

    `ahead` also gives what tells the next departures at a later moment (next_departures()),
    and when that no longer holds (changes_at).
    """
    found = sorted(
        (item for item in items if item.kind is Kind.TRANSIT_STOP), key=lambda i: i.distance_m
    )[:NEAREST]
    spots = []
    realtime: dict[str, Any] = {}  # per GTFS feed, once per page rather than once per stop
    for item in found:
        feed, stop_id = item.details["feed"], item.details["stop_id"]
        if feed not in realtime:
            realtime[feed] = _realtime(live, feed, now)
        trips, alerts, updated, live_changes, named = realtime[feed]
        calls, zone = _timetabled(session, live, feed, stop_id, now)
        timetabled = departures_mod.within(calls, zone, now, ahead=AHEAD)
        # Live data can only move the first few; those past, only if an update speaks of them.
        # (within() makes new Departures at each call: they are this page's to change.)
        candidates = _candidates(timetabled, trips, now)
        if trips:
            departures_mod.apply_realtime(candidates, trips)
        shown = departures_mod.upcoming(candidates, now)
        routes = {departure.route_id for departure in timetabled}
        places = {departure.stop_id for departure in timetabled} | {stop_id}
        concerned = [
            alert
            for alert in alerts
            if routes & set(alert["routes"]) or places & set(alert["stops"])
        ]
        spots.append(
            Spot(
                "stop",
                feed,
                stop_id,
                {"": item.name},
                item.latitude,
                item.longitude,
                item.distance_m,
                updated if trips or alerts else None,
                max((now - updated).total_seconds(), 0.0)
                if updated and (trips or alerts)
                else None,
                False,
                {"lines": item.details["lines"], "_departures": shown, "_alerts": concerned},
            )
        )
        if ahead:
            # Every call of the window still to come or live, unlike `timetabled` not cut to
            # SHOWN * 4 a day: as calls pass, the next ones move up (what within() at that
            # moment takes, as the first SHOWN * 3 candidates never reach past the cut).
            coming = [
                departure
                for departure in departures_mod.within(calls, zone, now)
                if departure.scheduled >= now or departure.trip_id in trips
            ]
            if trips:
                departures_mod.apply_realtime(coming, trips)
            spots[-1].figures |= {"_coming": coming, "_trips": trips}
            spots[-1].changes_at = _calls_change(
                calls,
                zone,
                now,
                trips,
                coming,
                named,
                earliest(now + LOOK_AHEAD, live_changes) or now,
            )
    return spots


def _candidates(
    departures: list[departures_mod.Departure], trips: dict[str, Any], now: dt.datetime
) -> list[departures_mod.Departure]:
    """Those live data may move: the first few still ahead, and those past an update speaks of
    (within() makes new Departures at each call: they are this page's to change)."""
    found = []
    for departure in departures:
        if departure.scheduled >= now or departure.trip_id in trips:
            found.append(departure)
            if len(found) == departures_mod.SHOWN * 3:
                break  # the rest of the window cannot come first
    return found


def next_departures(spot: Spot, now: dt.datetime) -> list[departures_mod.Departure]:
    """A stop's next departures at `now`, from what stops(ahead=True) gave before it (until
    the stop's changes_at): as stops() itself would say them at `now`."""
    return _next(spot.figures["_coming"], spot.figures["_trips"], now)


def _next(
    coming: list[departures_mod.Departure], trips: dict[str, Any], now: dt.datetime
) -> list[departures_mod.Departure]:
    # Those still in within()'s window at `now` (it keeps a call until its second is wholly
    # behind now - LATE), then as stops() takes them.
    window = [d for d in coming if now < d.scheduled + LATE_OUT]
    return departures_mod.upcoming(_candidates(window, trips, now), now)


def _calls_change(
    calls: dict[dt.date, list[departures_mod.Call]],
    zone: Any,
    now: dt.datetime,
    trips: dict[str, dict[str, Any]],
    coming: list[departures_mod.Departure],
    named: tuple[frozenset[str], frozenset[str]],
    bound: dt.datetime,
) -> dt.datetime:
    """Until when next_departures() over `coming`, and the stop's alerts, say what stops()
    would: the first moment before `bound` at which the timetable's window moves in a way that
    matters, else `bound`.

    The stop's alerts are matched against the lines and stops of within()'s calls (`named`: the
    routes and stops the alerts name, active or not): a call of those coming within the
    horizon or falling behind the LATE window matters, as does a call passing when it lets one
    of those in past within()'s AHEAD calls still to come. For the departures, only a call
    coming within the horizon matters, when it may be among the first SHOWN by `bound` (fewer
    are ahead then, or it may leave before the last of them; coming after the others in the
    timetable, it cannot push one out of the first SHOWN * 3 candidates). Calls passing or
    leaving the window are next_departures()' own business. Midnight, when the service days
    turn, is always one.
    """
    today = now.astimezone(zone).date()
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), zone)
    bound = min(bound, midnight)
    first = _next(coming, trips, bound)
    last = first[-1].leaves if len(first) >= SHOWN else None  # upcoming() sorts by leaves

    routes, stops = named

    def alerted(calls: list[departures_mod.Call]) -> bool:
        return any(call[2] in routes or call[5] in stops for call in calls)

    def matters(
        offset: dt.timedelta,
        call: departures_mod.Call,
        day: dt.date,
        start: dt.datetime,
        day_list: list[departures_mod.Call],
    ) -> bool:
        if offset == dt.timedelta(0):
            # The calls of its second pass together; within() then takes AHEAD calls still to
            # come from the next second on, rather than from theirs.
            first = bisect.bisect_left(day_list, call[0], key=lambda other: other[0])
            after_them = bisect.bisect_right(day_list, call[0], key=lambda other: other[0])
            return alerted(day_list[first + AHEAD : after_them + AHEAD])
        if alerted([call]):
            return True
        if offset != ENTERS:
            return False
        if last is None:
            return True
        entering = departures_mod.departure(call, day, start)
        departures_mod.apply_realtime([entering], trips)
        return entering.leaves <= last

    moments = [bound]
    for day, day_list in calls.items():
        start = departures_mod.service_start(day, zone)
        # within() takes a call from now - HORIZON on, while it is ahead, and until its second
        # is wholly behind now - LATE (int() of the window's low end).
        for offset in (ENTERS, dt.timedelta(0), departures_mod.LATE, LATE_OUT):
            if offset != ENTERS and not (routes or stops):
                continue  # next_departures() itself drops calls that pass or leave
            # The first call whose moment plus `offset` is at or past now (a second early, for
            # the float division; the loop steps to the right one).
            target = (now - offset - start).total_seconds() - 1
            index = bisect.bisect_left(day_list, target, key=lambda call: call[0])
            while index < len(day_list):
                call = day_list[index]
                moment = after(start + dt.timedelta(seconds=call[0]) + offset, now)
                if moment is not None and moment >= bound:
                    break
                if moment is not None and matters(offset, call, day, start, day_list):
                    moments.append(moment)
                    break
                index += 1
    return min(moments)


def _alert_json(alert: dict[str, Any]) -> dict[str, Any]:
    return {key: alert[key] for key in ("id", "header", "description", "effect")}


def remember(live: Mobility, key: Any, make: Any, now: float) -> Any:
    """A value kept for MEMO_SECONDS (the timetable changes only on import, in any process)."""
    found = live.memo.get(key)
    if found is None or now - found[0] > MEMO_SECONDS:
        if len(live.memo) > MEMO_SIZE:
            live.memo.clear()
        found = live.memo[key] = (now, make())
    return found[1]


def _timetabled(
    session: Session, live: Mobility, feed: str, stop_id: str, now: dt.datetime
) -> tuple[dict[dt.date, list[departures_mod.Call]], Any]:
    """The stop's calls on each service day around now (kept), and the feed's time zone."""
    clock = time.monotonic()
    zone = remember(live, ("zone", feed), lambda: departures_mod.feed_zone(session, feed), clock)
    stops = remember(
        live,
        ("stops", feed, stop_id),
        lambda: departures_mod.station_stops(session, feed, stop_id),
        clock,
    )
    calls = {
        day: remember(
            live,
            ("calls", feed, stop_id, day),
            lambda day=day: departures_mod.day_calls(session, feed, stops, day),
            clock,
        )
        for day in departures_mod.service_days(now, zone)
    }
    return calls, zone


def _realtime(
    live: Mobility, gtfs_feed: str, now: dt.datetime
) -> tuple[
    dict[str, dict[str, Any]],
    list[dict[str, Any]],
    dt.datetime | None,
    dt.datetime | None,
    tuple[frozenset[str], frozenset[str]],
]:
    """Trip updates by trip_id and alerts from the fresh GTFS-RT snapshots of a GTFS feed, when
    that next changes (a snapshot turns stale, an alert starts or ends), and the routes and
    stops its alerts name (active or not)."""
    trips: dict[str, dict[str, Any]] = {}
    alerts: list[dict[str, Any]] = []
    oldest = None
    fresh = 0
    changes: list[dt.datetime | None] = []
    routes: set[str] = set()
    stops: set[str] = set()
    for feed in live.holding("transit"):
        if feed.gtfs_feed not in (None, gtfs_feed):
            continue
        snapshot = live.store.snapshot(feed.name)
        if snapshot is None:
            continue
        updated = dt.datetime.fromisoformat(snapshot.extra["updated_at"])
        if (now - updated).total_seconds() > feed.stale_after:
            continue  # too old to tell a delay: the timetable alone is shown
        changes.append(after(updated + dt.timedelta(seconds=feed.stale_after), now))
        oldest = updated if oldest is None else min(oldest, updated)
        index = snapshot.memo.get("trips")
        if index is None:  # once per snapshot read from disk
            index = snapshot.memo["trips"] = {
                entry["trip_id"]: entry for entry in snapshot.items if entry["type"] == "trip"
            }
            snapshot.memo["alerts"] = [e for e in snapshot.items if e["type"] == "alert"]
        # One feed (the usual case): its index as it is, not copied (500 trips) at every page.
        trips = index if not fresh else {**trips, **index}
        fresh += 1
        alerts.extend(alert for alert in snapshot.memo["alerts"] if _active(alert, now))
        changes.extend(_window_change(alert, now) for alert in snapshot.memo["alerts"])
        for alert in snapshot.memo["alerts"]:
            routes.update(alert["routes"])
            stops.update(alert["stops"])
    return trips, alerts, oldest, earliest(*changes), (frozenset(routes), frozenset(stops))


def _window_change(alert: dict[str, Any], now: dt.datetime) -> dt.datetime | None:
    """When an alert's active periods next start or end, after `now`."""
    moments = []
    for start, end in alert["active"]:
        for edge in (start, end):
            if edge is not None:
                moments.append(after(dt.datetime.fromtimestamp(edge, dt.UTC), now))
    return earliest(*moments)


def _active(alert: dict[str, Any], now: dt.datetime) -> bool:
    if not alert["active"]:
        return True
    moment = now.timestamp()
    return any((start or 0) <= moment <= (end or float("inf")) for start, end in alert["active"])
