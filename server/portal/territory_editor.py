"""Administrators edit a territory: its name, centre, time zone, description in three languages
and its own brand; every change is in the audit log, field by field."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from werkzeug.wrappers import Response

from server.errors import Invalid
from server.i18n import LANGUAGES, gettext
from server.models import Territory
from server.portal.access import ADMINISTRATORS, allow, by_slug
from server.portal.blueprint import bp
from server.portal.forms import problems_of, saved, values
from server.services import audit, branding, territory_editing


def _form(territory: Territory) -> dict[str, Any]:
    stored = territory_editing.territory_values(territory)
    form = {name: stored[name] for name in ("name", "latitude", "longitude", "timezone")}
    for lang in LANGUAGES:
        form[f"description_{lang}"] = (stored["description"] or {}).get(lang, "")
    for name in branding.FIELDS:
        form[territory_editing.BRAND_PREFIX + name] = (stored["brand"] or {}).get(name, "")
    return form


@bp.route("/admin/territories/<slug>", methods=["GET", "POST"])
@allow(ADMINISTRATORS)
def edit_territory(slug: str) -> Response | str | tuple[str, int]:
    """Change a territory's name, centre, time zone and description."""
    territory = by_slug(Territory, slug)
    if request.method == "GET":
        return _page(territory, _form(territory), {})
    form = values()
    try:
        cleaned = territory_editing.clean_territory(form)
    except Invalid as refused:
        return _page(territory, form, problems_of(refused)), 422
    before = territory_editing.audited(audit.snapshot(territory, cleaned))
    for name, value in cleaned.items():
        setattr(territory, name, value)
    return saved(
        "territory.save",
        ("territory", territory.id),
        territory.name,
        message=gettext("%(name)s saved.", name=territory.name),
        to=url_for("portal.territories"),
        changes=audit.diff(before, territory_editing.audited(audit.snapshot(territory, cleaned))),
    )


def _page(territory: Territory, form: dict[str, Any], errors: dict[str, str]) -> str:
    return render_template(
        "portal/territory.html",
        territory=territory,
        form=form,
        errors=errors,
        deployment=branding.of_app(current_app.extensions),
    )
