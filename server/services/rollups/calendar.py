"""Local days: which day a moment falls on in a territory, and where a day starts and ends."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

ONE_DAY = dt.timedelta(days=1)


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The time zone called `name` (cached: rollups convert many moments)."""
    return ZoneInfo(name)


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The day on the territory's clocks when `moment` (aware) happened."""
    return moment.astimezone(zone(timezone)).date()


def day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC moments where the local day starts and where the next one starts.

    A day of a clock change lasts 23 or 25 hours; midnight exists on both sides of it in Europe.
    """
    tz = zone(timezone)
    start = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + ONE_DAY, dt.time(), tz).astimezone(dt.UTC)
    return start, end


def days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every day from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += ONE_DAY
