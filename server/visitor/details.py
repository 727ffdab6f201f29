"""The pages a place page links to: a shop, a sight, an event, a walk.

Each takes ?from=<place> (set by the place page) to show the distance from where the visitor
stands and a way back. Like the place page, they are kept for when the database is away.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, render_template, request
from sqlalchemy import select

from server import clock
from server.db import db_session
from server.i18n import gettext, translated
from server.maps.sketch import sketch
from server.models import Event, Offer, Photo, PointOfInterest, Shop, Walk
from server.models.offers import agreed_offers
from server.services import hours, loyalty, redemption, street_maps, walking
from server.services.nearby import Kind
from server.visitor import formats, jsonld, kept, localized, lookup, maps, pictures, present, route
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("details", __name__)


def _key(kind: str, name: object) -> str:
    return f"{kind}:{name}:{request.args.get('from', '')}"


@localized.page(bp, "/shop/<slug>")
def shop(slug: str) -> Response:
    """A shop's listing: hours this week, offers running now, how to get there."""

    def render() -> str:
        found = lookup.by_slug(Shop, slug)
        if not found.published:  # its keeper's account was erased: gone, for search engines too
            abort(410)
        now = clock.now()
        rows = db_session().scalars(
            select(Offer)
            .where(Offer.shop_id == found.id, agreed_offers())
            .order_by(Offer.valid_until)
        )
        offers = [o for o in rows if redemption.period(o, now) is redemption.Period.CURRENT]
        shown = pictures.live_photos(db_session(), Photo.shop_id == found.id)
        card = loyalty.card_of(db_session(), found)
        return _listing(
            "shop",
            found,
            now,
            offers=offers,
            photos=shown,
            ld=jsonld.shop(found),
            loyalty_card=card if card and card.active else None,
        )

    return kept.serve(_key("shop", slug), render)


@localized.page(bp, "/poi/<slug>")
def poi(slug: str) -> Response:
    """A sight: what it is, its hours, how to get there."""

    def render() -> str:
        found = lookup.by_slug(PointOfInterest, slug)
        if not found.published:  # staff took it offline
            abort(404)
        shown = pictures.live_photos(db_session(), Photo.poi_id == found.id)
        return _listing("poi", found, clock.now(), offers=[], photos=shown, ld=jsonld.poi(found))

    return kept.serve(_key("poi", slug), render)


def _listing(
    kind: str,
    found: Shop | PointOfInterest,
    now: dt.datetime,
    photos: list[Photo],
    ld: dict[str, Any],
    **extra: object,
) -> str:
    origin = lookup.origin()
    gallery = [
        pictures.picture(
            photo,
            gettext("Photo %(number)d of %(shop)s", number=number, shop=found.name)
            if len(photos) > 1
            else gettext("Photo of %(shop)s", shop=found.name),
        )
        for number, photo in enumerate(photos[: pictures.GALLERY], start=1)
    ]
    zone, country = found.territory.timezone, found.territory.country
    state = hours.state(found.opening_hours, now, zone, country)
    og_image = pictures.og_image(gallery[0] if gallery else None)
    here = (origin.latitude, origin.longitude) if origin else None
    # From the place the visitor came from, the way on foot over the street map: the page's
    # distance and time are measured along it, and its map draws it.
    data = street_maps.load(db_session(), found.territory_id) if here else None
    way = walking.way_on_foot(data, here, (found.latitude, found.longitude)) if here else None
    along = way if way is not None and way.on_streets else None
    return render_template(
        "listing.html",
        kind=kind,
        item=found,
        zone=zone,
        origin=origin,
        label=present.category(found.category),
        description=translated(found.description),
        status=present.status(Kind.SHOP, state.open, state.next_change, now, zone),
        state=present.state_class(Kind.SHOP, state.open),
        week=present.week(found.opening_hours, now, zone, country),
        spot=present.whereabouts(
            found.latitude, found.longitude, origin, along.metres if along else None
        ),
        gallery=gallery,
        og_image=og_image,
        ld=jsonld.with_image(ld, og_image),
        place_map=maps.page_map(
            found.territory_id,
            [(0, found.latitude, found.longitude)],
            here,
            gettext("Map of the streets around %(place)s.", place=found.name),
            route=along.points if along else (),
            from_here=along is not None,
        ),
        **extra,
    )


@localized.page(bp, "/event/<int:event_id>")
def event(event_id: int) -> Response:
    """An event: when, where, whether it is on now; gone (410) once it is over."""
    status = 200

    def render() -> str:
        nonlocal status
        found = db_session().get(Event, event_id)
        if found is None:
            abort(404)
        now = clock.now()
        zone = found.territory.timezone
        ends = found.ends_at or found.starts_at
        over = ends < now
        status = 410 if over else 200
        running = found.starts_at <= now <= ends
        change = found.ends_at if running else found.starts_at
        origin = lookup.origin()
        said: str | None
        if found.starts_on is not None and found.ends_on is not None:  # on dates, all day
            when = formats.all_day(found.starts_on, found.ends_on)
            said = present.all_day_status(found.starts_on, found.ends_on, now, zone)
        else:
            when = formats.moment_range(found.starts_at, found.ends_at, zone)
            said = present.status(Kind.EVENT, running, change, now, zone)
        return render_template(
            "event.html",
            event=found,
            zone=zone,
            origin=origin,
            over=over,
            when=when,
            status=None if over else said,
            state=present.state_class(Kind.EVENT, running),
            description=translated(found.description),
            spot=present.whereabouts(found.latitude, found.longitude, origin),
            ld=jsonld.event(found),
        )

    response = kept.serve(_key("event", event_id), render)
    if response.status_code == 200:
        response.status_code = status
    return response


@localized.page(bp, "/walk/<slug>")
def walk(slug: str) -> Response:
    """A walk: its stops in order, the distance between them, the total, and a sketch."""

    def render() -> str:
        found = lookup.by_slug(Walk, slug)
        origin = lookup.origin()
        data = street_maps.load(db_session(), found.territory_id)
        legs = route.legs(found.stops, data)
        total = legs[-1].from_start_m if legs else 0.0
        here = (origin.latitude, origin.longitude) if origin else None
        title = gettext(
            "Map of the walk %(walk)s; its numbers are those of the stops.", walk=found.name
        )
        return render_template(
            "walk.html",
            walk=found,
            zone=found.territory.timezone,
            origin=origin,
            legs=legs,
            total=formats.distance(total),
            duration=formats.walk(total),
            description=translated(found.description),
            notes=[translated(stop.note) for stop in found.stops],
            place_map=maps.page_map(
                found.territory_id,
                [(leg.position, leg.latitude, leg.longitude) for leg in legs],
                here,
                title,
                routed=True,
                route=[point for leg in legs for point in leg.way],
            ),
            # Without a street map, a sketch of the stops joined in a straight line.
            sketch=None
            if data
            else sketch(legs, gettext("Sketch of the route: %(walk)s", walk=found.name), here),
            on_streets=len(legs) > 1 and all(leg.on_streets for leg in legs[1:]),
            spot=present.whereabouts(found.start_latitude, found.start_longitude, origin),
            stops=[present.whereabouts(leg.latitude, leg.longitude, None) for leg in legs],
            ld=jsonld.walk(found, legs),
        )

    return kept.serve(_key("walk", slug), render)
