"""Photos shown on visitor pages: only those online (not waiting for review), under random names."""

from __future__ import annotations

from flask import Response, abort, current_app, send_from_directory
from sqlalchemy import select

from server.db import db_session
from server.models import Photo
from server.services.photos import is_name
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("media", __name__)


@bp.get("/media/<name>")
def photo(name: str) -> Response:
    """A photo that is online; it never changes under its name, so browsers keep it."""
    if not is_name(name):
        abort(404)
    live = db_session().scalars(select(Photo.id).where(Photo.name == name, Photo.live.is_(True)))
    if live.first() is None:
        abort(404)
    response = send_from_directory(current_app.config["MEDIA_DIR"], name, max_age=365 * 86400)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
