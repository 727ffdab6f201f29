"""Opening hours: a weekly editor that writes OpenStreetMap opening_hours, and the raw text."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server.errors import Invalid
from server.i18n import gettext
from server.models import Shop
from server.portal.access import KEEPERS, allow, shop_for
from server.portal.blueprint import bp
from server.portal.forms import problems_of, values
from server.portal.listing import pending_change, save_listing
from server.services import hours_editing


def week_rows(week: hours_editing.Week | None) -> list[dict[str, str]]:
    """The editor's rows: each day's name and its two periods (empty strings when closed)."""
    rows = []
    for day in hours_editing.DAYS:
        spans = (week or hours_editing.empty())[day] + [("", "")] * hours_editing.PERIODS
        row = {"day": day, "name": gettext(hours_editing.DAY_NAMES[day])}
        for period, (opens, closes) in enumerate(spans[: hours_editing.PERIODS], start=1):
            row[f"open{period}"], row[f"close{period}"] = opens, closes
        rows.append(row)
    return rows


def form_week(form: dict[str, str]) -> list[dict[str, str]]:
    """The editor's rows as just submitted (kept when something was refused)."""
    rows = week_rows(None)
    for row in rows:
        for period in range(1, hours_editing.PERIODS + 1):
            for end in ("open", "close"):
                row[f"{end}{period}"] = form.get(f"{row['day']}_{end}{period}", "")
    return rows


def _render(shop: Shop, expression: str | None, rows: list, errors: dict, raw: str) -> str:
    return render_template(
        "portal/hours.html",
        shop=shop,
        expression=expression,
        rows=rows,
        errors=errors,
        raw=raw,
        fits=hours_editing.from_expression(expression) is not None,
        waiting=pending_change(shop, "listing"),
    )


@bp.route("/shops/<slug>/hours", methods=["GET", "POST"])
@allow(KEEPERS)
def hours(slug: str) -> Response | str | tuple[str, int]:
    """The week's hours, day by day; or the expression itself, for experts."""
    shop = shop_for(slug)
    if request.method == "GET":
        waiting = pending_change(shop, "listing")
        expression = shop.opening_hours
        if waiting and "opening_hours" in waiting.payload:
            expression = waiting.payload["opening_hours"]
        rows = week_rows(hours_editing.from_expression(expression))
        return _render(shop, expression, rows, {}, expression or "")
    form = values()
    try:
        if request.form.get("editor") == "raw":
            raw = form.get("expression", "")
            expression = hours_editing.check_expression(raw) if raw else None
        else:
            expression = hours_editing.to_expression(hours_editing.from_form(form))
            if expression:
                hours_editing.check_expression(expression)
    except Invalid as refused:
        rows = form_week(form)
        page = _render(
            shop, shop.opening_hours, rows, problems_of(refused), form.get("expression", "")
        )
        return page, 422
    save_listing(shop, {"opening_hours": expression}, "hours.update")
    return redirect(url_for("portal.hours", slug=shop.slug), code=303)
