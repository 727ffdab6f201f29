"""Numbers and days read from request text: only what they claim to be, or ValueError."""

from __future__ import annotations

import datetime as dt
import math
import re

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# The years a day or moment asked for may fall in where the service works out days, weeks and a
# year around it (opening hours, offers, events, journeys): far from Python's years 1 and 9999,
# where that arithmetic overflows. The OpenAPI document says the same with a pattern.
CALENDAR_YEARS = (1900, 2999)


def finite(text: str) -> float:
    """The number `text` spells; ValueError for anything else, "nan" and "inf" included."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text[:40]!r}")
    return value


def day(text: str) -> dt.date:
    """A calendar day written YYYY-MM-DD (RFC 3339's full-date, nothing looser)."""
    if not _DAY.fullmatch(text):
        raise ValueError(f"not a day written YYYY-MM-DD: {text[:40]!r}")
    return dt.date.fromisoformat(text)
