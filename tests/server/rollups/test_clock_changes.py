"""Days and hours are the clocks of Paris, through the March and October clock changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.db import database
from server.models import StickerDay, TerritoryHour
from server.services import rollups
from tests.server import factories
from tests.server.rollups.helpers import refresh, store, tap


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def hours_and_days(app) -> tuple[dict, dict]:
    with database(app).sessions() as session:
        hours = {
            (day, hour): taps
            for day, hour, taps in session.execute(
                select(TerritoryHour.day, TerritoryHour.hour, TerritoryHour.taps)
            )
        }
        days = dict(session.execute(select(StickerDay.day, StickerDay.taps)).all())
    return hours, days


def test_the_march_change_skips_two_oclock_and_midnight_is_local(app):
    entry = factories.installed_sticker(app)
    store(
        app,
        [
            tap(entry["tag_id"], utc(2026, 3, 28, 22, 30)),  # 23:30 on the 28th in Paris
            tap(entry["tag_id"], utc(2026, 3, 28, 23, 30)),  # 00:30 on the 29th
            tap(entry["tag_id"], utc(2026, 3, 29, 0, 59)),  # 01:59 CET
            tap(entry["tag_id"], utc(2026, 3, 29, 1, 0)),  # 03:00 CEST: 02:xx never happens
            tap(entry["tag_id"], utc(2026, 3, 29, 21, 59)),  # 23:59 CEST, still the 29th
            tap(entry["tag_id"], utc(2026, 3, 29, 22, 0)),  # 00:00 on the 30th
        ],
    )
    refresh(app)
    hours, days = hours_and_days(app)
    march = dt.date(2026, 3, 28), dt.date(2026, 3, 29), dt.date(2026, 3, 30)
    assert days == {march[0]: 1, march[1]: 4, march[2]: 1}
    assert hours == {
        (march[0], 23): 1,
        (march[1], 0): 1,
        (march[1], 1): 1,
        (march[1], 3): 1,
        (march[1], 23): 1,
        (march[2], 0): 1,
    }


def test_the_october_change_counts_both_two_oclocks_in_the_same_day(app):
    entry = factories.installed_sticker(app)
    store(
        app,
        [
            tap(entry["tag_id"], utc(2026, 10, 24, 22, 30)),  # 00:30 CEST on the 25th
            tap(entry["tag_id"], utc(2026, 10, 25, 0, 30)),  # 02:30 CEST
            tap(entry["tag_id"], utc(2026, 10, 25, 1, 30)),  # 02:30 CET, an hour later
            tap(entry["tag_id"], utc(2026, 10, 25, 22, 59)),  # 23:59 CET, still the 25th
            tap(entry["tag_id"], utc(2026, 10, 25, 23, 0)),  # 00:00 on the 26th
        ],
    )
    refresh(app)
    hours, days = hours_and_days(app)
    sunday, monday = dt.date(2026, 10, 25), dt.date(2026, 10, 26)
    assert days == {sunday: 4, monday: 1}
    assert hours == {(sunday, 0): 1, (sunday, 2): 2, (sunday, 23): 1, (monday, 0): 1}


def test_a_day_of_a_clock_change_has_23_or_25_hours():
    for day, hours in ((dt.date(2026, 3, 29), 23), (dt.date(2026, 10, 25), 25)):
        start, end = rollups.day_bounds(day, "Europe/Paris")
        assert end - start == dt.timedelta(hours=hours)
