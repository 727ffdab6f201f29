"""Rebuild the rollups of a range of days set-based: for each table, delete the range and count
it again in one INSERT ... SELECT ... GROUP BY per calendar month (the month of the taps'
partitions on PostgreSQL), instead of a day at a time in Python (refresh.py, kept for the days
the writers mark, and as `rebuild_by_day` to compare with). Same rows, to the last one: the
tests run both paths and compare every table.

Order matters as it does a day at a time: the per-day tables first, then the visitors' returns
and the journeys, which are read from the VisitorDay rows just written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from server import clock as machine_clock
from server.db import Database
from server.models import (
    DailyVisitors,
    DirtyDay,
    Flow,
    JourneyDay,
    JourneyShop,
    OfferDay,
    PlaceHour,
    ShopDay,
    ShopOrigin,
    StickerDay,
    Territory,
    TerritoryHour,
    VisitorDay,
    VisitorReturn,
)
from server.services.retention import retention_cutoff
from server.services.rollups import bulk_days, bulk_journeys
from server.services.rollups.bulk_days import Span
from server.services.rollups.calendar import local_day
from server.services.rollups.journeys import WINDOW_DAYS
from server.services.rollups.refresh import (
    REFRESH_LOCK,
    RefreshReport,
    replace_flow_month,
    territory_days,
)
from server.services.rollups.sqlclock import Clock, clock

DAY_TABLES = (StickerDay, PlaceHour, TerritoryHour, VisitorDay, DailyVisitors, OfferDay, ShopDay)
JOURNEY_TABLES = (Flow, JourneyDay, JourneyShop)
# Memory for one statement's sorts and hashes: a month of visitor-days is grouped in memory
# instead of spilling to disk (PostgreSQL's default is 4 MB). For this transaction only.
WORK_MEM = "256MB"


def rebuild(
    database: Database,
    first: dt.date | None = None,
    last: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RefreshReport:
    """Recompute every rollup from `first` to `last` (default: all the raw rows kept), in one
    transaction; days past retention are left as they are, as a refresh leaves them."""
    report = RefreshReport()
    moment = now or machine_clock.now()
    with database.transaction() as session:
        _prepare(session)
        for territory, days in territory_days(session, first, last).items():
            if days:
                _territory(session, territory, days[0], days[-1], moment, report)
    return report


def _prepare(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
    session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    # The planner's statistics describe the rollup tables before the rebuild emptied them: it
    # would pick nested loops over what it thinks are a few rows (see refresh.py).
    session.execute(text("SET LOCAL enable_nestloop = off"))


def _territory(
    session: Session,
    territory: Territory,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    report: RefreshReport,
) -> None:
    oldest = local_day(retention_cutoff(now), territory.timezone)
    start = max(first, oldest)
    report.too_old += max(0, (min(last + dt.timedelta(days=1), oldest) - first).days)
    session.execute(
        delete(DirtyDay).where(
            DirtyDay.territory_id == territory.id, DirtyDay.day >= first, DirtyDay.day <= last
        )
    )
    if start > last:
        return
    sql = clock(session, territory.timezone)
    whole = Span(territory.id, sql, start, last)
    _clear(session, DAY_TABLES, whole)
    for month in months(whole):
        bulk_days.tap_tables(session, month)
        bulk_days.offer_days(session, month)
        bulk_days.shop_days(session, month)
    report.days += (last - start).days + 1
    _analyze(session, sql, "rollup_visitor_days")
    # Every later day too: a redone day changes its people's next "previous day".
    session.execute(
        delete(VisitorReturn).where(
            VisitorReturn.territory_id == territory.id, VisitorReturn.day >= start
        )
    )
    bulk_days.visitor_returns(session, territory.id, sql, start)
    bulk_days.daily_visitors(session, whole)
    # A day's taps complete the journeys that started up to a week before it.
    origins = Span(territory.id, sql, max(start - dt.timedelta(days=WINDOW_DAYS), oldest), last)
    _clear(session, JOURNEY_TABLES, origins)
    for month in months(origins):
        bulk_journeys.journeys(session, month)
    report.journey_days += (last - origins.first).days + 1
    for month in months(origins):
        replace_flow_month(session, territory.id, month.first.replace(day=1))
    # A day's museum taps count for the shops' customers of the week that follows it.
    today = local_day(now, territory.timezone)
    shop_days = Span(territory.id, sql, start, min(last + dt.timedelta(days=WINDOW_DAYS), today))
    if shop_days.first <= shop_days.last:
        _clear(session, (ShopOrigin,), shop_days)
        for month in months(shop_days):
            bulk_days.shop_origins(session, month)


def months(span: Span) -> Iterator[Span]:
    """The span cut at the first of each month: a statement reads one partition of taps."""
    first = span.first
    while first <= span.last:
        following = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(span.last, following - dt.timedelta(days=1))
        yield Span(span.territory_id, span.clock, first, last)
        first = following


def _clear(session: Session, models: tuple[Any, ...], span: Span) -> None:
    for model in models:
        session.execute(
            delete(model).where(
                model.territory_id == span.territory_id,
                model.day >= span.first,
                model.day <= span.last,
            )
        )


def _analyze(session: Session, sql: Clock, table: str) -> None:
    """Fresh statistics for the table just rewritten, for the statements that read it next."""
    if sql.postgres:
        session.execute(text(f"ANALYZE {table}"))
