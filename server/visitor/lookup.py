"""Finding what a visitor page is about, and the place the visitor came from."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from sqlalchemy import select

from server.db import db_session
from server.models import Place
from server.models.types import Slugged

Model = TypeVar("Model", bound=Slugged)


def by_slug(model: type[Model], slug: str, *options: Any) -> Model:
    """The row with this slug (loaded with `options`), or a 404 page."""
    query = select(model).where(model.slug == slug).options(*options)
    found = db_session().scalars(query).first()
    if found is None:
        abort(404)
    return found


def origin() -> Place | None:
    """The place named by ?from= (the page the visitor came from); an unknown one is dropped
    with a redirect, so only real places make distinct pages (and kept copies)."""
    slug = request.args.get("from")
    if not slug:
        return None
    found = db_session().scalars(select(Place).where(Place.slug == slug)).first()
    if found is None:
        args: dict[str, Any] = {**request.view_args} if request.view_args else {}
        abort(redirect(url_for(request.endpoint or "visitor.home", **args), code=303))
    return found
