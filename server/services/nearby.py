"""What is near a place or a position: open now first, then by walking distance.

Each kind of item is fetched with a bounding-box prefilter on an indexed (latitude, longitude)
pair, then the exact distance, the opening state (OpenStreetMap opening_hours) and the ranking
are computed here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from server.models import (
    Event,
    Offer,
    OfferKind,
    Place,
    PointOfInterest,
    Shop,
    Territory,
    TransitStop,
    Walk,
    WalkStop,
)
from server.models.offers import agreed_offers
from server.services import hours
from server.services.geo import BoundingBox, bounding_box, distance_m, walking_minutes

EVENT_HORIZON = dt.timedelta(days=14)
DEFAULT_RADIUS_M = 800
MAX_RADIUS_M = 5000


class Kind(enum.StrEnum):
    """Kinds of nearby item."""

    SHOP = "shop"
    OFFER = "offer"
    POI = "poi"
    EVENT = "event"
    WALK = "walk"
    TRANSIT_STOP = "transit_stop"


@dataclass
class Item:
    """One nearby thing, with what the visitor needs to decide to go."""

    kind: Kind
    id: str
    name: str
    latitude: float
    longitude: float
    distance_m: float
    open: bool | None = None
    next_change: dt.datetime | None = None
    category: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        """Open now, or has no hours (a walk, a stop): ranks before closed items."""
        return self.open is not False

    def to_json(self) -> dict[str, Any]:
        """The API's representation."""
        return {
            "kind": self.kind.value,
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "distance_m": round(self.distance_m),
            "walk_minutes": walking_minutes(self.distance_m),
            "open": self.open,
            "next_change": self.next_change.isoformat() if self.next_change else None,
            **self.details,
        }


@dataclass(frozen=True)
class Query:
    """Where and when to look."""

    latitude: float
    longitude: float
    radius_m: float
    now: dt.datetime
    place: Place | None = None
    kinds: frozenset[Kind] = frozenset(Kind)
    limit: int = 60


Zones = dict[int, tuple[str, str]]  # territory id -> (time zone, country)
Fetcher = Callable[[Session, BoundingBox, Query, Zones], Iterable[Item]]


def for_place(session: Session, place: Place, now: dt.datetime, **options: Any) -> list[Item]:
    """What is near a place, within its radius."""
    query = Query(place.latitude, place.longitude, place.radius_m, now, place=place, **options)
    return nearby(session, query)


def next_arrival(session: Session, place: Place, now: dt.datetime) -> dt.datetime | None:
    """When the next event near `place` beyond EVENT_HORIZON comes within it (and is listed)."""
    box = bounding_box(place.latitude, place.longitude, place.radius_m)
    starts = session.scalar(
        select(func.min(Event.starts_at))
        .where(_inside(Event.latitude, Event.longitude, box))
        .where(Event.starts_at > now + EVENT_HORIZON)
    )
    return starts - EVENT_HORIZON if starts is not None else None


def nearby(session: Session, query: Query) -> list[Item]:
    """The items within the query's radius, ranked open-now first, then by distance."""
    zones = {
        row.id: (row.timezone, row.country)
        for row in session.execute(select(Territory.id, Territory.timezone, Territory.country))
    }
    box = bounding_box(query.latitude, query.longitude, query.radius_m)
    fetchers = {
        Kind.SHOP: _listings(Shop, Kind.SHOP),
        Kind.OFFER: _offers,
        Kind.POI: _listings(PointOfInterest, Kind.POI),
        Kind.EVENT: _events,
        Kind.WALK: _walks,
        Kind.TRANSIT_STOP: _stops,
    }
    items: list[Item] = []
    for kind, fetch in fetchers.items():
        if kind in query.kinds:
            found = fetch(session, box, query, zones)
            items.extend(item for item in found if item.distance_m <= query.radius_m)
    items.sort(key=lambda item: (not item.available, item.distance_m, item.name))
    return items[: query.limit]


def _inside(latitude: Any, longitude: Any, box: BoundingBox) -> ColumnElement[bool]:
    return and_(latitude.between(box.south, box.north), longitude.between(box.west, box.east))


def _distance(query: Query, latitude: float, longitude: float) -> float:
    return distance_m(query.latitude, query.longitude, latitude, longitude)


def _zone(zones: Zones, territory_id: int) -> tuple[str, str]:
    return zones.get(territory_id, ("UTC", ""))


def _listings(model: type[Shop] | type[PointOfInterest], kind: Kind) -> Fetcher:
    """Shops and points of interest: a position, a category and opening hours."""

    def fetch(session: Session, box: BoundingBox, query: Query, zones: Zones) -> Iterable[Item]:
        rows = session.execute(
            select(model.slug, model.name, model.category, model.latitude, model.longitude)
            .add_columns(model.opening_hours, model.territory_id)
            .where(_inside(model.latitude, model.longitude, box))
            .where(model.published)
        )
        for slug, name, category, lat, lon, expression, territory in rows:
            state = hours.state(expression, query.now, *_zone(zones, territory))
            distance = _distance(query, lat, lon)
            yield Item(
                kind, slug, name, lat, lon, distance, state.open, state.next_change, category
            )

    return fetch


