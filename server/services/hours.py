"""Opening state from OpenStreetMap opening_hours expressions (parsed once, then cached)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import opening_hours

# Look ahead at most this far for the next change: "closed until next year" reads as closed.
HORIZON_DAYS = 8
_OPEN, _CLOSED = opening_hours.State.OPEN, opening_hours.State.CLOSED
# Raised by the library but missing from the stubs it ships.
ParserError: type[Exception] = opening_hours.ParserError  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OpenState:
    """Open now (None: unknown or not applicable), and when that changes next."""

    open: bool | None
    next_change: dt.datetime | None = None


def problem(expression: str) -> str | None:
    """Why an expression is not valid opening_hours syntax, in one line, or None."""
    try:
        opening_hours.OpeningHours(expression)
    except (ParserError, SyntaxError) as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        return f"not valid opening_hours syntax ({lines[-1] if lines else 'parse error'})"
    return None


@functools.lru_cache(maxsize=65536)
def _parsed(expression: str, timezone: str, country: str) -> opening_hours.OpeningHours | None:
    try:
        return opening_hours.OpeningHours(
            expression,
            timezone=ZoneInfo(timezone),
            country=country or None,
            max_interval_days=HORIZON_DAYS,
        )
    except (ParserError, SyntaxError, ValueError):
        return None  # stored before validation existed: shown as unknown, never an error page


def state(expression: str | None, now: dt.datetime, timezone: str, country: str) -> OpenState:
    """The opening state at `now` (aware) of a place in `timezone` and `country`."""
    # opening_hours counts in whole minutes: anywhere in a minute gives the same answer.
    return _state(expression, now.replace(second=0, microsecond=0), timezone, country)


# Many places share their hours ("Tu-Sa 10:00-19:00"), and a nearby list asks about all of them
# at one moment: the same question gets the same answer without asking the parser again.
@functools.lru_cache(maxsize=4096)
def _state(expression: str | None, now: dt.datetime, timezone: str, country: str) -> OpenState:
    if not expression:
        return OpenState(None)
    parsed = _parsed(expression, timezone, country)
    if parsed is None:
        return OpenState(None)
    local = now.astimezone(ZoneInfo(timezone))
    current = parsed.state(local)[0]
    change = parsed.next_change(local)
    is_open = {_OPEN: True, _CLOSED: False}.get(current)
    return OpenState(is_open, change.astimezone(dt.UTC) if change else None)


def week(
    expression: str | None, start: dt.date, timezone: str, country: str, days: int = 7
) -> list[tuple[dt.date, list[tuple[dt.datetime, dt.datetime]]]] | None:
    """Open intervals (local times) of each day from `start`; None without usable hours."""
    parsed = _parsed(expression, timezone, country) if expression else None
    if parsed is None:
        return None
    zone = ZoneInfo(timezone)
    first = dt.datetime.combine(start, dt.time(), zone)
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {
        start + dt.timedelta(days=n): [] for n in range(days)
    }
    for opens, closes, current, _comment in parsed.intervals(first, first + dt.timedelta(days)):
        if current != _OPEN:
            continue
        # An interval past midnight shows on each day it covers.
        while opens < closes:
            day_end = dt.datetime.combine(opens.date() + dt.timedelta(days=1), dt.time(), zone)
            if opens.date() in by_day:
                by_day[opens.date()].append((opens, min(closes, day_end)))
            opens = day_end
    return list(by_day.items())
