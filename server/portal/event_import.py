"""Staff import a calendar (.ics) into a territory from the portal, as `taptrail import ical`
does: first a preview of what it would add, change and remove (the import run, then rolled
back), then the same import for good once confirmed. A file that cannot be read, or that would
replace another calendar, is refused with the importer's reason and changes nothing."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import N_, ImportProblem, WouldReplace
from server.i18n import gettext
from server.importers.ical import import_calendar
from server.importers.icalfile import parse
from server.importers.report import ImportReport
from server.models import Place, Territory
from server.portal.access import STAFF, allow, found
from server.portal.blueprint import bp
from server.portal.content import chosen_territory
from server.portal.forms import saved

MAX_BYTES = 2 * 1024 * 1024  # carried back in the confirming form: a large town's agenda fits


def _calendar() -> tuple[bytes, str]:
    """The calendar sent: an upload (the preview) or the one carried by the confirming form."""
    sent = request.files.get("calendar")
    if sent is not None and sent.filename:
        data = sent.read(MAX_BYTES + 1)
        name = sent.filename
    else:
        try:
            data = base64.b64decode(request.form.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        name = request.form.get("filename", "")
    if not data:
        raise ValueError(N_("Choose a calendar file (.ics) to import."))
    if len(data) > MAX_BYTES:
        raise ValueError(
            N_("The file is larger than 2 MB: split it, or import it with taptrail import ical.")
        )
    return data, (name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:100] or "calendar.ics")


def _position(territory: Territory) -> tuple[float, float] | None:
    """Where the file's events without GEO are: a place of the territory, or none."""
    slug = request.form.get("place", "")
    if not slug:
        return None
    place = (
        db_session()
        .scalars(select(Place).where(Place.slug == slug, Place.territory_id == territory.id))
        .first()
    )
    if place is None:
        raise ValueError(N_("Choose a place from the list."))
    return place.latitude, place.longitude


def _run(territory: Territory, data: bytes, filename: str, replace: bool) -> ImportReport:
    stem = filename.rsplit(".", 1)[0] or "calendar"
    return import_calendar(
        db_session(),
        parse(data, filename),
        filename,
        territory.slug,
        _position(territory),
        calendar=request.form.get("calendar", "").strip()[:200] or None,
        fallback=stem,
        replace=replace,
    )


@bp.route("/staff/events/import", methods=["GET", "POST"])
@allow(STAFF)
def import_events() -> str | tuple[str, int]:
    """The upload form (?territory=), then the preview of what the file would change."""
    territory = found(chosen_territory())
    places = list(
        db_session().scalars(
            select(Place).where(Place.territory_id == territory.id).order_by(Place.name)
        )
    )

    def page(status: int = 200, **shown: Any) -> tuple[str, int]:
        form = {name: request.form.get(name, "") for name in ("place", "calendar", "replace")}
        options = [("", gettext("None: each event has its GEO"))]
        options += [(place.slug, place.name) for place in places]
        body = render_template(
            "portal/event_import.html",
            territory=territory,
            places=options,
            form=form,
            **({"errors": {}, "replaceable": False, "report": None} | shown),
        )
        return body, status

    if request.method == "GET":
        return page()
    try:
        data, filename = _calendar()
        report = _run(territory, data, filename, bool(request.form.get("replace")))
    except ValueError as refused:
        return page(422, errors={"calendar": gettext(str(refused.args[0]))})
    except (ImportProblem, WouldReplace) as refused:
        return page(
            422,
            errors={"calendar": _refusal(refused)},
            replaceable=isinstance(refused, WouldReplace),
        )
    finally:
        db_session().rollback()  # a preview: nothing it did is kept
    return page(
        report=report,
        data=base64.b64encode(data).decode(),
        filename=filename,
    )


@bp.post("/staff/events/import/confirm")
@allow(STAFF)
def confirm_import() -> Response | str | tuple[str, int]:
    """Import the previewed calendar for good."""
    territory = found(chosen_territory())
    try:
        data, filename = _calendar()
        report = _run(territory, data, filename, bool(request.form.get("replace")))
    except (ValueError, ImportProblem, WouldReplace):
        db_session().rollback()
        return import_events()  # the file changed since its preview: say why, again
    return saved(
        "events.import",
        ("territory", territory.id),
        report.source,
        message=gettext(
            "Calendar imported: %(new)d new dates, %(updated)d changed, %(removed)d removed, "
            "%(skipped)d events left out.",
            new=report.new,
            updated=report.updated,
            removed=report.removed,
            skipped=len(report.skipped),
        ),
        to=url_for("portal.content", territory=territory.slug),
        changes={
            "new": report.new,
            "updated": report.updated,
            "removed": report.removed,
            "skipped": len(report.skipped),
        },
    )


def _refusal(refused: ImportProblem | WouldReplace) -> str:
    """What the importer said, after a sentence in the reader's language."""
    detail = refused.reason if isinstance(refused, ImportProblem) else refused.changes
    if isinstance(refused, ImportProblem) and refused.line:
        detail = gettext("line %(line)d", line=refused.line) + ": " + detail
    if isinstance(refused, WouldReplace):
        return gettext(
            "This file would replace a calendar of the same name: %(detail)s Give it its own "
            "name below, or tick “It replaces that calendar”.",
            detail=detail,
        )
    return gettext("Nothing was imported: %(detail)s.", detail=detail)
