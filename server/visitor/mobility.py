"""The mobility block of the place page and the large screen: nearest bike stations, car parks
and stops, told in the visitor's language with distance, walking time and each figure's age.

A figure past its feed's staleness limit is shown as unknown, with its age; a feed never
fetched shows nothing at all.

The block is on every place page, so it must cost next to nothing (bench/mobility.py: at most
1 ms more than the page without it). Its words change with its figures, not with each request:
each text is made once per language and figures ("3 bikes", "120 m, 2 min on foot", "in 4
min") and kept (_said), rather than translated, elided and formatted by Babel on every page.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from flask import current_app, render_template
from markupsafe import Markup

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

    @property
    def updated(self) -> str | None:
        """ "updated 2 minutes ago", in the visitor's language."""
        if self.age is None:
            return None
        return _said(("updated", self.age), lambda: gettext("updated %(age)s", age=self.age))


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
        "headings": headings(),
        "render": _render,
        "live": found.configured,
        "demo": bool(current_app.config.get("DEMO_FEEDS")),
    }


FRAGMENTS: dict[tuple[Any, ...], Markup] = {}
MAX_FRAGMENTS = 2_000


def _render(block: dict[str, Any], rows: int, shown: int) -> Markup:
    """The block's rows as HTML (visitor/_mobility_rows.html), rendered once per language and
    content: most pages of a minute show the same figures, and a template costs more than the
    figures themselves."""
    where = locale()
    key = (
        where.language,
        where.territory,
        rows,
        shown,
        *(
            (
                section,
                tuple(
                    (
                        line.title,
                        getattr(line.title, "lang", ""),
                        line.where,
                        line.figure,
                        line.state,
                        line.age,
                        tuple(line.notes),
                        tuple(tuple(d.values()) for d in line.departures[:shown]),
                    )
                    for line in block[section][:rows]
                ),
            )
            for section in ("bikes", "parking", "stops")
        ),
    )
    found = FRAGMENTS.get(key)
    if found is None:
        if len(FRAGMENTS) >= MAX_FRAGMENTS:
            FRAGMENTS.clear()
        html = render_template(
            "visitor/_mobility_rows.html",
            mobility=block,
            mobility_rows=rows,
            departures_shown=shown,
        )
        found = FRAGMENTS[key] = Markup(html)
    return found


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
    return Line(translated(spot.name), _where(spot), figure, state, age(spot.age_seconds), notes)


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
    return Line(translated(spot.name), _where(spot), figure, state, age(spot.age_seconds), notes)


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
        [_departure(departure, now, zone) for departure in f.get("_departures", [])],
    )


def _departure(departure: Departure, now: dt.datetime, zone: str) -> dict[str, Any]:
    """ "M1 CHU-Eurasanté · in 4 min (3 min late)"."""
    minutes = int((departure.leaves - now).total_seconds() // 60)
    if departure.cancelled:
        when, state, note = formats.clock(departure.scheduled, zone), "closed", _t(N_("cancelled"))
    else:
        if minutes < 1:
            when = _t(N_("now"))
        elif minutes < 60:
            when = _said(("in", minutes), lambda: gettext("in %(minutes)d min", minutes=minutes))
        else:
            when = formats.clock(departure.leaves, zone)
        state = "open"
        if not departure.realtime:
            note = _t(N_("scheduled"))
        elif departure.delay and departure.delay >= 60:
            late = departure.delay // 60
            note = _said(("late", late), lambda: gettext("%(minutes)d min late", minutes=late))
        else:
            note = _t(N_("on time"))
    return {
        "line": departure.line,
        "headsign": departure.headsign,
        "when": when,
        "state": state,
        "note": note,
    }
