"""The analytics figures: what the dashboard draws and /api/v1/stats answers, read from rollups.

Every query reads the rollup tables of server/models/analytics.py, never the raw taps, offer
views or codes (only sticker health reads the stickers themselves). Days and hours are local to
the territory. Territory-wide figures read the small TerritoryHour and DailyVisitors tables;
PlaceHour is read only when a place is chosen. No figure carries a visitor id, and none reads
VisitorDay: the unique visitors of a range come from VisitorReturn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from server import clock
from server.errors import TapTrailError
from server.models import (
    Audience,
    DailyVisitors,
    Flow,
    FlowMonth,
    JourneyDay,
    JourneyShop,
    Offer,
    OfferDay,
    Place,
    PlaceHour,
    Shop,
    Sticker,
    StickerDay,
    StickerStatus,
    TerritoryHour,
    VisitorReturn,
)

MAX_DAYS = 3 * 366 + 1  # about three years: longer ranges are refused, not slowly answered
DEFAULT_DAYS = 30
SILENT_DAYS = 14
AUDIENCES = (Audience.PERSON, Audience.PREVIEW, Audience.MACHINE)


class RangeError(TapTrailError):
    """A date range the figures cannot be asked for (reversed, or too long)."""

    code = "invalid_range"
    status = 400


@dataclass(frozen=True)
class Scope:
    """What figures are about: a territory, local dates (inclusive), maybe a place or sticker."""

    territory_id: int
    start: dt.date
    end: dt.date
    place_id: int | None = None
    sticker_id: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise RangeError(
                f"the end date {self.end} is before the start date {self.start}; swap them",
                field="to",
            )
        if self.days > MAX_DAYS:
            raise RangeError(
                f"the range spans {self.days} days; ask for at most {MAX_DAYS} (about 3 years)",
                field="from",
            )

    @property
    def days(self) -> int:
        """How many days the range holds."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Totals:
    """Taps per audience and unique visitors over the whole range."""

    start: dt.date
    end: dt.date
    days: int
    person: int
    preview: int
    machine: int
    visitors: int


@dataclass(frozen=True)
class DayTaps:
    """One local day: taps per audience, and that day's unique visitors."""

    day: dt.date
    person: int
    preview: int
    machine: int
    visitors: int


@dataclass(frozen=True)
class HourTaps:
    """One hour of the clock (0-23), summed over the range."""

    hour: int
    person: int
    preview: int
    machine: int


@dataclass(frozen=True)
class WeekHour:
    """People's taps in one hour of the week (weekday 0 is Monday)."""

    weekday: int
    hour: int
    taps: int


@dataclass(frozen=True)
class PlaceTaps:
    """A place's taps over the range, with its position for the map."""

    place_id: int
    slug: str
    name: str
    kind: str
    latitude: float
    longitude: float
    person: int
    preview: int
    machine: int


@dataclass(frozen=True)
class StickerTaps:
    """A sticker's taps over the range, how many of them the mirror says came from a copy, and
    the scans of its QR label (NTAG 424 DNA) apart."""

    sticker_id: int
    place: str
    location: str
    person: int
    preview: int
    machine: int
    suspected: int
    qr_scans: int  # scans of an NTAG 424 DNA's QR label: unverified visits, not in the taps


@dataclass(frozen=True)
class Journey:
    """People who tapped at a museum, and how many went on to a shop (counts and ratios)."""

    place_id: int
    place: str
    visitors: int
    went_same_day: int
    went_week: int
    same_day_ratio: float
    week_ratio: float


@dataclass(frozen=True)
class JourneyShopRow:
    """A museum's visitors who went on to one shop, by what they did there."""

    place: str
    shop: str
    tapped_same_day: int
    tapped_week: int
    viewed_same_day: int
    viewed_week: int
    redeemed_same_day: int
    redeemed_week: int


@dataclass(frozen=True)
class FlowRow:
    """People who tapped at one place and then at another."""

    from_place: str
    to_place: str
    same_day: int
    week: int


@dataclass(frozen=True)
class OfferRow:
    """An offer's views, codes issued and codes redeemed over the range."""

    offer_id: int
    slug: str
    title: str
    shop: str
    views: int
    codes: int
    redemptions: int


@dataclass(frozen=True)
class ShopOffers:
    """A shop's offers taken together."""

    shop_id: int
    shop: str
    views: int
    codes: int
    redemptions: int


