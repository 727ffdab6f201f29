"""Stickers of a place through their life: encoded ones get installed (with a photo), old ones
retired."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server import clock
from server.db import db_session
from server.errors import Invalid
from server.i18n import gettext
from server.models import Photo, Place, Sticker
from server.portal.access import STAFF, allow, by_slug, found
from server.portal.blueprint import bp
from server.portal.forms import refused, saved
from server.portal.photos import upload
from server.services import sticker_life
from server.web.problems import said


def _sticker(tag_id: int) -> Sticker:
    return found(db_session().get(Sticker, tag_id))


@bp.get("/staff/places/<slug>/stickers")
@allow(STAFF)
def stickers(slug: str) -> str:
    """The place's stickers, newest first, with their state and photo."""
    place = by_slug(Place, slug)
    rows = list(
        db_session().scalars(
            select(Sticker).where(Sticker.place_id == place.id).order_by(Sticker.id.desc())
        )
    )
    photos = db_session().scalars(select(Photo).where(Photo.sticker_id.in_([s.id for s in rows])))
    return render_template(
        "portal/stickers.html",
        place=place,
        stickers=rows,
        photos={photo.sticker_id: photo for photo in photos},
    )


@bp.post("/staff/stickers/<int:tag_id>/install")
@allow(STAFF)
def install_sticker(tag_id: int) -> Response:
    """Mark an encoded sticker as put up, where, with an optional photo."""
    sticker = _sticker(tag_id)
    try:
        sticker_life.install(sticker, request.form.get("location", "").strip(), clock.now())
        photo_sent = request.files.get("photo")
        if photo_sent and photo_sent.filename:
            upload(sticker_id=sticker.id)
    except Invalid as problem:
        db_session().rollback()
        refused(
            gettext("Sticker %(id)s was not changed: %(problem)s", id=tag_id, problem=said(problem))
        )
        return redirect(url_for("portal.stickers", slug=sticker.place.slug), code=303)
    return saved(
        "sticker.install",
        ("sticker", sticker.id),
        f"sticker {sticker.id} installed at {sticker.place.name}",
        message=gettext("Sticker %(id)s is installed.", id=tag_id),
        to=url_for("portal.stickers", slug=sticker.place.slug),
    )


@bp.post("/staff/stickers/<int:tag_id>/retire")
@allow(STAFF)
def retire_sticker(tag_id: int) -> Response:
    """Take a sticker out of service for good."""
    sticker = _sticker(tag_id)
    sticker_life.retire(sticker, clock.now())
    return saved(
        "sticker.retire",
        ("sticker", sticker.id),
        f"sticker {sticker.id} retired at {sticker.place.name}",
        message=gettext(
            "Sticker %(id)s is retired: its taps now get the “no longer in service” page.",
            id=tag_id,
        ),
        to=url_for("portal.stickers", slug=sticker.place.slug),
    )
