"""iCalendar files as programs export them: every stored occurrence is what recurring-ical-events
expands from the same file over the import window, in local time, all-day events as dates; a
wrong event is left out in one sentence while the rest goes in; a new version updates, moves and
removes (issue 20)."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from collections import Counter
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from server.db import database
from server.errors import ImportProblem
from server.importers.ical import HORIZON, PAST, import_ical
from server.importers.icalstore import CalendarReplacement
from server.importers.report import ImportReport
from server.models import Event
from tests.server.factories import territory
from tests.server.ical_files import FILES, SKIPPED

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
POSITION = (50.69, 3.17)


def calendar(*events: str, header: str = "X-WR-CALNAME:Agenda\n") -> str:
    """A VCALENDAR around the VEVENT bodies given."""
    body = "".join(
        f"BEGIN:VEVENT\n{textwrap.dedent(event).strip()}\nEND:VEVENT\n" for event in events
    )
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n"


def run(app, tmp_path, text: str, name: str = "agenda.ics", **options) -> ImportReport:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    options.setdefault("now", NOW)
    with database(app).transaction() as session:
        return import_ical(session, path, "roubaix", POSITION, **options)


def stored(app) -> list[Event]:  # type: ignore[no-untyped-def]
    with database(app).sessions() as session:
        return list(session.scalars(select(Event).order_by(Event.starts_at, Event.uid)))


def _local(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
    return f"{aware.astimezone(PARIS):%Y-%m-%d %H:%M}"


def shown(app) -> Counter[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """What is stored, as a visitor reads it: local times, or dates "all day"."""
    rows: Counter[tuple[str, ...]] = Counter()
    for event in stored(app):
        uid = event.uid.rsplit("#", 1)[0] if "#" in event.uid else event.uid
        if event.all_day:
            rows[(uid, event.title, f"{event.starts_on} all day", f"{event.ends_on}")] += 1
        else:
            end = event.ends_at or event.starts_at
            rows[(uid, event.title, _local(event.starts_at), _local(end))] += 1
    return rows


def expansion(text: str, leave_out: set[str] = frozenset(), now=NOW) -> Counter[tuple[str, ...]]:  # type: ignore[no-untyped-def,assignment]
    """recurring-ical-events' occurrences of the file over the import window, the same way."""
    parsed = icalendar.Calendar.from_ical(text.lstrip("\ufeff"))
    today = now.astimezone(PARIS)
    rows: Counter[tuple[str, ...]] = Counter()
    for found in recurring_ical_events.of(parsed).between(today - PAST, today + HORIZON):
        uid = str(found["UID"])
        if uid in leave_out or str(found.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start, end, title = found["DTSTART"].dt, found["DTEND"].dt, str(found["SUMMARY"])
        if isinstance(start, dt.datetime):
            rows[(uid, title, _local(start), _local(end))] += 1
        else:
            rows[(uid, title, f"{start} all day", f"{end - dt.timedelta(days=1)}")] += 1
    return rows


@pytest.mark.parametrize("program", list(FILES))
def test_each_export_stores_what_recurring_ical_events_expands(app, tmp_path, program):
    territory(app)
    report = run(app, tmp_path, FILES[program], f"{program}.ics")
    expected = expansion(FILES[program], SKIPPED.get(program, set()))
    assert shown(app) == expected
    assert report.stored == report.new == sum(expected.values()) > 0
    assert len(report.skipped) == len(SKIPPED.get(program, ()))


def test_a_weekly_class_keeps_its_hour_and_a_thursday_market_stays_on_thursdays(app, tmp_path):
    territory(app)
    run(app, tmp_path, FILES["google"], "google.ics")
    events = stored(app)
    yoga = [e for e in events if e.title == "Yoga au musée"]
    assert {_local(e.starts_at)[11:] for e in yoga} == {"08:30"}  # before and after 29 March
    assert "2026-04-02 08:30" not in {_local(e.starts_at) for e in yoga}  # EXDATE
    moved = [e for e in events if e.title.startswith("Yoga au musée (")]
    assert [_local(e.starts_at) for e in moved] == ["2026-04-17 10:00"]  # not also on the 16th
    market = [e for e in events if e.title == "Marché du jeudi"]
    assert len(market) == 20
    assert {(e.starts_on.weekday(), e.ends_on) for e in market} == {
        (3, e.starts_on) for e in market
    }
    assert {_local(e.starts_at)[11:] for e in market} == {"00:00"}  # Thursday's midnight
    assert {e.ends_at - e.starts_at for e in market} <= {dt.timedelta(hours=24)}
    weekend = [e for e in events if e.title.startswith("Week-end")]
    assert [(str(e.starts_on), str(e.ends_on)) for e in weekend] == [("2026-04-10", "2026-04-12")]
    visits = {_local(e.starts_at) for e in events if e.title == "Visite guidée"}
    assert "2026-03-14 15:00" in visits and "2026-04-04 15:00" in visits  # X-WR-TIMEZONE
    assert "2026-03-21 15:00" not in visits  # the cancelled Saturday


def test_changed_instances_of_one_series_each_keep_their_own_change(app, tmp_path):
    territory(app)
    run(app, tmp_path, FILES["outlook"], "outlook.ics")
    workshop = {_local(e.starts_at): e.title for e in stored(app) if e.title.startswith("Atelier")}
    assert workshop["2026-04-02 18:00"] == "Atelier d'écriture (salle B)"
    assert workshop["2026-04-09 20:00"] == "Atelier d'écriture (avec une autrice invitée)"
    assert "2026-04-02 19:00" not in workshop and "2026-04-09 19:00" not in workshop
    assert workshop["2026-05-28 19:00"] == "Atelier d'écriture"  # UNTIL 17:00 UTC = 19:00
    both_rules = [_local(e.starts_at) for e in stored(app) if e.title == "Répétition publique"]
    assert both_rules == [
        "2026-03-09 18:00",
        "2026-03-15 18:00",
        "2026-03-16 18:00",
        "2026-03-23 18:00",
        "2026-03-30 18:00",
        "2026-04-15 18:00",
        "2026-05-15 18:00",
    ]
    until_a_date = [_local(e.starts_at) for e in stored(app) if e.title == "Permanence"]
    # UNTIL=20260505 on a timed rule: until that day begins, as recurring-ical-events reads it.
    assert until_a_date[0] == "2026-03-03 14:00" and until_a_date[-1] == "2026-04-28 14:00"
    first_of_month = [e.starts_on.isoformat() for e in stored(app) if e.title.startswith("Premier")]
    assert first_of_month[0] == "2026-04-01" and first_of_month[-1] == "2026-12-01"


def test_a_file_with_a_byte_order_mark_is_read(app, tmp_path):
    territory(app)
    text = "\ufeff" + calendar("UID:a@test\nSUMMARY:Concert\nDTSTART:20260305T190000Z")
    assert run(app, tmp_path, text).new == 1


GOOD = "UID:good@test\nSUMMARY:Concert\nDTSTART;TZID=Europe/Paris:20260305T200000"
BROKEN = [  # the broken event begins on line 10, after the good one
    (
        "UID:b@test\nSUMMARY:Atelier\nDTSTART:20260306T100000Z\nDURATION:P1X",
        "line 14, DURATION: the event 'Atelier' (UID b@test) has DURATION 'P1X', not a duration"
        " (PT1H30M)",
    ),
    (
        "UID:b@test\nSUMMARY:Atelier\nDTSTART:2026030",
        "line 13, DTSTART: the event 'Atelier' (UID b@test) has DTSTART '2026030', not a date"
        " (20260501) or a date-time (20260501T140000)",
    ),
    (
        "UID:b@test\nSUMMARY:Atelier\nDTSTART:20260306T100000Z\nRRULE:FREQ=SOMETIMES",
        "line 14, RRULE: the event 'Atelier' (UID b@test) has RRULE 'FREQ=SOMETIMES', not a"
        " recurrence rule (FREQ=WEEKLY;COUNT=10)",
    ),
    (
        "UID:b@test\nSUMMARY:Atelier\nDTSTART:20260306T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "EXDATE:2026-03-13",
        "line 15, EXDATE: the event 'Atelier' (UID b@test) has EXDATE '2026-03-13', not a date"
        " (20260501) or a date-time (20260501T140000)",
    ),
    (
        "UID:b@test\nSUMMARY:Atelier\nDTSTART:20260306T100000Z\nDTEND:20260306T090000Z",
        "line 14, DTEND: the event 'Atelier' (UID b@test) ends (DTEND) before it starts (DTSTART)",
    ),
    (
        "UID:b@test\nSUMMARY:Atelier\nDTSTART:20260306T100000Z\nGEO:north;east",
        "line 14, GEO: the event 'Atelier' (UID b@test) has GEO 'north;east', not a position"
        " (50.69;3.17)",
    ),
    (
        "SUMMARY:Atelier\nDTSTART:20260306T100000Z",
        "line 10, UID: the event 'Atelier' has no UID, which a later import needs to update it",
    ),
    (
        "UID:b@test\nDTSTART:20260306T100000Z",
        "line 10, SUMMARY: the event with UID b@test has no SUMMARY, so visitors could not tell"
        " what it is",
    ),
    (
        "UID:b@test\nSUMMARY:Atelier",
        "line 10, DTSTART: the event 'Atelier' (UID b@test) has no DTSTART, so it has no date",
    ),
]


@pytest.mark.parametrize(("event", "said"), BROKEN)
def test_a_wrong_event_is_left_out_in_one_sentence_and_the_others_go_in(app, tmp_path, event, said):
    territory(app)
    report = run(app, tmp_path, calendar(GOOD, event))
    assert [str(skipped) for skipped in report.skipped] == [said]
    assert [e.title for e in stored(app)] == ["Concert"]
    assert (
        report.summary()
    ) == "1 occurrence stored (1 new, 0 updated, 0 unchanged), 0 removed, 1 event skipped"


@pytest.mark.parametrize(("event", "said"), BROKEN[:3])
def test_all_or_nothing_refuses_the_file_at_the_first_wrong_event(app, tmp_path, event, said):
    territory(app)
    with pytest.raises(ImportProblem) as raised:
        run(app, tmp_path, calendar(GOOD, event), all_or_nothing=True)
    line, prop, reason = said.split(", ", 1)[0], *said.split(", ", 1)[1].split(": ", 1)
    assert str(raised.value) == (
        f"{tmp_path / 'agenda.ics'}, {line}, field {prop!r}: {reason}; nothing was imported"
    )
    assert stored(app) == []


UNREADABLE = [
    (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260302T100000Z\r\nEND:VCALENDAR\r\n",
        "the calendar is cut short: a BEGIN has no END, or END:VCALENDAR is missing",
    ),
    (
        calendar(GOOD).encode() * 2,
        "it holds several calendars; split it and import each on its own",
    ),
    (b"hello\nworld\n", "line 1: not an iCalendar file: it must begin with BEGIN:VCALENDAR"),
    (
        b"BEGIN:VCALENDAR\nVERSION:2.0\nthis is no property\nEND:VCALENDAR\n",
        "line 3: not an iCalendar line (NAME:value), so the file cannot be read",
    ),
    (
        calendar(GOOD.replace("Concert", "Fête")).encode("latin-1"),
        "line 7: it is not UTF-8 text; save it as UTF-8 and import it again",
    ),
]


@pytest.mark.parametrize(("content", "said"), UNREADABLE)
def test_an_unreadable_file_is_refused_in_one_line_without_its_text(app, tmp_path, content, said):
    territory(app)
    path = tmp_path / "agenda.ics"
    path.write_bytes(content)
    with pytest.raises(ImportProblem) as raised, database(app).transaction() as session:
        import_ical(session, path, "roubaix", POSITION, now=NOW)
    message = str(raised.value)
    assert (
        message == f"{path}{', ' if said.startswith('line') else ': '}{said}; nothing was imported"
    )
    assert "\n" not in message and "\r" not in message


VERSION_1 = [
    "UID:a@test\nSUMMARY:Vernissage\nDTSTART;TZID=Europe/Paris:20260310T180000",
    "UID:b@test\nSUMMARY:Visite\nDTSTART;TZID=Europe/Paris:20260307T150000\n"
    "DURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=6",
    "UID:c@test\nSUMMARY:Conférence\nDTSTART;TZID=Europe/Paris:20260312T183000",
    "UID:d@test\nSUMMARY:Braderie\nDTSTART;VALUE=DATE:20260314",
]
VERSION_2 = [
    "UID:a@test\nSUMMARY:Vernissage de printemps\nDTSTART;TZID=Europe/Paris:20260310T190000",
    VERSION_1[1] + "\nEXDATE;TZID=Europe/Paris:20260328T150000",
    "UID:b@test\nRECURRENCE-ID;TZID=Europe/Paris:20260321T150000\nSUMMARY:Visite\n"
    "DTSTART;TZID=Europe/Paris:20260321T160000\nDURATION:PT1H",
    VERSION_1[3],
    "UID:e@test\nSUMMARY:Atelier\nDTSTART;TZID=Europe/Paris:20260319T140000",
]


def test_a_new_version_of_a_calendar_updates_moves_and_removes_its_events(app, tmp_path):
    territory(app)
    first = run(app, tmp_path, calendar(*VERSION_1))
    assert (first.new, first.stored) == (9, 9)
    ids = {e.uid: e.id for e in stored(app)}
    second = run(app, tmp_path, calendar(*VERSION_2))
    assert (second.new, second.updated, second.unchanged, second.removed) == (1, 2, 5, 2)
    assert shown(app) == expansion(calendar(*VERSION_2))
    after = {e.uid: e for e in stored(app)}
    assert after["a@test"].id == ids["a@test"]  # the same event, changed in place
    assert after["b@test#20260321T140000Z"].id == ids["b@test#20260321T140000Z"]
    assert _local(after["b@test#20260321T140000Z"].starts_at) == "2026-03-21 16:00"
    assert "c@test" not in after and "b@test#20260328T140000Z" not in after
    # Six weeks on, a version listing only what is still to come leaves the past alone.
    later = NOW + dt.timedelta(days=45)
    third = run(app, tmp_path, calendar(VERSION_2[4].replace("0319", "0430")), now=later)
    assert (third.new, third.updated, third.removed) == (0, 1, 0)
    assert len(stored(app)) == len(after)


def test_an_occurrence_stored_before_calendars_were_known_is_replaced_not_doubled(app, tmp_path):
    roubaix = territory(app)
    text = calendar(
        "UID:m@test\nSUMMARY:Marché\nDTSTART;VALUE=DATE:20260305\nRRULE:FREQ=WEEKLY;COUNT=2"
    )
    with database(app).transaction() as session:  # as an import stored it before revision 0006
        session.add(
            Event(
                uid="m@test#20260304T230000Z",
                territory_id=roubaix,
                title="Marché",
                latitude=50.69,
                longitude=3.17,
                starts_at=dt.datetime(2026, 3, 4, 23, tzinfo=dt.UTC),
                ends_at=dt.datetime(2026, 3, 5, 23, tzinfo=dt.UTC),
            )
        )
    report = run(app, tmp_path, text)
    assert (report.new, report.removed) == (2, 1)
    assert [(e.uid, str(e.starts_on)) for e in stored(app)] == [
        ("m@test#20260305", "2026-03-05"),
        ("m@test#20260312", "2026-03-12"),
    ]


def test_another_calendar_under_the_same_name_asks_before_replacing(app, tmp_path):
    territory(app)
    run(app, tmp_path, calendar(*VERSION_1))
    other = calendar("UID:x@test\nSUMMARY:Loto\nDTSTART;TZID=Europe/Paris:20260320T200000")
    with pytest.raises(CalendarReplacement) as raised:
        run(app, tmp_path, other, "basic.ics")
    assert str(raised.value) == (
        f"the calendar 'Agenda' holds 9 occurrences and {tmp_path / 'basic.ics'} has none of its "
        "events, so importing it would remove 9 occurrences: give this file its own calendar "
        "with --calendar NAME, or import it with --replace if it does replace them"
    )
    assert len(stored(app)) == 9
    assert run(app, tmp_path, other, "basic.ics", calendar="Loto du club").new == 1
    assert len(stored(app)) == 10
    replaced = run(app, tmp_path, other.replace("x@test", "y@test"), "basic.ics", replace=True)
    assert (replaced.new, replaced.removed) == (1, 9)


def test_an_event_another_calendar_holds_is_left_out(app, tmp_path):
    territory(app)
    run(app, tmp_path, calendar(*VERSION_1))
    text = calendar(VERSION_1[0], GOOD, header="X-WR-CALNAME:Partenaire\n")
    report = run(app, tmp_path, text, "partenaire.ics")
    assert [str(s) for s in report.skipped] == [
        "line 6, UID: the event 'Vernissage' (UID a@test) is already in the calendar 'Agenda': "
        "import this file with --calendar 'Agenda' if it is a new version of that calendar"
    ]
    assert report.new == 1


def test_an_import_reports_its_progress_event_by_event(app, tmp_path):
    territory(app)
    heard: list[tuple[int, int]] = []
    run(app, tmp_path, FILES["google"], progress=lambda done, total: heard.append((done, total)))
    assert heard == [(n, 4) for n in range(1, 5)]


def test_the_api_gives_an_all_day_event_its_dates(app, client, tmp_path):
    territory(app)
    run(app, tmp_path, FILES["google"], "google.ics")
    body = client.get(
        "/api/v1/events",
        query_string={"from": "2026-03-05T00:00:00Z", "to": "2026-03-06T00:00:00Z"},
    ).json
    market = next(item for item in body["items"] if item["title"] == "Marché du jeudi")
    assert (market["all_day"], market["starts_on"], market["ends_on"]) == (
        True,
        "2026-03-05",
        "2026-03-05",
    )
    assert market["starts_at"] == "2026-03-04T23:00:00+00:00"  # Thursday's midnight in Paris
    yoga = next(item for item in body["items"] if item["title"] == "Yoga au musée")
    assert (yoga["all_day"], yoga["starts_on"]) == (False, None)


def _mutated(text: str, rng: random.Random) -> str:
    """The file with one line broken the way fuzzers and careless editors break them."""
    lines = text.replace("\r\n", "\n").split("\n")
    at = rng.randrange(len(lines))
    line = lines[at]
    name, _, value = line.partition(":")
    broken = rng.choice(
        [
            "",  # the line deleted
            line + "\n" + line,  # the line twice
            line[: rng.randrange(len(line) + 1)],  # cut short
            f"{name}:{''.join(rng.choice('0123456789T:;,=-Z/ é') for _ in range(12))}",
            f"{name};{value}",  # ";" for ":"
            f"{name}:{value[::-1]}",
            f" {line}",  # folded onto the line before
        ]
    )
    lines[at : at + 1] = [broken] if broken else []
    return "\n".join(lines)


def test_broken_files_never_end_in_a_traceback(app, tmp_path):
    territory(app)
    rng = random.Random(20)
    for n in range(150):
        text = _mutated(rng.choice(list(FILES.values())), rng)
        try:
            report = run(app, tmp_path, text, calendar=f"fuzz {n}", replace=True)
        except ImportProblem as refused:
            said = [str(refused)]
        else:
            said = [str(skipped) for skipped in report.skipped]
        assert all("\n" not in line and "\r" not in line for line in said), (text, said)
