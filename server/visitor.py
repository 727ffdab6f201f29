"""The minimal visitor site: home, a territory's places, and the place page a tap lands on.

The place page is rendered from the database when it answers, and kept on disk; when the
database is away the kept copy is served, so a tap never ends on an error page.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import select

from server.cache import DiskCache
from server.db import UNAVAILABLE, session
from server.models import Place, Territory
from server.services import nearby

bp = Blueprint("visitor", __name__)
STALE_MARK = "<!--stale-notice-->"


@bp.get("/")
def home() -> str:
    """The territories served here."""
    territories = session().scalars(select(Territory).order_by(Territory.name)).all()
    return render_template("home.html", territories=territories)


@bp.get("/t/<slug>")
def territory(slug: str) -> str:
    """A territory's home page: its places."""
    found = session().scalars(select(Territory).where(Territory.slug == slug)).first()
    if found is None:
        abort(404)
    return render_template("territory.html", territory=found)


@bp.get("/p/<slug>")
def place(slug: str) -> Response:
    """What is near a place, open now first; from the kept copy if the database is away."""
    key = f"place-{slug}"
    try:
        found = session().scalars(select(Place).where(Place.slug == slug)).first()
        if found is None:
            abort(404)
        now = dt.datetime.now(dt.UTC)
        items = nearby.for_place(
            session(), found, now, limit=int(current_app.config["NEARBY_LIMIT"])
        )
        html = render_template("place.html", place=found, items=items, now=now)
    except UNAVAILABLE:
        kept = pages().load(key)
        if kept is None:
            return Response(render_template("unavailable.html"), status=503)
        when = dt.datetime.fromtimestamp(kept[1], dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        notice = f'<p class="notice" role="status">Shown as of {when}.</p>'
        response = Response(kept[0].replace(STALE_MARK, notice))
        response.headers["X-TapTrail-Copy"] = when
        return response
    pages().store(key, html)
    return Response(html)


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawlers may read the pages but need not follow every sticker."""
    return Response("User-agent: *\nAllow: /\n", mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """No icon yet; answered here so it is not taken for a tap."""
    return Response(status=204)


def pages() -> DiskCache:
    """The kept copies of pages."""
    return current_app.extensions["taptrail.pages"]
