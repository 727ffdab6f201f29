"""Staff write events in the portal: a weekly event with a day off shows its right dates on the
visitor pages, in each language; wrong values are said per field and save nothing; a calendar
file is previewed (nothing saved), then imported once confirmed; a bad file changes nothing."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.db import database
from server.models import AuditEntry, Event, EventSeries
from tests.server.portal.conftest import EMAILS, Browser, seed_portal
from tests.server.portal.test_listing import _form
from tests.support.html import page, text

NEW = "/portal/staff/events/new?territory=roubaix"
IMPORT = "/portal/staff/events/import?territory=roubaix"
# The portal's clock: Thursday 26 November 2026 (tests/server/portal/conftest.py).
WEEKLY = {
    "title": "Visite guidée du musée",
    "first_day": "2026-11-27",  # a Friday
    "starts": "19:30",
    "ends": "21:00",
    "frequency": "weekly",
    "count": "4",
    "until": "",
    "exceptions": "2026-12-04",
    "place": "la-piscine",
    "description_fr": "Une heure avec une guide.",
    "description_en": "An hour with a guide.",
    "description_nl": "Een uur met een gids.",
}


def _counts(app) -> tuple[int, int]:
    with database(app).sessions() as session:
        return (
            session.scalar(select(func.count(EventSeries.id))) or 0,
            session.scalar(select(func.count(Event.id))) or 0,
        )


def test_a_weekly_event_with_a_day_off_shows_its_dates_to_visitors(app, seed, signed_in):
    staff = signed_in("staff")
    form = _form(staff.get(NEW)) | WEEKLY
    saved = staff.post(NEW, form)
    assert saved.status_code == 303, page(saved).select("p.error")
    edited = page(staff.get(saved.headers["Location"]))
    assert "3 dates from today on" in text(edited)
    with database(app).sessions() as session:
        events = list(session.scalars(select(Event).order_by(Event.starts_at)))
    local = [event.starts_at.astimezone(ZoneInfo("Europe/Paris")) for event in events]
    assert [(m.month, m.day, m.hour, m.minute) for m in local] == [
        (11, 27, 19, 30),
        (12, 11, 19, 30),
        (12, 18, 19, 30),
    ]
    assert {e.venue for e in events} == {"La Piscine"}
    visitor = app.test_client()
    said = {
        "fr": ("ven. 27 nov.", "Une heure avec une guide."),
        "en": ("Fri 27 Nov", "An hour with a guide."),
        "nl": ("vr 27 nov", "Een uur met een gids."),
    }
    for language, (day, description) in said.items():
        headers = {"Accept-Language": language}
        shown = text(page(visitor.get(f"/event/{events[0].id}", headers=headers)))
        assert day in shown and description in shown, (language, shown[:300])
        # The place page lists what happens in the next two weeks: the 27th, not the 4th.
        near = page(visitor.get("/p/la-piscine", headers=headers))
        titles = [a for a in near.find_all("a") if text(a) == WEEKLY["title"]]
        assert [a["href"].split("?")[0] for a in titles] == [f"/{language}/event/{events[0].id}"]
    # Moved to Thursdays without the day off: the dates follow, none is doubled.
    again = _form(staff.get(saved.headers["Location"])) | {
        "first_day": "2026-11-26",
        "exceptions": "",
        "place": "",
    }
    assert staff.post(saved.headers["Location"], again).status_code == 303
    with database(app).sessions() as session:
        days = [e.starts_at.day for e in session.scalars(select(Event).order_by(Event.starts_at))]
    assert days == [26, 3, 10, 17]
    log = page(signed_in("administrator").get("/portal/admin/audit"))
    assert "Event saved" in text(log) and "Except on" in text(log)
    assert "Dec 4, 2026" in text(log) or "4 Dec 2026" in text(log)  # a date, not ISO text
    assert "{'" not in str(log) and "['" not in str(log)
    removed = staff.post(saved.headers["Location"] + "/delete")
    assert removed.status_code == 303
    assert "with 4 dates to come" in text(page(staff.get(removed.headers["Location"])))
    assert _counts(app) == (0, 0)
    assert visitor.get(f"/event/{events[0].id}").status_code == 404


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_wrong_values_are_said_per_field_and_nothing_is_saved(app, seed, signed_in):
    staff = signed_in("staff")
    form = _form(staff.get(NEW)) | WEEKLY
    wrong = staff.post(
        NEW,
        form
        | {
            "title": "",
            "first_day": "27/11/2026",
            "ends": "25:00",
            "exceptions": "2026-12-04, tomorrow",
            "url": "not an address",
        },
    )
    assert wrong.status_code == 422
    errors = {p["id"]: text(p) for p in page(wrong).select("p.error[id]")}
    assert set(errors) == {"e-title", "e-first_day", "e-ends", "e-exceptions", "e-url"}
    assert "2026-05-01" in errors["e-first_day"] and "19:30" in errors["e-ends"]
    together = staff.post(NEW, form | {"starts": "21:00", "ends": "19:30", "until": "2026-12-31"})
    errors = {p["id"]: text(p) for p in page(together).select("p.error[id]")}
    assert set(errors) == {"e-ends", "e-count"}
    assert "end after it starts" in errors["e-ends"] and "not both" in errors["e-count"]
    assert _counts(app) == (0, 0)
    french = signed_in("staff")
    french.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    refused = page(french.post(NEW, form | {"first_day": "demain"}))
    assert "2026-05-01" in text(refused.select_one("#e-first_day"))
    assert "Write a date" not in text(refused)


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Ville//Agenda//FR
X-WR-CALNAME:Agenda de Roubaix
BEGIN:VEVENT
UID:marche-1@roubaix.example
DTSTART;VALUE=DATE:20261203
SUMMARY:Marché de Noël
GEO:50.6910;3.1810
END:VEVENT
BEGIN:VEVENT
UID:concert-1@roubaix.example
DTSTART:20261205T200000
DTEND:20261205T220000
SUMMARY:Concert au Colisée
END:VEVENT
BEGIN:VEVENT
SUMMARY:Sans identifiant
DTSTART:20261206T200000
END:VEVENT
END:VCALENDAR
"""


