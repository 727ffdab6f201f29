"""Recompute the rollups of the days marked dirty; rebuild them all; check them against the raw
rows. A day is always recomputed whole, in one transaction, so its rollups are exact."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, delete, func, insert, literal, select, text, tuple_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from server import clock
from server.db import Database
from server.models import (
    DirtyDay,
    Flow,
    FlowMonth,
    OfferView,
    RedemptionCode,
    Tap,
    Territory,
    VisitorDay,
)
from server.services.retention import retention_cutoff
from server.services.rollups.calendar import days_between, local_day
from server.services.rollups.counts import Row, Territorial, offer_rows, tap_rows
from server.services.rollups.funnel import shop_day_rows, shop_origin_rows
from server.services.rollups.journeys import WINDOW_DAYS, journey_rows
from server.services.rollups.marks import mark
from server.services.rollups.returns import next_days, people, return_rows

log = logging.getLogger(__name__)

DAYS_PER_ROUND = 31
# Per-day tables first: journeys are computed from the VisitorDay rows just written.
DAY_PARTS: tuple[Callable[[Session, Territorial], dict[type[Any], list[Row]]], ...] = (
    tap_rows,
    offer_rows,
    shop_day_rows,
)
REFRESH_LOCK = 7_366_522  # any constant: PostgreSQL's advisory lock for one refresher at a time


@dataclass
class RefreshReport:
    """What a refresh recomputed."""

    days: int = 0  # local days whose counts were recomputed
    journey_days: int = 0  # origin days whose journeys were recomputed
    too_old: int = 0  # marks dropped: their raw rows are past retention, the rollups stay
    seconds: dict[str, float] = field(default_factory=dict)  # per step, where one says (bench)


@dataclass
class CheckReport:
    """Where the stored rollups differ from a recount of the raw rows."""

    days: int = 0
    differences: list[str] = field(default_factory=list)


def refresh(database: Database, now: dt.datetime | None = None) -> RefreshReport:
    """Recompute every day marked dirty (oldest first, a month of days per transaction)."""
    report = RefreshReport()
    with database.sessions() as session:
        waiting = session.scalar(select(func.count()).select_from(DirtyDay)) or 0
    # Marks added while we work are taken too, but a steady stream cannot keep us here forever.
    for _ in range(math.ceil(waiting / DAYS_PER_ROUND) + 1):
        with database.transaction() as session:
            if not _refresh_round(session, now or clock.now(), report):
                break
    return report


def rebuild_by_day(
    database: Database,
    first: dt.date | None = None,
    last: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RefreshReport:
    """Recompute every day from `first` to `last` (default: all the raw rows kept) a day at a
    time, as the refresh does: slow on a big range (rebuild.py is set-based), kept to compare
    the two."""
    with database.transaction() as session:
        for territory, days in territory_days(session, first, last).items():
            mark(session, territory.id, days)
    return refresh(database, now)


def check(
    database: Database,
    first: dt.date | None = None,
    last: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CheckReport:
    """Recount each day from the raw rows and list the rollup rows that differ."""
    report = CheckReport()
    keep_from = retention_cutoff(now or clock.now())
    with database.sessions() as session:
        for territory, days in territory_days(session, first, last).items():
            for day in days:
                if day < local_day(keep_from, territory.timezone):
                    continue
                report.days += 1
                scope = Territorial(territory.id, territory.timezone, day)
                for model, rows in _recount(session, scope).items():
                    stored = _stored(session, model, scope)
                    expected = {_key(row) for row in rows}
                    if stored != expected:
                        report.differences.append(
                            f"{day} {model.__tablename__}: {len(stored - expected)} stored rows "
                            f"are not in the recount, {len(expected - stored)} are missing"
                        )
    return report


def _refresh_round(session: Session, now: dt.datetime, report: RefreshReport) -> bool:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
        # The days being recomputed are written in this transaction, so the planner's
        # statistics expect one row a day and pick nested loops that walk a whole day of
        # visitors per visitor in the journeys' self-join (minutes a day at 10 million taps).
        # Hash joins take milliseconds whatever the size.
        session.execute(text("SET LOCAL enable_nestloop = off"))
    marks = session.execute(
        select(DirtyDay.territory_id, DirtyDay.day, DirtyDay.version)
        .order_by(DirtyDay.day, DirtyDay.territory_id)
        .limit(DAYS_PER_ROUND)
    ).all()
    if not marks:
        return False
    keep_from = retention_cutoff(now)
    by_territory: defaultdict[int, set[dt.date]] = defaultdict(set)
    for territory_id, day, _version in marks:
        by_territory[territory_id].add(day)
    for territory_id, days in by_territory.items():
        territory = session.get_one(Territory, territory_id)
        oldest = local_day(keep_from, territory.timezone)
        fresh = {day for day in days if day >= oldest}
        report.too_old += len(days - fresh)
        scopes = [Territorial(territory_id, territory.timezone, day) for day in sorted(fresh)]
        changed: defaultdict[str, set[tuple[int, dt.date]]] = defaultdict(set)
        for scope in scopes:
            before = people(session, territory_id, scope.day)
            _replace(session, scope, DAY_PARTS)
            for place, visitor in before ^ people(session, territory_id, scope.day):
                changed[visitor].add((place, scope.day))
            report.days += 1
        # Once every day's people are in: a day's returns look at the days before it.
        for scope in scopes:
            _replace(session, scope, (return_rows,))
        _mark_later_returns(session, territory_id, changed, fresh)
        # A day's taps can complete the journeys that started up to a week before it.
        origins = {
            day - dt.timedelta(days=back) for day in fresh for back in range(WINDOW_DAYS + 1)
        }
        journey_days = sorted(origin for origin in origins if origin >= oldest)
        for day in journey_days:
            _replace(session, Territorial(territory_id, territory.timezone, day), (journey_rows,))
            report.journey_days += 1
        for month in sorted({day.replace(day=1) for day in journey_days}):
            replace_flow_month(session, territory_id, month)
        # A day's museum taps count for the shops' customers of the week that follows it.
        today = local_day(now, territory.timezone)
        shop_days = {
            day + dt.timedelta(days=ahead) for day in fresh for ahead in range(WINDOW_DAYS + 1)
        }
        for day in sorted(day for day in shop_days if day <= today):
            _replace(
                session, Territorial(territory_id, territory.timezone, day), (shop_origin_rows,)
            )
    # Only the marks as we read them: a day marked again meanwhile (a higher version) stays.
    session.execute(
        delete(DirtyDay).where(
            tuple_(DirtyDay.territory_id, DirtyDay.day, DirtyDay.version).in_(
                [tuple(mark) for mark in marks]
            )
        )
    )
    return True


def _mark_later_returns(
    session: Session,
    territory_id: int,
    changed: dict[str, set[tuple[int, dt.date]]],
    done: set[dt.date],
) -> None:
    """Mark the later days whose people's "previous day" changed with the days just redone."""
    if not changed:
        return
    pending = set(
        session.scalars(select(DirtyDay.day).where(DirtyDay.territory_id == territory_id))
    )
    latest = session.scalar(
        select(func.max(VisitorDay.day)).where(VisitorDay.territory_id == territory_id)
    )
    after = list(days_between(max(done) + dt.timedelta(days=1), latest)) if latest else []
    if pending.issuperset(after):
        return  # a rebuild: every later day is redone anyway, no need to look for them
    mark(session, territory_id, next_days(session, territory_id, changed) - done)


