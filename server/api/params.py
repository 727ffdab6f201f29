"""Reading query parameters and JSON bodies, with errors that name the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request

from server.errors import Invalid
from server.web.guard import unwelcome

MAX_PAGE = 500


def number(name: str, default: float | None = None, *, low: float, high: float) -> float | None:
    """A numeric query parameter within [low, high], or `default` when absent."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number, not {raw!r}", field=name) from None
    if not low <= value <= high:
        raise Invalid(f"{name} must be between {low:g} and {high:g}", field=name)
    return value


def integer(name: str, default: int, *, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high]."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)


def moment(name: str) -> dt.datetime | None:
    """An ISO 8601 date-time with a time zone, or None when absent."""
    raw = request.args.get(name)
    if not raw:
        return None
    return parse_moment(raw, name)


def parse_moment(raw: Any, name: str) -> dt.datetime:
    """Parse an ISO 8601 date-time that carries its time zone."""
    try:
        value = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Invalid(
            f"{name} must be an ISO 8601 date-time with a time zone, like 2026-05-01T14:00:00Z",
            field=name,
        )
    return value.astimezone(dt.UTC)


def page() -> tuple[int, int]:
    """(limit, offset) of a listing."""
    return integer("limit", 100, low=1, high=MAX_PAGE), integer("offset", 0, low=0, high=10**9)


def json_body() -> dict[str, Any]:
    """The request's JSON object body; no text in it may hold a control character (NUL...)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("send a JSON object as the body, with Content-Type: application/json")
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
