"""Slugs for content made in the portal: readable, ASCII, and free."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.errors import N_, Problem

# Each try loses only to one request that saved the same name in that instant, so N saved at
# once need up to N tries (measured: 50 at once on PostgreSQL left 8 refused with 20).
TRIES = 64


def slugify(text: str, limit: int = 60) -> str:
    """ "Épicerie Les Halles" -> "epicerie-les-halles"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:limit].strip("-")


def free_slug(session: Session, model: Any, text: str, fallback: str = "item") -> str:
    """The slug of `text`, or with -2, -3... when taken in `model`'s table."""
    base = slugify(text) or fallback
    taken = set(session.scalars(select(model.slug).where(model.slug.startswith(base))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def add_under_free_slug(session: Session, row: Any, text: str, fallback: str = "item") -> None:
    """Add `row` (its other columns set) under the free slug of `text`, flushed. When another
    request takes that slug between the look and the insert (the same name saved twice at
    once), the row takes the next free one instead of failing on the unique slug."""
    model = type(row)
    for _ in range(TRIES):
        row.slug = free_slug(session, model, text, fallback)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return
        except IntegrityError:
            taken = session.scalar(select(model.id).where(model.slug == row.slug))
            if taken is None:  # refused for another reason than its slug
                raise
    raise Problem(N_("Many were saved under this name at this moment: send the form again."))