@dataclass(frozen=True)
class StickerHealth:
    """A sticker that needs a look: silent (torn off?), copied, or encoded but never put up."""

    sticker_id: int
    place: str
    location: str
    problem: str  # "silent", "copied", "replayed" (NTAG 424 DNA) or "not installed"
    status: str
    last_tap_at: dt.datetime | None
    encoded_at: dt.datetime | None
    installed_at: dt.datetime | None
    suspected: int


def _audience_sums(audience: Any, taps: Any) -> list[ColumnElement[Any]]:
    """SUM(taps) per audience as three columns, person, preview, machine."""
    return [
        func.coalesce(func.sum(case((audience == kind, taps), else_=0)), 0).label(kind.value)
        for kind in AUDIENCES
    ]


def _within(table: Any, scope: Scope, place: Any = None) -> list[ColumnElement[bool]]:
    """Conditions selecting a rollup table's rows of the scope's territory and days, and of its
    place when one is chosen and `place` names the table's place column."""
    conditions = [
        table.territory_id == scope.territory_id,
        table.day.between(scope.start, scope.end),
    ]
    if place is not None and scope.place_id is not None:
        conditions.append(place == scope.place_id)
    return conditions


def _hours(scope: Scope) -> tuple[Any, list[ColumnElement[bool]]]:
    """The hourly table to read for this scope, and the conditions selecting its rows."""
    if scope.place_id is not None:
        return PlaceHour, _within(PlaceHour, scope, PlaceHour.place_id)
    return TerritoryHour, _within(TerritoryHour, scope)


