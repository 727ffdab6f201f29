"""The mobility block of the place page and the large screen: nearest bike stations, car parks
and stops, told in the visitor's language with distance, walking time and each figure's age.

A figure past its feed's staleness limit is shown as unknown, with its age; a feed never
fetched shows nothing at all.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from flask import current_app

from server.db import db_session
from server.i18n import Text, gettext, locale, ngettext, translated
from server.mobility.live import mobility
from server.models import Place
from server.services import mobility as moving
from server.services import nearby
from server.services.departures import Departure
from server.services.nearby import Item
from server.visitor import formats


@dataclass
class Line:
    """One row of the block: a name, where it is, what it offers now and how old that is."""

    title: Text | str
    where: str
    figure: str
    state: str | None  # open | closed | unknown, for the style
    age: str | None
    notes: list[str] = field(default_factory=list)
    departures: list[dict[str, Any]] = field(default_factory=list)


def block(place: Place, now: dt.datetime, items: Iterable[Item] | None = None) -> dict[str, Any]:
    """The block's rows for `place`, by section (stops among the nearby `items`, or looked up)."""
    if items is None:
        query = nearby.Query(
            place.latitude,
            place.longitude,
            float(current_app.config["MOBILITY_RADIUS_M"]),
            now,
            place,
            frozenset({nearby.Kind.TRANSIT_STOP}),
        )
        items = nearby.nearby(db_session(), query)
    found = moving.near(
        mobility(),
        place.latitude,
        place.longitude,
        now,
        float(current_app.config["MOBILITY_RADIUS_M"]),
        moving.stops(db_session(), mobility(), items, now),
    )
    zone = place.territory.timezone
    return {
        "bikes": [_bikes(spot) for spot in found.bikes],
        "parking": [_parking(spot) for spot in found.parking],
        "stops": [_stop(spot, now, zone) for spot in found.stops],
        "any": bool(found),
        "live": found.configured,
        "demo": bool(current_app.config.get("DEMO_FEEDS")),
    }


def age(seconds: float | None) -> str | None:
    """ "2 minutes ago", in the visitor's language ("il y a 2 minutes")."""
    if seconds is None:
        return None
    if seconds < 60:
        return gettext("just now")
    return _ago(int(seconds // 60), locale())


@functools.lru_cache(maxsize=4096)
def _ago(minutes: int, where: Locale) -> str:
    return format_timedelta(
        dt.timedelta(minutes=-minutes), add_direction=True, threshold=1.5, locale=where
    )


def _where(spot: moving.Spot) -> str:
    return gettext(
        "%(distance)s, %(time)s on foot",
        distance=formats.distance(spot.distance_m),
        time=formats.walk(spot.distance_m),
    )


def _bikes(spot: moving.Spot) -> Line:
    f = spot.figures
    notes = []
    if not f["installed"]:
        figure, state = gettext("Station out of service"), "closed"
    elif spot.stale:
        figure, state = gettext("Bikes and free docks: unknown (no recent data)"), "unknown"
    else:
        figure = ngettext("%(num)d bike", "%(num)d bikes", f["bikes"])
        if f["docks"] is not None:
            figure += " · " + ngettext("%(num)d free dock", "%(num)d free docks", f["docks"])
        state = "open" if f["bikes"] and f["renting"] else "closed"
        if not f["renting"]:
            notes.append(gettext("not renting bikes now"))
        if not f["returning"]:
            notes.append(gettext("not taking bikes back now"))
    return Line(translated(spot.name), _where(spot), figure, state, age(spot.age_seconds), notes)


def _parking(spot: moving.Spot) -> Line:
    f = spot.figures
    if spot.stale or f["free"] is None:
        figure, state = gettext("Free spaces: unknown (no recent data)"), "unknown"
    elif f["open"] is False:
        figure, state = gettext("Closed"), "closed"
    elif f["capacity"]:
        figure = gettext(
            "%(free)d free spaces of %(capacity)d", free=f["free"], capacity=f["capacity"]
        )
        state = "open" if f["free"] else "closed"
    else:
        figure = ngettext("%(num)d free space", "%(num)d free spaces", f["free"])
        state = "open" if f["free"] else "closed"
    return Line(translated(spot.name), _where(spot), figure, state, age(spot.age_seconds))


def _stop(spot: moving.Spot, now: dt.datetime, zone: str) -> Line:
    f = spot.figures
    lines = ", ".join(f.get("lines") or [])
    figure = gettext("Lines %(lines)s", lines=lines) if lines else ""
    notes = [
        gettext("Alert") + ": " + translated(alert["header"]) for alert in f.get("_alerts", [])
    ]
    return Line(
        translated(spot.name),
        _where(spot),
        figure,
        None,
        age(spot.age_seconds),
        notes,
        [_departure(departure, now, zone) for departure in f.get("_departures", [])],
    )


def _departure(departure: Departure, now: dt.datetime, zone: str) -> dict[str, Any]:
    """ "M1 CHU-Eurasanté · in 4 min (3 min late)"."""
    minutes = int((departure.leaves - now).total_seconds() // 60)
    if departure.cancelled:
        when, state, note = formats.clock(departure.scheduled, zone), "closed", gettext("cancelled")
    else:
        if minutes < 1:
            when = gettext("now")
        elif minutes < 60:
            when = gettext("in %(minutes)d min", minutes=minutes)
        else:
            when = formats.clock(departure.leaves, zone)
        state = "open"
        if not departure.realtime:
            note = gettext("scheduled")
        elif departure.delay and departure.delay >= 60:
            note = gettext("%(minutes)d min late", minutes=departure.delay // 60)
        else:
            note = gettext("on time")
    return {
        "line": departure.line,
        "headsign": departure.headsign,
        "when": when,
        "state": state,
        "note": note,
    }
