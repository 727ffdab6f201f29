"""Import events from an iCalendar file into a territory.

An event (a VEVENT with the RECURRENCE-ID instances that share its UID) is stored once per time it
happens from yesterday to a year ahead, as recurring-ical-events expands it in its own time zone
(see server/importers/recurrence.py for the caps). Cancelled occurrences are left out; all-day
events are kept as dates. Each event needs DTSTART, SUMMARY and a position: GEO, or the
--latitude/--longitude given for the whole file. An event the file gets wrong is left out and
reported in one sentence naming its line and property, and the others are imported, unless the
staff ask for all or nothing.

Events belong to the calendar they came from (--calendar, else X-WR-CALNAME, else the file's
name): importing a new version of it updates, moves and removes its occurrences, matched by UID
and RECURRENCE-ID, and never duplicates them. Occurrences already over are left as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import ImportProblem
from server.importers import fields as f
from server.importers import recurrence
from server.importers.icalfile import CalendarFile, Lines, one_line, read
from server.importers.icalstore import CalendarStore, Row
from server.importers.report import ImportReport, Progress, Skipped
from server.models import Territory

HORIZON = dt.timedelta(days=366)
PAST = dt.timedelta(days=1)  # an occurrence that began yesterday may still be on
MAX_PER_FILE = 10_000  # occurrences of all the file's recurring events together
MAX_UID = 255 - len("#20260101T000000Z")  # room in events.uid for an occurrence's slot
DATES = "a date (20260501) or a date-time (20260501T140000)"
EXPECTED = {  # what each property an event is built from should hold
    "DTSTART": DATES,
    "DTEND": DATES,
    "RECURRENCE-ID": DATES,
    "EXDATE": DATES,
    "RDATE": DATES,
    "DURATION": "a duration (PT1H30M)",
    "RRULE": "a recurrence rule (FREQ=WEEKLY;COUNT=10)",
    "GEO": "a position (50.69;3.17)",
}


@dataclass(frozen=True)
class _Event:
    """The components of one UID in the file (a series and its instances), with their lines."""

    uid: str
    members: list[tuple[icalendar.Event, Lines]]
    path: str

    def where(self, prop: str | None = None) -> f.Where:
        """The line of `prop` in the first component that has it, else where the event begins."""
        for _component, lines in self.members:
            if prop in lines:
                return f.Where(self.path, lines[prop])
        return f.Where(self.path, self.members[0][1].get("BEGIN"))

    def first(self, prop: str) -> Any:
        """The value of `prop` in the first component that has one (an instance may omit it)."""
        return next((c[prop] for c, _ in self.members if c.get(prop) is not None), None)

    @property
    def recurring(self) -> bool:
        """Whether it is a series (stored per occurrence) rather than one event."""
        return recurrence.is_recurring([component for component, _ in self.members])

    @property
    def title(self) -> str:
        """How a message names the event."""
        summary = " ".join(str(self.first("SUMMARY") or "").split())
        if not summary:
            return f"the event with UID {self.uid}"
        return f"the event {one_line(summary, 60)!r} (UID {self.uid})"


def import_ical(
    session: Session,
    path: Path,
    territory_slug: str,
    position: tuple[float, float] | None = None,
    demo: bool = False,
    now: dt.datetime | None = None,
    *,
    calendar: str | None = None,
    all_or_nothing: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Store, update and remove the calendar's occurrences in `session`; say what was done.

    Raises ImportProblem for a file that cannot be imported (and, with `all_or_nothing`, for the
    first event that cannot), and CalendarReplacement unless `replace` when the file has none of
    the events of the stored calendar of the same name (see icalstore). The caller commits.
    """
    return import_calendar(
        session,
        read(path),
        str(path),
        territory_slug,
        position,
        demo,
        now,
        calendar=calendar,
        fallback=path.stem,
        all_or_nothing=all_or_nothing,
        replace=replace,
        progress=progress,
    )


