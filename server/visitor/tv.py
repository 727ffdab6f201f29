"""The large screen (tablets, connected TVs): a full-screen board of what is near a place now.

Legible from three metres: photos, open or closed, the deals valid now and a QR code to take it
all along on a phone. The board turns through its items four at a time with a CSS animation and
needs no script: without one, a meta refresh reloads it every few minutes. With the page's
script, it fetches itself instead and swaps the content in only when the fetch worked, so a
screen whose network drops keeps showing the last good board (and the service worker serves
the last copy if the screen itself reloads).
"""

from __future__ import annotations

from flask import Response, render_template, url_for

from server import clock
from server.db import db_session
from server.i18n import gettext, language, translated
from server.mobility.live import mobility
from server.models import Place
from server.services import nearby
from server.visitor import formats, kept, localized, lookup, maps, pictures, present
from server.visitor.blueprint import visitor_blueprint
from server.visitor.kept_block import markup as mobility_block
from server.visitor.qr import qr_svg

bp = visitor_blueprint("tv", __name__)
ITEMS = 12  # as many as a passer-by may watch go round
PER_SLIDE = 4  # two by two on a landscape screen, each card wide enough for large type
SECONDS_PER_SLIDE = 10
REFRESH_SECONDS = 300
DEALS = 4
# A card's photo is about a sixth of a landscape screen's width.
CARD_SIZES = "(min-width:48rem) 18vw, 100vw"


@localized.page(bp, "/tv/<slug>")
def screen(slug: str) -> Response:
    """The large-screen view of a place."""

    def render() -> str:
        found = lookup.by_slug(Place, slug)
        now = clock.now()
        zone = found.territory.timezone
        items = present.collapse_repeats(nearby.for_place(db_session(), found, now, limit=60))
        shown = items[:ITEMS]
        origin = (found.slug, found.latitude, found.longitude)
        photos = pictures.photos_for(db_session(), (present.photo_key(item) for item in shown))
        cards = []
        for item in shown:
            photo = photos.get(present.photo_key(item) or "")
            picture = pictures.picture(photo, "", CARD_SIZES, largest=720) if photo else None
            cards.append(present.card(item, now, zone, origin, picture))
        deals = [
            (translated(item.details.get("title")), item.details.get("shop_name"))
            for item in items
            if item.kind is nearby.Kind.OFFER and item.open
        ][:DEALS]
        phone_url = url_for("visitor.place", slug=found.slug, _external=True)
        # The nearest of each and two departures, so the board stays on one screen.
        moving = mobility_block(found, language(), now, rows=1, shown=2)
        # Live figures take the lower part of the screen: one row of cards a slide, not two.
        per_slide = PER_SLIDE // 2 if moving else PER_SLIDE
        slides = [cards[i : i + per_slide] for i in range(0, len(cards), per_slide)]
        # With live feeds, the screen reloads after each full turn of the deck (at least a
        # minute), so the figures it shows are never much older than the feeds'.
        refresh = (
            max(60, min(REFRESH_SECONDS, SECONDS_PER_SLIDE * len(slides)))
            if moving and mobility().feeds
            else REFRESH_SECONDS
        )
        return render_template(
            "tv.html",
            place=found,
            zone=zone,
            slides=slides,
            deals=deals,
            seconds=SECONDS_PER_SLIDE,
            refresh=refresh,
            mobility=moving,
            clock=formats.clock(now, zone),
            qr=qr_svg(phone_url, gettext("QR code: this page on your phone")),
            phone_url=phone_url,
            place_map=maps.page_map(
                found.territory_id,
                [(n, item.latitude, item.longitude) for n, item in enumerate(shown, start=1)],
                (found.latitude, found.longitude),
                gettext(
                    "Map of the streets around %(place)s; its numbers are those of the list.",
                    place=found.name,
                ),
            ),
        )

    return kept.serve(f"tv:{slug}", render)
