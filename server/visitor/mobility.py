"""The mobility block of the place page and the large screen: nearest bike stations, car parks
and stops, told in the visitor's language with distance, walking time and each figure's age.

A figure past its feed's staleness limit is shown as unknown, with its age; a feed never
fetched shows nothing at all.

The block is on every place page, so it must cost next to nothing (bench/mobility.py: at most
1 ms more than the page without it). Pages take it from server/visitor/kept_block.py, which
keeps it rendered until its text changes; this module makes it (block(), render(), fresh()).
Its words change with its figures, not with each request: each text is made once per language
and figures ("3 bikes", "120 m, 2 min on foot", "in 4 min") and kept (_said), rather than
translated, elided and formatted by Babel on every page.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from flask import current_app, render_template
from markupsafe import Markup, escape

from server.db import db_session
from server.i18n import Text, gettext, locale, ngettext, translated
from server.mobility.live import mobility
from server.models import Place
from server.services import mobility as moving
from server.services import nearby
from server.services.departures import Departure
from server.services.nearby import Item
from server.visitor import formats
from server.visitor.formats import N_


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
    updated_at: dt.datetime | None = None  # what `age` is counted from
    # In a kept block (server/visitor/kept_block.py), what stands for `updated` and for the
    # departures, filled in at each page.
    slot: str | None = None
    departures_slot: str | None = None

    def departure_list(self, shown: int) -> Markup:
        """The list of the first `shown` departures (none: nothing)."""
        if self.departures_slot is not None:
            return Markup(self.departures_slot)
        return departure_list(self.departures[:shown])

    @property
    def updated(self) -> str | None:
        """ "updated 2 minutes ago", in the visitor's language."""
        if self.slot is not None:
            return self.slot
        return updated(self.age)


def updated(said_age: str | None) -> str | None:
    """ "updated 2 minutes ago" from "2 minutes ago" (kept)."""
    if said_age is None:
        return None
    return _said(("updated", said_age), lambda: gettext("updated %(age)s", age=said_age))


_TEXTS: dict[tuple[Any, ...], str] = {}
MAX_TEXTS = 20_000  # (language, figures) pairs: a few thousand in a day; cleared past this


def _said(key: tuple[Any, ...], make: Callable[[], str]) -> str:
    """The text for `key` in this request's locale, made once and kept (translations and
    formats do not change while the process runs)."""
    where = locale()
    full = (where.language, where.territory, *key)
    found = _TEXTS.get(full)
    if found is None:
        if len(_TEXTS) >= MAX_TEXTS:
            _TEXTS.clear()
        found = _TEXTS[full] = make()
    return found


def _t(message: str) -> str:
    """A message without variables, in the visitor's language (kept)."""
    return _said(("t", message), lambda: gettext(message))


def headings() -> dict[str, str]:
    """The block's title and its sections' headings, in the visitor's language."""
    return {
        "title": _t(N_("Getting around")),
        "bikes": _t(N_("Bike share")),
        "parking": _t(N_("Car parks")),
        "stops": _t(N_("Bus, tram and metro stops")),
        "demo": _t(N_("Demo feeds, served by this demo server: the figures are invented.")),
    }


def block(
    place: Place, now: dt.datetime, items: Iterable[Item] | None = None, *, ahead: bool = False
) -> dict[str, Any]:
    """The block's rows for `place`, by section (stops among the nearby `items`, or looked up
    within MOBILITY_RADIUS_M); "spots" holds what they were made from (with `ahead`, what
    tells their departures later: services/mobility.py stops())."""
    if items is None:
        items = _stops_near(place, now)
    found = moving.near(
        mobility(),
        place.latitude,
        place.longitude,
        now,
        float(current_app.config["MOBILITY_RADIUS_M"]),
        moving.stops(db_session(), mobility(), items, now, ahead=ahead),
    )
    zone = place.territory.timezone
    return {
        "bikes": [_bikes(spot) for spot in found.bikes],
        "parking": [_parking(spot) for spot in found.parking],
        "stops": [_stop(spot, now, zone) for spot in found.stops],
        "any": bool(found),
        "headings": headings(),
        "live": found.configured,
        "demo": bool(current_app.config.get("DEMO_FEEDS")),
        "spots": [*found.bikes, *found.parking, *found.stops],
    }


