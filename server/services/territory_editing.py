"""Territories as administrators edit them: name, centre, time zone, description, brand."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from server.errors import N_, Problem, Problems
from server.models import Territory
from server.services import branding
from server.services.listings import clean_fields, coordinate, text, translated_texts

FIELDS = ("name", "latitude", "longitude", "timezone", "description", "brand")
BRAND_PREFIX = "brand_"  # the form's brand fields: brand_service_name, ...


def _timezone(value: str) -> str:
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(N_("Write a time zone like Europe/Paris or Europe/Brussels.")) from None
    return name


def _brand(form: Mapping[str, str]) -> dict[str, Any]:
    """The territory's own brand values (empty ones: the deployment's), or Problems."""
    given = {name: form.get(BRAND_PREFIX + name, "") for name in branding.FIELDS}
    try:
        cleaned = branding.clean(given)
    except Problems as refused:
        raise Problems(
            [
                Problem(p.msgid, field=BRAND_PREFIX + (p.field or ""), **p.params)
                for p in refused.problems
            ]
        ) from None
    return {"brand": branding.own(cleaned)}


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
        lambda: _brand(form),
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


def audited(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the audit log keeps them: the brand one line per value (brand_logo...)."""
    flat = {name: value for name, value in values.items() if name != "brand"}
    if "brand" in values:
        own = values["brand"] or {}
        flat |= {BRAND_PREFIX + name: own.get(name) for name in branding.FIELDS}
    return flat