def _offer_filter(query: Query) -> ColumnElement[bool]:
    """Deals, and cross-offers meant for visitors coming from here (or from anywhere)."""
    untriggered = and_(Offer.trigger_place_id.is_(None), Offer.partner_shop_id.is_(None))
    allowed = [Offer.kind == OfferKind.DEAL, untriggered]
    if query.place is not None:
        allowed.append(Offer.trigger_place_id == query.place.id)
        if query.place.shop_id is not None:
            allowed.append(Offer.partner_shop_id == query.place.shop_id)
    # A partner offer shows only once its partner shop agreed.
    return and_(or_(*allowed), agreed_offers())


def _offers(session: Session, box: BoundingBox, query: Query, zones: Zones) -> Iterable[Item]:
    # Validity dates are local dates; a day of margin here, the exact check per time zone below.
    utc_day = query.now.date()
    offer_columns = (Offer.slug, Offer.title, Offer.kind, Offer.valid_from, Offer.valid_until)
    rows = session.execute(
        select(*offer_columns, Offer.hours, Shop.slug, Shop.name, Shop.latitude, Shop.longitude)
        .add_columns(Shop.opening_hours, Shop.territory_id)
        .join(Shop, Offer.shop_id == Shop.id)
        .where(_inside(Shop.latitude, Shop.longitude, box), Shop.published)
        .where(Offer.valid_from <= utc_day + dt.timedelta(days=1))
        .where(Offer.valid_until >= utc_day - dt.timedelta(days=1))
        .where(_offer_filter(query))
    )
    for slug, title, kind, valid_from, valid_until, offer_hours, *shop in rows:
        shop_slug, shop_name, lat, lon, shop_hours, territory = shop
        zone = _zone(zones, territory)
        local_day = query.now.astimezone(ZoneInfo(zone[0])).date()
        if not valid_from <= local_day <= valid_until:
            continue
        state = hours.state(offer_hours or shop_hours, query.now, *zone)
        details = {
            "shop": shop_slug,
            "shop_name": shop_name,
            "title": title,
            "valid_until": valid_until.isoformat(),
            "cross": kind is OfferKind.CROSS,
        }
        name = _text(title) or slug
        distance = _distance(query, lat, lon)
        yield Item(
            Kind.OFFER,
            slug,
            name,
            lat,
            lon,
            distance,
            state.open,
            state.next_change,
            kind.value,
            details,
        )


def _events(session: Session, box: BoundingBox, query: Query, zones: Zones) -> Iterable[Item]:
    ends = func.coalesce(Event.ends_at, Event.starts_at)
    rows = session.scalars(
        select(Event)
        .where(_inside(Event.latitude, Event.longitude, box))
        .where(Event.starts_at <= query.now + EVENT_HORIZON, ends >= query.now)
    )
    for event in rows:
        running = event.starts_at <= query.now
        change = (event.ends_at if running else event.starts_at) or None
        yield Item(
            Kind.EVENT,
            str(event.id),
            event.title,
            event.latitude,
            event.longitude,
            _distance(query, event.latitude, event.longitude),
            running,
            change,
            "event",
            {
                "starts_at": event.starts_at.isoformat(),
                "ends_at": event.ends_at.isoformat() if event.ends_at else None,
                "all_day": event.all_day,
                "starts_on": event.starts_on.isoformat() if event.starts_on else None,
                "ends_on": event.ends_on.isoformat() if event.ends_on else None,
                "venue": event.venue,
            },
        )


def _walks(session: Session, box: BoundingBox, query: Query, zones: Zones) -> Iterable[Item]:
    stops = select(func.count(WalkStop.id)).where(WalkStop.walk_id == Walk.id).scalar_subquery()
    rows = session.execute(
        select(Walk.slug, Walk.name, Walk.start_latitude, Walk.start_longitude, stops).where(
            _inside(Walk.start_latitude, Walk.start_longitude, box)
        )
    )
    for slug, name, lat, lon, count in rows:
        distance = _distance(query, lat, lon)
        yield Item(Kind.WALK, slug, name, lat, lon, distance, None, None, "walk", {"stops": count})


def _stops(session: Session, box: BoundingBox, query: Query, zones: Zones) -> Iterable[Item]:
    """Stations and stops; a station's platforms and entrances are in it, not listed again."""
    model = TransitStop
    rows = session.execute(
        select(model.id, model.name, model.latitude, model.longitude, model.code, model.feed)
        .add_columns(model.stop_id, model.location_type, model.lines)
        .where(_inside(model.latitude, model.longitude, box))
        .where(model.parent_station.is_(None))
    )
    for key, name, lat, lon, code, feed, stop_id, location_type, lines in rows:
        yield Item(
            Kind.TRANSIT_STOP,
            str(key),
            name,
            lat,
            lon,
            _distance(query, lat, lon),
            category="transit",
            details={
                "feed": feed,
                "stop_id": stop_id,
                "code": code,
                "station": location_type == 1,
                "lines": lines or [],
            },
        )


def _text(translated: dict[str, str]) -> str:
    return translated.get("fr") or next(iter(translated.values()), "")
