"""Administrators edit a territory: its name, centre, time zone and description in three
languages; every change is in the audit log, field by field."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from werkzeug.wrappers import Response

from server.errors import Invalid
from server.i18n import LANGUAGES, gettext
from server.models import Territory
from server.portal.access import ADMINISTRATORS, allow, by_slug
from server.portal.blueprint import bp
from server.portal.forms import problems_of, saved, values
from server.services import audit, territory_editing


def _form(territory: Territory) -> dict[str, Any]:
    stored = territory_editing.territory_values(territory)
    form = {name: stored[name] for name in ("name", "latitude", "longitude", "timezone")}
    for lang in LANGUAGES:
        form[f"description_{lang}"] = (stored["description"] or {}).get(lang, "")
    return form


@bp.route("/admin/territories/<slug>", methods=["GET", "POST"])
@allow(ADMINISTRATORS)
def edit_territory(slug: str) -> Response | str | tuple[str, int]:
    """Change a territory's name, centre, time zone and description."""
    territory = by_slug(Territory, slug)
    if request.method == "GET":
        return render_template(
            "portal/territory.html", territory=territory, form=_form(territory), errors={}
        )
    form = values()
    try:
        cleaned = territory_editing.clean_territory(form)
    except Invalid as refused:
        page = render_template(
            "portal/territory.html", territory=territory, form=form, errors=problems_of(refused)
        )
        return page, 422
    before = audit.snapshot(territory, cleaned)
    for name, value in cleaned.items():
        setattr(territory, name, value)
    return saved(
        "territory.save",
        ("territory", territory.id),
        territory.name,
        message=gettext("%(name)s saved.", name=territory.name),
        to=url_for("portal.territories"),
        changes=audit.diff(before, audit.snapshot(territory, cleaned)),
    )
