"""Checking one field of an imported record; every refusal names the file, line and field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.errors import ImportProblem
from server.services import hours

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE = re.compile(r"[a-z]{2}")

Check = Callable[[Any], Any]  # returns the cleaned value or raises ValueError(reason)


@dataclass(frozen=True)
class Where:
    """A record's position, for error messages."""

    path: str
    line: int | None

    def problem(self, field: str | None, message: str) -> ImportProblem:
        """The error to raise for this record."""
        return ImportProblem(self.path, self.line, field, message)


def text(limit: int = 200) -> Check:
    """A non-empty string of at most `limit` characters."""

    def check(value: Any) -> str:
        if (
            not isinstance(value, str | int | float)
            or isinstance(value, bool)
            or not str(value).strip()
        ):
            raise ValueError("must be a non-empty text")
        if len(str(value)) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return str(value).strip()

    return check


def slug(value: Any) -> str:
    """Lower-case letters, digits and single hyphens."""
    if not isinstance(value, str) or not SLUG.fullmatch(value) or len(value) > 80:
        raise ValueError(f"must be a slug like 'la-piscine' (a-z, 0-9, hyphens), not {value!r}")
    return value


def number(low: float, high: float) -> Check:
    """A number within [low, high]."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}, not {value!r}")
        return float(value)

    return check


latitude = number(-90, 90)
longitude = number(-180, 180)


def whole(low: int, high: int) -> Check:
    """A whole number within [low, high]."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}, not {value!r}")
        return value

    return check


def choice(*options: str) -> Check:
    """One of a few words."""

    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}, not {value!r}")
        return str(value)

    return check


def translated(value: Any) -> dict[str, str]:
    """A text (taken as French) or a mapping of language codes to texts."""
    if isinstance(value, str):
        return {"fr": value.strip()}
    if isinstance(value, dict):
        value = {key: words for key, words in value.items() if key != "__line__"}
    if isinstance(value, dict) and value:
        for language, words in value.items():
            if not isinstance(language, str) or not LANGUAGE.fullmatch(language):
                raise ValueError(
                    f"language codes are two letters like fr, en, nl, not {language!r}"
                )
            if not isinstance(words, str):
                raise ValueError(f"the {language} text must be a text")
        return {language: words.strip() for language, words in value.items()}
    raise ValueError("must be a text, or a mapping like {fr: ..., en: ..., nl: ...}")


def opening_hours(value: Any) -> str:
    """An OpenStreetMap opening_hours expression."""
    expression = text(500)(value)
    problem = hours.problem(expression)
    if problem:
        raise ValueError(problem)
    return expression


def timezone(value: Any) -> str:
    """An IANA time zone name."""
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"must be a time zone like Europe/Paris, not {value!r}") from None
    return str(value)


def date(value: Any) -> dt.date:
    """A date, 2026-05-01."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"must be a date like 2026-05-01, not {value!r}") from None


def moment(value: Any) -> dt.datetime:
    """A date-time with its time zone, 2026-05-01T14:00:00+02:00."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError("must be a date-time with a time zone, like 2026-05-01T14:00:00+02:00")
    return parsed.astimezone(dt.UTC)


def url(value: Any) -> str:
    """An http(s) URL."""
    cleaned = text(500)(value)
    if not cleaned.startswith(("https://", "http://")):
        raise ValueError(f"must start with https:// or http://, not {cleaned!r}")
    return cleaned


def clean(
    record: Any, where: Where, required: Mapping[str, Check], optional: Mapping[str, Check]
) -> dict[str, Any]:
    """Check a record's fields; unknown fields are refused too (a typo must not pass silently)."""
    if not isinstance(record, dict):
        raise where.problem(None, "each entry must be a mapping of fields")
    unknown = sorted(set(record) - set(required) - set(optional) - {"__line__"})
    if unknown:
        known = ", ".join(sorted({*required, *optional}))
        raise where.problem(unknown[0], f"unknown field; the fields are {known}")
    cleaned: dict[str, Any] = {}
    for name, check in (*required.items(), *optional.items()):
        if record.get(name) is None:
            if name in required:
                raise where.problem(name, "is required")
            continue
        try:
            cleaned[name] = check(record[name])
        except ValueError as error:
            raise where.problem(name, str(error)) from None
    return cleaned