def _sticker_days(scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions selecting the StickerDay rows of this scope."""
    conditions = _within(StickerDay, scope, StickerDay.place_id)
    if scope.sticker_id is not None:
        conditions.append(StickerDay.sticker_id == scope.sticker_id)
    return conditions


def _per_audience(
    session: Session, scope: Scope, key: str | None, daily: bool = False
) -> dict[Any, tuple[int, int, int]]:
    """(person, preview, machine) taps per value of the `key` column ("day", "hour"; None: one
    group). Per-day figures of one sticker come from StickerDay, the rest from the hourly tables."""
    if daily and scope.sticker_id is not None:
        table, conditions = StickerDay, _sticker_days(scope)
    else:
        table, conditions = _hours(scope)
    column = getattr(table, key) if key else literal(None)
    rows = session.execute(
        select(column.label("key"), *_audience_sums(table.audience, table.taps))
        .where(*conditions)
        .group_by(*([column] if key else []))
    )
    return {row.key: (int(row.person), int(row.preview), int(row.machine)) for row in rows}


def unique_visitors(session: Session, scope: Scope) -> int:
    """People counted once over the whole range: those seen in it whose previous visit (at the
    place, or anywhere in the territory) was before it. Exact, and a sum over a few rows a day."""
    return int(
        session.scalar(
            select(func.sum(VisitorReturn.visitors)).where(
                VisitorReturn.territory_id == scope.territory_id,
                VisitorReturn.place_id == (scope.place_id or 0),
                VisitorReturn.day.between(scope.start, scope.end),
                VisitorReturn.previous_day < scope.start,
            )
        )
        or 0
    )


def totals(session: Session, scope: Scope) -> Totals:
    """Taps per audience and unique visitors over the range."""
    counts = _per_audience(session, scope, None, daily=True).get(None, (0, 0, 0))
    return Totals(scope.start, scope.end, scope.days, *counts, unique_visitors(session, scope))


def taps_by_day(session: Session, scope: Scope) -> list[DayTaps]:
    """Every day of the range (days without taps included): taps per audience, unique visitors."""
    taps = _per_audience(session, scope, "day", daily=True)
    visitors = dict(
        session.execute(
            select(DailyVisitors.day, DailyVisitors.visitors).where(
                DailyVisitors.territory_id == scope.territory_id,
                DailyVisitors.day.between(scope.start, scope.end),
                DailyVisitors.place_id == (scope.place_id or 0),
            )
        ).all()
    )
    days = []
    for n in range(scope.days):
        day = scope.start + dt.timedelta(days=n)
        days.append(DayTaps(day, *taps.get(day, (0, 0, 0)), int(visitors.get(day, 0))))
    return days


def taps_by_hour(session: Session, scope: Scope) -> list[HourTaps]:
    """The 24 hours of the clock, taps per audience summed over the range."""
    found = _per_audience(session, scope, "hour")
    return [HourTaps(hour, *found.get(hour, (0, 0, 0))) for hour in range(24)]


def hour_of_week(session: Session, scope: Scope) -> list[WeekHour]:
    """People's taps in each of the 168 hours of the week, Monday 0:00 first."""
    table, conditions = _hours(scope)
    # Weekdays are worked out here: no SQL date function is the same on SQLite and PostgreSQL.
    rows = session.execute(
        select(table.day, table.hour, func.sum(table.taps))
        .where(*conditions, table.audience == Audience.PERSON)
        .group_by(table.day, table.hour)
    )
    grid = [[0] * 24 for _ in range(7)]
    for day, hour, taps in rows:
        grid[day.weekday()][hour % 24] += int(taps)
    return [
        WeekHour(weekday, hour, grid[weekday][hour]) for weekday in range(7) for hour in range(24)
    ]


def busiest_places(session: Session, scope: Scope, limit: int = 50) -> list[PlaceTaps]:
    """The places with the most people's taps over the range, with their positions."""
    sums = (
        select(StickerDay.place_id, *_audience_sums(StickerDay.audience, StickerDay.taps))
        .where(*_sticker_days(scope))
        .group_by(StickerDay.place_id)
        .subquery()
    )
    rows = session.execute(
        select(Place, sums.c.person, sums.c.preview, sums.c.machine)
        .join(sums, sums.c.place_id == Place.id)
        .order_by(sums.c.person.desc(), Place.name)
        .limit(limit)
    )
    return [
        PlaceTaps(
            place.id,
            place.slug,
            place.name,
            place.kind.value,
            place.latitude,
            place.longitude,
            int(person),
            int(preview),
            int(machine),
        )
        for place, person, preview, machine in rows
    ]


def stickers(session: Session, scope: Scope) -> list[StickerTaps]:
    """Each sticker's taps over the range, busiest first."""
    sums = (
        select(
            StickerDay.sticker_id,
            *_audience_sums(StickerDay.audience, StickerDay.taps),
            func.sum(StickerDay.suspected).label("suspected"),
            func.sum(StickerDay.qr_scans).label("qr_scans"),
        )
        .where(*_sticker_days(scope))
        .group_by(StickerDay.sticker_id)
        .subquery()
    )
    rows = session.execute(
        select(Sticker.id, Place.name, Sticker.location, sums.c.person, sums.c.preview)
        .add_columns(sums.c.machine, sums.c.suspected, sums.c.qr_scans)
        .join(sums, sums.c.sticker_id == Sticker.id)
        .join(Place, Place.id == Sticker.place_id)
        .order_by(sums.c.person.desc(), Sticker.id)
    )
    return [
        StickerTaps(sid, place, location or "", int(p), int(v), int(m), int(s or 0), int(q or 0))
        for sid, place, location, p, v, m, s, q in rows
    ]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def journeys(session: Session, scope: Scope) -> list[Journey]:
    """Per museum place: its visitors, and how many went on to a shop the same day or in 7 days."""
    conditions = _within(JourneyDay, scope, JourneyDay.place_id)
    rows = session.execute(
        select(
            JourneyDay.place_id,
            Place.name,
            func.sum(JourneyDay.visitors),
            func.sum(JourneyDay.went_same_day),
            func.sum(JourneyDay.went_week),
        )
        .join(Place, Place.id == JourneyDay.place_id)
        .where(*conditions)
        .group_by(JourneyDay.place_id, Place.name)
        .order_by(Place.name)
    )
    return [
        Journey(
            place_id,
            name,
            int(visitors),
            int(same),
            int(week),
            _ratio(int(same), int(visitors)),
            _ratio(int(week), int(visitors)),
        )
        for place_id, name, visitors, same, week in rows
    ]


JOURNEY_COUNTS = (
    "tapped_same_day",
    "tapped_week",
    "viewed_same_day",
    "viewed_week",
    "redeemed_same_day",
    "redeemed_week",
)


def journey_shops(session: Session, scope: Scope) -> list[JourneyShopRow]:
    """Per museum place and shop: visitors who tapped there, viewed or redeemed an offer."""
    conditions = _within(JourneyShop, scope, JourneyShop.place_id)
    counts = [func.sum(getattr(JourneyShop, name)) for name in JOURNEY_COUNTS]
    rows = session.execute(
        select(Place.name, Shop.name, *counts)
        .join(Place, Place.id == JourneyShop.place_id)
        .join(Shop, Shop.id == JourneyShop.shop_id)
        .where(*conditions)
        .group_by(JourneyShop.place_id, JourneyShop.shop_id, Place.name, Shop.name)
        .order_by(Place.name, counts[1].desc(), Shop.name)
    )
    return [
        JourneyShopRow(place, shop, *(int(n) for n in numbers)) for place, shop, *numbers in rows
    ]


def _whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the first whole month in [start, end], and the first day after the
    last one (equal when the range holds no whole month)."""
    first = start if start.day == 1 else (start + dt.timedelta(days=32)).replace(day=1)
    after = (end + dt.timedelta(days=1)).replace(day=1)
    return (first, after) if first < after else (first, first)


def flows(session: Session, scope: Scope, limit: int = 100) -> list[FlowRow]:
    """From place to place: people who tapped at one, then at the other; busiest first."""
    origin, target = aliased(Place), aliased(Place)
    conditions = _within(Flow, scope)
    if scope.place_id is not None:
        conditions.append(
            or_(Flow.from_place_id == scope.place_id, Flow.to_place_id == scope.place_id)
        )
    # Whole months come from FlowMonth, the days before and after them from Flow: a year is
    # twelve months of pairs and a few dozen days. Summed by ids first; names for those shown.
    first_month, after_months = _whole_months(scope.start, scope.end)
    monthly = [
        FlowMonth.territory_id == scope.territory_id,
        FlowMonth.month >= first_month,
        FlowMonth.month < after_months,
    ]
    if scope.place_id is not None:
        monthly.append(
            or_(FlowMonth.from_place_id == scope.place_id, FlowMonth.to_place_id == scope.place_id)
        )
    day_rows = select(Flow.from_place_id, Flow.to_place_id, Flow.same_day, Flow.week)
    parts = union_all(
        # Two plain day ranges, each an index range of its own (an OR would scan the year).
        day_rows.where(*conditions, Flow.day < first_month),
        day_rows.where(*conditions, Flow.day >= after_months),
        select(
            FlowMonth.from_place_id, FlowMonth.to_place_id, FlowMonth.same_day, FlowMonth.week
        ).where(*monthly),
    ).subquery()
    sums = (
        select(
            parts.c.from_place_id,
            parts.c.to_place_id,
            func.sum(parts.c.same_day).label("same_day"),
            func.sum(parts.c.week).label("week"),
        )
        .group_by(parts.c.from_place_id, parts.c.to_place_id)
        .subquery()
    )
    rows = session.execute(
        select(origin.name, target.name, sums.c.same_day, sums.c.week)
        .join(origin, origin.id == sums.c.from_place_id)
        .join(target, target.id == sums.c.to_place_id)
        .order_by(sums.c.week.desc(), origin.name, target.name)
        .limit(limit)
    )
    return [FlowRow(a, b, int(same), int(weekly)) for a, b, same, weekly in rows]


def _title(title: dict[str, str] | None) -> str:
    """An offer's title for the dashboard: French first, as the demo writes them."""
    title = title or {}
    return title.get("fr") or next(iter(title.values()), "")


def offers(session: Session, scope: Scope) -> list[OfferRow]:
    """Each offer's views, codes issued and redemptions over the range, most viewed first."""
    sums = (
        select(
            OfferDay.offer_id,
            func.sum(OfferDay.views).label("views"),
            func.sum(OfferDay.codes).label("codes"),
            func.sum(OfferDay.redemptions).label("redemptions"),
        )
        .where(*_within(OfferDay, scope))
        .group_by(OfferDay.offer_id)
        .subquery()
    )
    rows = session.execute(
        select(Offer.id, Offer.slug, Offer.title, Shop.name, sums.c.views, sums.c.codes)
        .add_columns(sums.c.redemptions)
        .join(sums, sums.c.offer_id == Offer.id)
        .join(Shop, Shop.id == Offer.shop_id)
        .order_by(sums.c.views.desc(), Offer.slug)
    )
    return [
        OfferRow(oid, slug, _title(title), shop, int(v), int(c), int(r))
        for oid, slug, title, shop, v, c, r in rows
    ]


def offers_by_shop(session: Session, scope: Scope) -> list[ShopOffers]:
    """Each shop's offers together: views, codes issued, redemptions, most viewed first."""
    views = func.sum(OfferDay.views)
    rows = session.execute(
        select(OfferDay.shop_id, Shop.name, views, func.sum(OfferDay.codes))
        .add_columns(func.sum(OfferDay.redemptions))
        .join(Shop, Shop.id == OfferDay.shop_id)
        .where(*_within(OfferDay, scope))
        .group_by(OfferDay.shop_id, Shop.name)
        .order_by(views.desc(), Shop.name)
    )
    return [ShopOffers(sid, name, int(v), int(c), int(r)) for sid, name, v, c, r in rows]


def sticker_health(
    session: Session,
    territory_id: int,
    now: dt.datetime,
    silent_days: int = SILENT_DAYS,
    copies_since: dt.date | None = None,
) -> list[StickerHealth]:
    """Installed stickers silent for `silent_days` days, stickers whose mirror says they were
    copied (since `copies_since`, by default the last 90 days), and stickers encoded but never
    installed."""
    since = now - dt.timedelta(days=silent_days)
    copies_since = copies_since or (now.date() - dt.timedelta(days=90))
    suspected = dict(
        session.execute(
            select(StickerDay.sticker_id, func.sum(StickerDay.suspected))
            .where(
                StickerDay.territory_id == territory_id,
                StickerDay.day >= copies_since,
                StickerDay.suspected > 0,
            )
            .group_by(StickerDay.sticker_id)
        ).all()
    )
    silent = (Sticker.status == StickerStatus.INSTALLED) & or_(
        Sticker.last_tap_at < since,
        Sticker.last_tap_at.is_(None) & (Sticker.installed_at < since),
    )
    never = Sticker.status == StickerStatus.ENCODED
    rows = session.execute(
        select(Sticker, Place.name)
        .join(Place, Place.id == Sticker.place_id)
        .where(Place.territory_id == territory_id)
        .where(or_(silent, never, Sticker.id.in_(list(suspected))))
        .order_by(Place.name, Sticker.id)
    )
    found = []
    for sticker, place in rows:
        if sticker.id in suspected:
            # An NTAG 424 DNA cannot be copied: its suspect taps are replayed or forged URLs.
            problem = "replayed" if sticker.chip == "ntag424" else "copied"
        elif sticker.status is StickerStatus.ENCODED:
            problem = "not installed"
        else:
            problem = "silent"
        found.append(
            StickerHealth(
                sticker.id,
                place,
                sticker.location or "",
                problem,
                sticker.status.value,
                sticker.last_tap_at,
                sticker.encoded_at,
                sticker.installed_at,
                int(suspected.get(sticker.id, 0)),
            )
        )
    return found


def health_in_scope(session: Session, scope: Scope) -> list[StickerHealth]:
    """Sticker health for the dashboard: silence as of the end of the range, copies within it."""
    end = dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time(), dt.UTC)
    return sticker_health(
        session, scope.territory_id, min(clock.now(), end), copies_since=scope.start
    )


