"""Events as staff write them in the portal: a day, times, a simple repeat (weekly or monthly,
until a day or a number of times) and the days it does not happen.

Its occurrences are made by the iCalendar importer, from the VEVENT the form describes, so an
event typed in the portal and one imported from a calendar follow one rule: the same expansion
(RRULE, EXDATE, in the territory's time zone), the same caps, the same storage (one Event per
occurrence, in the calendar named by the series' uid).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server import clock
from server.db import rowcount
from server.errors import N_, ImportProblem, Problem, Problems
from server.importers.ical import import_calendar
from server.importers.icalfile import parse
from server.importers.report import ImportReport
from server.models import Event, EventSeries
from server.services.listings import (
    clean_fields,
    coordinate,
    text,
    translated_texts,
    website,
    whole_number,
)

FREQUENCIES = ("once", "weekly", "monthly")
FIELDS = (
    "title",
    "description",
    "venue",
    "latitude",
    "longitude",
    "url",
    "first_day",
    "starts",
    "ends",
    "frequency",
    "until",
    "count",
    "exceptions",
)
MAX_COUNT = 500
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:hH.]([0-5][0-9])")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: str) -> dt.date:
    cleaned = value.strip()
    try:
        if _DAY.fullmatch(cleaned):
            return dt.date.fromisoformat(cleaned)
    except ValueError:
        pass
    raise ValueError(N_("Write a date like 2026-05-01."))


def _optional_day(value: str) -> dt.date | None:
    return _day(value) if value.strip() else None


def _time(value: str) -> str | None:
    cleaned = value.strip()
    if not cleaned:
        return None
    matched = _TIME.fullmatch(cleaned)
    if not matched:
        raise ValueError(N_("Write a time like 19:30, or leave it empty for all day."))
    return f"{int(matched.group(1)):02d}:{matched.group(2)}"


def _frequency(value: str) -> str:
    if value not in FREQUENCIES:
        raise ValueError(N_("Choose how often it happens."))
    return value


def _count(value: str) -> int | None:
    cleaned = value.strip()
    if not cleaned:
        return None
    count = whole_number(cleaned, 1, MAX_COUNT)
    if count is None:
        raise ValueError(N_("Write a whole number from 1 to %(most)d."), {"most": MAX_COUNT})
    return count


def _exceptions(value: str) -> list[str]:
    return sorted({_day(part).isoformat() for part in re.split(r"[\s,;]+", value) if part})


def clean_event(form: Mapping[str, str]) -> dict[str, Any]:
    """An event's values from a staff form, or Problems naming each wrong field."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    checks = {
        "title": text(200, required=True),
        "venue": text(200),
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "url": website,
        "first_day": _day,
        "starts": _time,
        "ends": _time,
        "frequency": _frequency,
        "until": _optional_day,
        "count": _count,
        "exceptions": _exceptions,
    }
    for part in (
        lambda: clean_fields(form, checks),
        lambda: {"description": translated_texts(form, "description", 1000)},
    ):
        try:
            values.update(part())
        except Problems as refused:
            problems += refused.problems
    if problems:
        raise Problems(problems)
    _check_together(values)
    return values


def _check_together(values: dict[str, Any]) -> None:
    """What the fields say together: an end after the start, one way to stop repeating."""
    problems = []
    if values["ends"] and not values["starts"]:
        problems.append(Problem(N_("Give the time it starts too."), field="starts"))
    elif values["ends"] and values["ends"] <= values["starts"]:
        problems.append(Problem(N_("It must end after it starts, the same day."), field="ends"))
    if values["frequency"] == "once":
        values["until"] = values["count"] = None
        values["exceptions"] = []
    elif values["until"] and values["count"]:
        problems.append(
            Problem(N_("Give a last day or a number of times, not both."), field="count")
        )
    elif values["until"] and values["until"] < values["first_day"]:
        problems.append(Problem(N_("The last day comes before the first."), field="until"))
    if problems:
        raise Problems(problems)


def series_values(series: EventSeries) -> dict[str, Any]:
    """The stored event, in the shape clean_event returns."""
    return {name: getattr(series, name) for name in FIELDS}


def new_uid() -> str:
    """A UID no other calendar holds: the series' VEVENT and the calendar of its occurrences."""
    return f"portal-{secrets.token_hex(8)}"


def vevent(series: EventSeries, zone: ZoneInfo) -> bytes:
    """The series as an iCalendar file of one VEVENT (what the importer reads)."""
    event = icalendar.Event()
    event.add("UID", series.uid)
    event.add("SUMMARY", series.title)
    event.add("GEO", (series.latitude, series.longitude))
    if series.venue:
        event.add("LOCATION", series.venue)
    if series.url:
        event.add("URL", series.url)
    start: dt.date = series.first_day
    if series.starts:
        start = _at(series.first_day, series.starts, zone)
        if series.ends:
            event.add("DTEND", _at(series.first_day, series.ends, zone))
    else:
        event.add("DTEND", series.first_day + dt.timedelta(days=1))
    event.add("DTSTART", start)
    if series.frequency != "once":
        rule: dict[str, Any] = {"FREQ": series.frequency.upper()}
        if series.count:
            rule["COUNT"] = series.count
        if series.until:
            # UNTIL takes the start's form: a date, or the last day's end in UTC.
            rule["UNTIL"] = (
                dt.datetime.combine(series.until, dt.time(23, 59, 59), zone).astimezone(dt.UTC)
                if series.starts
                else series.until
            )
        event.add("RRULE", rule)
        for day in series.exceptions:
            skipped = dt.date.fromisoformat(day)
            event.add("EXDATE", _at(skipped, series.starts, zone) if series.starts else skipped)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//TapTrail//portal//EN")
    calendar.add("VERSION", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()


def _at(day: dt.date, time: str, zone: ZoneInfo) -> dt.datetime:
    hours, minutes = time.split(":")
    return dt.datetime.combine(day, dt.time(int(hours), int(minutes)), zone)


def publish(session: Session, series: EventSeries) -> ImportReport:
    """Store the series' occurrences (new, moved, gone) as the iCalendar importer does, with
    its descriptions in every language; a Problem on "_form" when the rule cannot be used."""
    territory = series.territory
    source = parse(vevent(series, ZoneInfo(territory.timezone)), series.uid)
    try:
        report = import_calendar(
            session,
            source,
            series.title,
            territory.slug,
            calendar=series.uid,
            fallback=series.uid,
            all_or_nothing=True,
            replace=True,
        )
    except ImportProblem as refused:
        raise Problem(
            N_("These dates cannot be used: %(detail)s. Change them and save again."),
            detail=refused.reason,
        ) from None
    session.execute(
        update(Event)
        .where(Event.calendar == series.uid)
        .values(description=series.description)
        .execution_options(synchronize_session=False)
    )
    return report


def withdraw(session: Session, series: EventSeries) -> int | None:
    """Remove the series and its occurrences still to come (those over stay, as an import
    leaves them); how many were removed, or None when another request removed it meanwhile
    (the series' DELETE comes first: of two at once, the second waits and finds nothing)."""
    gone = session.execute(delete(EventSeries).where(EventSeries.id == series.id))
    if rowcount(gone) == 0:
        return None
    ends = func.coalesce(Event.ends_at, Event.starts_at)
    coming = session.execute(delete(Event).where(Event.calendar == series.uid, ends >= clock.now()))
    return rowcount(coming)


def occurrences(session: Session, series: EventSeries) -> list[Event]:
    """The series' stored occurrences, in order."""
    return list(
        session.scalars(select(Event).where(Event.calendar == series.uid).order_by(Event.starts_at))
    )
