"""Rebuild the rollups of a range of days set-based: for each table, delete the range and count
it again in one INSERT ... SELECT ... GROUP BY per calendar month (the month of the taps'
partitions on PostgreSQL), instead of a day at a time in Python (refresh.py, kept for the days
the writers mark, and as `rebuild_by_day` to compare with). Same rows, to the last one: the
tests run both paths and compare every table.

Order matters as it does a day at a time: the per-day tables first, then the visitors' returns
and the journeys, which are read from the VisitorDay rows just written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from server import clock as machine_clock
from server.db import Database
from server.models import (
    DailyVisitors,
    DirtyDay,
    Flow,
    FlowMonth,
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
from server.services.rollups.bulk_load import BULK_DAYS, BulkLoad
from server.services.rollups.calendar import local_day
from server.services.rollups.journeys import WINDOW_DAYS
from server.services.rollups.refresh import REFRESH_LOCK, RefreshReport, territory_days
from server.services.rollups.sqlclock import clock

# Rewritten whole by a bulk load (the marks and the flow months are small).
BULK_TABLES = [
    model.__tablename__
    for model in (
        StickerDay,
        PlaceHour,
        TerritoryHour,
        VisitorDay,
        DailyVisitors,
        VisitorReturn,
        OfferDay,
        ShopDay,
        ShopOrigin,
        Flow,
        JourneyDay,
        JourneyShop,
        FlowMonth,
    )
]
DAY_TABLES = (StickerDay, PlaceHour, TerritoryHour, VisitorDay, DailyVisitors, OfferDay, ShopDay)
JOURNEY_TABLES = (Flow, JourneyDay, JourneyShop)
# Memory for one statement's sorts and hashes: a month of visitor-days is grouped in memory
# instead of spilling to disk (PostgreSQL's default is 4 MB). For this transaction only.
WORK_MEM = "256MB"
# The visitors' returns sort every visitor-day of the territory at once (about 100 bytes
# each): in memory up to 10 million of them, instead of an external sort on disk.
RETURNS_WORK_MEM = "1GB"


def rebuild(
    database: Database,
    first: dt.date | None = None,
    last: dt.date | None = None,
    now: dt.datetime | None = None,
    bulk: bool | None = None,
) -> RefreshReport:
    """Recompute every rollup from `first` to `last` (default: all the raw rows kept), in one
    transaction; days past retention are left as they are, as a refresh leaves them. `bulk`:
    drop the rollup tables' keys and indexes for the load on PostgreSQL (bulk_load.py; by
    default when more than BULK_DAYS days are rebuilt)."""
    report = RefreshReport()
    moment = now or machine_clock.now()
    step = _Steps(report)
    with database.transaction() as session:
        postgres = _prepare(session)
        plans = [
            plan
            for territory, days in territory_days(session, first, last).items()
            if days and (plan := _plan(session, territory, days[0], days[-1], moment, report))
        ]
        load = BulkLoad(session)
        if bulk is None:
            bulk = any((plan.days.last - plan.days.first).days >= BULK_DAYS for plan in plans)
        if postgres and bulk:
            with step("dropping keys and indexes"):
                load.drop(BULK_TABLES)
        for plan in plans:
            _day_tables(session, plan, step)
            report.days += (plan.days.last - plan.days.first).days + 1
        with step("keys and indexes of visitor days"):
            load.restore(VisitorDay.__tablename__)  # the journeys read it by day and visitor
            if postgres:
                session.execute(text(f"ANALYZE {VisitorDay.__tablename__}"))
        for plan in plans:
            _people(session, plan, step)
            report.journey_days += (plan.origins.last - plan.origins.first).days + 1
        with step("keys and indexes"):
            load.restore_all()
    return report


@dataclass(frozen=True)
class _Plan:
    """A territory's days to recompute: the per-day tables', the journeys' origins (a week
    earlier: a day's taps complete the journeys of the week before it) and the shops' origins
    (a week later: a day's museum taps count for the customers of the week after it)."""

    days: Span
    origins: Span
    shop_days: Span


def _plan(
    session: Session,
    territory: Territory,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    report: RefreshReport,
) -> _Plan | None:
    """What to recompute of the territory (None: nothing kept that recent); its marks go."""
    oldest = local_day(retention_cutoff(now), territory.timezone)
    start = max(first, oldest)
    report.too_old += max(0, (min(last + dt.timedelta(days=1), oldest) - first).days)
    session.execute(
        delete(DirtyDay).where(
            DirtyDay.territory_id == territory.id, DirtyDay.day >= first, DirtyDay.day <= last
        )
    )
    if start > last:
        return None
    sql = clock(session, territory.timezone)
    week = dt.timedelta(days=WINDOW_DAYS)
    today = local_day(now, territory.timezone)
    return _Plan(
        Span(territory.id, sql, start, last),
        Span(territory.id, sql, max(start - week, oldest), last),
        Span(territory.id, sql, start, min(last + week, today)),
    )


def _prepare(session: Session) -> bool:
    """Session settings for big statements; whether this is PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
    session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    # Compiling each statement costs more than it saves on statements of a month of rows.
    session.execute(text("SET LOCAL jit = off"))
    # The planner's statistics describe the rollup tables before the rebuild emptied them: it
    # would pick nested loops over what it thinks are a few rows (see refresh.py).
    session.execute(text("SET LOCAL enable_nestloop = off"))
    return True


def _day_tables(session: Session, plan: _Plan, step: _Steps) -> None:
    """The tables counted from each day's own rows."""
    with step("clear"):
        _clear(session, DAY_TABLES, plan.days)
    for month in months(plan.days):
        with step("taps"):
            bulk_days.tap_tables(session, month)
        with step("offers and shops"):
            bulk_days.offer_days(session, month)
            bulk_days.shop_days(session, month)


def _people(session: Session, plan: _Plan, step: _Steps) -> None:
    """The tables counted from the visitor-days: returns, uniques, journeys; shop origins."""
    territory_id, sql = plan.days.territory_id, plan.days.clock
    with step("returns and daily visitors"):
        # Every later day too: a redone day changes its people's next "previous day".
        session.execute(
            delete(VisitorReturn).where(
                VisitorReturn.territory_id == territory_id,
                VisitorReturn.day >= plan.days.first,
            )
        )
        if sql.postgres:
            session.execute(text(f"SET LOCAL work_mem = '{RETURNS_WORK_MEM}'"))
        bulk_days.visitor_returns(session, territory_id, sql, plan.days.first)
        if sql.postgres:
            session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        bulk_days.daily_visitors(session, plan.days)
    with step("clear"):
        _clear(session, JOURNEY_TABLES, plan.origins)
    with step("journeys"):
        for month in months(plan.origins):
            bulk_journeys.journeys(session, month)
    with step("flow months"):
        bulk_journeys.flow_months(session, plan.origins)
    if plan.shop_days.first <= plan.shop_days.last:
        with step("clear"):
            _clear(session, (ShopOrigin,), plan.shop_days)
        with step("shop origins"):
            for month in months(plan.shop_days):
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


class _Steps:
    """Adds each step's seconds to the report (the bench prints where the time goes)."""

    def __init__(self, report: RefreshReport) -> None:
        self.report = report

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        seconds = self.report.seconds
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
