"""Rollups agree exactly with a count over the raw taps, whatever order taps arrive in."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from sqlalchemy import select, update

from server.db import database
from server.models import (
    Audience,
    DailyVisitors,
    Place,
    PlaceKind,
    StickerDay,
    Tap,
    TerritoryHour,
)
from server.services import stats
from tests.server import factories
from tests.server.rollups.helpers import (
    PARIS,
    audience_of,
    check,
    paris,
    raw_counts,
    rebuild,
    refresh,
    store,
    tap,
)

REASONS = [(True, None), (False, "link preview: WhatsApp"), (False, "crawler: Googlebot")]


def two_places(app) -> tuple[list[int], list[int]]:
    """A museum and a shop window in one territory, two stickers each; their tag ids."""
    territory = factories.territory(app)
    factories.place(app, "la-piscine", territory)
    factories.place(app, "vitrine", territory, name="Vitrine", kind=PlaceKind.SHOP)
    museum = [entry["tag_id"] for entry in factories.stickers(app, "la-piscine", 2)]
    window = [entry["tag_id"] for entry in factories.stickers(app, "vitrine", 2)]
    return museum, window


def random_taps(tag_ids: list[int], count: int, seed: int) -> list[dict]:
    """Taps over three weeks around the March clock change, at any hour, some by machines."""
    chance = random.Random(seed)
    start = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    records = []
    for _ in range(count):
        human, reason = chance.choices(REASONS, weights=[8, 1, 1])[0]
        at = start + dt.timedelta(seconds=chance.randrange(21 * 24 * 3600))
        records.append(
            tap(
                chance.choice(tag_ids),
                at,
                visitor=f"v{chance.randrange(30)}",
                human=human,
                reason=reason,
            )
        )
    return records


def stored(app, model, *columns):
    with database(app).sessions() as session:
        return session.execute(select(*(getattr(model, c) for c in columns))).all()


def test_counts_agree_with_a_raw_recount_whatever_the_arrival_order(app):
    museum, window = two_places(app)
    records = random_taps(museum + window, 600, seed=8)
    random.Random(1).shuffle(records)  # spools drained late, out of order
    for start in range(0, len(records), 200):
        store(app, records[start : start + 200])
        refresh(app)

    by_sticker = Counter()
    for day, sticker, audience, taps in stored(
        app, StickerDay, "day", "sticker_id", "audience", "taps"
    ):
        by_sticker[day, sticker, audience] = taps
    assert by_sticker == raw_counts(app)

    hours = Counter()
    for day, hour, audience, taps in stored(app, TerritoryHour, "day", "hour", "audience", "taps"):
        hours[day, hour, audience] = taps
    with database(app).sessions() as session:
        every = list(session.scalars(select(Tap)))
    assert hours == Counter(
        (local.date(), local.hour, audience_of(row))
        for row in every
        for local in [row.occurred_at.astimezone(PARIS)]
    )

    people = [row for row in every if row.human]
    uniques = {
        (day, place): visitors
        for day, place, visitors in stored(app, DailyVisitors, "day", "place_id", "visitors")
    }
    for day in {row.occurred_at.astimezone(PARIS).date() for row in people}:
        that_day = [row for row in people if row.occurred_at.astimezone(PARIS).date() == day]
        assert uniques[day, 0] == len({row.visitor_id for row in that_day})
        for place in {row.place_id for row in that_day}:
            there = {row.visitor_id for row in that_day if row.place_id == place}
            assert uniques[day, place] == len(there)
    assert check(app) == []


def test_people_previews_and_machines_are_counted_apart(app):
    museum, _ = two_places(app)
    noon = paris(2026, 5, 2, 12)
    store(
        app,
        [
            tap(museum[0], noon),
            tap(museum[0], noon, visitor="v2"),
            tap(museum[0], noon, human=False, reason="link preview: Slack"),
            tap(museum[0], noon, human=False, reason="head"),
        ],
    )
    refresh(app)
    counts = {a: n for a, n in stored(app, StickerDay, "audience", "taps")}
    assert counts == {Audience.PERSON: 2, Audience.PREVIEW: 1, Audience.MACHINE: 1}


def test_a_copied_sticker_shows_in_the_suspected_count(app):
    museum, _ = two_places(app)
    store(
        app,
        [
            tap(museum[0], paris(2026, 5, 2, 12), mirror_uid="04AAAAAAAAAAAA"),
            tap(museum[0], paris(2026, 5, 2, 13)),
        ],
    )
    factories.update_sticker(app, museum[0], uid="04BBBBBBBBBBBB")
    store(app, [tap(museum[0], paris(2026, 5, 2, 14), mirror_uid="04AAAAAAAAAAAA")])
    refresh(app)
    assert stored(app, StickerDay, "taps", "suspected") == [(3, 1)]


def test_check_finds_a_rollup_that_no_longer_matches_and_rebuild_mends_it(app):
    museum, _ = two_places(app)
    store(app, [tap(museum[0], paris(2026, 5, 2, 12)), tap(museum[1], paris(2026, 5, 3, 9))])
    refresh(app)
    with database(app).transaction() as session:
        session.execute(update(StickerDay).values(taps=StickerDay.taps + 1))
    assert [line.split()[:2] for line in check(app)] == [
        ["2026-05-02", "rollup_sticker_days:"],
        ["2026-05-03", "rollup_sticker_days:"],
    ]
    rebuild(app)
    assert check(app) == []
    assert sorted(taps for (taps,) in stored(app, StickerDay, "taps")) == [1, 1]


def test_refresh_leaves_a_mark_made_while_it_worked_for_the_next_one(app):
    museum, _ = two_places(app)
    store(app, [tap(museum[0], paris(2026, 5, 2, 12))])
    refresh(app)
    assert refresh(app).days == 0  # nothing new
    store(app, [tap(museum[0], paris(2026, 5, 2, 18))])
    report = refresh(app)
    assert report.days == 1 and report.journey_days == 8  # the day, and the week before it
    assert stored(app, StickerDay, "taps") == [(2,)]


def naive_uniques(rows: list[Tap], start: dt.date, end: dt.date, place: int | None) -> int:
    """People seen in the range (at the place, if one is given), counted one by one."""
    return len(
        {
            row.visitor_id
            for row in rows
            if row.human
            and start <= row.occurred_at.astimezone(PARIS).date() <= end
            and place in (None, row.place_id)
        }
    )


def test_unique_visitors_of_any_range_agree_with_a_raw_count_even_when_taps_come_late(app):
    museum, window = two_places(app)
    records = random_taps(museum + window, 300, seed=5)
    late = [r for r in records if r["at"] < "2026-03-27"]
    store(app, [r for r in records if r not in late])
    refresh(app)  # the later days first, as if one spool had been away for days
    store(app, late)
    refresh(app)

    with database(app).sessions() as session:
        rows = list(session.scalars(select(Tap)))
        territory = session.get_one(Place, rows[0].place_id).territory_id
    places = sorted({row.place_id for row in rows})
    days = sorted({row.occurred_at.astimezone(PARIS).date() for row in rows})
    for start, end in [(days[0], days[-1]), (days[3], days[9]), (days[7], days[7])]:
        for place in (None, *places):
            scope = stats.Scope(territory, start, end, place_id=place)
            with database(app).sessions() as session:
                counted = stats.unique_visitors(session, scope)
            assert counted == naive_uniques(rows, start, end, place), (start, end, place)
