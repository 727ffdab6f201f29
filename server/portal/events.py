"""Staff write a territory's events: once or repeating (weekly, monthly, until a day or a number
of times), with the days it does not happen, texts in each language and a position (a place of
the territory, or the map). Saving makes the occurrences visitors see at once; every change is
in the audit log, field by field. Calendars come in by server.portal.event_import."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import Invalid
from server.i18n import LANGUAGES, gettext
from server.models import EventSeries, Place, Territory
from server.portal import pin
from server.portal.access import STAFF, allow, found
from server.portal.blueprint import bp
from server.portal.content import FREQUENCY_NAMES, chosen_territory
from server.portal.forms import problems_of, saved, values
from server.services import audit, event_editing


def _form(series: EventSeries | None, territory: Territory) -> dict[str, Any]:
    stored = event_editing.series_values(series) if series else {}
    form: dict[str, Any] = {
        name: "" if stored.get(name) is None else stored[name]
        for name in ("title", "venue", "url", "starts", "ends", "count")
    }
    form |= {
        "place": "",
        "latitude": stored.get("latitude", territory.latitude),
        "longitude": stored.get("longitude", territory.longitude),
        "first_day": stored["first_day"].isoformat() if series else "",
        "until": stored["until"].isoformat() if stored.get("until") else "",
        "frequency": stored.get("frequency", "once"),
        "exceptions": ", ".join(stored.get("exceptions") or []),
    }
    for lang in LANGUAGES:
        form[f"description_{lang}"] = (stored.get("description") or {}).get(lang, "")
    return form


@bp.route("/staff/events/new", methods=["GET", "POST"])
@allow(STAFF)
def new_event() -> Response | str | tuple[str, int]:
    """Add an event to a territory (?territory=)."""
    return _edit(None, found(chosen_territory()))


@bp.route("/staff/events/<int:series_id>", methods=["GET", "POST"])
@allow(STAFF)
def edit_event(series_id: int) -> Response | str | tuple[str, int]:
    """Change an event; its occurrences to come follow (those over stay as they were)."""
    series = found(db_session().get(EventSeries, series_id))
    return _edit(series, series.territory)


@bp.post("/staff/events/<int:series_id>/delete")
@allow(STAFF)
def delete_event(series_id: int) -> Response:
    """Remove an event and its occurrences to come."""
    series = found(db_session().get(EventSeries, series_id))
    territory, title, key = series.territory, series.title, series.id
    removed = found(event_editing.withdraw(db_session(), series))  # None: removed meanwhile
    return saved(
        "event.delete",
        ("event", key),
        title,
        message=gettext(
            "%(name)s removed, with %(count)d dates to come.", name=title, count=removed
        ),
        to=url_for("portal.content", territory=territory.slug),
        changes={"title": [title, None]},
    )


def _places(territory: Territory) -> list[Place]:
    return list(
        db_session().scalars(
            select(Place).where(Place.territory_id == territory.id).order_by(Place.name)
        )
    )


def _edit(series: EventSeries | None, territory: Territory) -> Response | str | tuple[str, int]:
    places = _places(territory)
    stored = series  # what the page shows, even when a new event is refused after its flush

    def page(form: dict[str, Any], errors: dict[str, str], moved: bool = False) -> str:
        return render_template(
            "portal/event.html",
            series=stored,
            territory=territory,
            form=form,
            errors=errors,
            moved=moved,
            places=[("", gettext("Elsewhere: the position below"))]
            + [(place.slug, place.name) for place in places],
            frequencies=[(code, gettext(name)) for code, name in FREQUENCY_NAMES.items()],
            dates=event_editing.occurrences(db_session(), stored) if stored else [],
        )

    if request.method == "GET":
        return page(_form(series, territory), {})
    form: dict[str, Any] = values()
    if pin.clicked(request.form):
        try:
            form["latitude"], form["longitude"] = pin.picked(request.form)
        except ValueError:
            return page(form, {}), 400
        form["place"] = ""
        return page(form, {}, moved=True)
    at = next((place for place in places if place.slug == form.get("place")), None)
    if at is not None:  # at a place: its position, and its name unless a venue is given
        form["latitude"], form["longitude"] = str(at.latitude), str(at.longitude)
        form["venue"] = form.get("venue") or at.name
    try:
        cleaned = event_editing.clean_event(form)
    except Invalid as refused:
        return page(form, problems_of(refused)), 422
    if series is None:
        series = EventSeries(uid=event_editing.new_uid(), territory_id=territory.id)
        series.territory = territory
        db_session().add(series)
        before: dict[str, Any] = {}
    else:
        before = audit.snapshot(series, cleaned)
    for name, value in cleaned.items():
        setattr(series, name, value)
    db_session().flush()
    try:
        report = event_editing.publish(db_session(), series)
    except Invalid as refused:
        db_session().rollback()
        return page(form, problems_of(refused)), 422
    return saved(
        "event.save",
        ("event", series.id),
        series.title,
        message=gettext(
            "%(name)s saved: %(count)d dates from today on.", name=series.title, count=report.stored
        ),
        to=url_for("portal.edit_event", series_id=series.id),
        changes=audit.diff(before, audit.snapshot(series, cleaned)),
    )
