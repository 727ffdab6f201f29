"""taptrail purge: raw rows with visitor ids go after 25 months; the counts stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from server.db import database
from server.models import DailyVisitors, StickerDay, Tap, VisitorDay
from server.services import rollups
from server.services.retention import purge, retention_cutoff
from tests.server import factories
from tests.server.rollups.helpers import NOW, rebuild, refresh, store, tap


def count(app, model) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_cutoff_is_25_calendar_months_back():
    assert retention_cutoff(NOW) == dt.datetime(2024, 10, 28, 12, tzinfo=dt.UTC)
    assert retention_cutoff(dt.datetime(2027, 3, 31, tzinfo=dt.UTC)) == dt.datetime(
        2025, 2, 28, tzinfo=dt.UTC
    )


def test_old_raw_taps_and_visitor_days_go_and_the_counts_stay(app):
    entry = factories.installed_sticker(app)
    old = dt.datetime(2024, 9, 1, 12, tzinfo=dt.UTC)
    recent = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    store(app, [tap(entry["tag_id"], old, visitor="old")])
    rollups.refresh(database(app), now=old)  # counted back when it was recent
    store(app, [tap(entry["tag_id"], recent)])
    refresh(app)
    assert count(app, VisitorDay) == 2

    dry = purge(database(app), NOW, dry_run=True)
    assert (dry.taps, dry.visitor_days, count(app, Tap)) == (1, 1, 2)

    report = purge(database(app), NOW)
    assert (report.taps, report.visitor_days) == (1, 1)
    with database(app).sessions() as session:
        assert session.scalars(select(VisitorDay.visitor_id)).all() == ["visitor-1"]
        assert session.scalars(select(Tap.occurred_at)).all() == [recent]
    # The old day's counts are kept, and a rebuild leaves them alone (no raw rows to redo them).
    kept = {day: taps for day, taps in _days(app)}
    assert kept == {dt.date(2024, 9, 1): 1, dt.date(2026, 11, 1): 1}
    rebuild(app, dt.date(2024, 9, 1), dt.date(2024, 9, 1))
    assert dict(_days(app)) == kept
    assert count(app, DailyVisitors) == 4  # the old day's uniques outlive its visitor ids


def _days(app):
    with database(app).sessions() as session:
        return session.execute(select(StickerDay.day, StickerDay.taps)).all()