def replace_flow_month(session: Session, territory_id: int, month: dt.date) -> None:
    """Sum the month's flows again, from the day rows just written."""
    following = (month + dt.timedelta(days=32)).replace(day=1)
    session.execute(
        delete(FlowMonth).where(FlowMonth.territory_id == territory_id, FlowMonth.month == month)
    )
    sums = (
        select(
            Flow.territory_id,
            literal(month, Date()),
            Flow.from_place_id,
            Flow.to_place_id,
            func.sum(Flow.same_day),
            func.sum(Flow.week),
        )
        .where(Flow.territory_id == territory_id, Flow.day >= month, Flow.day < following)
        .group_by(Flow.territory_id, Flow.from_place_id, Flow.to_place_id)
    )
    columns = ["territory_id", "month", "from_place_id", "to_place_id", "same_day", "week"]
    session.execute(insert(FlowMonth).from_select(columns, sums))


def _replace(
    session: Session,
    scope: Territorial,
    parts: tuple[Callable[[Session, Territorial], dict[type[Any], list[Row]]], ...],
) -> None:
    for part in parts:
        for model, rows in part(session, scope).items():
            session.execute(
                delete(model).where(
                    model.territory_id == scope.territory_id, model.day == scope.day
                )
            )
            if rows:
                session.execute(insert(model), rows)


def _recount(session: Session, scope: Territorial) -> dict[type[Any], list[Row]]:
    rows: dict[type[Any], list[Row]] = {}
    for part in (*DAY_PARTS, return_rows, journey_rows, shop_origin_rows):
        rows.update(part(session, scope))
    return rows


def _stored(session: Session, model: type[Any], scope: Territorial) -> set[tuple]:
    columns = [column.key for column in model.__table__.columns]
    found = session.execute(
        select(*(model.__table__.c[key] for key in columns)).where(
            model.territory_id == scope.territory_id, model.day == scope.day
        )
    )
    return {_key(dict(zip(columns, row, strict=True))) for row in found}


def _key(row: Row) -> tuple:
    return tuple(sorted((key, str(value)) for key, value in row.items()))


def territory_days(
    session: Session, first: dt.date | None, last: dt.date | None
) -> dict[Territory, list[dt.date]]:
    """Each territory's days from `first` to `last`, by default those the raw rows cover."""
    moments = [
        value
        for column in (Tap.occurred_at, OfferView.occurred_at, RedemptionCode.issued_at)
        for value in session.execute(select(func.min(column), func.max(column))).one()
        if value is not None
    ]
    spans = {}
    for territory in session.scalars(select(Territory)):
        if moments:
            start = first or local_day(min(moments), territory.timezone)
            end = last or local_day(max(moments), territory.timezone)
        elif first and last:
            start, end = first, last
        else:
            continue
        spans[territory] = list(days_between(start, end))
    return spans


class Schedule:
    """Refreshes the rollups from a drainer's loop, at most once every `interval` seconds."""

    def __init__(self, database: Database, interval: float) -> None:
        self.database = database
        self.interval = interval  # 0 or less: never (a deployment refreshing by cron instead)
        self._next = 0.0

    def tick(self, now: float) -> RefreshReport | None:
        """Refresh if it is time; a database error waits for the next time."""
        if self.interval <= 0 or now < self._next:
            return None
        self._next = now + self.interval
        try:
            return refresh(self.database)
        except DBAPIError:
            log.warning(
                "cannot refresh the analytics rollups yet; next try in %.0f s", self.interval
            )
            return None
