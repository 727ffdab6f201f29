"""iCalendar recurrences: expanded by recurring-ical-events in the event's zone, within caps."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from server.db import database
from server.errors import ImportProblem
from server.importers import recurrence
from server.importers.ical import HORIZON, MAX_PER_FILE, PAST, import_ical
from server.importers.report import ImportReport
from server.models import Event
from tests.server.factories import territory

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def calendar(*events: str, header: str = "") -> str:
    """A VCALENDAR around the VEVENT bodies given."""
    body = "".join(
        f"BEGIN:VEVENT\n{textwrap.dedent(event).strip()}\nEND:VEVENT\n" for event in events
    )
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n"


def run(app, tmp_path, text: str, **kwargs) -> ImportReport:  # type: ignore[no-untyped-def]
    path = tmp_path / "agenda.ics"
    path.write_text(text, encoding="utf-8")
    with database(app).transaction() as session:
        return import_ical(session, path, "roubaix", (50.69, 3.17), now=NOW, **kwargs)


def stored(app) -> list[Event]:  # type: ignore[no-untyped-def]
    with database(app).sessions() as session:
        return list(session.scalars(select(Event).order_by(Event.starts_at)))


def local(events: list[Event]) -> list[str]:
    return [f"{event.starts_at.astimezone(PARIS):%Y-%m-%d %H:%M}" for event in events]


def test_a_weekly_event_keeps_its_local_hour_across_the_clock_change(app, tmp_path):
    territory(app)
    run(
        app,
        tmp_path,
        calendar(
            """
            UID:yoga@test
            SUMMARY:Yoga au musée
            DTSTART;TZID=Europe/Paris:20260302T083000
            DTEND;TZID=Europe/Paris:20260302T093000
            RRULE:FREQ=WEEKLY;COUNT=6
            """
        ),
    )
    events = stored(app)
    # Summer time begins on 29 March: 08:30 is 07:30 UTC before, 06:30 UTC after.
    assert [f"{event.starts_at:%m-%d %H:%M}" for event in events] == [
        "03-02 07:30",
        "03-09 07:30",
        "03-16 07:30",
        "03-23 07:30",
        "03-30 06:30",
        "04-06 06:30",
    ]
    assert all(event.ends_at - event.starts_at == dt.timedelta(hours=1) for event in events)


def test_exdate_rdate_moved_and_cancelled_occurrences_are_honoured(app, tmp_path):
    territory(app)
    series = """
        UID:market@test
        SUMMARY:Marché
        DTSTART;TZID=Europe/Paris:20260302T100000
        DTEND;TZID=Europe/Paris:20260302T120000
        RRULE:FREQ=WEEKLY;COUNT=5
        EXDATE;TZID=Europe/Paris:20260309T100000
        RDATE;TZID=Europe/Paris:20260311T150000
        """
    moved = """
        UID:market@test
        RECURRENCE-ID;TZID=Europe/Paris:20260316T100000
        SUMMARY:Marché (déplacé au mardi)
        DTSTART;TZID=Europe/Paris:20260317T110000
        DTEND;TZID=Europe/Paris:20260317T130000
        """
    cancelled = """
        UID:market@test
        RECURRENCE-ID;TZID=Europe/Paris:20260323T100000
        SUMMARY:Marché
        STATUS:CANCELLED
        DTSTART;TZID=Europe/Paris:20260323T100000
        DTEND;TZID=Europe/Paris:20260323T120000
        """
    assert run(app, tmp_path, calendar(series, moved, cancelled)).stored == 4
    events = stored(app)
    assert local(events) == [
        "2026-03-02 10:00",
        "2026-03-11 15:00",  # RDATE
        "2026-03-17 11:00",  # moved from Monday 16th
        "2026-03-30 10:00",
    ]
    assert events[2].title == "Marché (déplacé au mardi)"
    assert events[2].uid == "market@test#20260316T090000Z"  # keyed by the slot it replaces
    assert events[1].ends_at - events[1].starts_at == dt.timedelta(hours=2)


def test_a_cancelled_event_is_left_out(app, tmp_path):
    territory(app)
    text = calendar(
        "UID:gone@test\nSUMMARY:Annulé\nSTATUS:CANCELLED\nDTSTART:20260305T180000Z",
        "UID:kept@test\nSUMMARY:Maintenu\nDTSTART:20260305T180000Z",
    )
    assert run(app, tmp_path, text).stored == 1
    assert [event.uid for event in stored(app)] == ["kept@test"]


MIXED = calendar(
    """
    UID:daily@test
    SUMMARY:Visite guidée
    DTSTART;TZID=Europe/Paris:20260110T150000
    DURATION:PT1H30M
    RRULE:FREQ=DAILY;BYDAY=SA,SU;UNTIL=20260920T000000Z
    EXDATE;TZID=Europe/Paris:20260404T150000,20260405T150000
    """,
    """
    UID:monthly@test
    SUMMARY:Brocante
    DTSTART;VALUE=DATE:20251005
    RRULE:FREQ=MONTHLY;BYDAY=SU;BYSETPOS=1
    """,
    """
    UID:floating@test
    SUMMARY:Concert
    DTSTART:20260301T203000
    DTEND:20260301T223000
    RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=20
    RDATE:20260702T203000
    """,
    """
    UID:utc@test
    SUMMARY:Atelier
    DTSTART:20260105T170000Z
    DTEND:20260105T180000Z
    RRULE:FREQ=WEEKLY;BYDAY=MO,WE
    """,
    header="X-WR-TIMEZONE:Europe/Paris\n",
)


def test_stored_occurrences_are_recurring_ical_events_expansion_over_the_window(app, tmp_path):
    territory(app)
    run(app, tmp_path, MIXED)
    now = NOW.astimezone(PARIS)
    expected = set()
    for component in recurring_ical_events.of(icalendar.Calendar.from_ical(MIXED)).between(
        now - PAST, now + HORIZON
    ):
        start, end = component["DTSTART"].dt, component["DTEND"].dt
        expected.add((str(component["UID"]), _utc(start), _utc(end), str(component["SUMMARY"])))
    got = {(e.uid.split("#")[0], e.starts_at, e.ends_at, e.title) for e in stored(app)}
    assert got == expected
    assert len(expected) > 150
    # X-WR-TIMEZONE: 17:00 UTC in January is 18:00 in Paris, and stays 18:00 in summer.
    atelier = [e for e in stored(app) if e.title == "Atelier"]
    assert {f"{e.starts_at.astimezone(PARIS):%H:%M}" for e in atelier} == {"18:00"}


def _utc(value: dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return (value if value.tzinfo else value.replace(tzinfo=PARIS)).astimezone(dt.UTC)


def test_an_event_over_the_cap_is_left_out_with_its_name_line_and_the_cap(app, tmp_path):
    territory(app)
    text = calendar(
        "UID:one@test\nSUMMARY:Vernissage\nDTSTART:20260305T180000Z",
        "UID:often@test\nSUMMARY:Carillon\nDTSTART:20260301T000000Z\nRRULE:FREQ=HOURLY",
    )
    reason = (
        "the event 'Carillon' (UID often@test) happens more than "
        f"{recurrence.MAX_PER_EVENT:,} times between 2026-02-28 and 2027-03-02: give it a COUNT, "
        "an UNTIL or a longer INTERVAL"
    )
    with pytest.raises(ImportProblem) as raised:
        run(app, tmp_path, text, all_or_nothing=True)
    assert str(raised.value) == (
        f"{tmp_path / 'agenda.ics'}, line 13, field 'RRULE': {reason}; nothing was imported"
    )
    assert stored(app) == []
    report = run(app, tmp_path, text)
    assert [str(skipped) for skipped in report.skipped] == [f"line 13, RRULE: {reason}"]
    assert [event.title for event in stored(app)] == ["Vernissage"]


def test_a_rule_that_repeats_too_often_since_its_start_is_refused(app, tmp_path):
    territory(app)
    text = calendar("UID:old@test\nSUMMARY:Horloge\nDTSTART:20000101T000000Z\nRRULE:FREQ=MINUTELY")
    [skipped] = run(app, tmp_path, text).skipped
    assert str(skipped).startswith(
        "line 8, RRULE: the event 'Horloge' (UID old@test) repeats more than "
        f"{recurrence.MAX_GENERATED:,} times from its DTSTART to 2027-03-02"
    )
    assert stored(app) == []


def test_the_file_as_a_whole_has_a_cap(app, tmp_path):
    territory(app)
    rules = [
        f"UID:e{n}@test\nSUMMARY:Séance {n}\nDTSTART:20260302T0{n % 10}0000Z\nRRULE:FREQ=HOURLY;"
        f"COUNT={recurrence.MAX_PER_EVENT}"
        for n in range(MAX_PER_FILE // recurrence.MAX_PER_EVENT + 1)
    ]
    with pytest.raises(ImportProblem) as raised:
        run(app, tmp_path, calendar(*rules))
    assert "the event 'Séance 10' (UID e10@test)" in str(raised.value)
    assert f"more than {MAX_PER_FILE:,} times in the coming year" in str(raised.value)
    assert stored(app) == []


CHILD = """
import json, resource, sys, time
from pathlib import Path
from sqlalchemy.orm import Session
from server.db import make_engine
from server.errors import ImportProblem
from server.importers.ical import import_ical

engine = make_engine(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
with Session(engine) as session:
    try:
        report = import_ical(session, Path(sys.argv[2]), "roubaix", (50.69, 3.17))
        said = "; ".join(str(skipped) for skipped in report.skipped) or "imported"
    except ImportProblem as refused:
        said = str(refused)
seconds = time.perf_counter() - started
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"said": said, "seconds": seconds, "grown_mb": grown}))
"""


def test_a_rule_repeating_every_second_is_refused_in_seconds_with_little_memory(
    committed_app, tmp_path
):
    """The audit's file: it took 106 s and 1.8 GB to import before."""
    territory(committed_app)
    path = tmp_path / "seconds.ics"
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    path.write_text(
        calendar(f"UID:tick@test\nSUMMARY:Tic\nDTSTART:{start:%Y%m%dT%H%M%SZ}\nRRULE:FREQ=SECONDLY")
    )
    url = committed_app.config["DATABASE_URL"]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    assert "the event 'Tic' (UID tick@test) repeats more than 100,000 times" in result["said"]
    assert result["seconds"] < 10
    assert result["grown_mb"] < 100
