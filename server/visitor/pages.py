"""The visitor's way in: home, a territory's places, the place page a tap lands on, languages.

Pages are rendered from the database when it answers and kept on disk; when the database is
away the kept copy is served, so a tap never ends on an error page. Place pages are also kept
rendered in memory while nothing they show changes (server.visitor.pagecache).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter

from flask import Response, current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse

from server.db import db_session
from server.i18n import COOKIE_MAX_AGE, COOKIE_NAME, LANGUAGES, gettext, language, translated
from server.models import Place, Territory, Walk
from server.services import hours, nearby
from server.visitor import (
    goodness,
    jsonld,
    kept,
    localized,
    lookup,
    maps,
    pagecache,
    pictures,
    present,
)
from server.visitor.blueprint import visitor_blueprint
from server.visitor.kept_block import markup as mobility_block
from server.web.targets import same_site_path

bp = visitor_blueprint("visitor", __name__)


@localized.page(bp, "/")
def home() -> Response:
    """The territories served here."""

    def render() -> str:
        territories = db_session().scalars(select(Territory).order_by(Territory.name)).all()
        return render_template("home.html", territories=territories)

    return kept.serve("home", render)


@localized.page(bp, "/t/<slug>")
def territory(slug: str) -> Response:
    """A territory's home page: its places and walks."""

    def render() -> str:
        found = lookup.by_slug(Territory, slug)
        walks = db_session().scalars(
            select(Walk).where(Walk.territory_id == found.id).order_by(Walk.name)
        )
        return render_template(
            "territory.html",
            territory=found,
            zone=found.timezone,
            places=[p for p in found.places if p.kind != "shop"],
            windows=[p for p in found.places if p.kind == "shop"],
            walks=walks.all(),
            ld=jsonld.territory(found),
        )

    return kept.serve(f"territory:{slug}", render)


@localized.page(bp, "/p/<slug>")
def place(slug: str) -> BaseResponse:
    """What is near a place, open now first; kept rendered while nothing it shows changes
    (server.visitor.pagecache), from the kept copy if the database is away."""
    kind = request.args.get("kind")
    if kind is not None and kind not in present.FILTERS:
        return redirect(url_for("visitor.place", slug=slug), code=303)
    chosen = nearby.Kind(kind) if kind else None
    return pagecache.serve(
        f"place:{slug}:{kind or ''}",
        lambda now: _place_page(slug, chosen, now),
        query=f"kind={kind}" if kind else "",
    )


def _place_page(slug: str, kind: nearby.Kind | None, now: dt.datetime) -> pagecache.Rendered:
    found = lookup.by_slug(Place, slug, joinedload(Place.territory))  # one query less
    zone, country = found.territory.timezone, found.territory.country
    # Everything in reach, to count each category for the filter; only one page is shown.
    everything = nearby.for_place(db_session(), found, now, limit=sys.maxsize)
    everything = present.collapse_repeats(everything)
    counts = Counter(item.kind for item in everything)
    matching = [item for item in everything if kind is None or item.kind is kind]
    shown = matching[: int(current_app.config["NEARBY_LIMIT"])]
    origin = (found.slug, found.latitude, found.longitude)
    state = hours.state(found.opening_hours, now, zone, country)
    with_hours = [item for item in everything if item.open is not None]
    thumbs = pictures.thumbs_for(db_session(), (present.photo_key(item) for item in shown))
    cover = _cover(found)
    og_image = pictures.og_image(cover)
    html = render_template(
        "place.html",
        place=found,
        zone=zone,
        kind=kind,
        filters=[
            (k, gettext(label), n) for k, label in present.FILTERS.items() if (n := counts[k])
        ],
        heading=gettext(present.FILTERS[kind]) if kind else gettext("Near here"),
        total=len(everything),
        cards=[
            present.card(item, now, zone, origin, thumbs.get(present.photo_key(item) or ""))
            for item in shown
        ],
        cover=cover,
        og_image=og_image,
        more=len(matching) - len(shown),
        nothing_open=bool(with_hours) and not any(item.open for item in with_hours),
        description=translated(found.description),
        place_status=present.status(nearby.Kind.POI, state.open, state.next_change, now, zone),
        place_state=present.state_class(nearby.Kind.POI, state.open),
        ld=jsonld.with_image(jsonld.place(found), og_image),
        live_block=pagecache.LIVE_MARK,
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
    changes = [state.next_change, *goodness.changes(everything)]
    arrival = nearby.next_arrival(db_session(), found, now)
    good_until = goodness.first(now, zone, [*changes, arrival])
    standin = goodness.standin(found)
    return pagecache.Rendered(html, good_until, lambda at: _live_block(standin, at))


def _live_block(found: Place, now: dt.datetime) -> str:
    """The mobility block as it is now (bikes, car parks, departures): never part of a kept
    page, though kept_block keeps its own rendering while none of its text changes."""
    return str(mobility_block(found, language(), now))


def _cover(found: Place) -> pictures.Picture | None:
    """The place's first photo (a shop window: its shop's), shown at the top of its page."""
    shown = pictures.cover_photo(db_session(), found)
    if shown is None:
        return None
    return pictures.picture(shown, gettext("Photo of %(shop)s", shop=found.name))


@bp.get("/lang/<code>")
def switch_language(code: str) -> BaseResponse:
    """Remember the visitor's language and go back to the page they were on."""
    # Only pages of this site, never an open redirect.
    target = same_site_path(request.args.get("next"), url_for("visitor.home"))
    response = redirect(localized.relocalized(target, code), code=303)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE_NAME,
            code,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """No icon yet; answered here so it is not taken for a tap."""
    return Response(status=204)
