"""A small analytics world with rollup rows written by hand, so every figure is known.

A museum (La Piscine) and a shop window (Le Comptoir's), one sticker at each and one never
installed; Monday 4 and Tuesday 5 May 2026. Visitor A taps at the museum on Monday and at the
shop window on Tuesday; visitor B only at the museum. Their ids must never leave the server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask

from server.db import database
from server.models import (
    FIRST_VISIT,
    Audience,
    DailyVisitors,
    Flow,
    JourneyDay,
    JourneyShop,
    Offer,
    OfferDay,
    OfferKind,
    PlaceHour,
    PlaceKind,
    StickerDay,
    StickerStatus,
    TerritoryHour,
    VisitorDay,
    VisitorReturn,
)
from tests.server import factories

MONDAY, TUESDAY = dt.date(2026, 5, 4), dt.date(2026, 5, 5)
VISITORS = ("vis-4f9a1c0e7b2d-secret", "vis-88e1d0b3c5a7-secret")
PERSON, PREVIEW, MACHINE = Audience.PERSON, Audience.PREVIEW, Audience.MACHINE


@dataclass
class World:
    """The ids the tests need."""

    territory: int
    museum: int
    window: int
    shop: int
    offer: int
    museum_sticker: int
    window_sticker: int
    unused_sticker: int


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


def build(app: Flask) -> World:
    """The places, stickers and offer, then their rollup rows."""
    territory = factories.territory(app)
    museum = factories.place(app, "la-piscine", territory)
    shop = factories.shop(app, "comptoir", territory, 50.6921, 3.1685, name="Le Comptoir")
    window = factories.place(
        app,
        "vitrine-comptoir",
        territory,
        name="Vitrine du Comptoir",
        kind=PlaceKind.SHOP,
        shop_id=shop,
        latitude=50.6921,
        longitude=3.1685,
    )
    museum_sticker = factories.stickers(app, "la-piscine", 1)[0]["tag_id"]
    window_sticker, unused = (e["tag_id"] for e in factories.stickers(app, "vitrine-comptoir", 2))
    long_ago = _at(MONDAY - dt.timedelta(days=60), 9)
    for sticker in (museum_sticker, window_sticker):
        factories.update_sticker(
            app, sticker, status=StickerStatus.INSTALLED, installed_at=long_ago
        )
    factories.update_sticker(app, museum_sticker, last_tap_at=_at(TUESDAY, 20))
    factories.update_sticker(app, window_sticker, last_tap_at=long_ago)  # silent since
    factories.update_sticker(app, unused, status=StickerStatus.ENCODED, encoded_at=long_ago)
    a, b = VISITORS
    t = territory
    with database(app).transaction() as session:
        offer = Offer(
            slug="comptoir-cafe",
            shop_id=shop,
            kind=OfferKind.DEAL,
            title={"fr": "Café offert"},
            conditions={},
            valid_from=MONDAY,
            valid_until=TUESDAY,
        )
        session.add(offer)
        session.flush()
        rows = [
            StickerDay(day=MONDAY, sticker_id=museum_sticker, audience=PERSON, place_id=museum,
                       territory_id=t, taps=10, suspected=1),
            StickerDay(day=MONDAY, sticker_id=museum_sticker, audience=PREVIEW, place_id=museum,
                       territory_id=t, taps=2, suspected=0),
            StickerDay(day=MONDAY, sticker_id=museum_sticker, audience=MACHINE, place_id=museum,
                       territory_id=t, taps=3, suspected=0),
            StickerDay(day=TUESDAY, sticker_id=window_sticker, audience=PERSON, place_id=window,
                       territory_id=t, taps=4, suspected=0),
            TerritoryHour(territory_id=t, day=MONDAY, hour=14, audience=PERSON, taps=6),
            TerritoryHour(territory_id=t, day=MONDAY, hour=15, audience=PERSON, taps=4),
            TerritoryHour(territory_id=t, day=MONDAY, hour=14, audience=PREVIEW, taps=2),
            TerritoryHour(territory_id=t, day=MONDAY, hour=3, audience=MACHINE, taps=3),
            TerritoryHour(territory_id=t, day=TUESDAY, hour=10, audience=PERSON, taps=4),
            PlaceHour(day=MONDAY, hour=14, place_id=museum, audience=PERSON, territory_id=t,
                      taps=6),
            PlaceHour(day=MONDAY, hour=15, place_id=museum, audience=PERSON, territory_id=t,
                      taps=4),
            PlaceHour(day=MONDAY, hour=14, place_id=museum, audience=PREVIEW, territory_id=t,
                      taps=2),
            PlaceHour(day=MONDAY, hour=3, place_id=museum, audience=MACHINE, territory_id=t,
                      taps=3),
            PlaceHour(day=TUESDAY, hour=10, place_id=window, audience=PERSON, territory_id=t,
                      taps=4),
            VisitorDay(day=MONDAY, place_id=museum, visitor_id=a, territory_id=t, taps=6,
                       first_at=_at(MONDAY, 12), last_at=_at(MONDAY, 13)),
            VisitorDay(day=MONDAY, place_id=museum, visitor_id=b, territory_id=t, taps=4,
                       first_at=_at(MONDAY, 13), last_at=_at(MONDAY, 13)),
            VisitorDay(day=TUESDAY, place_id=window, visitor_id=a, territory_id=t, taps=4,
                       first_at=_at(TUESDAY, 8), last_at=_at(TUESDAY, 8)),
            # A and B first seen on Monday; A again on Tuesday, at the window for the first time.
            VisitorReturn(territory_id=t, place_id=0, day=MONDAY, previous_day=FIRST_VISIT,
                          visitors=2),
            VisitorReturn(territory_id=t, place_id=museum, day=MONDAY, previous_day=FIRST_VISIT,
                          visitors=2),
            VisitorReturn(territory_id=t, place_id=0, day=TUESDAY, previous_day=MONDAY,
                          visitors=1),
            VisitorReturn(territory_id=t, place_id=window, day=TUESDAY, previous_day=FIRST_VISIT,
                          visitors=1),
            DailyVisitors(territory_id=t, day=MONDAY, place_id=0, visitors=2),
            DailyVisitors(territory_id=t, day=TUESDAY, place_id=0, visitors=1),
            DailyVisitors(territory_id=t, day=MONDAY, place_id=museum, visitors=2),
            DailyVisitors(territory_id=t, day=TUESDAY, place_id=window, visitors=1),
            JourneyDay(day=MONDAY, place_id=museum, territory_id=t, visitors=2,
                       went_same_day=0, went_week=1),
            JourneyShop(day=MONDAY, place_id=museum, shop_id=shop, territory_id=t,
                        tapped_same_day=0, tapped_week=1, viewed_same_day=0, viewed_week=1,
                        redeemed_same_day=0, redeemed_week=0),
            Flow(day=MONDAY, from_place_id=museum, to_place_id=window, territory_id=t,
                 same_day=0, week=1),
            OfferDay(day=MONDAY, offer_id=offer.id, shop_id=shop, territory_id=t, views=3,
                     codes=1, redemptions=0),
            OfferDay(day=TUESDAY, offer_id=offer.id, shop_id=shop, territory_id=t, views=2,
                     codes=1, redemptions=1),
        ]  # fmt: skip
        session.add_all(rows)
        offer_id = offer.id
    return World(t, museum, window, shop, offer_id, museum_sticker, window_sticker, unused)
