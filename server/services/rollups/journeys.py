"""Where a day's visitors went next: from each place to the others, and from museums to shops.

A visitor "went on" from a place tapped on day D when, after their first tap there that day,
they tapped at another place, viewed an offer or redeemed a code: the same day (D), or within
7 days (D to D+7, same day included). Everything is read from VisitorDay, offer views and
redemption codes: the raw taps are not scanned again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from server.models import (
    Flow,
    JourneyDay,
    JourneyShop,
    Offer,
    OfferView,
    Place,
    PlaceKind,
    RedemptionCode,
    VisitorDay,
)
from server.services.rollups.calendar import day_bounds
from server.services.rollups.counts import Row, Territorial

WINDOW_DAYS = 7
ACTIONS = ("tapped", "viewed", "redeemed")


def journey_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The Flow, JourneyDay and JourneyShop rows of the visitors who tapped on `scope.day`."""
    last_day = scope.day + dt.timedelta(days=WINDOW_DAYS)
    same_day_end = scope.bounds[1]
    window_end = day_bounds(last_day, scope.timezone)[1]
    origin = aliased(VisitorDay)
    origin_place = aliased(Place)
    at_origin = and_(origin.day == scope.day, origin.territory_id == scope.territory_id)
    # (from place, to place) -> visitors, on the same day and within the window
    flows: defaultdict[tuple[int, int], list[set[str]]] = defaultdict(lambda: [set(), set()])
    # (museum, shop, action) -> visitors, same day / window
    shops: defaultdict[tuple[int, int, str], list[set[str]]] = defaultdict(lambda: [set(), set()])
    went: defaultdict[int, list[set[str]]] = defaultdict(lambda: [set(), set()])
    museum_visitors: defaultdict[int, set[str]] = defaultdict(set)
    for place_id, visitor in session.execute(
        select(origin.place_id, origin.visitor_id)
        .join(origin_place, origin.place_id == origin_place.id)
        .where(at_origin, origin_place.kind == PlaceKind.MUSEUM)
    ):
        museum_visitors[place_id].add(visitor)

    def note(museum: int, shop: int | None, action: str, visitor: str, same_day: bool) -> None:
        if museum not in museum_visitors or shop is None:
            return
        for slot in (0, 1) if same_day else (1,):
            shops[museum, shop, action][slot].add(visitor)
            went[museum][slot].add(visitor)

    destination = aliased(VisitorDay)
    destination_place = aliased(Place)
    for from_place, visitor, to_place, to_day, shop in session.execute(
        select(
            origin.place_id,
            origin.visitor_id,
            destination.place_id,
            destination.day,
            destination_place.shop_id,
        )
        .join(
            destination,
            and_(
                destination.visitor_id == origin.visitor_id,
                destination.day >= scope.day,
                destination.day <= last_day,
                destination.place_id != origin.place_id,
                destination.last_at > origin.first_at,
            ),
        )
        .join(destination_place, destination.place_id == destination_place.id)
        .where(at_origin, destination.territory_id == scope.territory_id)
    ):
        same_day = to_day == scope.day
        for slot in (0, 1) if same_day else (1,):
            flows[from_place, to_place][slot].add(visitor)
        note(from_place, shop, "tapped", visitor, same_day)

    for action, moment, visitor_column, shop_column, joined in (
        (
            "viewed",
            OfferView.occurred_at,
            OfferView.visitor_id,
            Offer.shop_id,
            (Offer, OfferView.offer_id == Offer.id),
        ),
        (
            "redeemed",
            RedemptionCode.redeemed_at,
            RedemptionCode.visitor_id,
            RedemptionCode.redeemed_shop_id,
            None,
        ),
    ):
        query = select(origin.place_id, origin.visitor_id, shop_column, moment).join(
            origin, visitor_column == origin.visitor_id
        )
        if joined is not None:
            query = query.join(*joined)
        for museum, visitor, shop, at in session.execute(
            query.where(at_origin, moment > origin.first_at, moment < window_end)
        ):
            assert at is not None  # an unredeemed code (no moment) fails `moment > first_at`
            note(museum, shop, action, visitor, at < same_day_end)

    common = {"territory_id": scope.territory_id, "day": scope.day}
    return {
        Flow: [
            {**common, "from_place_id": a, "to_place_id": b, "same_day": len(s), "week": len(w)}
            for (a, b), (s, w) in flows.items()
        ],
        JourneyDay: [
            {
                **common,
                "place_id": museum,
                "visitors": len(visitors),
                "went_same_day": len(went[museum][0]),
                "went_week": len(went[museum][1]),
            }
            for museum, visitors in museum_visitors.items()
        ],
        JourneyShop: [
            {**common, "place_id": museum, "shop_id": shop, **counts}
            for (museum, shop), counts in _per_shop(shops).items()
        ],
    }


def _per_shop(shops: dict[tuple[int, int, str], list[set[str]]]) -> dict[tuple[int, int], Row]:
    """One row of counts per (museum, shop), every action's same-day and week columns."""
    rows: dict[tuple[int, int], Row] = {}
    for (museum, shop, action), (same_day, week) in shops.items():
        row = rows.setdefault(
            (museum, shop),
            {f"{name}_{span}": 0 for name in ACTIONS for span in ("same_day", "week")},
        )
        row[f"{action}_same_day"], row[f"{action}_week"] = len(same_day), len(week)
    return rows
