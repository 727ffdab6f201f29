"""Import events from an iCalendar file into a territory.

Each VEVENT needs UID, SUMMARY, DTSTART and a position: GEO, or the --latitude/--longitude given
for the whole file (a venue without GEO). A recurring event (RRULE, RDATE, with EXDATE and
RECURRENCE-ID instances) becomes one event per occurrence from yesterday to a year ahead,
expanded in its own time zone (see server/importers/recurrence.py for the caps); cancelled
occurrences are left out. Events are matched by UID: importing again updates them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import ImportProblem
from server.importers import fields as f
from server.importers import recurrence
from server.models import Event, Territory

HORIZON = dt.timedelta(days=366)
PAST = dt.timedelta(days=1)  # an occurrence that began yesterday may still be on
MAX_PER_FILE = 10_000  # occurrences of all the file's recurring events together


def import_ical(
    session: Session,
    path: Path,
    territory_slug: str,
    position: tuple[float, float] | None = None,
    demo: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Create or update the file's events; returns how many occurrences were stored."""
    name = str(path)
    calendar, lines = _read(path)
    territory = session.scalars(select(Territory).where(Territory.slug == territory_slug)).first()
    if territory is None:
        raise ImportProblem(name, None, "territory", f"there is no territory {territory_slug!r}")
    zone = ZoneInfo(territory.timezone)
    today = (now or clock.now()).astimezone(zone)
    window = recurrence.Window(today - PAST, today + HORIZON)
    rows: list[dict[str, Any]] = []
    expanded = 0
    for uid, members in _by_uid(calendar, name, lines).items():
        for component, where in members:
            _check(component, where, zone, position)
        components = [component for component, _where in members]
        if not recurrence.is_recurring(components):
            rows.extend(
                {**_values(component, where, zone, position), "uid": uid}
                for component, where in members
                if not _cancelled(component)
            )
            continue
        where = members[0][1]
        title = f"the event {str(components[0].get('SUMMARY')).strip()!r} (UID {uid})"
        occurrences = recurrence.expand(components, window, where, title)
        expanded += len(occurrences)
        if expanded > MAX_PER_FILE:
            raise where.problem(
                "RRULE",
                f"with {title}, the file's recurring events happen more than {MAX_PER_FILE:,} "
                "times in the coming year: split the file or shorten the rules",
            )
        for occurrence in occurrences:
            if not _cancelled(occurrence):
                slot = _instant(occurrence["RECURRENCE-ID"].dt, zone)  # the original start
                values = _values(occurrence, where, zone, position)
                rows.append({**values, "uid": f"{uid}#{slot:%Y%m%dT%H%M%SZ}"[:255]})
    for values in rows:
        values.update(territory_id=territory.id, demo=demo)
        event = session.scalars(select(Event).where(Event.uid == values["uid"])).first()
        if event is None:
            event = Event()
            session.add(event)
        for key, value in values.items():
            setattr(event, key, value)
    session.flush()
    return len(rows)


def _read(path: Path) -> tuple[icalendar.Calendar, list[int]]:
    """The calendar, in standard time zones, and the line of each VEVENT's BEGIN."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        # Google writes times in UTC and the calendar's zone in X-WR-TIMEZONE: move them to
        # that zone, so that weekly rules keep their local hour across clock changes.
        calendar = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(text))
    except OSError as error:
        raise ImportProblem(name, None, None, f"cannot read it ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportProblem(name, None, None, f"not an iCalendar file ({error})") from None
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "BEGIN:VEVENT"]
    return calendar, lines


def _by_uid(
    calendar: icalendar.Calendar, name: str, lines: list[int]
) -> dict[str, list[tuple[Any, f.Where]]]:
    """The VEVENTs grouped by UID (a series and its RECURRENCE-ID instances), in file order."""
    groups: dict[str, list[tuple[Any, f.Where]]] = {}
    for index, component in enumerate(calendar.walk("VEVENT")):
        where = f.Where(name, lines[index] if index < len(lines) else None)
        groups.setdefault(_text(component, "UID", where), []).append((component, where))
    return groups


def _check(
    component: Any, where: f.Where, zone: ZoneInfo, position: tuple[float, float] | None
) -> None:
    """Refuse a VEVENT that lacks what an event needs, naming its line and field."""
    _text(component, "SUMMARY", where)
    start = _moment(component, "DTSTART", where, zone)
    if component.get("DTEND") is not None and _moment(component, "DTEND", where, zone) < start:
        raise where.problem("DTEND", "comes before DTSTART")
    if component.get("DURATION") is not None:
        try:
            component.decoded("DURATION")
        except (KeyError, ValueError) as error:
            raise where.problem("DURATION", f"is not a duration ({error})") from None
    _position(component, where, position)


def _values(
    component: Any, where: f.Where, zone: ZoneInfo, position: tuple[float, float] | None
) -> dict[str, Any]:
    """An Event's columns from a checked VEVENT or one occurrence of it."""
    start = component.decoded("DTSTART")
    if component.get("DTEND") is not None:
        end = component.decoded("DTEND")
    elif component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    elif not isinstance(start, dt.datetime):
        end = start + dt.timedelta(days=1)  # RFC 5545: an event on a date lasts that day
    else:
        end = None
    starts_at = _instant(start, zone)
    ends_at = _instant(end, zone) if end is not None else None
    latitude, longitude = _position(component, where, position)
    return {
        "title": str(component.get("SUMMARY")).strip()[:200],
        "description": {"fr": str(component.get("DESCRIPTION", ""))}
        if "DESCRIPTION" in component
        else {},
        "venue": str(component.get("LOCATION"))[:200] if component.get("LOCATION") else None,
        "url": str(component.get("URL"))[:500] if component.get("URL") else None,
        "latitude": latitude,
        "longitude": longitude,
        "starts_at": starts_at,
        "ends_at": ends_at if ends_at != starts_at else None,
    }


def _cancelled(component: Any) -> bool:
    return str(component.get("STATUS", "")).upper() == "CANCELLED"


def _text(component: Any, name: str, where: f.Where) -> str:
    value = str(component.get(name, "")).strip()
    if not value:
        raise where.problem(name, "is required")
    return value


def _moment(component: Any, name: str, where: f.Where, zone: ZoneInfo) -> dt.datetime:
    """A date or date-time property as an instant in UTC, or a refusal naming it."""
    try:
        value = component.decoded(name)
    except (KeyError, ValueError) as error:
        raise where.problem(name, f"is not a date or date-time ({error})") from None
    if not isinstance(value, dt.date):
        raise where.problem(name, "is not a date or date-time")
    return _instant(value, zone)


def _instant(value: dt.date, zone: ZoneInfo) -> dt.datetime:
    """A date or date-time in UTC: floating times and dates (from midnight) are in `zone`."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(), zone).astimezone(dt.UTC)


def _position(
    component: Any, where: f.Where, fallback: tuple[float, float] | None
) -> tuple[float, float]:
    geo = component.get("GEO")
    if geo is not None:
        try:
            return f.latitude(float(geo.latitude)), f.longitude(float(geo.longitude))
        except (ValueError, AttributeError) as error:
            raise where.problem("GEO", f"is not a position ({error})") from None
    if fallback is None:
        raise where.problem("GEO", "is missing; add GEO or give --latitude and --longitude")
    return fallback