def _upload(data: str | bytes, name: str = "agenda.ics", **fields: str) -> dict:
    raw = data.encode() if isinstance(data, str) else data
    return {"calendar": (io.BytesIO(raw), name), **fields}


def test_a_calendar_is_previewed_then_imported_once_confirmed(app, seed, signed_in):
    staff = signed_in("staff")
    assert page(staff.get(IMPORT)).find("input", attrs={"type": "file"}) is not None
    preview = staff.post(IMPORT, _upload(CALENDAR, place="la-piscine"))
    assert preview.status_code == 200
    shown = page(preview)
    said = text(shown)
    assert "New dates: 2" in said and "Events left out" in said and "no UID" in said
    assert _counts(app) == (0, 0), "a preview saves nothing"
    confirm = shown.select_one("form[action*='confirm']")
    fields = {i["name"]: i.get("value", "") for i in confirm.find_all("input")}
    done = staff.post(confirm["action"], fields)
    assert done.status_code == 303
    assert "2 new dates" in text(page(staff.get(done.headers["Location"])))
    with database(app).sessions() as session:
        stored = {e.title: e for e in session.scalars(select(Event))}
    assert set(stored) == {"Marché de Noël", "Concert au Colisée"}
    assert stored["Marché de Noël"].calendar == "Agenda de Roubaix"
    assert (stored["Concert au Colisée"].latitude, stored["Concert au Colisée"].longitude) == (
        50.69229,
        3.16782,
    )  # la Piscine's, for the event without GEO
    again = page(staff.post(IMPORT, _upload(CALENDAR, place="la-piscine")))
    assert "Dates as they were: 2" in text(again)
    log = page(signed_in("administrator").get("/portal/admin/audit"))
    assert "Calendar imported" in text(log)


