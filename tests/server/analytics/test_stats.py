"""The figures of server/services/stats.py on rollup rows written by hand, on both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from server.db import database
from server.services import stats
from server.services.stats import RangeError, Scope
from tests.server.analytics.world import MONDAY, TUESDAY, VISITORS, World, build


@pytest.fixture
def world(app) -> World:
    return build(app)


def _run(app, query, scope):  # type: ignore[no-untyped-def]
    with database(app).sessions() as session:
        return query(session, scope)


def test_totals_count_each_audience_apart_and_each_visitor_once(app, world):
    totals = _run(app, stats.totals, Scope(world.territory, MONDAY, TUESDAY))
    assert (totals.person, totals.preview, totals.machine) == (14, 2, 3)
    assert totals.visitors == 2  # visitor A tapped on both days: counted once
    assert totals.days == 2
    museum = _run(app, stats.totals, Scope(world.territory, MONDAY, TUESDAY, world.museum))
    assert (museum.person, museum.preview, museum.machine, museum.visitors) == (10, 2, 3, 2)
    sticker = Scope(world.territory, MONDAY, TUESDAY, sticker_id=world.window_sticker)
    assert _run(app, stats.totals, sticker).person == 4


def test_taps_by_day_lists_every_day_with_its_unique_visitors(app, world):
    days = _run(app, stats.taps_by_day, Scope(world.territory, MONDAY, TUESDAY + dt.timedelta(1)))
    assert [(d.day, d.person, d.preview, d.machine, d.visitors) for d in days] == [
        (MONDAY, 10, 2, 3, 2),
        (TUESDAY, 4, 0, 0, 1),
        (TUESDAY + dt.timedelta(1), 0, 0, 0, 0),
    ]
    window = _run(app, stats.taps_by_day, Scope(world.territory, MONDAY, TUESDAY, world.window))
    assert [(d.person, d.visitors) for d in window] == [(0, 0), (4, 1)]


def test_taps_by_hour_and_hour_of_week(app, world):
    scope = Scope(world.territory, MONDAY, TUESDAY)
    hours = _run(app, stats.taps_by_hour, scope)
    assert len(hours) == 24
    assert (hours[14].person, hours[14].preview, hours[3].machine, hours[10].person) == (6, 2, 3, 4)
    week = _run(app, stats.hour_of_week, scope)
    assert len(week) == 168 and (week[0].weekday, week[0].hour) == (0, 0)
    busy = {(c.weekday, c.hour): c.taps for c in week if c.taps}
    assert busy == {(0, 14): 6, (0, 15): 4, (1, 10): 4}  # people only: no preview, no machine
    window = _run(app, stats.taps_by_hour, Scope(world.territory, MONDAY, TUESDAY, world.window))
    assert sum(h.person for h in window) == 4 and window[10].person == 4


def test_places_and_stickers(app, world):
    scope = Scope(world.territory, MONDAY, TUESDAY)
    places = _run(app, stats.busiest_places, scope)
    assert [(p.slug, p.person, p.preview, p.machine) for p in places] == [
        ("la-piscine", 10, 2, 3),
        ("vitrine-comptoir", 4, 0, 0),
    ]
    assert places[0].latitude == pytest.approx(50.69229)
    found = _run(app, stats.stickers, scope)
    assert [(s.sticker_id, s.person, s.suspected) for s in found] == [
        (world.museum_sticker, 10, 1),
        (world.window_sticker, 4, 0),
    ]


def test_journeys_flows_and_offers(app, world):
    scope = Scope(world.territory, MONDAY, TUESDAY)
    (journey,) = _run(app, stats.journeys, scope)
    assert (journey.place, journey.visitors, journey.went_same_day, journey.went_week) == (
        "La Piscine",
        2,
        0,
        1,
    )
    assert (journey.same_day_ratio, journey.week_ratio) == (0.0, 0.5)
    (shop,) = _run(app, stats.journey_shops, scope)
    assert (shop.shop, shop.tapped_week, shop.viewed_week, shop.redeemed_week) == (
        "Le Comptoir",
        1,
        1,
        0,
    )
    (flow,) = _run(app, stats.flows, scope)
    assert (flow.from_place, flow.to_place, flow.same_day, flow.week) == (
        "La Piscine",
        "Vitrine du Comptoir",
        0,
        1,
    )
    (offer,) = _run(app, stats.offers, scope)
    assert (offer.title, offer.shop, offer.views, offer.codes, offer.redemptions) == (
        "Café offert",
        "Le Comptoir",
        5,
        2,
        1,
    )
    (by_shop,) = _run(app, stats.offers_by_shop, Scope(world.territory, TUESDAY, TUESDAY))
    assert (by_shop.views, by_shop.codes, by_shop.redemptions) == (2, 1, 1)


def test_sticker_health_finds_the_silent_the_copied_and_the_never_installed(app, world):
    now = dt.datetime.combine(TUESDAY, dt.time(22), dt.UTC)
    with database(app).sessions() as session:
        found = stats.sticker_health(session, world.territory, now, copies_since=MONDAY)
    assert {(s.sticker_id, s.problem) for s in found} == {
        (world.museum_sticker, "copied"),
        (world.window_sticker, "silent"),
        (world.unused_sticker, "not installed"),
    }


def test_a_range_outside_the_data_gives_zeros_not_errors(app, world):
    scope = Scope(world.territory, dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    for name, query in stats.DASHBOARD_QUERIES:
        result = _run(app, query, scope)
        assert result is not None, name
    assert _run(app, stats.totals, scope).visitors == 0


def test_no_figure_carries_a_visitor_id(app, world):
    scope = Scope(world.territory, MONDAY, TUESDAY)
    with database(app).sessions() as session:
        for name, _query in stats.DASHBOARD_QUERIES:
            text = repr([dataclasses.asdict(row) for row in stats.figure(session, name, scope)])
            assert not any(visitor in text for visitor in VISITORS), name


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_the_range_must_run_forward_and_last_at_most_three_years(app):
    with pytest.raises(RangeError, match="before the start"):
        Scope(1, TUESDAY, MONDAY)
    with pytest.raises(RangeError, match="at most"):
        Scope(1, dt.date(2020, 1, 1), dt.date(2024, 1, 1))
    assert Scope(1, MONDAY, MONDAY).days == 1
    assert Scope(1, dt.date(2023, 1, 1), dt.date(2025, 12, 31)).days == 1096


def test_every_figure_has_its_row_type():
    assert [name for name, _ in stats.DASHBOARD_QUERIES] == list(stats.ROW_TYPES)
