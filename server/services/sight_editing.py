"""Sights (points of interest) as staff edit them: what a visitor reads on a sight's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.errors import N_, Problem, Problems
from server.models import PointOfInterest
from server.services import hours_editing
from server.services.listings import clean_fields, coordinate, text, translated_texts, website

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
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    checks = {
        "name": text(200, required=True),
        "category": _category,
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "website": website,
    }
    for part in (
        lambda: clean_fields(form, checks),
        lambda: {"description": translated_texts(form, "description", 1000)},
    ):
        try:
            values.update(part())
        except Problems as refused:
            problems += refused.problems
    raw = form.get("opening_hours", "").strip()
    try:
        values["opening_hours"] = (
            hours_editing.check_expression(raw, "opening_hours") if raw else None
        )
    except Problem as refused:
        problems.append(refused)
    if problems:
        raise Problems(problems)
    values["published"] = form.get("published") == "yes"
    return values


def sight_values(sight: PointOfInterest) -> dict[str, Any]:
    """The stored sight, in the shape clean_sight returns."""
    return {name: getattr(sight, name) for name in FIELDS}
