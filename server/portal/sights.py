"""Staff edit the sights of a territory: name, category, position on the map, hours, website,
description in each language, and whether visitors see it. Staff edits go online at once and
are audited field by field, as places' are; photos: server.portal.sight_photos."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import Invalid
from server.i18n import LANGUAGES, gettext
from server.models import PointOfInterest, Territory
from server.portal import pin
from server.portal.access import STAFF, allow, by_slug, found
from server.portal.blueprint import bp
from server.portal.content import chosen_territory
from server.portal.forms import problems_of, saved, values
from server.services import audit, sight_editing
from server.services.content_slugs import add_under_free_slug
from server.visitor import present


def _form(sight: PointOfInterest | None, territory: Territory) -> dict[str, Any]:
    stored = sight_editing.sight_values(sight) if sight else {}
    form: dict[str, Any] = {
        "name": stored.get("name", ""),
        "category": stored.get("category", "sight"),
        "latitude": stored.get("latitude", territory.latitude),
        "longitude": stored.get("longitude", territory.longitude),
        "opening_hours": stored.get("opening_hours") or "",
        "website": stored.get("website") or "",
        "published": "yes" if stored.get("published", True) else "",
    }
    for lang in LANGUAGES:
        form[f"description_{lang}"] = (stored.get("description") or {}).get(lang, "")
    return form


@bp.route("/staff/sights/new", methods=["GET", "POST"])
@allow(STAFF)
def new_sight() -> Response | str | tuple[str, int]:
    """Add a sight to a territory (?territory=)."""
    return _edit(None, found(chosen_territory()))


@bp.route("/staff/sights/<slug>", methods=["GET", "POST"])
@allow(STAFF)
def edit_sight(slug: str) -> Response | str | tuple[str, int]:
    """Change a sight, or take it offline (its page and photos are kept to bring it back)."""
    sight = by_slug(PointOfInterest, slug)
    return _edit(sight, sight.territory)


def _edit(sight: PointOfInterest | None, territory: Territory) -> Response | str | tuple[str, int]:
    def page(form: dict[str, Any], errors: dict[str, str], moved: bool = False) -> str:
        return render_template(
            "portal/sight.html",
            sight=sight,
            territory=territory,
            form=form,
            errors=errors,
            moved=moved,
            categories=[(code, present.category(code)) for code in sight_editing.CATEGORIES],
        )

    if request.method == "GET":
        return page(_form(sight, territory), {})
    form: dict[str, Any] = values()
    if pin.clicked(request.form):
        try:
            form["latitude"], form["longitude"] = pin.picked(request.form)
        except ValueError:
            return page(form, {}), 400
        return page(form, {}, moved=True)
    try:
        cleaned = sight_editing.clean_sight(form)
    except Invalid as refused:
        return page(form, problems_of(refused)), 422
    if sight is None:
        sight = PointOfInterest(territory_id=territory.id, **cleaned)
        add_under_free_slug(db_session(), sight, cleaned["name"], "sight")
        before: dict[str, Any] = {}
    else:
        before = audit.snapshot(sight, cleaned)
        for name, value in cleaned.items():
            setattr(sight, name, value)
        db_session().flush()
    return saved(
        "sight.save",
        ("sight", sight.id),
        sight.name,
        message=gettext("%(name)s saved.", name=sight.name),
        to=url_for("portal.content", territory=territory.slug),
        changes=audit.diff(before, audit.snapshot(sight, cleaned)),
    )
