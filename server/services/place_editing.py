"""Places as staff edit them: where stickers hang and whose page lists what is near."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.errors import N_, Problem, Problems
from server.models import Place, PlaceKind
from server.services import hours_editing
from server.services.listings import (
    Check,
    clean_fields,
    coordinate,
    text,
    translated_texts,
    whole_number,
)

FIELDS = ("name", "kind", "latitude", "longitude", "radius_m", "opening_hours", "description")


def _kind(value: str) -> PlaceKind:
    try:
        return PlaceKind(value)
    except ValueError:
        raise ValueError(N_("Choose what kind of place it is.")) from None


def _radius(value: str) -> int:
    radius = whole_number(value, 50, 5000)
    if radius is None:
        raise ValueError(N_("The radius is a whole number of metres from 50 to 5000."))
    return radius


def clean_place(form: Mapping[str, str]) -> dict[str, Any]:
    """A place's values from a staff form, or Problems naming each wrong field."""
    checks = {
        "name": text(200, required=True),
        "kind": _kind,
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "radius_m": _radius,
    }
    return clean_located(form, checks)


def clean_located(form: Mapping[str, str], checks: Mapping[str, Check]) -> dict[str, Any]:
    """The values of a staff form for something on the map (a place, a sight): `checks`, then a
    description per language and opening hours; Problems naming every wrong field at once."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
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
    return values


def place_values(place: Place) -> dict[str, Any]:
    """The stored place, in the shape clean_place returns."""
    return {name: getattr(place, name) for name in FIELDS}
