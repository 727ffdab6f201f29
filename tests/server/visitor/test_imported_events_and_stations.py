"""What visitors read of imported calendars and feeds: an all-day event is a date "all day" in
French, English and Dutch, never "starts at 00:00"; a metro station is listed once, with its
lines (issue 20)."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from babel.dates import format_date, format_skeleton
from sqlalchemy import select

from server.db import database
from server.importers.gtfs import import_gtfs
from server.importers.ical import import_ical
from server.models import Event
from tests.server.test_gtfs_feeds import METRO
from tests.support.demo import PARIS
from tests.support.html import items, json_ld, page, text

LOCALES = {"en": "en_GB", "fr": "fr_FR", "nl": "nl_NL"}  # as server/i18n.py has them
ALL_DAY = {  # (when, today's status) as each language says them, {day} and {last} filled in
    "en": (
        "{day}, all day",
        "Today, all day",
        "{day} \u2013 {last}, all day",
        "On now, until {name}",
    ),
    "fr": (
        "{day}, toute la journée",
        "Aujourd\u2019hui, toute la journée",
        "{day} \u2013 {last}, toute la journée",
        "En cours, jusqu\u2019à {name}",
    ),
    "nl": (
        "{day}, de hele dag",
        "Vandaag, de hele dag",
        "{day} \u2013 {last}, de hele dag",
        "Nu bezig, tot {name}",
    ),
}


@pytest.fixture
def fair(demo_app, tmp_path):
    """A one-day fair today and a three-day festival from today, near La Piscine."""
    today = demo_app.config["FIXED_NOW"].astimezone(PARIS).date()
    after = today + dt.timedelta(days=3)
    path = tmp_path / "fetes.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nX-WR-CALNAME:Fêtes\n"
        f"BEGIN:VEVENT\nUID:foire@x\nSUMMARY:Foire aux livres\nDTSTART;VALUE=DATE:{today:%Y%m%d}\n"
        "GEO:50.6925;3.1680\nEND:VEVENT\n"
        f"BEGIN:VEVENT\nUID:festival@x\nSUMMARY:Festival\nDTSTART;VALUE=DATE:{today:%Y%m%d}\n"
        f"DTEND;VALUE=DATE:{after:%Y%m%d}\nGEO:50.6926;3.1681\nEND:VEVENT\nEND:VCALENDAR\n",
        encoding="utf-8",
    )
    with database(demo_app).transaction() as session:
        import_ical(session, path, "roubaix", now=demo_app.config["FIXED_NOW"])
    with database(demo_app).sessions() as session:
        found = {e.uid: e.id for e in session.scalars(select(Event).where(Event.uid.like("%@x")))}
    return today, found


@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_an_all_day_event_reads_as_a_date_all_day(demo_app, visitor, fair, lang):
    today, ids = fair
    when, status, span, running = ALL_DAY[lang]
    locale = LOCALES[lang]
    day = format_skeleton("MMMEd", today, locale=locale)
    soup = page(visitor.get(f"/event/{ids['foire@x']}", headers={"Accept-Language": lang}))
    assert text(soup.find("time")) == when.format(day=day)
    assert soup.find("time")["datetime"] == today.isoformat()
    assert text(soup.select_one("p.open")) == status
    assert (json_ld(soup)["startDate"], json_ld(soup)["endDate"]) == (today.isoformat(),) * 2
    last = today + dt.timedelta(days=2)
    soup = page(visitor.get(f"/event/{ids['festival@x']}", headers={"Accept-Language": lang}))
    last_day = format_skeleton("MMMEd", last, locale=locale)
    assert text(soup.find("time")) == span.format(day=day, last=last_day)
    name = format_date(last, "EEEE", locale=locale)
    assert text(soup.select_one("p.open")) == running.format(name=name)


def test_the_place_page_says_all_day_rather_than_a_midnight(demo_app, visitor, fair):
    soup = page(visitor.get("/p/la-piscine", headers={"Accept-Language": "en"}))
    cards = {text(item.find("h3")): item for item in items(soup)}
    assert text(cards["Foire aux livres"].select_one("p.open")) == "Today, all day"
    assert "00:00" not in text(cards["Festival"])


def test_a_station_is_listed_once_with_its_lines(demo_app, visitor, tmp_path):
    feed = tmp_path / "gtfs.zip"
    with zipfile.ZipFile(feed, "w") as archive:
        for name, content in METRO.items():
            archive.writestr(name, content.replace("Gare Jean Lebas", "Gare Jean Lebas (métro)"))
    with database(demo_app).transaction() as session:
        import_gtfs(session, feed)
    lines = [("en", "Line M2", "Lines 10, 25, Z1"), ("fr", "Ligne M2", "Lignes 10, 25, Z1")]
    for lang, metro, bus in [*lines, ("nl", "Lijn M2", "Lijnen 10, 25, Z1")]:
        soup = page(visitor.get("/p/la-piscine", headers={"Accept-Language": lang}))
        cards = [(text(item.find("h3")), text(item.select_one("h3 + p"))) for item in items(soup)]
        station = [meta for title, meta in cards if title == "Gare Jean Lebas (métro)"]
        assert len(station) == 1 and station[0].startswith(f"Station · {metro} · ")
        assert sum(f" · {bus} · " in meta for _title, meta in cards) == 1  # a bus stop
