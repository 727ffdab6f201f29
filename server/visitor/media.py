"""Photos shown on visitor pages: only those online (not waiting for review), under random names,
in the sizes and formats server.services.photo_sizes derives (responsive images)."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, request, send_file, send_from_directory
from sqlalchemy import select

from server.db import db_session
from server.models import Photo
from server.services import photo_sizes
from server.services.photos import is_name
from server.visitor.blueprint import visitor_blueprint
from server.web.converters import DATABASE_MAX

bp = visitor_blueprint("media", __name__)
# /img/<photo id>-<first 8 characters of its name>-<width>[s].<format>: short, so a place page
# with a thumbnail per item stays in its budget; the name part keeps ids from being walked.
# Without a format, the browser's Accept header chooses (WebP, else JPEG): list thumbnails use
# that, one short address each, so a place page of 60 entries stays in its size budget.
SIZE_PATH = re.compile(r"(\d{1,10})-([0-9a-f]{8})-(\d{2,4})(s?)(?:\.(webp|jpg))?")
FOREVER = "public, max-age=31536000, immutable"


@bp.get("/media/<name>")
def photo(name: str) -> Response:
    """A photo that is online; it never changes under its name, so browsers keep it."""
    if not is_name(name):
        abort(404)
    live = db_session().scalars(select(Photo.id).where(Photo.name == name, Photo.live.is_(True)))
    if live.first() is None:
        abort(404)
    response = send_from_directory(current_app.config["MEDIA_DIR"], name, max_age=365 * 86400)
    response.headers["Cache-Control"] = FOREVER
    return response


@bp.get("/img/<name>")
def sized(name: str) -> Response:
    """One size of a photo that is online, drawn on first request and kept on disk."""
    found = SIZE_PATH.fullmatch(name)
    if found is None:
        abort(404)
    photo_id, key, width, square, fmt = found.groups()
    # Ten digits pass the pattern but not a 32-bit id column (PostgreSQL would refuse the
    # query: an outage); a width not offered is refused before any query.
    if int(photo_id) > DATABASE_MAX or int(width) not in photo_sizes.WIDTHS:
        abort(404)
    negotiated = fmt is None
    if negotiated:
        fmt = "webp" if "image/webp" in request.headers.get("Accept", "") else "jpg"
    photo = db_session().get(Photo, int(photo_id))
    if photo is None or not photo.live or not photo.name.startswith(key):
        abort(404)
    try:
        file = photo_sizes.derived(
            current_app.config["MEDIA_DIR"], photo.name, int(width), fmt, bool(square)
        )
    except (ValueError, FileNotFoundError):
        abort(404)
    response = send_file(file, mimetype=f"image/{'jpeg' if fmt == 'jpg' else fmt}", max_age=0)
    response.headers["Cache-Control"] = FOREVER
    if negotiated:
        response.vary.add("Accept")
    return response
