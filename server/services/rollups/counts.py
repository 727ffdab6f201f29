"""A local day's counts, computed from its raw rows: taps by sticker, place and hour, unique
visitors, and offer views, codes and redemptions."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.models import (
    Audience,
    DailyVisitors,
    Offer,
    OfferDay,
    OfferView,
    Outcome,
    Passport,
    Place,
    PlaceHour,
    RedemptionCode,
    Shop,
    StickerDay,
    Tap,
    TerritoryHour,
    VisitorDay,
)
from server.services.rollups.calendar import day_bounds, zone

Row = dict[str, Any]
WHOLE_TERRITORY = 0  # DailyVisitors.place_id for the territory's own uniques


@dataclass(frozen=True)
class Territorial:
    """A territory and the day being counted, with the day's UTC bounds."""

    territory_id: int
    timezone: str
    day: dt.date

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Where the day starts and ends, in UTC."""
        return day_bounds(self.day, self.timezone)


def counted(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The distinct rows of `query`, each with how many times it occurs (the database counts:
    a day's thousands of rows are not sent over one by one to be counted here)."""
    rows = query.subquery()
    return [tuple(row) for row in session.execute(select(*rows.c, func.count()).group_by(*rows.c))]


def audience(human: bool, reason: str | None) -> Audience:
    """Person, link preview or other machine, from the tap's classification."""
    if human:
        return Audience.PERSON
    if reason and reason.startswith("link preview"):
        return Audience.PREVIEW
    return Audience.MACHINE


# NTAG 424 DNA taps refused as replays or without a valid SUN message count as suspected copies;
# scans of their QR labels are counted apart (they prove nothing, and are no copy either).
SUSPECT_OR_OK = (Outcome.OK, Outcome.REPLAYED, Outcome.BAD_SUN, Outcome.QR_SCAN)


def tap_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The day's rows of every tap rollup table (StickerDay, PlaceHour, TerritoryHour,
    VisitorDay, DailyVisitors), from the taps of the territory's stickers that day."""
    start, end = scope.bounds
    taps = session.execute(
        select(
            Tap.sticker_id,
            Place.id,  # the tap's place_id, known not null through the join
            Tap.occurred_at,
            Tap.human,
            Tap.reason,
            Tap.visitor_id,
            Tap.uid_matches,
            Tap.counter_advanced,
            Tap.outcome,
        )
        .join(Place, Tap.place_id == Place.id)
        .where(
            Place.territory_id == scope.territory_id,
            Tap.outcome.in_(SUSPECT_OR_OK),
            Tap.occurred_at >= start,
            Tap.occurred_at < end,
        )
    )
    tz = zone(scope.timezone)
    stickers: Counter[tuple[int | None, int, Audience]] = Counter()
    suspected: Counter[tuple[int | None, int, Audience]] = Counter()
    qr_scans: Counter[tuple[int | None, int, Audience]] = Counter()
    place_hours: Counter[tuple[int, int, Audience]] = Counter()
    hours: Counter[tuple[int, Audience]] = Counter()
    visits: dict[tuple[int, str], list[Any]] = {}
    for sticker_id, place_id, at, human, reason, visitor_id, uid_ok, counter_ok, outcome in taps:
        kind = audience(human, reason)
        if outcome is Outcome.QR_SCAN:
            stickers[sticker_id, place_id, kind] += 0
            qr_scans[sticker_id, place_id, kind] += 1
            continue
        if outcome is not Outcome.OK:  # a replayed or unproven SUN tap: suspect, never counted
            stickers[sticker_id, place_id, kind] += 0
            suspected[sticker_id, place_id, kind] += 1
            continue
        hour = at.astimezone(tz).hour
        stickers[sticker_id, place_id, kind] += 1
        suspected[sticker_id, place_id, kind] += uid_ok is False or counter_ok is False
        place_hours[place_id, hour, kind] += 1
        hours[hour, kind] += 1
        if kind is Audience.PERSON and visitor_id is not None:  # None: objected, taps only
            visit = visits.setdefault((place_id, visitor_id), [0, at, at])
            visit[0] += 1
            visit[1], visit[2] = min(visit[1], at), max(visit[2], at)
    common = {"territory_id": scope.territory_id, "day": scope.day}
    uniques: Counter[int] = Counter(place_id for place_id, _ in visits)
    return {
        StickerDay: [
            {
                **common,
                "sticker_id": s,
                "place_id": p,
                "audience": a,
                "taps": n,
                "suspected": suspected[s, p, a],
                "qr_scans": qr_scans[s, p, a],
            }
            for (s, p, a), n in stickers.items()
        ],
        PlaceHour: [
            {**common, "place_id": p, "hour": h, "audience": a, "taps": n}
            for (p, h, a), n in place_hours.items()
        ],
        TerritoryHour: [
            {**common, "hour": h, "audience": a, "taps": n} for (h, a), n in hours.items()
        ],
        VisitorDay: [
            {
                **common,
                "place_id": p,
                "visitor_id": v,
                "taps": n,
                "first_at": first,
                "last_at": last,
            }
            for (p, v), (n, first, last) in visits.items()
        ],
        DailyVisitors: [{**common, "place_id": p, "visitors": n} for p, n in uniques.items()]
        + (
            [{**common, "place_id": WHOLE_TERRITORY, "visitors": len({v for _, v in visits})}]
            if visits
            else []
        ),
    }


def offer_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The day's OfferDay rows: views, codes issued and codes used, per offer of the territory."""
    start, end = scope.bounds
    counts: defaultdict[tuple[int, int], Counter[str]] = defaultdict(Counter)

    def count(column: str, moment: Any, offer_id: Any, *where: Any) -> None:
        query = (
            select(offer_id, Offer.shop_id)
            .join(Offer, offer_id == Offer.id)
            .join(Shop, Offer.shop_id == Shop.id)
            .where(Shop.territory_id == scope.territory_id, moment >= start, moment < end, *where)
        )
        for offer, shop, n in counted(session, query):
            counts[offer, shop][column] += n

    count("views", OfferView.occurred_at, OfferView.offer_id)
    count("codes", RedemptionCode.issued_at, RedemptionCode.offer_id)
    count("redemptions", RedemptionCode.redeemed_at, RedemptionCode.offer_id)
    count("passports", Passport.issued_at, Passport.offer_id)
    return {
        OfferDay: [
            {
                "territory_id": scope.territory_id,
                "day": scope.day,
                "offer_id": offer,
                "shop_id": shop,
                "views": figures["views"],
                "codes": figures["codes"],
                "redemptions": figures["redemptions"],
                "passports": figures["passports"],
            }
            for (offer, shop), figures in counts.items()
        ]
    }
