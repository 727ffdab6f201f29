"""What visitors find near a territory's places, as staff keep it: its sights, walks and
events, each with a link to its editor, and the way to import a calendar."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from server.db import db_session
from server.errors import N_
from server.i18n import gettext
from server.models import EventSeries, PointOfInterest, Territory, Walk
from server.portal.access import STAFF, allow
from server.portal.blueprint import bp

FREQUENCY_NAMES = {"once": N_("Once"), "weekly": N_("Every week"), "monthly": N_("Every month")}


def frequency_name(code: str) -> str:
    """How often an event happens, in the reader's language."""
    return gettext(FREQUENCY_NAMES[code]) if code in FREQUENCY_NAMES else code


def chosen_territory() -> Territory | None:
    """The territory named by ?territory= (the first by name without one; None: no such)."""
    slug = request.args.get("territory")
    query = select(Territory).order_by(Territory.name)
    if slug:
        query = query.where(Territory.slug == slug)
    return db_session().scalars(query).first()


@bp.get("/staff/content")
@allow(STAFF)
def content() -> str:
    """A territory's sights, walks and events, with links to add and change them."""
    territories = list(db_session().scalars(select(Territory).order_by(Territory.name)))
    territory = chosen_territory()
    lists: dict[str, list] = {"sights": [], "walks": [], "events": []}
    if territory is not None:
        for key, model, order in (
            ("sights", PointOfInterest, PointOfInterest.name),
            ("walks", Walk, Walk.name),
            ("events", EventSeries, EventSeries.first_day),
        ):
            lists[key] = list(
                db_session().scalars(
                    select(model).where(model.territory_id == territory.id).order_by(order)
                )
            )
    return render_template(
        "portal/content.html",
        territories=territories,
        territory=territory,
        frequency_name=frequency_name,
        **lists,
    )
