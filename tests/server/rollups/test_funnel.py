"""The museum -> shop funnel equals a raw recount of the demo's traffic; small counts are masked
on the merchant's page, its CSV and the analysts' dashboard; no visitor id is shown."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import (
    LoyaltyStamp,
    Offer,
    OfferView,
    Outcome,
    Place,
    PlaceKind,
    RedemptionCode,
    Shop,
    Tap,
    Territory,
)
from server.services import funnel
from tests.server.conftest import demo_traffic_copy

WEEK = 7


@pytest.fixture(scope="module")
def demo_traffic(request, tmp_path_factory) -> str:
    """The demo with its ~60 days of traffic, stored and rolled up as `taptrail demo` does."""
    return demo_traffic_copy(request, tmp_path_factory.mktemp("funnel"))


def _recount(session: Session, territory: Territory):
    """Per shop, the funnel's steps counted from the raw rows; per (shop, museum), the people."""
    zone = ZoneInfo(territory.timezone)
    places = {p.id: p for p in session.scalars(select(Place))}
    steps: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for tap in session.scalars(select(Tap).where(Tap.human.is_(True), Tap.outcome == Outcome.OK)):
        place = places.get(tap.place_id)
        if place is not None and place.shop_id is not None:
            steps[place.shop_id]["window_taps"] += 1
    offers = {o.id: o for o in session.scalars(select(Offer))}
    for view in session.scalars(select(OfferView)):
        steps[offers[view.offer_id].shop_id]["offer_views"] += 1
    codes = list(session.scalars(select(RedemptionCode)))
    for code in codes:
        steps[offers[code.offer_id].shop_id]["codes_issued"] += 1
        if code.redeemed_shop_id is not None:
            steps[code.redeemed_shop_id]["codes_used"] += 1
    stamps = list(session.scalars(select(LoyaltyStamp)))
    for stamp in stamps:
        steps[stamp.shop_id]["stamps" if stamp.kind == "stamp" else "rewards"] += 1
    # People: per shop, day and role, each visitor's last event; museum taps before it.
    museum_taps = defaultdict(list)
    for tap in session.scalars(select(Tap).where(Tap.human.is_(True), Tap.outcome == Outcome.OK)):
        place = places.get(tap.place_id)
        if place is not None and place.kind is PlaceKind.MUSEUM:
            museum_taps[tap.visitor_id].append((place.id, tap.occurred_at))
    last: dict[tuple, dt.datetime] = {}
    events = [("code_users", c.redeemed_shop_id, c.visitor_id, c.redeemed_at) for c in codes]
    events += [("holders", s.shop_id, s.visitor_id, s.at) for s in stamps if s.kind == "stamp"]
    for role, shop, visitor, moment in events:
        if shop is None or visitor is None or moment is None:
            continue
        key = (role, shop, visitor, moment.astimezone(zone).date())
        last[key] = max(last.get(key, moment), moment)
    people: defaultdict[tuple[int, int], defaultdict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for (role, shop, visitor, day), moment in last.items():
        for museum in {p for p, _ in museum_taps[visitor]}:
            days = [
                at.astimezone(zone).date()
                for p, at in museum_taps[visitor]
                if p == museum and at <= moment
            ]
            if any(day - d <= dt.timedelta(days=WEEK) for d in days):
                people[shop, museum][f"{role}_week"] += 1
            if day in days:
                people[shop, museum][f"{role}_same_day"] += 1
    return steps, people


def test_the_funnel_equals_a_raw_recount_of_the_demo_traffic(demo_traffic):
    engine = make_engine(demo_traffic)
    with Session(engine) as session:
        territory = session.scalars(select(Territory).where(Territory.slug == "roubaix")).one()
        first, last = dt.date(2026, 1, 1), dt.date(2027, 1, 1)
        steps, people = _recount(session, territory)
        shown = {row.shop_id: row for row in funnel.shops(session, territory.id, first, last)}
        assert set(shown) == set(steps) and len(shown) >= 2
        for shop_id, counted in steps.items():
            for step in funnel.STEPS:
                assert getattr(shown[shop_id], step) == counted[step], (shop_id, step)
        names = {s.id: s.name for s in session.scalars(select(Shop))}
        museums = {p.id: p.name for p in session.scalars(select(Place))}
        origins = {
            (o.shop, o.museum): o for o in funnel.origins(session, territory.id, first, last)
        }
        expected = {(names[s], museums[m]): v for (s, m), v in people.items()}
        assert set(origins) == set(expected) and origins
        for key, counted in expected.items():
            row = origins[key]
            assert (row.code_users_same_day, row.code_users_week) == (
                counted["code_users_same_day"],
                counted["code_users_week"],
            ), key
            assert (row.holders_same_day, row.holders_week) == (
                counted["holders_same_day"],
                counted["holders_week"],
            ), key
        # The cross-offer pair: codes issued for visitors of La Piscine, used at the Brasserie.
        [pair] = [p for p in funnel.pairs(session, territory.id, first, last) if p.codes_issued]
        assert (
            pair.codes_used
            == steps[next(i for i, n in names.items() if n == pair.shop)]["codes_used"]
        )
    engine.dispose()


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, "fewer than 5"), (4, "fewer than 5")])
def test_small_counts_are_masked(count, shown):
    assert funnel.masked(count) == shown
    assert funnel.masked(5) == 5


def test_the_pairs_are_read_in_one_statement(demo_traffic):
    """Not one query per cross-offer (and its shops and places) on every figures page."""
    engine = make_engine(demo_traffic)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Session(engine) as session:
        territory = session.scalars(select(Territory).where(Territory.slug == "roubaix")).one()
        statements.clear()
        pairs = funnel.pairs(session, territory.id, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
        assert pairs and all(pair.origin != "-" for pair in pairs)
        assert len(statements) == 1, statements
    engine.dispose()
