"""schema.org descriptions (JSON-LD) of the visitor pages, for search engines and assistants."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import url_for

from server.i18n import translated
from server.models import Event, Offer, Place, PlaceKind, PointOfInterest, Shop, Territory, Walk
from server.visitor.route import Leg

CONTEXT = "https://schema.org"
PLACE_TYPES = {
    PlaceKind.MUSEUM: "Museum",
    PlaceKind.STATION: "SubwayStation",
    PlaceKind.SQUARE: "TouristAttraction",
    PlaceKind.MARKET: "TouristAttraction",
    PlaceKind.VENUE: "EventVenue",
}
SHOP_TYPES = {
    "bakery": "Bakery",
    "bar": "BarOrPub",
    "bookshop": "BookStore",
    "cafe": "CafeOrCoffeeShop",
    "restaurant": "Restaurant",
    "shop": "Store",
}
# schema.org's openingHours takes "Mo-Sa 09:00-19:00" rules: the simple part of OSM's syntax.
_SIMPLE_RULE = re.compile(
    r"(?:(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:[-,](?:Mo|Tu|We|Th|Fr|Sa|Su))*) )?"
    r"(?P<times>\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)"
)


def _geo(latitude: float, longitude: float) -> dict[str, Any]:
    return {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}


def opening_hours(expression: str | None) -> list[str]:
    """The rules of an OSM opening_hours expression that schema.org can express."""
    rules: list[str] = []
    for part in (expression or "").split(";"):
        found = _SIMPLE_RULE.fullmatch(part.strip())
        if found:
            days = f"{found['days']} " if found["days"] else ""
            rules.extend(days + times for times in found["times"].split(","))
    return rules


def _described(data: dict[str, Any], text: dict[str, str] | None) -> dict[str, Any]:
    description = translated(text)
    if description:
        data["description"] = str(description)
    return data


def place(found: Place) -> dict[str, Any]:
    """A place where stickers hang."""
    return _listing(found, PLACE_TYPES.get(found.kind, "Place"), "visitor.place")


def _listing(
    found: Place | Shop | PointOfInterest, schema_type: str, endpoint: str
) -> dict[str, Any]:
    """What places, shops and sights share: a name, a page, a position, hours, a description."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": schema_type,
        "name": found.name,
        "url": url_for(endpoint, slug=found.slug, _external=True),
        "geo": _geo(found.latitude, found.longitude),
    }
    if opening_hours(found.opening_hours):
        data["openingHours"] = opening_hours(found.opening_hours)
    return _described(data, found.description)


def territory(found: Territory) -> dict[str, Any]:
    """A territory and the places it lists."""
    data = {
        "@context": CONTEXT,
        "@type": "Place",
        "name": found.name,
        "url": url_for("visitor.territory", slug=found.slug, _external=True),
        "geo": _geo(found.latitude, found.longitude),
    }
    return _described(data, found.description)


def shop(found: Shop) -> dict[str, Any]:
    """A shop, café or restaurant as a LocalBusiness (or its closest subtype)."""
    data = _listing(found, SHOP_TYPES.get(found.category, "LocalBusiness"), "details.shop")
    if found.address:
        data["address"] = {"@type": "PostalAddress", "streetAddress": found.address}
    if found.phone:
        data["telephone"] = found.phone
    if found.website:
        data["sameAs"] = found.website
    return data


def poi(found: PointOfInterest) -> dict[str, Any]:
    """A sight."""
    return _listing(found, "TouristAttraction", "details.poi")


def offer(found: Offer) -> dict[str, Any]:
    """An offer, valid between two dates, made by a shop."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Offer",
        "name": str(translated(found.title)),
        "url": url_for("offers.offer", slug=found.slug, _external=True),
        "validFrom": found.valid_from.isoformat(),
        "validThrough": found.valid_until.isoformat(),
        "offeredBy": {
            "@type": SHOP_TYPES.get(found.shop.category, "LocalBusiness"),
            "name": found.shop.name,
            "url": url_for("details.shop", slug=found.shop.slug, _external=True),
        },
    }
    return _described(data, found.conditions)


def event(found: Event) -> dict[str, Any]:
    """An event at a venue."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Event",
        "name": found.title,
        "url": url_for("details.event", event_id=found.id, _external=True),
        "startDate": (found.starts_on or found.starts_at).isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": found.venue or found.territory.name,
            "geo": _geo(found.latitude, found.longitude),
        },
    }
    ending = found.ends_on or found.ends_at
    if ending:  # schema.org: an all-day event ends on its last date
        data["endDate"] = ending.isoformat()
    return _described(data, found.description)


def walk(found: Walk, route: Sequence[Leg]) -> dict[str, Any]:
    """A walk as a TouristTrip whose itinerary lists its stops in order."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "TouristTrip",
        "name": found.name,
        "url": url_for("details.walk", slug=found.slug, _external=True),
        "itinerary": {
            "@type": "ItemList",
            "numberOfItems": len(route),
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": leg.position,
                    "item": {
                        "@type": "Place",
                        "name": leg.name,
                        "geo": _geo(leg.latitude, leg.longitude),
                    },
                }
                for leg in route
            ],
        },
    }
    return _described(data, found.description)
