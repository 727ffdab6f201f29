"""A 2 MB calendar goes in whole and right: thousands of events, weekly series with exceptions,
moved instances and all-day markets, each stored as recurring-ical-events expands it (issue 20).
How long it takes is measured by `python -m bench.ical`, not asserted here."""

from __future__ import annotations

from collections import Counter

import pytest

from server.db import database
from server.importers.ical import import_ical
from tests.server.factories import territory
from tests.server.test_ical_real_world import NOW, POSITION, expansion, shown
from tests.support.calendars import big_calendar

SIZE = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def calendar() -> tuple[str, Counter[tuple[str, ...]]]:
    """The 2 MB calendar and recurring-ical-events' expansion of it, made once: only read."""
    text = big_calendar(SIZE, NOW.date())
    return text, expansion(text)


def test_a_2_mb_calendar_is_stored_as_recurring_ical_events_expands_it(app, tmp_path, calendar):
    territory(app)
    text, expected = calendar
    path = tmp_path / "agenda.ics"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size >= SIZE
    with database(app).transaction() as session:
        report = import_ical(session, path, "roubaix", POSITION, now=NOW)
    assert not report.skipped
    assert report.new == sum(expected.values()) > 5000
    assert shown(app) == expected
    with database(app).transaction() as session:
        again = import_ical(session, path, "roubaix", POSITION, now=NOW)
    assert (again.new, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == report.new
