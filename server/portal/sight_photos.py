"""Photos of sights and places, added by staff: the cover and gallery visitors see.

Uploads go through the same checks as a shop's (server.services.photos: type, size, pixels,
EXIF stripped); staff changes go online at once and are audited, as staff edits of places are.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import N_, Invalid
from server.i18n import gettext
from server.models import Photo, Place, PointOfInterest
from server.portal.access import STAFF, allow, by_slug, found, user
from server.portal.blueprint import bp
from server.portal.forms import done, problems_of
from server.portal.photos import MAX_PHOTOS, upload
from server.services import audit, photo_sizes
from server.services import photos as stored_photos

OWNERS: dict[str, tuple[type[Any], Any, str]] = {
    "place": (Place, Photo.place_id, "place_id"),
    "sight": (PointOfInterest, Photo.poi_id, "poi_id"),
}


def _owner(kind: str, slug: str) -> tuple[Any, Any, str]:
    model, column, field = found(OWNERS.get(kind))
    return by_slug(model, slug), column, field


def _render(kind: str, row: Any, column: Any, errors: dict[str, str]) -> str:
    shown = db_session().scalars(select(Photo).where(column == row.id).order_by(Photo.id))
    return render_template(
        "portal/staff_photos.html", kind=kind, row=row, shown=list(shown), errors=errors
    )


@bp.route("/staff/<kind>/<slug>/photos", methods=["GET", "POST"])
@allow(STAFF)
def staff_photos(kind: str, slug: str) -> Response | str | tuple[str, int]:
    """A place's or a sight's photos (kind "place" or "sight") and a form to add one."""
    row, column, field = _owner(kind, slug)
    if request.method == "GET":
        return _render(kind, row, column, {})
    count = len(db_session().scalars(select(Photo.id).where(column == row.id)).all())
    if count >= MAX_PHOTOS:
        message = gettext(
            N_("A shop has %(count)d photos at most: remove one first."), count=MAX_PHOTOS
        )
        return _render(kind, row, column, {"photo": message}), 422
    try:
        photo = upload()
    except Invalid as refused:
        return _render(kind, row, column, problems_of(refused)), 422
    setattr(photo, field, row.id)
    audit.record(db_session(), photo.uploaded_by_id, "photo.add", ("photo", photo.id), row.name)
    db_session().commit()
    done(gettext(N_("Saved. Visitors see it now.")))
    return redirect(url_for("portal.staff_photos", kind=kind, slug=row.slug), code=303)


@bp.post("/staff/<kind>/<slug>/photos/<int:photo_id>/delete")
@allow(STAFF)
def staff_delete_photo(kind: str, slug: str, photo_id: int) -> Response:
    """Remove a place's or a sight's photo for good, with its derived sizes."""
    row, _, field = _owner(kind, slug)
    photo = found(db_session().get(Photo, photo_id), lambda p: getattr(p, field) == row.id)
    db_session().delete(photo)
    audit.record(db_session(), user().id, "photo.delete", ("photo", photo.id), row.name)
    db_session().commit()
    media = current_app.config["MEDIA_DIR"]
    stored_photos.remove(media, photo.name)
    photo_sizes.remove(media, photo.name)
    done(gettext(N_("The photo was removed.")))
    return redirect(url_for("portal.staff_photos", kind=kind, slug=row.slug), code=303)