def _stops_near(place: Place, now: dt.datetime) -> list[Item]:
    """The transit stops within MOBILITY_RADIUS_M of `place` (kept ten minutes: stops move
    only on a GTFS import)."""
    radius = float(current_app.config["MOBILITY_RADIUS_M"])
    query = nearby.Query(
        place.latitude, place.longitude, radius, now, place, frozenset({nearby.Kind.TRANSIT_STOP})
    )
    return moving.remember(
        mobility(),
        ("stops near", place.id, place.latitude, place.longitude, radius),
        lambda: list(nearby.nearby(db_session(), query)),
        time.monotonic(),
    )


def render(data: dict[str, Any], rows: int = 3, shown: int = 4) -> Markup:
    """The block as HTML (visitor/_mobility.html): its `rows` nearest of each kind, `shown`
    departures per stop; empty when there is nothing to show."""
    if not data["any"]:
        return Markup("")
    return Markup(
        render_template(
            "visitor/_mobility.html", mobility=data, mobility_rows=rows, departures_shown=shown
        )
    )


def fresh(place: Place, now: dt.datetime, rows: int = 3, shown: int = 4) -> Markup:
    """The block rendered in full from the snapshots as of `now` (what a kept one must equal)."""
    return render(block(place, now), rows, shown)


def age(seconds: float | None) -> str | None:
    """ "2 minutes ago", in the visitor's language ("il y a 2 minutes")."""
    if seconds is None:
        return None
    if seconds < 60:
        return _t(N_("just now"))
    return _ago(int(seconds // 60), locale())


@functools.lru_cache(maxsize=4096)
def _ago(minutes: int, where: Locale) -> str:
    return format_timedelta(
        dt.timedelta(minutes=-minutes), add_direction=True, threshold=1.5, locale=where
    )


def _where(spot: moving.Spot) -> str:
    metres = round(spot.distance_m)  # finer than any distance is written
    return _said(
        ("where", metres),
        lambda: gettext(
            "%(distance)s, %(time)s on foot",
            distance=formats.distance(metres),
            time=formats.walk(metres),
        ),
    )


def _bikes(spot: moving.Spot) -> Line:
    f = spot.figures
    notes = []
    if not f["installed"]:
        figure, state = _t(N_("Station out of service")), "closed"
    elif spot.stale:
        figure, state = _t(N_("Bikes and free docks: unknown (no recent data)")), "unknown"
    else:
        key = ("bikes", f["bikes"], f["docks"], f.get("electric"), f.get("mechanical"))
        figure = _said(key, lambda: _bike_figure(f))
        state = "open" if f["bikes"] and f["renting"] else "closed"
        if not f["renting"]:
            notes.append(_t(N_("not renting bikes now")))
        if not f["returning"]:
            notes.append(_t(N_("not taking bikes back now")))
    return _figures_line(spot, figure, state, notes)


def _figures_line(spot: moving.Spot, figure: str, state: str, notes: list[str]) -> Line:
    """A station's or car park's line: its name, where it is, its figure and the figure's age."""
    return Line(
        translated(spot.name),
        _where(spot),
        figure,
        state,
        age(spot.age_seconds),
        notes,
        updated_at=spot.updated_at,
    )


def _bike_figure(f: dict[str, Any]) -> str:
    """ "3 bikes (electric: 1, mechanical: 2) · 5 free docks"."""
    figure = ngettext("%(num)d bike", "%(num)d bikes", f["bikes"])
    if f.get("electric") is not None and f["bikes"]:
        figure += (
            " ("
            + gettext(
                "electric: %(electric)d, mechanical: %(mechanical)d",
                electric=f["electric"],
                mechanical=f["mechanical"],
            )
            + ")"
        )
    if f["docks"] is not None:
        figure += " · " + ngettext("%(num)d free dock", "%(num)d free docks", f["docks"])
    return figure


def _parking(spot: moving.Spot) -> Line:
    f = spot.figures
    if spot.stale or f["free"] is None:
        figure, state = _t(N_("Free spaces: unknown (no recent data)")), "unknown"
    elif f["open"] is False:
        figure, state = _t(N_("Closed")), "closed"
    else:
        figure = _said(("parking", f["free"], f["capacity"]), lambda: _parking_figure(f))
        state = "open" if f["free"] else "closed"
    notes = []  # the lieux de stationnement file's facts, when the operator gave it
    if f.get("free_of_charge") is not None:
        notes.append(_t(N_("free of charge")) if f["free_of_charge"] else _t(N_("paid")))
    if f.get("pmr"):
        notes.append(
            _said(
                ("pmr", f["pmr"]),
                lambda: ngettext("%(num)d disabled space", "%(num)d disabled spaces", f["pmr"]),
            )
        )
    return _figures_line(spot, figure, state, notes)


def _parking_figure(f: dict[str, Any]) -> str:
    """ "12 free spaces of 400"."""
    if f["capacity"]:
        return gettext(
            "%(free)d free spaces of %(capacity)d", free=f["free"], capacity=f["capacity"]
        )
    return ngettext("%(num)d free space", "%(num)d free spaces", f["free"])


def _stop(spot: moving.Spot, now: dt.datetime, zone: str) -> Line:
    f = spot.figures
    lines = ", ".join(f.get("lines") or [])
    figure = (
        _said(("lines", lines), lambda: gettext("Lines %(lines)s", lines=lines)) if lines else ""
    )
    notes = [_t(N_("Alert")) + ": " + translated(alert["header"]) for alert in f.get("_alerts", [])]
    return Line(
        translated(spot.name),
        _where(spot),
        figure,
        None,
        age(spot.age_seconds),
        notes,
        [departure(leaving, now, zone) for leaving in f.get("_departures", [])],
        updated_at=spot.updated_at,
    )


def departure(leaving: Departure, now: dt.datetime, zone: str) -> dict[str, Any]:
    """ "M1 CHU-Eurasanté · in 4 min (3 min late)"."""
    if leaving.cancelled:
        when, state, note = formats.clock(leaving.scheduled, zone), "closed", _t(N_("cancelled"))
    else:
        when = leaves_in(leaving, now, zone)
        state = "open"
        if not leaving.realtime:
            note = _t(N_("scheduled"))
        elif leaving.delay and leaving.delay >= 60:
            late = leaving.delay // 60
            note = _said(("late", late), lambda: gettext("%(minutes)d min late", minutes=late))
        else:
            note = _t(N_("on time"))
    return {
        "line": leaving.line,
        "headsign": leaving.headsign,
        "when": when,
        "state": state,
        "note": note,
    }


def departure_list(departures: list[dict[str, Any]]) -> Markup:
    """The departures as a list (nothing when there are none), as _mobility_rows.html puts it.

    Made here rather than in the template: a kept block makes it again at each page.
    """
    if not departures:
        return Markup("")
    rows = []
    for d in departures:
        line, headsign, state, when = (
            escape(d[key]) for key in ("line", "headsign", "state", "when")
        )
        note = f' <span class="meta">{escape(d["note"])}</span>' if d["note"] else ""
        rows.append(
            f'<li><span class="line">{line}</span> {headsign} · '
            f'<span class="{state}">{when}</span>{note}</li>\n'
        )
    return Markup(f'<ul class="departures">\n{"".join(rows)}</ul>\n')


def leaves_in(departure: Departure, now: dt.datetime, zone: str) -> str:
    """ "now", "in 4 min", or its time past an hour: when a departure that runs leaves."""
    minutes = int((departure.leaves - now).total_seconds() // 60)
    if minutes < 1:
        return _t(N_("now"))
    if minutes < 60:
        return _said(("in", minutes), lambda: gettext("in %(minutes)d min", minutes=minutes))
    return formats.clock(departure.leaves, zone)
