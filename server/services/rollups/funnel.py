"""The museum -> shop funnel, per shop and local day: window taps, offer views, codes issued and
used, loyalty stamps and rewards (ShopDay); and of the shop's code users and card holders of
the day, how many had tapped at each museum earlier that day or in the 7 days before
(ShopOrigin). Counts of people only: the visitor ids stay in here, never in a row."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.models import (
    LoyaltyStamp,
    Offer,
    OfferView,
    Outcome,
    Place,
    PlaceKind,
    RedemptionCode,
    Shop,
    ShopDay,
    ShopOrigin,
    StampKind,
    Tap,
)
from server.services.rollups.counts import Row, Territorial, counted

WINDOW_DAYS = 7  # a museum tap up to this many days before still counts (same day included)


def shop_day_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The day's ShopDay rows, one per shop of the territory with anything to count."""
    start, end = scope.bounds
    shops = select(Shop.id).where(Shop.territory_id == scope.territory_id)
    counts: defaultdict[int, Counter[str]] = defaultdict(Counter)

    def tally(column: str, query: Select[Any]) -> None:
        for shop_id, n in counted(session, query):
            counts[shop_id][column] += n

    tally(
        "window_taps",
        select(Place.shop_id)
        .join(Tap, Tap.place_id == Place.id)
        .where(Place.shop_id.in_(shops), Tap.human.is_(True), Tap.outcome == Outcome.OK)
        .where(Tap.occurred_at >= start, Tap.occurred_at < end),
    )
    tally(
        "offer_views",
        select(Offer.shop_id)
        .join(OfferView, OfferView.offer_id == Offer.id)
        .where(Offer.shop_id.in_(shops), OfferView.occurred_at >= start)
        .where(OfferView.occurred_at < end),
    )
    tally(
        "codes_issued",
        select(Offer.shop_id)
        .join(RedemptionCode, RedemptionCode.offer_id == Offer.id)
        .where(Offer.shop_id.in_(shops), RedemptionCode.issued_at >= start)
        .where(RedemptionCode.issued_at < end),
    )
    tally(
        "codes_used",
        select(RedemptionCode.redeemed_shop_id).where(
            RedemptionCode.redeemed_shop_id.in_(shops),
            RedemptionCode.redeemed_at >= start,
            RedemptionCode.redeemed_at < end,
        ),
    )
    for kind, column in ((StampKind.STAMP, "stamps"), (StampKind.REWARD, "rewards")):
        tally(
            column,
            select(LoyaltyStamp.shop_id).where(
                LoyaltyStamp.shop_id.in_(shops),
                LoyaltyStamp.kind == kind,
                LoyaltyStamp.at >= start,
                LoyaltyStamp.at < end,
            ),
        )
    columns = ("window_taps", "offer_views", "codes_issued", "codes_used", "stamps", "rewards")
    return {
        ShopDay: [
            {
                "territory_id": scope.territory_id,
                "day": scope.day,
                "shop_id": shop_id,
                **{column: figures[column] for column in columns},
            }
            for shop_id, figures in counts.items()
        ]
    }


def shop_origin_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The day's ShopOrigin rows: per shop and museum, the day's code users and card holders
    who had tapped at that museum before (that day, or within the 7 days before)."""
    start, end = scope.bounds
    shops = select(Shop.id).where(Shop.territory_id == scope.territory_id)
    # (shop, role, visitor) -> the last moment of the day the visitor used a code or got a stamp
    last: dict[tuple[int, str, str], dt.datetime] = {}
    events = [
        (
            "code",
            select(
                RedemptionCode.redeemed_shop_id,
                RedemptionCode.visitor_id,
                RedemptionCode.redeemed_at,
            ).where(
                RedemptionCode.redeemed_shop_id.in_(shops),
                RedemptionCode.visitor_id.is_not(None),
                RedemptionCode.redeemed_at >= start,
                RedemptionCode.redeemed_at < end,
            ),
        ),
        (
            "card",
            select(LoyaltyStamp.shop_id, LoyaltyStamp.visitor_id, LoyaltyStamp.at).where(
                LoyaltyStamp.shop_id.in_(shops),
                LoyaltyStamp.kind == StampKind.STAMP,
                LoyaltyStamp.visitor_id.is_not(None),
                LoyaltyStamp.at >= start,
                LoyaltyStamp.at < end,
            ),
        ),
    ]
    for role, query in events:
        for shop_id, visitor, moment in session.execute(query):
            if shop_id is None or visitor is None or moment is None:
                continue  # the queries leave these out already; this says so to the checker
            key = (shop_id, role, visitor)
            last[key] = max(last.get(key, moment), moment)
    if not last:
        return {ShopOrigin: []}
    visitors = sorted({visitor for _, _, visitor in last})
    week_start = start - dt.timedelta(days=WINDOW_DAYS)
    museum_taps: defaultdict[str, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for chunk in range(0, len(visitors), 500):
        found = session.execute(
            select(Tap.visitor_id, Tap.place_id, Tap.occurred_at)
            .join(Place, Place.id == Tap.place_id)
            .where(
                Place.territory_id == scope.territory_id,
                Place.kind == PlaceKind.MUSEUM,
                Tap.visitor_id.in_(visitors[chunk : chunk + 500]),
                Tap.human.is_(True),
                Tap.outcome == Outcome.OK,
                Tap.occurred_at >= week_start,
                Tap.occurred_at < end,
            )
        )
        for visitor, place_id, moment in found:
            if visitor is not None and place_id is not None:  # as the query asks
                museum_taps[visitor].append((place_id, moment))
    counts: defaultdict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for (shop_id, role, visitor), moment in last.items():
        same_day = {p for p, at in museum_taps[visitor] if start <= at <= moment}
        week = {p for p, at in museum_taps[visitor] if at <= moment}
        prefix = "code_users" if role == "code" else "holders"
        for place_id in week:
            counts[shop_id, place_id][f"{prefix}_week"] += 1
            if place_id in same_day:
                counts[shop_id, place_id][f"{prefix}_same_day"] += 1
    columns = ("code_users_same_day", "code_users_week", "holders_same_day", "holders_week")
    return {
        ShopOrigin: [
            {
                "territory_id": scope.territory_id,
                "day": scope.day,
                "shop_id": shop_id,
                "place_id": place_id,
                **{column: figures[column] for column in columns},
            }
            for (shop_id, place_id), figures in counts.items()
        ]
    }
