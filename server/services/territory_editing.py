"""Territories as administrators edit them: name, centre, time zone, description."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from server.errors import N_, Problem, Problems
from server.models import Territory
from server.services.listings import clean_fields, coordinate, text, translated_texts

FIELDS = ("name", "latitude", "longitude", "timezone", "description")


def _timezone(value: str) -> str:
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(N_("Write a time zone like Europe/Paris or Europe/Brussels.")) from None
    return name


def clean_territory(form: Mapping[str, str]) -> dict[str, Any]:
    """A territory's values from the form, or Problems naming each wrong field."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    checks = {
        "name": text(200, required=True),
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "timezone": _timezone,
    }
    for part in (
        lambda: clean_fields(form, checks),
        lambda: {"description": translated_texts(form, "description", 1000)},
    ):
        try:
            values.update(part())
        except Problems as refused:
            problems += refused.problems
    if problems:
        raise Problems(problems)
    return values


def territory_values(territory: Territory) -> dict[str, Any]:
    """The stored territory, in the shape clean_territory returns."""
    return {name: getattr(territory, name) for name in FIELDS}
