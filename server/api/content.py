"""Public content: territories, places, shops, offers, points of interest, events, walks, nearby."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from server import clock
from server.api import representations
from server.api.blueprint import bp
from server.api.params import MAX_PAGE, integer, moment, number, page
from server.db import db_session
from server.errors import Invalid, NotFound
from server.models import Event, Offer, Place, PointOfInterest, Shop, Territory, Walk
from server.models.offers import agreed_offers
from server.services import nearby
from server.web.values import CALENDAR_YEARS, day

Model = Any  # a mapped class with slug and territory_id


def _listing(query: Select[Any], model: Model, to_json: Callable[[Any], dict]) -> Response:
    territory = request.args.get("territory")
    if territory:
        query = query.join(Territory, model.territory_id == Territory.id).where(
            Territory.slug == territory
        )
    limit, offset = page()
    rows = db_session().scalars(query.limit(limit + 1).offset(offset)).unique().all()
    more = len(rows) > limit
    return jsonify(
        {
            "items": [to_json(row) for row in rows[:limit]],
            "next_offset": offset + limit if more else None,
        }
    )


def _one(
    model: Model, slug: str, to_json: Callable[[Any], dict], noun: str, plural: str
) -> Response:
    found = db_session().scalars(select(model).where(model.slug == slug)).first()
    if found is None or getattr(found, "published", True) is False:  # an erased keeper's shop
        raise NotFound(f"there is no {noun} {slug!r}; list them with GET /api/v1/{plural}")
    return jsonify(to_json(found))


@bp.get("/territories")
def territories() -> Response:
    """Every territory."""
    rows = db_session().scalars(select(Territory).order_by(Territory.name)).all()
    return jsonify(
        {"items": [representations.territory_json(row) for row in rows], "next_offset": None}
    )


@bp.get("/places")
def places() -> Response:
    """Places, optionally of one territory."""
    query = select(Place).options(selectinload(Place.territory)).order_by(Place.slug)
    return _listing(query, Place, representations.place_json)


@bp.get("/places/<slug>")
def place(slug: str) -> Response:
    """One place."""
    return _one(Place, slug, representations.place_json, "place", "places")


@bp.get("/shops")
def shops() -> Response:
    """Shops, optionally of one territory."""
    query = select(Shop).where(Shop.published).order_by(Shop.slug)
    return _listing(query, Shop, representations.shop_json)


@bp.get("/shops/<slug>")
def shop(slug: str) -> Response:
    """One shop."""
    return _one(Shop, slug, representations.shop_json, "shop", "shops")


@bp.get("/pois")
def pois() -> Response:
    """Points of interest, optionally of one territory."""
    query = select(PointOfInterest).where(PointOfInterest.published)
    query = query.order_by(PointOfInterest.slug)
    return _listing(query, PointOfInterest, representations.poi_json)


@bp.get("/pois/<slug>")
def poi(slug: str) -> Response:
    """One point of interest."""
    return _one(PointOfInterest, slug, representations.poi_json, "point of interest", "pois")


@bp.get("/offers")
def offers() -> Response:
    """Offers, optionally of one shop; `valid_on` keeps those valid on a date."""
    query = select(Offer).join(Shop, Offer.shop_id == Shop.id).where(agreed_offers())
    query = query.where(Shop.published).order_by(Offer.slug)
    if request.args.get("shop"):
        query = query.where(Shop.slug == request.args["shop"])
    if request.args.get("valid_on"):
        try:
            valid_on = day(request.args["valid_on"])
        except ValueError:
            raise Invalid("valid_on must be a date like 2026-05-01", field="valid_on") from None
        query = query.where(Offer.valid_from <= valid_on, Offer.valid_until >= valid_on)
    return _listing(query, Shop, representations.offer_json)


@bp.get("/offers/<slug>")
def offer(slug: str) -> Response:
    """One offer (a partner offer only once its partner agreed)."""
    found = db_session().scalars(select(Offer).where(Offer.slug == slug, agreed_offers())).first()
    if found is None or not found.shop.published:
        raise NotFound(f"there is no offer {slug!r}; list them with GET /api/v1/offers")
    return jsonify(representations.offer_json(found))


@bp.get("/events")
def events() -> Response:
    """Events ending after `from` (default: now) and starting before `to`, by start time."""
    start = moment("from") or clock.now()
    query = select(Event).where((Event.ends_at >= start) | (Event.starts_at >= start))
    end = moment("to")
    if end is not None:
        query = query.where(Event.starts_at <= end)
    return _listing(query.order_by(Event.starts_at, Event.id), Event, representations.event_json)


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> Response:
    """One event."""
    found = db_session().get(Event, event_id)
    if found is None:
        raise NotFound(f"there is no event {event_id}; list them with GET /api/v1/events")
    return jsonify(representations.event_json(found))


@bp.get("/walks")
def walks() -> Response:
    """Walks, with their stops."""
    query = select(Walk).options(selectinload(Walk.stops)).order_by(Walk.slug)
    return _listing(query, Walk, representations.walk_json)


@bp.get("/walks/<slug>")
def walk(slug: str) -> Response:
    """One walk with its stops."""
    return _one(Walk, slug, representations.walk_json, "walk", "walks")


@bp.get("/nearby")
def nearby_items() -> Response:
    """Items near a place (`place`) or a position (`lat`, `lon`), open now first."""
    at = moment("at", CALENDAR_YEARS) or clock.now()
    kinds = _kinds(request.args.get("kinds"))
    limit = integer("limit", 60, low=1, high=MAX_PAGE)
    radius = number("radius", None, low=10, high=nearby.MAX_RADIUS_M)
    found: Place | None = None
    latitude: float | None
    longitude: float | None
    if request.args.get("place"):
        slug = request.args["place"]
        found = db_session().scalars(select(Place).where(Place.slug == slug)).first()
        if found is None:
            raise NotFound(f"there is no place {slug!r}; list places with GET /api/v1/places")
        latitude, longitude = found.latitude, found.longitude
        radius = radius or found.radius_m
    else:
        latitude = number("lat", None, low=-90, high=90)
        longitude = number("lon", None, low=-180, high=180)
        if latitude is None or longitude is None:
            raise Invalid("give either place=<slug>, or lat and lon", field="place")
        radius = radius or nearby.DEFAULT_RADIUS_M
    query = nearby.Query(latitude, longitude, radius, at, found, kinds, limit)
    items = nearby.nearby(db_session(), query)
    return jsonify(
        {
            "place": found.slug if found else None,
            "latitude": latitude,
            "longitude": longitude,
            "radius_m": radius,
            "at": at.isoformat(),
            "items": [item.to_json() for item in items],
        }
    )


def _kinds(raw: str | None) -> frozenset[nearby.Kind]:
    if not raw:
        return frozenset(nearby.Kind)
    try:
        return frozenset(nearby.Kind(part) for part in raw.split(","))
    except ValueError:
        known = ", ".join(kind.value for kind in nearby.Kind)
        raise Invalid(f"kinds is a comma-separated list of {known}", field="kinds") from None
