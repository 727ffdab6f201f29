"""How the drainer writes a batch: plain rows in one INSERT (SQLite) or COPY (PostgreSQL), a tap
stored meanwhile by someone else skipped, not doubled, and exactly the local days marked."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.dialects import sqlite

from server.db import Database, database
from server.models import DirtyDay, Sticker, StickerStatus, Tap, Territory
from server.taps.store import array_literal, sqlite_time, store_taps
from tests.server import factories
from tests.server.rollups.helpers import tap


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_times_are_written_to_sqlite_as_sqlalchemy_writes_them():
    dialect = sqlite.dialect()
    write = Tap.__table__.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
    for moment in (
        utc(2026, 11, 28, 12),  # no microseconds: written all the same
        utc(2026, 11, 28, 23, 59, 59, 999999),
        dt.datetime(2026, 3, 29, 3, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ):
        assert sqlite_time(moment) == write(moment)


def test_a_batch_reads_back_as_it_was_spooled(app):
    entry = factories.installed_sticker(app)
    moments = [utc(2026, 11, 28, 12), utc(2026, 11, 28, 12, 0, 0, 5), utc(2026, 11, 28, 13)]
    records = [tap(entry["tag_id"], moment, browser="Mobile Safari") for moment in moments]
    assert store_taps(database(app), records) == (3, 0)
    assert store_taps(database(app), records) == (0, 3)  # drained again: nothing doubled
    with database(app).sessions() as session:
        stored = list(session.scalars(select(Tap).order_by(Tap.occurred_at)))
    assert [row.occurred_at for row in stored] == moments
    assert {(row.sticker_id, row.outcome.value, row.browser) for row in stored} == {
        (entry["tag_id"], "ok", "Mobile Safari")
    }


def test_a_tap_stored_meanwhile_by_someone_else_is_skipped_not_doubled(committed_app):
    app = committed_app
    entry = factories.installed_sticker(app)
    records = [tap(entry["tag_id"], utc(2026, 11, 28, 12, minute)) for minute in range(5)]
    other = Database(app.config["DATABASE_URL"])  # another drainer, on its own connection
    engine = database(app).engine
    raced: list[str] = []

    def store_one_meanwhile(connection, cursor, statement, parameters, context, many):
        # Right after this drainer looked up which ids are stored: the other one stores one.
        looked_up = statement.startswith("SELECT id FROM taps") or " JOIN taps " in statement
        if not raced and looked_up:
            raced.append(records[2]["id"])
            store_taps(other, [records[2]])

    event.listen(engine, "after_cursor_execute", store_one_meanwhile)
    try:
        assert store_taps(database(app), records) == (4, 1)
    finally:
        event.remove(engine, "after_cursor_execute", store_one_meanwhile)
        other.dispose()
    assert raced
    with database(app).sessions() as session:
        ids = list(session.scalars(select(Tap.id)))
        assert session.scalar(select(func.count()).select_from(Tap)) == 5
    assert sorted(ids) == sorted(record["id"] for record in records)


def test_the_days_marked_are_the_local_days_of_the_taps_and_no_others(app):
    paris = factories.installed_sticker(app)  # in Roubaix, on the clocks of Paris
    boston = factories.territory(app, "boston", timezone="America/New_York")
    factories.place(app, "mfa", territory_id=boston)
    [across] = factories.stickers(app, place_slug="mfa")
    store_taps(
        database(app),
        [
            tap(paris["tag_id"], utc(2026, 6, 1, 21, 30)),  # 23:30 in Paris on 1 June
            tap(across["tag_id"], utc(2026, 6, 1, 22, 30)),  # 18:30 in Boston on 1 June
        ],
    )
    with database(app).sessions() as session:
        marked = set(session.execute(select(DirtyDay.territory_id, DirtyDay.day)))
        roubaix = session.scalar(select(Territory.id).where(Territory.slug == "roubaix"))
    # The batch reaches 2 June in Paris, but no tap of Roubaix was made on that day.
    assert marked == {(roubaix, dt.date(2026, 6, 1)), (boston, dt.date(2026, 6, 1))}


def test_a_batch_over_weeks_marks_each_local_day_of_its_taps_and_only_those(app):
    entry = factories.installed_sticker(app)  # in Roubaix, on the clocks of Paris
    # Three weeks across the October clock change, a tap at 22:30 UTC some days: 00:30 the next
    # day in Paris in summer time, 23:30 the same day in winter time (two taps on 25 October).
    moments = [utc(2026, 10, day, 22, 30) for day in (10, 11, 12, 16, 24, 25, 26, 31)]
    moments.append(utc(2026, 10, 20, 5))  # alone on its day, between two others
    store_taps(database(app), [tap(entry["tag_id"], moment) for moment in moments])
    with database(app).sessions() as session:
        marked = set(session.scalars(select(DirtyDay.day)))
    expected = {moment.astimezone(ZoneInfo("Europe/Paris")).date() for moment in moments}
    assert marked == expected
    assert dt.date(2026, 10, 25) in marked and dt.date(2026, 10, 24) not in marked
    assert dt.date(2026, 10, 14) not in marked  # no tap that day, between marked days


def test_the_ids_looked_up_reach_postgresql_as_they_were_spooled(postgres):
    ids = ['a"b', "c\\d", "e,f}", "{g}", " h ", "NULL", "", "é€", "i\nj", '\\"']
    engine = create_engine(postgres)
    try:
        with engine.connect() as connection:
            for texts in (ids, ids[:1], ["plain", "ids"], []):
                read = connection.scalar(
                    text("SELECT CAST(:a AS text[])"), {"a": array_literal(texts)}
                )
                assert read == texts
    finally:
        engine.dispose()


def test_a_stickers_counter_and_last_tap_carry_over_to_the_next_batch(app):
    entry = factories.installed_sticker(app, uid="04A1B2C3D4E5F6")
    mirrored = {"mirror_uid": "04A1B2C3D4E5F6"}
    store_taps(
        database(app), [tap(entry["tag_id"], utc(2026, 11, 28, 12), mirror_counter=32, **mirrored)]
    )
    late, replayed, robot = (
        tap(entry["tag_id"], utc(2026, 11, 28, 11), mirror_counter=31, **mirrored),
        tap(entry["tag_id"], utc(2026, 11, 28, 13), mirror_counter=32, **mirrored),
        tap(entry["tag_id"], utc(2026, 11, 28, 14), human=False, reason="crawler: Googlebot"),
    )
    store_taps(database(app), [late, replayed, robot])
    with database(app).sessions() as session:
        stored = {row.id: row for row in session.scalars(select(Tap))}
        sticker = session.get(Sticker, entry["tag_id"])
        assert stored[late["id"]].counter_advanced is True  # below the later tap's, as it must
        assert stored[replayed["id"]].counter_advanced is False  # not above the last batch's
        assert stored[replayed["id"]].suspected_copy
        assert (sticker.last_counter, sticker.last_counter_at) == (32, utc(2026, 11, 28, 13))
        assert sticker.last_tap_at == utc(2026, 11, 28, 13)  # a person's tap, not the crawler's


def test_an_unregistered_sticker_of_a_424_batch_needs_a_sun_message(app):
    factories.place(app)
    [entry] = factories.stickers(app, chip="ntag424")
    factories.update_sticker(app, entry["tag_id"], status=StickerStatus.INSTALLED)  # no chip yet
    bare = tap(entry["tag_id"], utc(2026, 11, 28, 12))
    store_taps(database(app), [bare])
    with database(app).sessions() as session:
        stored = session.scalar(select(Tap).where(Tap.id == bare["id"]))
        sticker = session.get(Sticker, entry["tag_id"])
        assert sticker.chip is None
        assert stored.outcome.value == "bad sun" and "no SUN message" in stored.mirror_error
        assert sticker.last_tap_at is None  # a tap that proves nothing is no tap of the sticker
