"""Slugs for content made in the portal: readable, ASCII, and free."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


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
