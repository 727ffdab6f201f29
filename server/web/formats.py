"""Dates, times and numbers on the portal's and dashboard's pages, in the reader's locale and in
Paris time (the pilot's territories are all in Europe/Paris), never as ISO text or a strftime."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from flask import Flask

from server.i18n import locale

PARIS = ZoneInfo("Europe/Paris")


def moment(value: dt.datetime | None, empty: str = "—") -> str:
    """A moment as the reader writes it, in Paris time: "26 nov. 2026 11:00"."""
    if value is None:
        return empty
    if value.tzinfo is None:  # stored as UTC without its zone
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(PARIS)
    day = format_date(local.date(), "medium", locale=locale())
    return f"{day} {format_time(local, 'short', tzinfo=PARIS, locale=locale())}"


def day(value: dt.date | dt.datetime | None, empty: str = "—") -> str:
    """A day as the reader writes it: "26 nov. 2026" / "26 Nov 2026"."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(PARIS).date()
    return format_date(value, "medium", locale=locale())


def short_day(value: dt.date) -> str:
    """A day in figures, as the reader writes it: "26/11/2026" / "26-11-2026"."""
    return format_date(value, "short", locale=locale())


def number(value: float | int | None) -> str:
    """A number with the reader's separators: "12 345" / "12,345"."""
    return format_decimal(value or 0, locale=locale())


def percent(ratio: float) -> str:
    """A ratio as a percentage: "42 %" / "42%"."""
    return format_percent(ratio, locale=locale())


def init_app(app: Flask) -> None:
    """Make the formats filters of every template."""
    app.jinja_env.filters.update(
        moment=moment, day=day, short_day=short_day, number=number, percent=percent
    )
