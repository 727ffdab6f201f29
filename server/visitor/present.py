"""What a visitor reads about a nearby item: its link, label, distance, state and directions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import g, url_for

from server.i18n import Text, gettext, ngettext, translated
from server.models import Place
from server.services import hours
from server.services.geo import distance_m
from server.services.nearby import Item, Kind
from server.visitor import formats
from server.visitor.formats import N_
from server.visitor.pictures import Picture

# The category filter, in the order the visitor sees it.
FILTERS = {
    Kind.OFFER: N_("Deals"),
    Kind.SHOP: N_("Shops and food"),
    Kind.POI: N_("Sights"),
    Kind.WALK: N_("Walks"),
    Kind.EVENT: N_("Events"),
    Kind.TRANSIT_STOP: N_("Transport"),
}
# Categories of shops and sights as stored ("farm-shop"); others are shown as written.
CATEGORIES = {
    "bakery": N_("Bakery"),
    "bar": N_("Bar"),
    "bookshop": N_("Bookshop"),
    "cafe": N_("Café"),
    "church": N_("Church"),
    "culture": N_("Arts centre"),
    "farm-shop": N_("Farm shop"),
    "market": N_("Market"),
    "memorial": N_("Memorial"),
    "monument": N_("Monument"),
    "museum": N_("Museum"),
    "park": N_("Park"),
    "restaurant": N_("Restaurant"),
    "shop": N_("Shop"),
    "sight": N_("Sight"),
    "viewpoint": N_("Viewpoint"),
}
PLACE_KINDS = {
    "museum": N_("Museum"),
    "venue": N_("Venue"),
    "market": N_("Market"),
    "square": N_("Square"),
    "station": N_("Station"),
    "village": N_("Village"),
    "shop": N_("Shop window"),
}
OSM = "https://www.openstreetmap.org"
HERE_M = 30  # closer than this, an item is at the place itself


@dataclass(frozen=True)
class Card:
    """One item as the place page, the TV view and the detail pages show it."""

    url: str | None
    title: Text
    label: str
    note: str | None  # the shop of an offer, an event's venue, a walk's number of stops
    where: str  # "450 m, 6 min on foot", or "Right here"
    state: str | None  # "open", "closed" (class names) or None when hours do not apply
    status: str | None  # "Open, closes at 18:00"
    geo: str
    osm: str
    thumb: Picture | None = None  # the first photo of a shop or sight (an offer: its shop's)


def category(name: str | None) -> str:
    """A shop's or a sight's category, translated when known."""
    if not name:
        return ""
    known = CATEGORIES.get(name)
    return gettext(known) if known else name.replace("-", " ").capitalize()


def place_kind(kind: str) -> str:
    """What kind of place a place is, translated."""
    known = PLACE_KINDS.get(kind)
    return gettext(known) if known else kind


def geo_uri(latitude: float, longitude: float) -> str:
    """An RFC 5870 geo: URI; phones open their maps app on it."""
    return f"geo:{latitude:.5f},{longitude:.5f}"


def osm_url(latitude: float, longitude: float, origin: tuple[float, float] | None = None) -> str:
    """Walking directions on OpenStreetMap from `origin`, or the spot on the map without one."""
    to = f"{latitude:.5f},{longitude:.5f}"
    if origin is None:
        return (
            f"{OSM}/?mlat={latitude:.5f}&mlon={longitude:.5f}#map=18/{latitude:.5f}/{longitude:.5f}"
        )
    route = f"{origin[0]:.5f},{origin[1]:.5f}%3B{to}"  # a raw ";" splits queries in Rack
    return f"{OSM}/directions?engine=fossgis_osrm_foot&route={route}"


def osm_short_url(
    latitude: float, longitude: float, origin: tuple[float, float] | None = None
) -> str:
    """osm_url behind our short redirect (server.visitor.directions), for long lists; the map
    of the spot itself without an origin."""
    if origin is None:
        return osm_url(latitude, longitude)
    return f"/osm/{origin[0]:.5f},{origin[1]:.5f}/{latitude:.5f},{longitude:.5f}"


# Each kind's page, and its URL values with a one-character id that _detail_prefixes cuts off.
DETAIL_ENDPOINTS: dict[Kind, tuple[str, dict[str, Any]]] = {
    Kind.SHOP: ("details.shop", {"slug": 0}),
    Kind.POI: ("details.poi", {"slug": 0}),
    Kind.WALK: ("details.walk", {"slug": 0}),
    Kind.EVENT: ("details.event", {"event_id": 0}),
    Kind.OFFER: ("offers.offer", {"slug": 0}),
}


def detail_url(item: Item, origin: str | None) -> str | None:
    """The item's own page, remembering the place the visitor came from."""
    prefix = _detail_prefixes().get(item.kind)
    if prefix is None:
        return None
    query = f"?from={quote(origin, safe='')}" if origin else ""
    return f"{prefix}{quote(item.id, safe='')}{query}"