def import_calendar(
    session: Session,
    source: CalendarFile,
    name: str,
    territory_slug: str,
    position: tuple[float, float] | None = None,
    demo: bool = False,
    now: dt.datetime | None = None,
    *,
    calendar: str | None,
    fallback: str,
    all_or_nothing: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """import_ical for a calendar already read (`name` says where it came from, in refusals);
    it is named `calendar`, else by its X-WR-CALNAME, else `fallback`."""
    territory = session.scalars(select(Territory).where(Territory.slug == territory_slug)).first()
    if territory is None:
        raise ImportProblem(name, None, "territory", f"there is no territory {territory_slug!r}")
    zone = ZoneInfo(territory.timezone)
    today = (now or clock.now()).astimezone(zone)
    window = recurrence.Window(today - PAST, today + HORIZON)
    report = ImportReport("occurrence", "event")
    events = _by_uid(source, name, report, all_or_nothing)
    rows: dict[str, Row] = {}
    recurring = 0
    for done, event in enumerate(events, start=1):
        try:
            found = _occurrences(event, window, zone, position)
        except Exception as error:  # a file may hold anything: one event never stops the others
            problem = error
            if not isinstance(problem, ImportProblem):
                reason = f"{event.title} cannot be read ({one_line(str(error))})"
                problem = event.where().problem(None, reason)
            if all_or_nothing:
                raise problem from None
            report.skipped.append(Skipped.of(problem))
            continue
        if event.recurring:
            recurring += len(found)
            if recurring > MAX_PER_FILE:
                raise event.where("RRULE").problem(
                    "RRULE",
                    f"with {event.title}, the file's recurring events happen more than "
                    f"{MAX_PER_FILE:,} times in the coming year: split the file or shorten the "
                    "rules",
                )
        named = (event.uid, event.where("UID"), event.title)
        rows.update((key, Row(*named, values)) for key, values in found.items())
        if progress is not None:
            progress(done, len(events))
    label = calendar or source.name or fallback
    report.source = f"the calendar {label!r} into {territory.slug}"
    store = CalendarStore(session, label, territory.id, demo, report)
    store.save(rows, {event.uid for event in events}, window.start, name, replace, all_or_nothing)
    return report


def _by_uid(
    source: CalendarFile, path: str, report: ImportReport, all_or_nothing: bool
) -> list[_Event]:
    """The file's events, each UID's components together, in file order."""
    groups: dict[str, list[tuple[icalendar.Event, Lines]]] = {}
    for component, lines in source.events:
        uid = " ".join(str(component.get("UID", "")).split())
        if not uid:
            summary = one_line(str(component.get("SUMMARY", "")), 60)
            named = f"the event {summary!r}" if summary else "an event"
            problem = f.Where(path, lines.get("BEGIN")).problem(
                "UID", f"{named} has no UID, which a later import needs to update it"
            )
            if all_or_nothing:
                raise problem
            report.skipped.append(Skipped.of(problem))
            continue
        groups.setdefault(uid[:MAX_UID], []).append((component, lines))
    return [_Event(uid, members, path) for uid, members in groups.items()]


def _occurrences(
    event: _Event,
    window: recurrence.Window,
    zone: ZoneInfo,
    position: tuple[float, float] | None,
) -> dict[str, dict[str, Any]]:
    """The event's occurrences in the window, not cancelled, keyed by the uid they are stored
    under; or the ImportProblem that leaves the event out."""
    for component, lines in event.members:
        _check(event, component, lines, zone)
    if event.first("SUMMARY") is None or not str(event.first("SUMMARY")).strip():
        raise event.where().problem(
            "SUMMARY", f"{event.title} has no SUMMARY, so visitors could not tell what it is"
        )
    fallback = _position(event, event.first("GEO"), position)
    components = [component for component, _ in event.members]
    found = {}
    for occurrence in recurrence.expand(components, window, event.where("RRULE"), event.title):
        if _cancelled(occurrence):
            continue
        key = event.uid
        if event.recurring:  # keyed by the slot it fills, so a moved instance replaces its slot
            key = f"{event.uid}#{_slot(occurrence.decoded('RECURRENCE-ID'), zone)}"
        found[key] = _values(event, occurrence, zone, fallback)
    return found


def _check(event: _Event, component: icalendar.Event, lines: Lines, zone: ZoneInfo) -> None:
    """Refuse a component whose dates, rules or position cannot be read, naming the line."""
    for prop, message in component.errors:
        if prop in EXPECTED:
            value = component.get(prop)
            values = value if isinstance(value, list) else [value]
            raw = next((v for v in values if isinstance(v, str)), message)
            where = f.Where(event.path, lines.get(prop, lines.get("BEGIN")))
            raise where.problem(
                prop, f"{event.title} has {prop} {one_line(raw, 60)!r}, not {EXPECTED[prop]}"
            )
    if component.get("DTSTART") is None:
        raise f.Where(event.path, lines.get("BEGIN")).problem(
            "DTSTART", f"{event.title} has no DTSTART, so it has no date"
        )
    moments = {}
    for prop in ("DTSTART", "DTEND"):
        value = component.decoded(prop) if component.get(prop) is not None else None
        if value is not None and not isinstance(value, dt.date):  # a time, or a period
            where = f.Where(event.path, lines.get(prop, lines.get("BEGIN")))
            raise where.problem(prop, f"{event.title} has a {prop} that is not {DATES}")
        moments[prop] = None if value is None else _instant(value, zone)
    start, end = moments["DTSTART"], moments["DTEND"]
    if start is not None and end is not None and end < start:
        raise f.Where(event.path, lines.get("DTEND")).problem(
            "DTEND", f"{event.title} ends (DTEND) before it starts (DTSTART)"
        )


def _position(event: _Event, geo: Any, fallback: tuple[float, float] | None) -> tuple[float, float]:
    if geo is not None:
        try:
            return f.latitude(float(geo.latitude)), f.longitude(float(geo.longitude))
        except (ValueError, AttributeError) as error:
            raise event.where("GEO").problem(
                "GEO", f"{event.title} has a GEO that is not a position ({one_line(str(error))})"
            ) from None
    if fallback is None:
        raise event.where().problem(
            "GEO",
            f"{event.title} has no GEO: add GEO to it, or give a position for the file's "
            "events with --latitude and --longitude",
        )
    return fallback


def _values(
    event: _Event, occurrence: icalendar.Event, zone: ZoneInfo, position: tuple[float, float]
) -> dict[str, Any]:
    """An Event's columns for one occurrence; an instance may leave its title and GEO to the
    series."""
    start = occurrence.decoded("DTSTART")
    end = occurrence.decoded("DTEND") if occurrence.get("DTEND") is not None else None
    if occurrence.get("DURATION") is not None:
        end = start + occurrence.decoded("DURATION")
    summary = str(occurrence.get("SUMMARY") or event.first("SUMMARY")).strip()
    description = occurrence.get("DESCRIPTION")
    location = occurrence.get("LOCATION")
    url = occurrence.get("URL")
    geo = occurrence.get("GEO")
    latitude, longitude = position if geo is None else _position(event, geo, position)
    return {
        "title": summary[:200],
        "description": {"fr": str(description)} if description is not None else {},
        "venue": str(location)[:200] if location else None,
        "url": str(url)[:500] if url else None,
        "latitude": latitude,
        "longitude": longitude,
        **_when(start, end, zone),
    }


def _when(start: dt.date, end: dt.date | None, zone: ZoneInfo) -> dict[str, Any]:
    """The time columns: dates for an event on dates (RFC 5545: DTEND is the day after), with
    the territory's midnights around them; instants otherwise."""
    if not isinstance(start, dt.datetime):
        last = start
        if end is not None:
            after = end.date() if isinstance(end, dt.datetime) else end
            last = max(start, after - dt.timedelta(days=1))
        return {
            "starts_on": start,
            "ends_on": last,
            "starts_at": _instant(start, zone),
            "ends_at": _instant(last + dt.timedelta(days=1), zone),
        }
    starts_at = _instant(start, zone)
    ends_at = _instant(end, zone) if end is not None else None
    return {
        "starts_on": None,
        "ends_on": None,
        "starts_at": starts_at,
        "ends_at": ends_at if ends_at != starts_at else None,
    }


def _slot(value: dt.date, zone: ZoneInfo) -> str:
    """The RECURRENCE-ID an occurrence is stored under: a date, or an instant in UTC."""
    if isinstance(value, dt.datetime):
        return f"{_instant(value, zone):%Y%m%dT%H%M%SZ}"
    return f"{value:%Y%m%d}"


def _cancelled(component: icalendar.Event) -> bool:
    return str(component.get("STATUS", "")).upper() == "CANCELLED"


def _instant(value: dt.date, zone: ZoneInfo) -> dt.datetime:
    """A date or date-time in UTC: floating times and dates (from midnight) are in `zone`."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(), zone).astimezone(dt.UTC)
