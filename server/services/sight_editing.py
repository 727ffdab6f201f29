"""Sights (points of interest) as staff edit them: what a visitor reads on a sight's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.errors import N_
from server.models import PointOfInterest
from server.services.listings import coordinate, text, website
from server.services.place_editing import clean_located

FIELDS = (
    "name",
    "category",
    "latitude",
    "longitude",
    "opening_hours",
    "website",
    "description",
    "published",
)
# The kinds of sight the visitor pages name in every language (server.visitor.present).
CATEGORIES = ("sight", "monument", "museum", "church", "memorial", "park", "viewpoint", "culture")


def _category(value: str) -> str:
    if value not in CATEGORIES:
        raise ValueError(N_("Choose a category from the list."))
    return value


def clean_sight(form: Mapping[str, str]) -> dict[str, Any]:
    """A sight's values from a staff form, or Problems naming each wrong field."""
    checks = {
        "name": text(200, required=True),
        "category": _category,
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "website": website,
    }
    values = clean_located(form, checks)
    values["published"] = form.get("published") == "yes"
    return values


def sight_values(sight: PointOfInterest) -> dict[str, Any]:
    """The stored sight, in the shape clean_sight returns."""
    return {name: getattr(sight, name) for name in FIELDS}