def _detail_prefixes() -> dict[Kind, str]:
    """ "/shop/" and the like, from the URL map once per request (url_for is slow per item)."""
    try:
        return g._tt_detail_prefixes
    except AttributeError:
        prefixes = {
            kind: url_for(endpoint, **values)[:-1]
            for kind, (endpoint, values) in DETAIL_ENDPOINTS.items()
        }
        g._tt_detail_prefixes = prefixes
        return prefixes


def status(
    kind: Kind, is_open: bool | None, change: dt.datetime | None, now: dt.datetime, zone: str
) -> str | None:
    """Open or closed and the next change, worded for the kind of item."""
    if is_open is None:
        return None
    if kind is Kind.EVENT:
        if is_open:
            ends = formats.change("ends", change, now, zone) if change else ""
            return _joined(gettext("On now"), ends)
        starts = formats.change("starts", change, now, zone) if change else ""
        return starts[:1].upper() + starts[1:] or None  # a sentence of its own
    if kind is Kind.OFFER:
        word = gettext("Available now") if is_open else gettext("Not available now")
        verb = "until" if is_open else "from"
    else:
        word = gettext("Open") if is_open else gettext("Closed")
        verb = "closes" if is_open else "opens"
    return _joined(word, formats.change(verb, change, now, zone) if change else "")


def all_day_status(first: dt.date, last: dt.date, now: dt.datetime, zone: str) -> str:
    """An event on whole days: "Today, all day", "On now, until Sunday", "Saturday, all day"."""
    today = now.astimezone(ZoneInfo(zone)).date()
    if first <= today < last:
        return gettext("On now, until %(day)s", day=_day(last, today))
    if first <= today:
        return gettext("Today, all day")
    if (first - today).days == 1:
        return gettext("Tomorrow, all day")
    said = gettext("%(day)s, all day", day=_day(first, today))
    return said[:1].upper() + said[1:]


def _day(day: dt.date, today: dt.date) -> str:
    """A day of the coming week by its name, a later one by its date."""
    return formats.weekday_of(day) if (day - today).days < 7 else formats.day_and_month(day)


def item_status(item: Item, now: dt.datetime, zone: str) -> str | None:
    """What a card says of an item's state; an all-day event by its days, not its midnights."""
    if item.kind is Kind.EVENT and item.details.get("all_day"):
        first, last = item.details["starts_on"], item.details["ends_on"]
        return all_day_status(dt.date.fromisoformat(first), dt.date.fromisoformat(last), now, zone)
    return status(item.kind, item.open, item.next_change, now, zone)


def state_class(kind: Kind, is_open: bool | None) -> str | None:
    """ "open" or "closed" (coloured), or None where it says nothing (no hours, a coming event)."""
    if is_open is None or (kind is Kind.EVENT and not is_open):
        return None
    return "open" if is_open else "closed"


def _joined(word: str, phrase: str) -> str:
    return gettext("%(state)s, %(change)s", state=word, change=phrase) if phrase else word


