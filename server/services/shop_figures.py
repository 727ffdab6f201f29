"""A shop's own figures per week: taps near it, views of its offers, codes given and used.

"Near" means the places whose page lists the shop (the shop is within the place's radius),
its own shop window included. Weeks run Monday to Sunday in the territory's time zone, so a
daylight-saving week has its 167 or 169 hours. Each figure is one query that counts every week
at once over an indexed time range; the analytics rollups can take their place later.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from server.models import Offer, OfferView, Outcome, Place, RedemptionCode, Shop, Tap
from server.services.geo import distance_m

WEEKS = 8


@dataclass(frozen=True)
class Week:
    """One week's figures; `start` is its Monday."""

    start: dt.date
    taps: int
    views: int
    codes: int
    redemptions: int


def places_near(session: Session, shop: Shop) -> list[Place]:
    """The places whose page lists this shop."""
    places = session.scalars(select(Place).where(Place.territory_id == shop.territory_id))
    return [
        place
        for place in places
        if place.shop_id == shop.id
        or distance_m(place.latitude, place.longitude, shop.latitude, shop.longitude)
        <= place.radius_m
    ]


def week_starts(now: dt.datetime, timezone: str, weeks: int = WEEKS) -> list[dt.datetime]:
    """The Mondays at midnight (aware, local) of the last `weeks` weeks, this one last, and the
    Monday after it: weeks + 1 boundaries."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    days = [monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -2, -1)]
    return [dt.datetime.combine(day, dt.time(), zone) for day in days]


def _per_week(
    session: Session,
    moment: QueryableAttribute[dt.datetime | None],
    condition: ColumnElement[bool],
    bounds: list[dt.datetime],
    *joins: tuple[type, ColumnElement[bool]],
) -> list[int]:
    sums = [
        func.sum(case((and_(moment >= start, moment < end), 1), else_=0))
        for start, end in itertools.pairwise(bounds)
    ]
    query = select(*sums)
    for model, on in joins:
        query = query.join(model, on)
    query = query.where(condition, moment >= bounds[0], moment < bounds[-1])
    row = session.execute(query).one()
    return [int(value or 0) for value in row]


def by_week(session: Session, shop: Shop, now: dt.datetime, weeks: int = WEEKS) -> list[Week]:
    """The shop's figures for each of the last `weeks` weeks, oldest first."""
    bounds = [
        moment.astimezone(dt.UTC) for moment in week_starts(now, shop.territory.timezone, weeks)
    ]
    near = [place.id for place in places_near(session, shop)]
    taps = (
        _per_week(
            session,
            Tap.occurred_at,
            and_(Tap.place_id.in_(near), Tap.human.is_(True), Tap.outcome == Outcome.OK),
            bounds,
        )
        if near
        else [0] * weeks
    )
    own = select(Offer.id).where(Offer.shop_id == shop.id).scalar_subquery()
    views = _per_week(session, OfferView.occurred_at, OfferView.offer_id.in_(own), bounds)
    codes = _per_week(session, RedemptionCode.issued_at, RedemptionCode.offer_id.in_(own), bounds)
    used = _per_week(
        session, RedemptionCode.redeemed_at, RedemptionCode.redeemed_shop_id == shop.id, bounds
    )
    starts = [moment.astimezone(ZoneInfo(shop.territory.timezone)).date() for moment in bounds]
    return [Week(starts[n], taps[n], views[n], codes[n], used[n]) for n in range(weeks)]
