"""Storing a calendar's occurrences: new ones inserted, changed ones updated, those its new
version no longer has removed, all matched by uid (the UID, and the slot of an occurrence).

Events imported before they knew their calendar (revision 0006) are claimed by UID: an all-day
occurrence was stored under another uid then, and is replaced rather than doubled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from server.errors import WouldReplace
from server.importers import fields as f
from server.importers.report import ImportReport, Skipped, plural
from server.models import Event


class CalendarReplacement(WouldReplace):
    """The file shares no event with the stored calendar of its name: it may be another one."""


@dataclass(frozen=True)
class Row:
    """One occurrence to store, and how messages name the event it comes from."""

    series: str  # the event's UID
    where: f.Where  # the event's UID line
    title: str
    values: dict[str, Any]


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """`items` a few hundred at a time, within what a database takes in one IN (...)."""
    return (items[start : start + size] for start in range(0, len(items), size))


def _belongs(uid: str, uids: set[str]) -> bool:
    """Whether a stored uid is one of these events' (itself, or one of its occurrences)."""
    return uid in uids or uid.rsplit("#", 1)[0] in uids


class CalendarStore:
    """Writes one import's occurrences into its calendar and counts what changed."""

    def __init__(
        self, session: Session, calendar: str, territory_id: int, demo: bool, report: ImportReport
    ) -> None:
        self.session, self.calendar, self.report = session, calendar, report
        self.common = {"calendar": calendar, "territory_id": territory_id, "demo": demo}

    def save(
        self,
        rows: dict[str, Row],
        uids: set[str],
        since: dt.datetime,
        path: str,
        replace: bool,
        all_or_nothing: bool,
    ) -> None:
        """Insert, update and remove (what is over before `since` stays), or raise before
        writing anything."""
        mine = {
            event.uid: event
            for event in self.session.scalars(select(Event).where(Event.calendar == self.calendar))
        }
        elsewhere = self._elsewhere([uid for uid in rows if uid not in mine])
        self._leave_out_others(rows, elsewhere, all_or_nothing)
        gone = [
            event.id
            for uid, event in mine.items()
            if uid not in rows and (event.ends_at or event.starts_at) >= since
        ]
        gone += self._claimed_before(rows, uids, since)
        if gone and mine and not replace and not any(_belongs(uid, uids) for uid in mine):
            changes = (
                f"the calendar {self.calendar!r} holds {plural(len(mine), 'occurrence')} and "
                f"{path} has none of its events, so importing it would remove "
                f"{plural(len(gone), 'occurrence')}"
            )
            raise CalendarReplacement(
                f"{changes}: give this file its own calendar with --calendar NAME, or import it "
                "with --replace if it does replace them",
                changes[:1].upper() + changes[1:] + ".",
                field="calendar",
            )
        new = []
        for uid, row in rows.items():
            values = {**row.values, **self.common, "uid": uid}
            event = mine.get(uid) or elsewhere.get(uid)
            if event is None:
                new.append(values)
            elif all(getattr(event, key) == value for key, value in values.items()):
                self.report.unchanged += 1
            else:
                for key, value in values.items():
                    setattr(event, key, value)
                self.report.updated += 1
        if new:
            self.session.execute(insert(Event), new)
        for chunk in _chunks(gone):
            self.session.execute(delete(Event).where(Event.id.in_(chunk)))
        self.session.flush()
        self.report.new, self.report.removed = len(new), len(gone)

    def _elsewhere(self, uids: list[str]) -> dict[str, Event]:
        """Stored events with these uids outside this calendar (another, or none)."""
        found = {}
        for chunk in _chunks(uids):
            for event in self.session.scalars(select(Event).where(Event.uid.in_(chunk))):
                found[event.uid] = event
        return found

    def _leave_out_others(
        self, rows: dict[str, Row], elsewhere: dict[str, Event], all_or_nothing: bool
    ) -> None:
        """Events whose UID another calendar holds are left out: UIDs are unique."""
        taken: dict[str, str] = {}
        for uid, event in elsewhere.items():
            if event.calendar is not None:
                taken.setdefault(rows[uid].series, event.calendar)
        for series, other in taken.items():
            row = next(row for row in rows.values() if row.series == series)
            problem = row.where.problem(
                "UID",
                f"{row.title} is already in the calendar {other!r}: import this file with "
                f"--calendar {other!r} if it is a new version of that calendar",
            )
            if all_or_nothing:
                raise problem
            self.report.skipped.append(Skipped.of(problem))
        for uid in [uid for uid, row in rows.items() if row.series in taken]:
            del rows[uid]
            elsewhere.pop(uid, None)

    def _claimed_before(
        self, rows: dict[str, Row], uids: set[str], since: dt.datetime
    ) -> list[int]:
        """Occurrences of this file's events stored before events knew their calendar that this
        import no longer has (all-day ones were kept under other uids then)."""
        stored = self.session.execute(
            select(Event.id, Event.uid, Event.starts_at, Event.ends_at).where(
                Event.calendar.is_(None)
            )
        )
        return [
            key
            for key, uid, starts_at, ends_at in stored
            if uid not in rows and _belongs(uid, uids) and (ends_at or starts_at) >= since
        ]
