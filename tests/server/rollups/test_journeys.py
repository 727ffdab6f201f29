"""From the museum to the shops: who went on, the same day or within 7 days, and where."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.db import database
from server.models import (
    Flow,
    JourneyDay,
    JourneyShop,
    Offer,
    OfferKind,
    OfferView,
    Place,
    PlaceKind,
    RedemptionCode,
    Sticker,
)
from server.services import rollups, stats
from tests.server import factories
from tests.server.rollups.helpers import paris, refresh, store, tap

MONDAY = dt.date(2026, 6, 1)


@pytest.fixture
def town(app) -> dict:
    """A museum, a square and a shop with its shop window; one sticker each."""
    territory = factories.territory(app)
    factories.place(app, "la-piscine", territory)
    factories.place(app, "grand-place", territory, name="Grand-Place", kind=PlaceKind.SQUARE)
    shop = factories.shop(app, "comptoir", territory, 50.69, 3.17)
    factories.place(app, "vitrine", territory, name="Vitrine", kind=PlaceKind.SHOP, shop_id=shop)
    ids = {
        slug: factories.stickers(app, slug)[0]["tag_id"]
        for slug in ("la-piscine", "grand-place", "vitrine")
    }
    with database(app).transaction() as session:
        offer = Offer(
            slug="dix-pour-cent",
            shop_id=shop,
            kind=OfferKind.DEAL,
            title={"fr": "10 %"},
            conditions={"fr": "sur présentation"},
            valid_from=MONDAY,
            valid_until=MONDAY + dt.timedelta(days=30),
        )
        session.add(offer)
        session.flush()
        ids["offer"] = offer.id
    ids["shop"] = shop
    return ids


def rows(app, model) -> list[dict]:
    with database(app).sessions() as session:
        columns = model.__table__.columns
        return [
            dict(zip([c.key for c in columns], row, strict=True))
            for row in session.execute(select(*columns))
        ]


def test_visitors_who_went_on_the_same_day_within_the_week_or_not_at_all(app, town):
    museum, window, square = town["la-piscine"], town["vitrine"], town["grand-place"]
    store(
        app,
        [
            tap(museum, paris(2026, 6, 1, 10), visitor="same-day"),
            tap(window, paris(2026, 6, 1, 15), visitor="same-day"),
            tap(museum, paris(2026, 6, 1, 11), visitor="three-days"),
            tap(window, paris(2026, 6, 4, 12), visitor="three-days"),
            tap(window, paris(2026, 6, 1, 9), visitor="before"),  # the shop first: not a journey
            tap(museum, paris(2026, 6, 1, 12), visitor="before"),
            tap(museum, paris(2026, 6, 1, 12), visitor="too-late"),
            tap(window, paris(2026, 6, 9, 12), visitor="too-late"),  # the 8th day after
            tap(museum, paris(2026, 6, 1, 13), visitor="square"),
            tap(square, paris(2026, 6, 1, 14), visitor="square"),
        ],
    )
    refresh(app)
    [journey] = [row for row in rows(app, JourneyDay) if row["day"] == MONDAY]
    assert (journey["visitors"], journey["went_same_day"], journey["went_week"]) == (5, 1, 2)
    [shop] = [row for row in rows(app, JourneyShop) if row["day"] == MONDAY]
    assert (shop["tapped_same_day"], shop["tapped_week"]) == (1, 2)
    flows = {
        (row["from_place_id"], row["to_place_id"]): (row["same_day"], row["week"])
        for row in rows(app, Flow)
        if row["day"] == MONDAY
    }
    places = {name: _place_of(app, town[name]) for name in ("la-piscine", "vitrine", "grand-place")}
    assert flows == {
        (places["la-piscine"], places["vitrine"]): (1, 2),
        (places["la-piscine"], places["grand-place"]): (1, 1),
        (places["vitrine"], places["la-piscine"]): (1, 1),  # "before" went the other way
    }


def test_offer_views_and_redemptions_after_the_museum_count_as_going_on(app, town):
    museum = town["la-piscine"]
    store(
        app,
        [
            tap(museum, paris(2026, 6, 1, 10), visitor="viewer"),
            tap(museum, paris(2026, 6, 1, 10), visitor="redeemer"),
        ],
    )
    with database(app).transaction() as session:
        session.add(
            OfferView(
                offer_id=town["offer"],
                occurred_at=paris(2026, 6, 1, 16).astimezone(dt.UTC),
                visitor_id="viewer",
            )
        )
        session.add(
            RedemptionCode(
                code="ABCDEFGH",
                offer_id=town["offer"],
                visitor_id="redeemer",
                issued_at=paris(2026, 6, 2, 9).astimezone(dt.UTC),
                expires_at=paris(2026, 6, 3, 0).astimezone(dt.UTC),
                redeemed_at=paris(2026, 6, 2, 10).astimezone(dt.UTC),
                redeemed_shop_id=town["shop"],
            )
        )
        rollups.mark(session, _territory_of(app, town["la-piscine"]), [MONDAY])
    refresh(app)
    [journey] = [row for row in rows(app, JourneyDay) if row["day"] == MONDAY]
    assert (journey["went_same_day"], journey["went_week"]) == (1, 2)
    [shop] = rows(app, JourneyShop)
    assert (shop["viewed_same_day"], shop["viewed_week"]) == (1, 1)
    assert (shop["redeemed_same_day"], shop["redeemed_week"]) == (0, 1)
    assert (shop["tapped_same_day"], shop["tapped_week"]) == (0, 0)


def test_a_shop_window_tap_days_later_completes_an_earlier_days_journey(app, town):
    store(app, [tap(town["la-piscine"], paris(2026, 6, 1, 10), visitor="slow")])
    refresh(app)
    assert [row["went_week"] for row in rows(app, JourneyDay)] == [0]
    store(app, [tap(town["vitrine"], paris(2026, 6, 6, 10), visitor="slow")])
    refresh(app)  # only the 6th was marked; its week before is redone
    assert [row["went_week"] for row in rows(app, JourneyDay)] == [1]


def _place_of(app, tag_id: int) -> int:
    with database(app).sessions() as session:
        return session.get_one(Sticker, tag_id).place_id


def _territory_of(app, tag_id: int) -> int:
    with database(app).sessions() as session:
        return session.get_one(Place, session.get_one(Sticker, tag_id).place_id).territory_id


def test_flows_of_a_range_with_whole_months_add_up_to_its_days(app, town):
    museum, window, square = town["la-piscine"], town["vitrine"], town["grand-place"]
    records = []
    for n, day in enumerate([(5, 30), (6, 1), (6, 15), (6, 30), (7, 1), (7, 20), (8, 2)]):
        for visitor in range(n + 1):
            name = f"v{n}-{visitor}"
            records.append(tap(museum, paris(2026, *day, 10), visitor=name))
            records.append(
                tap(window if visitor % 2 else square, paris(2026, *day, 12), visitor=name)
            )
    store(app, records)
    refresh(app)
    territory = _territory_of(app, museum)
    by_day = rows(app, Flow)
    for start, end in [
        (dt.date(2026, 5, 30), dt.date(2026, 8, 2)),  # June and July whole, days either side
        (dt.date(2026, 6, 1), dt.date(2026, 6, 30)),  # one whole month
        (dt.date(2026, 6, 2), dt.date(2026, 7, 19)),  # no whole month
    ]:
        expected = {}
        for row in by_day:
            if start <= row["day"] <= end:
                pair = expected.setdefault((row["from_place_id"], row["to_place_id"]), [0, 0])
                pair[0] += row["same_day"]
                pair[1] += row["week"]
        with database(app).sessions() as session:
            answer = stats.flows(session, stats.Scope(territory, start, end))
            names = dict(session.execute(select(Place.name, Place.id)).all())
        got = {
            (names[flow.from_place], names[flow.to_place]): [flow.same_day, flow.week]
            for flow in answer
        }
        assert got == expected, (start, end)
