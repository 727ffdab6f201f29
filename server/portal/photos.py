"""A shop's photos: upload (checked, resized, stripped), remove; previews before review."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import N_, Invalid
from server.i18n import gettext
from server.models import Photo, Shop
from server.portal.access import KEEPERS, STAFF, allow, found, shop_for, user
from server.portal.blueprint import bp
from server.portal.branded import brand_name
from server.portal.forms import done, problems_of
from server.services import audit, photo_sizes, review
from server.services import photos as stored_photos

MAX_PHOTOS = 12
DRAW_SECONDS = 3.0  # at most this long drawing sizes in the upload's request


def upload(shop_id: int | None = None, sticker_id: int | None = None) -> Photo:
    """Store the photo sent in the form's "photo" field; Problem if it is refused."""
    sent = request.files.get("photo")
    processed = stored_photos.process(sent.read(stored_photos.MAX_BYTES + 1) if sent else b"")
    media = current_app.config["MEDIA_DIR"]
    name = stored_photos.store(media, processed)
    # The sizes visitors will ask for, drawn now so that none of them waits; bounded (a 1600-
    # pixel photo takes about a second), what is left is drawn at its first request.
    photo_sizes.draw_ahead(media, name, within=DRAW_SECONDS)
    photo = Photo(
        name=name,
        shop_id=shop_id,
        sticker_id=sticker_id,
        width=processed.width,
        height=processed.height,
        size=len(processed.data),
        uploaded_by_id=user().id,
    )
    db_session().add(photo)
    db_session().flush()
    return photo


def _render(shop: Shop, errors: dict[str, str]) -> str:
    rows = db_session().scalars(select(Photo).where(Photo.shop_id == shop.id).order_by(Photo.id))
    return render_template(
        "portal/photos.html", shop=shop, shown=list(rows), errors=errors, limit=MAX_PHOTOS
    )


@bp.route("/shops/<slug>/photos", methods=["GET", "POST"])
@allow(KEEPERS)
def photos(slug: str) -> Response | str | tuple[str, int]:
    """The shop's photos and a form to add one."""
    shop = shop_for(slug)
    if request.method == "GET":
        return _render(shop, {})
    count = len(db_session().scalars(select(Photo.id).where(Photo.shop_id == shop.id)).all())
    if count >= MAX_PHOTOS:
        message = gettext(
            N_("A shop has %(count)d photos at most: remove one first."), count=MAX_PHOTOS
        )
        return _render(shop, {"photo": message}), 422
    try:
        photo = upload(shop_id=shop.id)
    except Invalid as refused:
        return _render(shop, problems_of(refused)), 422
    account = user()
    if review.needs_review(shop, account):
        photo.live = False
        review.propose(db_session(), shop, account, "photo", {"name": photo.name}, photo.id)
        done(
            gettext(
                N_("Sent for review: the %(service)s team will put it online."),
                service=brand_name(),
            )
        )
    else:
        audit.record(
            db_session(), account.id, "photo.add", ("photo", photo.id), f"{shop.name}: photo"
        )
        done(gettext(N_("Saved. Visitors see it now.")))
    db_session().commit()
    return redirect(url_for("portal.photos", slug=shop.slug), code=303)


@bp.post("/shops/<slug>/photos/<int:photo_id>/delete")
@allow(KEEPERS)
def delete_photo(slug: str, photo_id: int) -> Response:
    """Remove a photo for good."""
    shop = shop_for(slug)
    photo = found(db_session().get(Photo, photo_id), lambda row: row.shop_id == shop.id)
    db_session().delete(photo)
    audit.record(
        db_session(), user().id, "photo.delete", ("photo", photo.id), f"{shop.name}: photo"
    )
    db_session().commit()
    stored_photos.remove(current_app.config["MEDIA_DIR"], photo.name)
    photo_sizes.remove(current_app.config["MEDIA_DIR"], photo.name)
    done(gettext(N_("The photo was removed.")))
    return redirect(url_for("portal.photos", slug=shop.slug), code=303)


@bp.get("/photos/<int:photo_id>.jpg")
@allow(KEEPERS)
def photo_preview(photo_id: int) -> Response:
    """A photo as its shop's keepers see it, waiting for review or not."""
    photo = found(db_session().get(Photo, photo_id))
    if photo.shop_id is not None:
        shop_for(found(db_session().get(Shop, photo.shop_id)).slug)
    elif user().role not in STAFF:
        abort(404)
    response = send_from_directory(current_app.config["MEDIA_DIR"], photo.name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
