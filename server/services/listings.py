"""A shop's listing as its owner edits it: checked field by field, applied, and logged."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from server.errors import N_, Problem, Problems
from server.i18n import LANGUAGES
from server.models import Shop
from server.services.geo import distance_m

# Categories a shop can choose (sights have others); the visitor pages name them.
SHOP_CATEGORIES = ("shop", "cafe", "restaurant", "bar", "bakery", "bookshop", "farm-shop", "market")
FIELDS = ("name", "category", "description", "address", "latitude", "longitude", "phone", "website")
MAX_DESCRIPTION = 1000
FAR_KM = 30  # further than this from the territory is almost surely a typo (or swapped numbers)
_PHONE = re.compile(r"\+?[0-9 ().\-/]{6,40}")

Check = Callable[[str], Any]


def whole_number(value: str, low: int, high: int) -> int | None:
    """The whole number `value` spells in ASCII digits, if it lies from `low` to `high`; else None.

    str.isdigit() alone also passes "1²" and a 5,000-digit number, on which int() then fails.
    """
    cleaned = value.strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > len(str(high)):
        return None
    number = int(cleaned)
    return number if low <= number <= high else None


def whole(low: int, high: int, message: str) -> Check:
    """A check for a whole number from `low` to `high`, refused with `message`."""

    def check(value: str) -> int:
        number = whole_number(value, low, high)
        if number is None:
            raise ValueError(message)
        return number

    return check


def text(limit: int, required: bool = False) -> Check:
    """A text of at most `limit` characters (None when empty and not required)."""

    def check(value: str) -> str | None:
        cleaned = " ".join(value.split()) if limit <= 200 else value.strip()
        if not cleaned:
            if required:
                raise ValueError(N_("This field is required."))
            return None
        if len(cleaned) > limit:
            raise ValueError(N_("Keep it under %(limit)d characters."), {"limit": limit})
        return cleaned

    return check


def coordinate(low: float, high: float, example: str) -> Check:
    """A latitude or longitude in degrees (a comma works as decimal mark too)."""

    def check(value: str) -> float:
        try:
            number = float(value.replace(",", ".").strip())
        except ValueError:
            raise ValueError(
                N_("Write a number of degrees, like %(example)s."), {"example": example}
            ) from None
        if not low <= number <= high:
            raise ValueError(
                N_("Write a number of degrees, like %(example)s."), {"example": example}
            )
        return round(number, 6)

    return check


def phone(value: str) -> str | None:
    """A phone number as people write it."""
    cleaned = " ".join(value.split())
    if cleaned and not _PHONE.fullmatch(cleaned):
        raise ValueError(N_("Write a phone number with digits, like 03 20 00 00 00."))
    return cleaned or None


def website(value: str) -> str | None:
    """An http(s) address; https:// is added when left out."""
    cleaned = value.strip()
    if not cleaned:
        return None
    if not re.match(r"https?://", cleaned, re.IGNORECASE):
        cleaned = "https://" + cleaned
    if len(cleaned) > 500 or " " in cleaned or "." not in cleaned[8:]:
        raise ValueError(N_("Write a web address like https://www.example.fr."))
    return cleaned


def category(value: str) -> str:
    """One of the shop categories."""
    if value not in SHOP_CATEGORIES:
        raise ValueError(N_("Choose a category from the list."))
    return value


def clean_fields(form: Mapping[str, str], checks: Mapping[str, Check]) -> dict[str, Any]:
    """Run each check on its field; every refusal is collected into one Problems."""
    cleaned, problems = {}, []
    for name, check in checks.items():
        try:
            cleaned[name] = check(form.get(name, ""))
        except ValueError as error:
            msgid, params = error.args[0], error.args[1] if len(error.args) > 1 else {}
            problems.append(Problem(msgid, field=name, **params))
    if problems:
        raise Problems(problems)
    return cleaned


def translated_texts(form: Mapping[str, str], prefix: str, limit: int) -> dict[str, str]:
    """{"fr": ..., "en": ...} from fields prefix_fr, prefix_en, prefix_nl (empty ones left out)."""
    found = clean_fields(form, {f"{prefix}_{lang}": text(limit) for lang in LANGUAGES})
    return {lang: found[f"{prefix}_{lang}"] for lang in LANGUAGES if found[f"{prefix}_{lang}"]}


def clean_listing(form: Mapping[str, str], shop: Shop) -> dict[str, Any]:
    """The listing fields from a submitted form, or Problems naming each wrong field."""
    checks: dict[str, Check] = {
        "name": text(200, required=True),
        "category": category,
        "address": text(200),
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "phone": phone,
        "website": website,
    }
    problems: list[Problem] = []
    try:
        values = clean_fields(form, checks)
    except Problems as refused:
        problems, values = refused.problems, {}
    try:
        values["description"] = translated_texts(form, "description", MAX_DESCRIPTION)
    except Problems as refused:
        problems += refused.problems
    if problems:
        raise Problems(problems)
    territory = shop.territory
    away = distance_m(
        values["latitude"], values["longitude"], territory.latitude, territory.longitude
    )
    if away > FAR_KM * 1000:
        raise Problem(
            N_(
                "This position is %(km)d km from %(territory)s: check the numbers (latitude first)."
            ),
            field="latitude",
            km=round(away / 1000),
            territory=territory.name,
        )
    return values


def listing_values(shop: Shop) -> dict[str, Any]:
    """The stored listing, in the shape clean_listing returns."""
    return {name: getattr(shop, name) for name in FIELDS}


def form_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Listing values as form fields (descriptions split per language)."""
    shown = {name: value for name, value in values.items() if name != "description"}
    for lang in LANGUAGES:
        shown[f"description_{lang}"] = (values.get("description") or {}).get(lang, "")
    return shown


def apply(shop: Shop, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Write the values on the shop; returns what changed, {field: [before, after]}."""
    changed = {}
    for name, value in values.items():
        before = getattr(shop, name)
        if before != value:
            changed[name] = [before, value]
            setattr(shop, name, value)
    return changed
