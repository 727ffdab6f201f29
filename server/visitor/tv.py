"""The large screen (tablets, connected TVs): what is near a place, one item at a time.

Items rotate with a CSS animation; the page reloads itself every few minutes with a meta
refresh, so it needs no script. A QR code takes the visitor to the place page on their phone.
"""

from __future__ import annotations

from flask import Response, render_template, url_for

from server import clock
from server.db import db_session
from server.i18n import gettext
from server.models import Place
from server.services import nearby
from server.visitor import formats, kept, lookup, maps, present
from server.visitor.blueprint import visitor_blueprint
from server.visitor.qr import qr_svg

bp = visitor_blueprint("tv", __name__)
ITEMS = 12  # as many as a passer-by may watch go round (8 s each)
SECONDS_PER_ITEM = 8
REFRESH_SECONDS = 300


@bp.get("/tv/<slug>")
def screen(slug: str) -> Response:
    """The large-screen view of a place."""

    def render() -> str:
        found = lookup.by_slug(Place, slug)
        now = clock.now()
        zone = found.territory.timezone
        items = present.collapse_repeats(nearby.for_place(db_session(), found, now, limit=ITEMS))
        origin = (found.slug, found.latitude, found.longitude)
        phone_url = url_for("visitor.place", slug=found.slug, _external=True)
        return render_template(
            "tv.html",
            place=found,
            zone=zone,
            cards=[present.card(item, now, zone, origin) for item in items],
            seconds=SECONDS_PER_ITEM,
            refresh=REFRESH_SECONDS,
            clock=formats.clock(now, zone),
            qr=qr_svg(phone_url, gettext("QR code: this page on your phone")),
            phone_url=phone_url,
            place_map=maps.page_map(
                found.territory_id,
                [(n, item.latitude, item.longitude) for n, item in enumerate(items, start=1)],
                (found.latitude, found.longitude),
                gettext(
                    "Map of the streets around %(place)s; its numbers are those of the list.",
                    place=found.name,
                ),
            ),
        )

    return kept.serve(f"tv:{slug}", render)
