"""Recurring iCalendar events expanded over a bounded window, within caps on work and count.

recurring-ical-events expands RRULE, RDATE, EXDATE and RECURRENCE-ID, in the event's own time
zone. Under it, dateutil generates every start from DTSTART on, and lists all of a window's
starts before returning any: a rule repeating every second made an import take minutes and
gigabytes. So each rule is first walked lazily from DTSTART to the end of the window and refused
past MAX_GENERATED starts; then the occurrences are taken one at a time, at most MAX_PER_EVENT.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import icalendar
import recurring_ical_events

from server.errors import ImportProblem
from server.importers import fields as f
from server.importers.icalfile import one_line

MAX_PER_EVENT = 1000  # occurrences of one event in the window: three a day for a year
MAX_GENERATED = 100_000  # starts a rule may make from its DTSTART to the window's end
# Starts in the window that dateutil may list before EXDATE and cancellations thin them out.
LISTED = 10 * MAX_PER_EVENT
SERIES = ("RRULE", "RDATE", "RECURRENCE-ID")


@dataclass(frozen=True)
class Window:
    """The span occurrences are imported for; both ends aware, in the territory's time zone."""

    start: dt.datetime
    end: dt.datetime


def is_recurring(components: list[icalendar.Event]) -> bool:
    """Whether the components of one UID make a series rather than one event."""
    return any(name in component for component in components for name in SERIES)


def expand(
    components: list[icalendar.Event], window: Window, where: f.Where, name: str
) -> list[icalendar.Event]:
    """The occurrences of one event (its components share a UID) that overlap the window.

    `name` says which event it is in a refusal; `where` is the line of its first component.
    """
    calendar = icalendar.Calendar()
    for component in components:
        calendar.add_component(component)
    try:
        [series] = recurring_ical_events.of(calendar).series
        _walk_rules(series, window, where, name)
        found = list(itertools.islice(series.between(window.start, window.end), MAX_PER_EVENT + 1))
    except ImportProblem:
        raise
    except Exception as error:  # fuzzed files break the library in many ways: none may crash
        raise where.problem("RRULE", f"cannot expand {name} ({one_line(str(error))})") from None
    if len(found) > MAX_PER_EVENT:
        raise _too_often(where, name, window)
    return [occurrence.as_component(False) for occurrence in found]


def _walk_rules(series: Any, window: Window, where: f.Where, name: str) -> None:
    """Generate each rule's starts up to the window's end, lazily, and refuse past the budget.

    A series made only of RECURRENCE-ID instances has no rules. What is generated here stays in
    dateutil's cache, so the expansion that follows does not generate it again.
    """
    recurrence = series.recurrence
    first, stop = window.start, window.end
    if getattr(recurrence, "tzinfo", None) is None:  # floating times or dates: local wall time
        first, stop = first.replace(tzinfo=None), stop.replace(tzinfo=None)
    generated = inside = 0
    for rule in getattr(recurrence, "rrules", ()):
        for start in rule:
            if start > stop:
                break
            generated += 1
            inside += start >= first
            if inside > LISTED:
                raise _too_often(where, name, window)
            if generated > MAX_GENERATED:
                raise where.problem(
                    "RRULE",
                    f"{name} repeats more than {MAX_GENERATED:,} times from its DTSTART to "
                    f"{_day(window.end)}: give it a later DTSTART, a COUNT or an UNTIL",
                )


def _too_often(where: f.Where, name: str, window: Window) -> ImportProblem:
    return where.problem(
        "RRULE",
        f"{name} happens more than {MAX_PER_EVENT:,} times between {_day(window.start)} and "
        f"{_day(window.end)}: give it a COUNT, an UNTIL or a longer INTERVAL",
    )


def _day(moment: dt.datetime) -> str:
    return moment.date().isoformat()
