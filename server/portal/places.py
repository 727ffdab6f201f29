"""Places on a map: where stickers hang, with their stickers and how far each has got."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import Invalid
from server.i18n import LANGUAGES, gettext
from server.maps import projection
from server.models import Place, PlaceKind, Sticker, Territory
from server.portal import pin
from server.portal.access import STAFF, allow, by_slug, found
from server.portal.blueprint import bp
from server.portal.forms import problems_of, saved, values
from server.services import place_editing
from server.services.content_slugs import add_under_free_slug


def _territory() -> Territory | None:
    slug = request.args.get("territory")
    query = select(Territory).order_by(Territory.name)
    if slug:
        query = query.where(Territory.slug == slug)
    return db_session().scalars(query).first()


def _view(territory: Territory, places: list[Place]) -> tuple[tuple[float, float], float]:
    """The centre and width of a map showing every place (the territory's centre without)."""
    if not places:
        return (territory.latitude, territory.longitude), 2000.0
    return projection.fit([(place.latitude, place.longitude) for place in places])


@bp.get("/staff/places")
@allow(STAFF)
def places() -> str:
    """A territory's places on a map, with their stickers by status."""
    territories = list(db_session().scalars(select(Territory).order_by(Territory.name)))
    territory = _territory()
    listed: list[Place] = []
    counts: dict[int, dict[str, int]] = {}
    if territory is not None:
        listed = list(
            db_session().scalars(
                select(Place).where(Place.territory_id == territory.id).order_by(Place.name)
            )
        )
        rows = db_session().execute(
            select(Sticker.place_id, Sticker.status, func.count(Sticker.id))
            .where(Sticker.place_id.in_([p.id for p in listed]))
            .group_by(Sticker.place_id, Sticker.status)
        )
        for place_id, status, count in rows:
            counts.setdefault(place_id, {})[status.value] = count
    return render_template(
        "portal/places.html",
        territories=territories,
        territory=territory,
        places=listed,
        counts=counts,
        view=_view(territory, listed) if territory else None,
    )


def _form(place: Place | None, territory: Territory) -> dict[str, Any]:
    stored = place_editing.place_values(place) if place else {}
    form: dict[str, Any] = {
        "name": stored.get("name", ""),
        "kind": getattr(stored.get("kind"), "value", "square"),
        "latitude": stored.get("latitude", territory.latitude),
        "longitude": stored.get("longitude", territory.longitude),
        "radius_m": stored.get("radius_m", 800),
        "opening_hours": stored.get("opening_hours") or "",
    }
    for lang in LANGUAGES:
        form[f"description_{lang}"] = (stored.get("description") or {}).get(lang, "")
    return form


@bp.route("/staff/places/new", methods=["GET", "POST"])
@allow(STAFF)
def new_place() -> Response | str | tuple[str, int]:
    """Add a place to a territory (?territory=)."""
    return _edit(None, found(_territory()))


@bp.route("/staff/places/<slug>", methods=["GET", "POST"])
@allow(STAFF)
def edit_place(slug: str) -> Response | str | tuple[str, int]:
    """Change a place: name, kind, position (map or coordinates), reach, hours, description."""
    place = by_slug(Place, slug)
    return _edit(place, place.territory)


def _edit(place: Place | None, territory: Territory) -> Response | str | tuple[str, int]:
    def page(form: dict[str, Any], errors: dict[str, str], moved: bool = False) -> str:
        return render_template(
            "portal/place.html",
            place=place,
            territory=territory,
            form=form,
            errors=errors,
            moved=moved,
            kinds=[kind.value for kind in PlaceKind],
        )

    if request.method == "GET":
        return page(_form(place, territory), {})
    form: dict[str, Any] = values()
    if pin.clicked(request.form):
        try:
            form["latitude"], form["longitude"] = pin.picked(request.form)
        except ValueError:
            return page(form, {}), 400
        return page(form, {}, moved=True)
    try:
        cleaned = place_editing.clean_place(form)
    except Invalid as refused:
        return page(form, problems_of(refused)), 422
    if place is None:
        place = Place(territory_id=territory.id, **cleaned)
        add_under_free_slug(db_session(), place, cleaned["name"], "place")
        changes = {name: [None, value] for name, value in cleaned.items()}
    else:
        changes = {
            name: [getattr(place, name), value]
            for name, value in cleaned.items()
            if getattr(place, name) != value
        }
        for name, value in cleaned.items():
            setattr(place, name, value)
        db_session().flush()
    return saved(
        "place.save",
        ("place", place.id),
        place.name,
        message=gettext("%(name)s saved.", name=place.name),
        to=url_for("portal.places", territory=territory.slug),
        changes=changes,
    )