def test_a_calendar_holding_a_nul_is_refused_with_its_line(app, seed, signed_in):
    """A NUL in a title (PostgreSQL refuses it in text: an HTTP 500 before) or another control
    character: the line is named, nothing is imported."""
    staff = signed_in("staff")
    for typed, bad, line in (
        ("SUMMARY:Marché de Noël", "SUMMARY:Marché\x00 de Noël", 8),
        ("SUMMARY:Concert", "SUMMARY:Concert\x1b", 15),
    ):
        refused = staff.post(IMPORT, _upload(CALENDAR.replace(typed, bad)))
        assert refused.status_code == 422, bad
        message = text(page(refused).select_one("#e-calendar"))
        assert f"line {line}: it holds a control character" in message, message
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_file_that_is_no_calendar_is_refused_and_changes_nothing(app, seed, signed_in):
    staff = signed_in("staff")
    for data, said in (
        ("name,date\nmarket,2026-12-03\n", "must begin with BEGIN:VCALENDAR"),
        (b"\xff\xfeBEGIN:VCALENDAR", "not UTF-8"),
        (CALENDAR.replace("END:VCALENDAR\n", ""), "cut short"),
        ("", "Choose a calendar file"),
    ):
        refused = staff.post(IMPORT, _upload(data))
        assert refused.status_code == 422, said
        message = text(page(refused).select_one("#e-calendar"))
        assert said in message, message
    french = signed_in("staff")
    french.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    refused = page(french.post(IMPORT, _upload("BEGIN:VCALENDAR\nnonsense\n")))
    assert text(refused.select_one("#e-calendar")).startswith("Rien n\u2019a été importé")
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_an_event_without_times_is_on_the_whole_day(app, seed, signed_in):
    staff = signed_in("staff")
    form = _form(staff.get(NEW)) | WEEKLY | {"starts": "", "ends": "", "frequency": "once"}
    assert staff.post(NEW, form).status_code == 303
    with database(app).sessions() as session:
        [event] = session.scalars(select(Event))
    assert event.ends_on == event.starts_on  # one day
    assert event.starts_on.isoformat() == "2026-11-27"
    shown = text(
        page(app.test_client().get(f"/event/{event.id}", headers={"Accept-Language": "fr"}))
    )
    assert "ven. 27 nov., toute la journée" in shown


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_confirmation_without_its_calendar_is_refused(app, seed, signed_in):
    staff = signed_in("staff")
    confirm = "/portal/staff/events/import/confirm?territory=roubaix"
    refused = staff.post(confirm, {"data": "not base64!", "filename": "agenda.ics"})
    assert refused.status_code == 422
    assert "Choose a calendar file" in text(page(refused).select_one("#e-calendar"))
    assert _counts(app) == (0, 0)


def test_an_event_removed_from_two_tabs_at_once_is_removed_once(committed_app):
    """Two clicks on Remove at the same moment: one removes the event (one audit entry), the
    other finds it gone (before, both deleted it, the second matching no row)."""
    seed_portal(committed_app)
    staff = Browser(committed_app.test_client())
    assert staff.login(EMAILS["staff"]).status_code == 303
    path = staff.post(NEW, _form(staff.get(NEW)) | WEEKLY).headers["Location"]
    clicks = 4
    tabs = [Browser(committed_app.test_client()) for _ in range(clicks)]
    for tab in tabs:
        assert tab.login(EMAILS["staff"]).status_code == 303
    tokens = [tab.token() for tab in tabs]
    start = threading.Barrier(clicks)

    def remove(index: int) -> int:
        start.wait(timeout=30)
        data = {"csrf_token": tokens[index]}
        return tabs[index].client.post(f"{path}/delete", data=data).status_code

    with ThreadPoolExecutor(max_workers=clicks) as pool:
        assert sorted(pool.map(remove, range(clicks))) == [303] + [404] * (clicks - 1)
    assert _counts(committed_app) == (0, 0)
    with database(committed_app).sessions() as session:
        removals = select(func.count(AuditEntry.id)).where(AuditEntry.action == "event.delete")
        assert session.scalar(removals) == 1