def _label_and_note(item: Item) -> tuple[str, str | None]:
    details = item.details
    if item.kind is Kind.OFFER:
        label = gettext("Partner offer") if details.get("cross") else gettext("Deal")
        return label, details.get("shop_name")
    if item.kind is Kind.EVENT:
        return gettext("Event"), details.get("venue")
    if item.kind is Kind.WALK:
        count = details.get("stops") or 0
        return gettext("Walk"), ngettext("%(num)d stop", "%(num)d stops", count) if count else None
    if item.kind is Kind.TRANSIT_STOP:
        label = gettext("Station") if details.get("station") else gettext("Stop")
        lines = details.get("lines") or []
        if not lines:
            return label, None
        names = ", ".join(lines)
        return label, ngettext("Line %(lines)s", "Lines %(lines)s", len(lines), lines=names)
    return category(item.category), None


def where(metres: float) -> str:
    """How far, and how long on foot; "Right here" for what is at the place itself."""
    if metres < HERE_M:
        return gettext("Right here")
    return gettext(
        "%(distance)s, %(time)s on foot",
        distance=formats.distance(metres),
        time=formats.walk(metres),
    )


def collapse_repeats(items: list[Item]) -> list[Item]:
    """Each repeated event once, at its next date (a weekly tour would fill the page)."""
    seen: set[tuple[str, float, float]] = set()
    kept = []
    for item in items:
        if item.kind is Kind.EVENT:
            key = (item.name, item.latitude, item.longitude)
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept


def card(
    item: Item,
    now: dt.datetime,
    zone: str,
    origin: tuple[str, float, float] | None,
    thumb: Picture | None = None,
) -> Card:
    """The card of a nearby item; `origin` is the place (slug, latitude, longitude) it is near."""
    title = (
        translated(item.details.get("title")) if item.kind is Kind.OFFER else Text(item.name, "")
    )
    label, note = _label_and_note(item)
    return Card(
        url=detail_url(item, origin[0] if origin else None),
        title=title or Text(item.name, ""),
        label=label,
        note=note,
        where=where(item.distance_m),
        state=state_class(item.kind, item.open),
        status=item_status(item, now, zone),
        geo=geo_uri(item.latitude, item.longitude),
        osm=osm_short_url(item.latitude, item.longitude, origin[1:] if origin else None),
        thumb=thumb,
    )


@dataclass(frozen=True)
class Whereabouts:
    """How far something is from the place the visitor came from, and how to get there."""

    distance: str | None
    walk: str | None
    geo: str
    osm: str
    here: bool = False  # at the place the visitor came from
    on_streets: bool = False  # the distance is along the streets, not in a straight line


def whereabouts(
    latitude: float, longitude: float, origin: Place | None, along_m: float | None = None
) -> Whereabouts:
    """Distance and walking time from `origin` (when known) and directions links; `along_m`
    is the distance along the streets when the page routed it (else the straight line)."""
    if origin is None:
        return Whereabouts(None, None, geo_uri(latitude, longitude), osm_url(latitude, longitude))
    straight = distance_m(origin.latitude, origin.longitude, latitude, longitude)
    metres = straight if along_m is None else along_m
    return Whereabouts(
        formats.distance(metres),
        formats.walk(metres),
        geo_uri(latitude, longitude),
        osm_url(latitude, longitude, (origin.latitude, origin.longitude)),
        here=straight < HERE_M,
        on_streets=along_m is not None,
    )


@dataclass(frozen=True)
class Day:
    """One line of a week's opening hours."""

    name: str
    hours: str
    today: bool


def week(expression: str | None, now: dt.datetime, zone: str, country: str) -> list[Day]:
    """The next seven days' opening hours, from today; empty without usable hours."""
    today = now.astimezone(ZoneInfo(zone)).date()
    days = hours.week(expression, today, zone, country)
    if days is None:
        return []
    return [
        Day(
            formats.weekday_of(day),
            ", ".join(formats.time_range(opens, closes, zone) for opens, closes in spans)
            or gettext("Closed"),
            day == today,
        )
        for day, spans in days
    ]


def photo_key(item: Item) -> str | None:
    """Whose photo a card shows: "shop:<slug>" or "poi:<slug>" (an offer shows its shop's)."""
    if item.kind in (Kind.SHOP, Kind.POI):
        return f"{item.kind.value}:{item.id}"
    if item.kind is Kind.OFFER and item.details.get("shop"):
        return f"shop:{item.details['shop']}"
    return None