Query = Callable[[Session, Scope], object]

# Every query the dashboard runs for one scope, by name; the CSV downloads and /api/v1/stats
# answer the same names. bench/analytics times each one on 10 million taps.
DASHBOARD_QUERIES: tuple[tuple[str, Query], ...] = (
    ("totals", totals),
    ("taps-by-day", taps_by_day),
    ("taps-by-hour", taps_by_hour),
    ("hour-of-week", hour_of_week),
    ("places", busiest_places),
    ("stickers", stickers),
    ("journeys", journeys),
    ("journey-shops", journey_shops),
    ("flows", flows),
    ("offers", offers),
    ("offers-by-shop", offers_by_shop),
    ("sticker-health", health_in_scope),
)
FIGURES: dict[str, Query] = dict(DASHBOARD_QUERIES)
# The row each figure answers with: its fields are the CSV columns and the JSON keys.
ROW_TYPES: dict[str, type] = {
    "totals": Totals,
    "taps-by-day": DayTaps,
    "taps-by-hour": HourTaps,
    "hour-of-week": WeekHour,
    "places": PlaceTaps,
    "stickers": StickerTaps,
    "journeys": Journey,
    "journey-shops": JourneyShopRow,
    "flows": FlowRow,
    "offers": OfferRow,
    "offers-by-shop": ShopOffers,
    "sticker-health": StickerHealth,
}


def figure(session: Session, name: str, scope: Scope) -> list[Any]:
    """A figure of DASHBOARD_QUERIES by name, as a list of rows (totals are one row)."""
    result = FIGURES[name](session, scope)
    return list(result) if isinstance(result, list) else [result]


def columns(name: str) -> list[str]:
    """The field names of a figure's rows: CSV columns and JSON keys."""
    return [field.name for field in dataclasses.fields(ROW_TYPES[name])]
