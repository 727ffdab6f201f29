"""The taps' monthly partitions on PostgreSQL: made ahead of the taps, dropped past retention.

On PostgreSQL `taps` is partitioned by range of `occurred_at`, one partition per calendar month
in UTC, named `taps_y2026m11`. A tap needs its month's partition to exist before it is stored:
the drainer makes the coming months' ahead of time, and storing a batch makes any month it
lacks (a tap spooled long ago, a clock far off). Past retention a whole month is detached and
dropped at once, instead of deleting its rows one by one. SQLite keeps one plain table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from server.db import Database

PARENT = "taps"
AHEAD_MONTHS = 2  # months made ahead of the current one
NAME = re.compile(r"^taps_y(\d{4})m(\d{2})$")
# pg_advisory_xact_lock key: two drainers (two hosts) never make the same partition at once.
LOCK_KEY = 0x7A7073  # "zps"


@dataclass(frozen=True)
class Partition:
    """One month of taps: its table's name and the moments it holds, [start, end)."""

    name: str
    start: dt.datetime
    end: dt.datetime


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of `moment`'s month, in UTC."""
    utc = moment.astimezone(dt.UTC)
    return dt.date(utc.year, utc.month, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after `month` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def partition(month: dt.date) -> Partition:
    """The partition that holds `month`'s taps."""
    start = dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
    following = add_months(month, 1)
    end = dt.datetime(following.year, following.month, 1, tzinfo=dt.UTC)
    return Partition(f"{PARENT}_y{month.year:04d}m{month.month:02d}", start, end)


def is_partitioned(connection: Connection) -> bool:
    """Whether this database holds the taps partitioned (PostgreSQL after migration 0017)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:parent)"), {"parent": PARENT}
    ).scalar()
    return kind == "p"


def existing(connection: Connection) -> list[Partition]:
    """The month partitions the taps table has, oldest first."""
    names = connection.execute(
        text(
            "SELECT child.relname FROM pg_inherits"
            " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
            " WHERE pg_inherits.inhparent = to_regclass(:parent)"
        ),
        {"parent": PARENT},
    ).scalars()
    months = []
    for name in names:
        found = NAME.match(name)
        if found:  # a partition made by hand under another name is left alone
            months.append(dt.date(int(found[1]), int(found[2]), 1))
    return [partition(month) for month in sorted(months)]


def missing(connection: Connection, months: Iterable[dt.date]) -> list[dt.date]:
    """Which of these months have no partition yet (one query, whatever their number)."""
    wanted = sorted(set(months))
    if not wanted:
        return []
    names = [partition(month).name for month in wanted]
    absent = set(
        connection.execute(
            text(
                "SELECT name FROM unnest(CAST(:names AS text[])) AS name"
                " WHERE to_regclass(name) IS NULL"
            ),
            {"names": names},
        ).scalars()
    )
    return [month for month, name in zip(wanted, names, strict=True) if name in absent]


def create(connection: Connection, months: Iterable[dt.date]) -> list[str]:
    """Make the partitions these months lack, in the caller's transaction; their names.

    The advisory lock makes a second drainer wait for the first, then find them made.
    """
    if not missing(connection, months):
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    made = []
    for month in missing(connection, months):
        part = partition(month)
        connection.execute(
            text(
                f'CREATE TABLE "{part.name}" PARTITION OF {PARENT}'
                f" FOR VALUES FROM ('{part.start.isoformat()}') TO ('{part.end.isoformat()}')"
            )
        )
        made.append(part.name)
    return made


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first` to `last`, both included."""
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def create_ahead(connection: Connection, now: dt.datetime, ahead: int = AHEAD_MONTHS) -> list[str]:
    """Make the partitions of this month and the `ahead` following ones; their names."""
    this_month = month_of(now)
    return create(connection, months_between(this_month, add_months(this_month, ahead)))


def prepare(database: Database, now: dt.datetime, ahead: int = AHEAD_MONTHS) -> list[str]:
    """Make this month's partition and the next `ahead` ones if missing (PostgreSQL; nothing on
    SQLite), in a transaction of their own; their names. The drainer runs this every hour."""
    if database.engine.dialect.name != "postgresql":
        return []
    with database.transaction() as session:
        connection = session.connection()
        if not is_partitioned(connection):
            return []
        return create_ahead(connection, now, ahead)


def drop_before(connection: Connection, cutoff: dt.datetime) -> tuple[list[str], int]:
    """Detach and drop the partitions that hold only taps older than `cutoff`; their names and
    how many taps they held."""
    dropped, taps = [], 0
    for part in existing(connection):
        if part.end > cutoff:
            break
        taps += connection.execute(text(f'SELECT count(*) FROM "{part.name}"')).scalar() or 0
        connection.execute(text(f'ALTER TABLE {PARENT} DETACH PARTITION "{part.name}"'))
        connection.execute(text(f'DROP TABLE "{part.name}"'))
        dropped.append(part.name)
    return dropped, taps
