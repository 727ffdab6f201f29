"""The museum -> shop funnel, read from the rollups: per shop, per day, per museum, per cross-offer
pair. Counts of people and events only; a count from 1 to 4 is shown as "fewer than 5" (masked),
so that no one person's visit can be read from a merchant's figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from server.models import (
    Offer,
    OfferCondition,
    OfferDay,
    OfferKind,
    Place,
    Shop,
    ShopDay,
    ShopOrigin,
)
from server.services.rollups.calendar import days_between

SMALLEST_SHOWN = 5
FEWER = "fewer than 5"
STEPS = ("window_taps", "offer_views", "codes_issued", "codes_used", "stamps", "rewards")


def masked(count: int) -> int | str:
    """The count as it may be shown: 0, 5 and more as they are; 1 to 4 as "fewer than 5"."""
    return count if count == 0 or count >= SMALLEST_SHOWN else FEWER


def drawn(count: int) -> int:
    """The count as a chart may draw it: a masked count is not drawn (0)."""
    return count if count >= SMALLEST_SHOWN else 0


def masked_rows(rows: list[Any]) -> list[Any]:
    """Rows (Steps, Origin, Pair) whose counts from 1 to 4 read "fewer than 5"."""
    return [
        dataclasses.replace(
            row,
            **{
                f.name: masked(getattr(row, f.name))
                for f in dataclasses.fields(row)
                if isinstance(getattr(row, f.name), int) and not f.name.endswith("_id")
            },
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Steps:
    """One shop's funnel over a day or a range (raw counts: mask them when showing)."""

    day: dt.date | None
    shop_id: int
    shop: str
    window_taps: int
    offer_views: int
    codes_issued: int
    codes_used: int
    stamps: int
    rewards: int


@dataclass(frozen=True)
class Origin:
    """Of a shop's code users and card holders, those who tapped at one museum before."""

    shop: str
    museum: str
    code_users_same_day: int
    code_users_week: int
    holders_same_day: int
    holders_week: int


@dataclass(frozen=True)
class Pair:
    """A cross-offer: where its visitors come from, and what happened at the shop giving it."""

    offer: str
    origin: str
    shop: str
    passports_at_origin: int
    codes_issued: int
    codes_used: int


def shop_days(session: Session, shop: Shop, start: dt.date, end: dt.date) -> list[Steps]:
    """The shop's funnel for every day from `start` to `end` (days with nothing are zeros)."""
    found = {
        row.day: row
        for row in session.scalars(
            select(ShopDay).where(ShopDay.shop_id == shop.id, ShopDay.day.between(start, end))
        )
    }
    days = []
    for day in days_between(start, end):
        row = found.get(day)
        values = [getattr(row, step) if row else 0 for step in STEPS]
        days.append(Steps(day, shop.id, shop.name, *values))
    return days


def shops(session: Session, territory_id: int, start: dt.date, end: dt.date) -> list[Steps]:
    """Every shop's funnel summed over the range, busiest window first."""
    sums = [func.sum(getattr(ShopDay, step)) for step in STEPS]
    rows = session.execute(
        select(ShopDay.shop_id, Shop.name, *sums)
        .join(Shop, Shop.id == ShopDay.shop_id)
        .where(ShopDay.territory_id == territory_id, ShopDay.day.between(start, end))
        .group_by(ShopDay.shop_id, Shop.name)
        .order_by(sums[0].desc(), Shop.name)
    )
    return [Steps(None, sid, name, *(int(v or 0) for v in values)) for sid, name, *values in rows]


def origins(
    session: Session,
    territory_id: int,
    start: dt.date,
    end: dt.date,
    shop_id: int | None = None,
) -> list[Origin]:
    """Per shop and museum: code users and card holders who had tapped at the museum before
    (summed over the range's days: one person on two days counts twice)."""
    columns = ("code_users_same_day", "code_users_week", "holders_same_day", "holders_week")
    query = (
        select(Shop.name, Place.name, *(func.sum(getattr(ShopOrigin, c)) for c in columns))
        .join(Shop, Shop.id == ShopOrigin.shop_id)
        .join(Place, Place.id == ShopOrigin.place_id)
        .where(ShopOrigin.territory_id == territory_id, ShopOrigin.day.between(start, end))
        .group_by(Shop.name, Place.name)
        .order_by(Shop.name, Place.name)
    )
    if shop_id is not None:
        query = query.where(ShopOrigin.shop_id == shop_id)
    return [
        Origin(s, m, *(int(v or 0) for v in values)) for s, m, *values in session.execute(query)
    ]


def _origin(offer: Offer) -> str:
    if offer.condition is OfferCondition.PASSPORT and offer.partner_shop is not None:
        return offer.partner_shop.name
    if offer.trigger_place is not None:
        return offer.trigger_place.name
    if offer.trigger_kind is not None:
        return str(offer.trigger_kind)
    return offer.partner_shop.name if offer.partner_shop else "-"


def pairs(
    session: Session,
    territory_id: int,
    start: dt.date,
    end: dt.date,
    shop_id: int | None = None,
) -> list[Pair]:
    """Each cross-offer: passports handed at its origin, codes issued, codes used at its shop
    (`shop_id`: the offers of that shop or naming it as their partner)."""
    sums = (
        select(
            OfferDay.offer_id,
            func.sum(OfferDay.passports).label("passports"),
            func.sum(OfferDay.codes).label("codes"),
            func.sum(OfferDay.redemptions).label("used"),
        )
        .where(OfferDay.territory_id == territory_id, OfferDay.day.between(start, end))
        .group_by(OfferDay.offer_id)
        .subquery()
    )
    # The offers with their shops and places in the same statement, not one query per pair.
    query = (
        select(Offer, sums.c.passports, sums.c.codes, sums.c.used)
        .join(sums, sums.c.offer_id == Offer.id)
        .where(Offer.kind == OfferKind.CROSS)
        .options(joinedload(Offer.partner_shop), joinedload(Offer.trigger_place))
    )
    if shop_id is not None:
        query = query.where((Offer.shop_id == shop_id) | (Offer.partner_shop_id == shop_id))
    found = [
        Pair(
            offer.title.get("fr") or next(iter(offer.title.values()), offer.slug),
            _origin(offer),
            offer.shop.name,
            int(passports or 0),
            int(codes or 0),
            int(used or 0),
        )
        for offer, passports, codes, used in session.execute(query)
    ]
    return sorted(found, key=lambda pair: (pair.shop, pair.offer))
