"""How long raw rows with a visitor id are kept (25 months), and the purge that enforces it.

Audience measurement without consent (CNIL, deliberation 2020-091 and its guidance on audience
measurement tools): pseudonymous ids, a cookie of at most 13 months, raw data kept at most 25
months. Past that, raw taps and the per-visitor rollup rows are deleted, offer views are
deleted and redemption codes lose their visitor id; the aggregate rollups stay. On PostgreSQL
the taps' whole months past retention are detached and dropped (services/tap_partitions.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from server.db import Database, rowcount
from server.models import (
    DirtyDay,
    LoyaltyStamp,
    OfferView,
    RedemptionCode,
    Tap,
    Territory,
    VisitorDay,
)
from server.services import tap_partitions

RETENTION_MONTHS = 25
CHUNK = 50_000  # rows deleted per transaction: a purge never holds a long lock on the taps


@dataclass
class PurgeReport:
    """What a purge removed, and from when."""

    cutoff: dt.datetime
    taps: int = 0
    visitor_days: int = 0
    offer_views: int = 0
    codes_stripped: int = 0


def retention_cutoff(now: dt.datetime, months: int = RETENTION_MONTHS) -> dt.datetime:
    """The moment before which raw rows are no longer kept."""
    return months_before(now, months)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months earlier (the 31st falls back to the month's end)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def purge(
    database: Database, now: dt.datetime, months: int = RETENTION_MONTHS, dry_run: bool = False
) -> PurgeReport:
    """Delete raw rows older than `months` months; with `dry_run`, only count them."""
    report = PurgeReport(retention_cutoff(now, months))
    cutoff = report.cutoff
    with database.transaction() as session:
        if dry_run:
            report.taps = _count(session, Tap, Tap.occurred_at < cutoff)
            report.offer_views = _count(session, OfferView, OfferView.occurred_at < cutoff)
            report.codes_stripped = _count(
                session,
                RedemptionCode,
                RedemptionCode.issued_at < cutoff,
                RedemptionCode.visitor_id.is_not(None),
            )
        else:
            stripped = session.execute(
                update(RedemptionCode)
                .where(RedemptionCode.issued_at < cutoff, RedemptionCode.visitor_id.is_not(None))
                .values(visitor_id=None)
            )
            report.codes_stripped = rowcount(stripped)
            # Stamps keep the visitor id only for the funnel's recount; cut like the codes'.
            session.execute(
                update(LoyaltyStamp)
                .where(LoyaltyStamp.at < cutoff, LoyaltyStamp.visitor_id.is_not(None))
                .values(visitor_id=None)
            )
        for territory in session.scalars(select(Territory)):
            oldest = cutoff.astimezone(ZoneInfo(territory.timezone)).date()
            old = (VisitorDay.territory_id == territory.id, VisitorDay.day < oldest)
            if dry_run:
                report.visitor_days += _count(session, VisitorDay, *old)
            else:
                report.visitor_days += rowcount(session.execute(delete(VisitorDay).where(*old)))
                session.execute(
                    delete(DirtyDay).where(
                        DirtyDay.territory_id == territory.id, DirtyDay.day < oldest
                    )
                )
    if not dry_run:
        report.taps = _drop_partitions(database, cutoff)
        report.taps += _delete_in_chunks(database, Tap, Tap.id, Tap.occurred_at < cutoff)
        report.offer_views = _delete_in_chunks(
            database, OfferView, OfferView.id, OfferView.occurred_at < cutoff
        )
    return report


def _count(session: Session, model: type, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _drop_partitions(database: Database, cutoff: dt.datetime) -> int:
    """On PostgreSQL, drop the taps' whole months before `cutoff` at once; how many taps went.
    What is left before it (the cutoff's own month) is deleted row by row, as on SQLite."""
    if database.engine.dialect.name != "postgresql":
        return 0
    with database.transaction() as session:
        connection = session.connection()
        if not tap_partitions.is_partitioned(connection):
            return 0
        return tap_partitions.drop_before(connection, cutoff)[1]


def _delete_in_chunks(
    database: Database, model: type, key: InstrumentedAttribute[Any], condition: ColumnElement[bool]
) -> int:
    deleted = 0
    while True:
        with database.transaction() as session:
            ids = list(session.scalars(select(key).where(condition).limit(CHUNK)))
            if not ids:
                return deleted
            # The condition again: on partitioned taps it keeps the delete to the old months.
            deleted += rowcount(session.execute(delete(model).where(key.in_(ids), condition)))
