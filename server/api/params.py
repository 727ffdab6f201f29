"""Reading query parameters and JSON bodies, with errors that name the field.

An optional query parameter sent empty (`?to=`, as an HTML form sends a field left blank) is the
same as one left out; the OpenAPI document says so with `allowEmptyValue`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from flask import request

from server.errors import Invalid
from server.web.controls import unwelcome

MAX_PAGE = 500
MAX_OFFSET = 10**9
# A JSON number as text: what clients write ("-90", "2.5", "1e-05"); never "nan", "inf", "1_0".
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
_WHOLE = re.compile(r"\d{1,18}", re.ASCII)  # at most 18 digits: within any integer column


def number(name: str, default: float | None = None, *, low: float, high: float) -> float | None:
    """A numeric query parameter within [low, high], or `default` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _NUMBER.fullmatch(raw):
        raise Invalid(f"{name} must be a number, like 50.69, not {raw[:40]!r}", field=name)
    value = float(raw)
    if not low <= value <= high:
        raise Invalid(f"{name} must be between {low:g} and {high:g}", field=name)
    return value


def integer(name: str, default: int, *, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high]."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _WHOLE.fullmatch(raw.lstrip("0") or "0") or not low <= int(raw) <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)


def moment(name: str, years: tuple[int, int] | None = None) -> dt.datetime | None:
    """An ISO 8601 date-time with a time zone (within `years`, as written), or None when
    absent."""
    raw = request.args.get(name)
    if not raw:
        return None
    return parse_moment(raw, name, years)


def parse_moment(raw: Any, name: str, years: tuple[int, int] | None = None) -> dt.datetime:
    """Parse an RFC 3339 (ISO 8601) date-time that carries its time zone, in UTC."""
    try:
        value = dt.datetime.fromisoformat(str(raw).upper().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Invalid(
            f"{name} must be an ISO 8601 date-time with a time zone, like 2026-05-01T14:00:00Z",
            field=name,
        )
    if years and not years[0] <= value.year <= years[1]:
        raise Invalid(
            f"{name} must be in the years {years[0]} to {years[1]}, like 2026-05-01T14:00:00Z",
            field=name,
        )
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # within hours of year 1 or 9999: as early (late) as can be
        edge = dt.datetime.min if value.year == 1 else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


def page() -> tuple[int, int]:
    """(limit, offset) of a listing."""
    return integer("limit", 100, low=1, high=MAX_PAGE), integer("offset", 0, low=0, high=MAX_OFFSET)


def json_body(fields: Collection[str]) -> dict[str, Any]:
    """The request's JSON object body, of these fields only; no text in it may hold a control
    character (NUL...)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("send a JSON object as the body, with Content-Type: application/json")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise Invalid(
            f"unknown field {unknown[0][:40]!r}; the fields are {', '.join(sorted(fields))}",
            field=unknown[0][:40],
        )
    for name, value in body.items():
        if _holds_control(name) or _holds_control(value):
            raise Invalid(
                f"{name!r} holds a control character such as NUL; send plain text", field=name
            )
    return body


def _holds_control(value: Any) -> bool:
    if isinstance(value, str):
        return unwelcome(value)
    if isinstance(value, dict):
        return any(_holds_control(key) or _holds_control(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_control(item) for item in value)
    return False


def whole(body: dict[str, Any], name: str) -> int:
    """A required whole number of a JSON body: 12, or 12.0 (JSON does not tell them apart)."""
    value = body.get(name)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"{name} is required (a whole number)", field=name)
    return value
