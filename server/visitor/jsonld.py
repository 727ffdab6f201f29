"""schema.org descriptions (JSON-LD) of the visitor pages, for search engines and assistants."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from server.i18n import translated
from server.models import Event, Offer, Place, PlaceKind, PointOfInterest, Shop, Territory, Walk
from server.visitor.localized import absolute, base_url
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


DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = {
    short: f"https://schema.org/{name}"
    for short, name in zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
}


def _geo(latitude: float, longitude: float) -> dict[str, Any]:
    return {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}


def _address(territory: Territory, street: str | None = None) -> dict[str, Any]:
    """A postal address: the street when known, always the town and the country."""
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if street:
        address["streetAddress"] = street
    address["addressLocality"] = territory.name
    address["addressCountry"] = territory.country
    return address


def with_image(data: dict[str, Any], image: str | None) -> dict[str, Any]:
    """`data` with the page's cover (a site path) as its absolute image, when it has one."""
    if image:
        data["image"] = base_url() + image
    return data


def opening_hours(expression: str | None) -> list[str]:
    """The rules of an OSM opening_hours expression that schema.org can express."""
    rules: list[str] = []
    for part in (expression or "").split(";"):
        found = _SIMPLE_RULE.fullmatch(part.strip())
        if found:
            days = f"{found['days']} " if found["days"] else ""
            rules.extend(days + times for times in found["times"].split(","))
    return rules


def opening_hours_specification(expression: str | None) -> list[dict[str, Any]]:
    """The same rules as OpeningHoursSpecification, the form Google reads for a business."""
    found: list[dict[str, Any]] = []
    for rule in opening_hours(expression):
        days, _, times = rule.rpartition(" ")
        opens, _, closes = times.partition("-")
        found.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [DAY_NAMES[day] for day in _days(days)],
                "opens": opens,
                "closes": closes,
            }
        )
    return found


def _days(spec: str) -> list[str]:
    """The days of "Mo-Fr,Su" in order; every day for an empty spec."""
    if not spec:
        return list(DAYS)
    days: list[str] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        days.extend(DAYS[i] for i in span if DAYS[i] not in days)
    return days


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
        "url": absolute(endpoint, slug=found.slug),
        "geo": _geo(found.latitude, found.longitude),
        "address": _address(found.territory, getattr(found, "address", None)),
    }
    # openingHoursSpecification fits any Place; the shorter openingHours only businesses and
    # civic structures (a sight has none), so shop() adds it.
    if opening_hours(found.opening_hours):
        data["openingHoursSpecification"] = opening_hours_specification(found.opening_hours)
    return _described(data, found.description)


def territory(found: Territory) -> dict[str, Any]:
    """A territory and the places it lists."""
    data = {
        "@context": CONTEXT,
        "@type": "Place",
        "name": found.name,
        "url": absolute("visitor.territory", slug=found.slug),
        "geo": _geo(found.latitude, found.longitude),
    }
    return _described(data, found.description)


def shop(found: Shop) -> dict[str, Any]:
    """A shop, café or restaurant as a LocalBusiness (or its closest subtype)."""
    data = _listing(found, SHOP_TYPES.get(found.category, "LocalBusiness"), "details.shop")
    if opening_hours(found.opening_hours):
        data["openingHours"] = opening_hours(found.opening_hours)
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
        "url": absolute("offers.offer", slug=found.slug),
        "validFrom": found.valid_from.isoformat(),
        "validThrough": found.valid_until.isoformat(),
        "offeredBy": {
            "@type": SHOP_TYPES.get(found.shop.category, "LocalBusiness"),
            "name": found.shop.name,
            "url": absolute("details.shop", slug=found.shop.slug),
        },
    }
    return _described(data, found.conditions)


def event(found: Event) -> dict[str, Any]:
    """An event at a venue."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Event",
        "name": found.title,
        "url": absolute("details.event", event_id=found.id),
        "startDate": (found.starts_on or found.starts_at).isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": found.venue or found.territory.name,
            "address": _address(found.territory),
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
        "url": absolute("details.walk", slug=found.slug),
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
