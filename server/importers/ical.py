"""Import events from an iCalendar file into a territory.

Each VEVENT needs UID, SUMMARY, DTSTART and a position: GEO, or the --latitude/--longitude given
for the whole file (a venue without GEO). Recurring events (RRULE) become one event per
occurrence over the next year. Events are matched by UID: importing again updates them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ImportProblem
from server.importers import fields as f
from server.models import Event, Territory

HORIZON = dt.timedelta(days=366)
MAX_OCCURRENCES = 500


def import_ical(
    session: Session,
    path: Path,
    territory_slug: str,
    position: tuple[float, float] | None = None,
    demo: bool = False,
) -> int:
    """Create or update the file's events; returns how many occurrences were stored."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        calendar = icalendar.Calendar.from_ical(text)
    except OSError as error:
        raise ImportProblem(name, None, None, f"cannot read it ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportProblem(name, None, None, f"not an iCalendar file ({error})") from None
    territory = session.scalars(select(Territory).where(Territory.slug == territory_slug)).first()
    if territory is None:
        raise ImportProblem(name, None, "territory", f"there is no territory {territory_slug!r}")
    zone = ZoneInfo(territory.timezone)
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "BEGIN:VEVENT"]
    count = 0
    for index, component in enumerate(calendar.walk("VEVENT")):
        where = f.Where(name, lines[index] if index < len(lines) else None)
        for values in _occurrences(component, where, zone, position):
            values.update(territory_id=territory.id, demo=demo)
            event = session.scalars(select(Event).where(Event.uid == values["uid"])).first()
            if event is None:
                event = Event()
                session.add(event)
            for key, value in values.items():
                setattr(event, key, value)
            count += 1
    session.flush()
    return count


def _occurrences(
    component: Any, where: f.Where, zone: ZoneInfo, position: tuple[float, float] | None
) -> list[dict[str, Any]]:
    uid = _text(component, "UID", where)
    summary = _text(component, "SUMMARY", where)
    start = _moment(component, "DTSTART", where, zone)
    if component.get("DTEND") is not None:
        end = _moment(component, "DTEND", where, zone)
    elif component.get("DURATION") is not None:
        end = start + component.decoded("DURATION")
    else:
        end = None
    if end is not None and end < start:
        raise where.problem("DTEND", "comes before DTSTART")
    latitude, longitude = _position(component, where, position)
    base = {
        "title": summary[:200],
        "description": {"fr": str(component.get("DESCRIPTION", ""))}
        if "DESCRIPTION" in component
        else {},
        "venue": str(component.get("LOCATION"))[:200] if component.get("LOCATION") else None,
        "url": str(component.get("URL"))[:500] if component.get("URL") else None,
        "latitude": latitude,
        "longitude": longitude,
    }
    if component.get("RRULE") is None:
        return [{**base, "uid": uid, "starts_at": start, "ends_at": end}]
    rule_text = component["RRULE"].to_ical().decode()
    try:
        rule = rrulestr(rule_text, dtstart=start)
    except ValueError as error:
        raise where.problem("RRULE", f"cannot read the rule ({error})") from None
    now = dt.datetime.now(dt.UTC)
    length = end - start if end else None
    found = []
    for occurrence in rule.between(now - dt.timedelta(days=1), now + HORIZON, inc=True):
        if len(found) >= MAX_OCCURRENCES:
            break
        found.append(
            {
                **base,
                "uid": f"{uid}#{occurrence:%Y%m%dT%H%M%SZ}"[:255],
                "starts_at": occurrence,
                "ends_at": occurrence + length if length else None,
            }
        )
    return found


def _text(component: Any, name: str, where: f.Where) -> str:
    value = str(component.get(name, "")).strip()
    if not value:
        raise where.problem(name, "is required")
    return value


def _moment(component: Any, name: str, where: f.Where, zone: ZoneInfo) -> dt.datetime:
    try:
        value = component.decoded(name)
    except (KeyError, ValueError) as error:
        raise where.problem(name, f"is not a date or date-time ({error})") from None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(dt.UTC)
    if isinstance(value, dt.date):  # an all-day event starts at midnight, local time
        return dt.datetime.combine(value, dt.time(), zone).astimezone(dt.UTC)
    raise where.problem(name, "is not a date or date-time")


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
