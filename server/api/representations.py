"""The API's JSON representations of the content (places, shops, offers, sights, events,
walks)."""

from __future__ import annotations

from typing import Any

from server.models import Event, Offer, Place, PointOfInterest, Shop, Territory, Walk


def territory_json(territory: Territory) -> dict[str, Any]:
    """A territory."""
    return {
        "slug": territory.slug,
        "name": territory.name,
        "timezone": territory.timezone,
        "country": territory.country,
        "latitude": territory.latitude,
        "longitude": territory.longitude,
        "description": territory.description,
        "demo": territory.demo,
    }


def place_json(place: Place) -> dict[str, Any]:
    """A place where stickers hang."""
    return {
        "slug": place.slug,
        "territory": place.territory.slug,
        "name": place.name,
        "kind": place.kind.value,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "radius_m": place.radius_m,
        "opening_hours": place.opening_hours,
        "description": place.description,
        "demo": place.demo,
    }


def _listing_json(item: Shop | PointOfInterest) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "territory": item.territory.slug,
        "name": item.name,
        "category": item.category,
        "description": item.description,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "opening_hours": item.opening_hours,
        "website": item.website,
        "demo": item.demo,
    }


def shop_json(shop: Shop) -> dict[str, Any]:
    """A shop's listing."""
    return _listing_json(shop) | {"address": shop.address, "phone": shop.phone}


def poi_json(poi: PointOfInterest) -> dict[str, Any]:
    """A point of interest."""
    return _listing_json(poi)


def offer_json(offer: Offer) -> dict[str, Any]:
    """An offer, a deal or a cross-offer."""
    return {
        "slug": offer.slug,
        "shop": offer.shop.slug,
        "kind": offer.kind.value,
        "title": offer.title,
        "conditions": offer.conditions,
        "valid_from": offer.valid_from.isoformat(),
        "valid_until": offer.valid_until.isoformat(),
        "hours": offer.hours,
        "quota": offer.quota,
        "partner_shop": offer.partner_shop.slug if offer.partner_shop else None,
        "trigger_place": offer.trigger_place.slug if offer.trigger_place else None,
        "demo": offer.demo,
    }


def event_json(event: Event) -> dict[str, Any]:
    """An event."""
    return {
        "id": event.id,
        "uid": event.uid,
        "territory": event.territory.slug,
        "title": event.title,
        "description": event.description,
        "venue": event.venue,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "all_day": event.all_day,
        "starts_on": event.starts_on.isoformat() if event.starts_on else None,
        "ends_on": event.ends_on.isoformat() if event.ends_on else None,
        "url": event.url,
        "demo": event.demo,
    }


def walk_json(walk: Walk, with_stops: bool = True) -> dict[str, Any]:
    """A walk, with its stops in order."""
    data: dict[str, Any] = {
        "slug": walk.slug,
        "territory": walk.territory.slug,
        "name": walk.name,
        "description": walk.description,
        "start": {"latitude": walk.start_latitude, "longitude": walk.start_longitude},
        "demo": walk.demo,
    }
    if with_stops:
        data["stops"] = [
            {
                "position": stop.position,
                "name": stop.name,
                "note": stop.note,
                "latitude": stop.latitude,
                "longitude": stop.longitude,
                "url": stop.url,
            }
            for stop in walk.stops
        ]
    return data
