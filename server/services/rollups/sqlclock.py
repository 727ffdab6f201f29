"""SQL for a territory's clocks: the local day and hour of a stored moment, on PostgreSQL and
SQLite alike (the set-based rebuild counts in SQL).

PostgreSQL converts with `AT TIME ZONE` from its own tz database. SQLite has no time zones: a
few deterministic functions registered on the connection convert with Python's zoneinfo, the
same conversion as calendar.py, so both paths put every moment on the same day.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from server.services.rollups.calendar import zone

_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")  # IANA names only: they are inlined in SQL


@dataclass(frozen=True)
class Clock:
    """The SQL expressions of one time zone on one dialect."""

    dialect: str
    timezone: str

    def __post_init__(self) -> None:
        if not _ZONE_NAME.fullmatch(self.timezone):
            raise ValueError(f"not a time zone name: {self.timezone!r}")
        try:
            zone(self.timezone)  # an unknown zone fails here, not half-way through a rebuild
        except ZoneInfoNotFoundError as error:
            raise ValueError(f"not a time zone name: {self.timezone!r}") from error

    @property
    def postgres(self) -> bool:
        """Whether this is PostgreSQL (otherwise SQLite)."""
        return self.dialect == "postgresql"

    def day(self, moment: str) -> str:
        """The local day of the timestamp expression `moment`."""
        if self.postgres:
            return f"(({moment}) AT TIME ZONE '{self.timezone}')::date"
        return f"taptrail_local_day({moment}, '{self.timezone}')"

    def hour(self, moment: str) -> str:
        """The local hour (0-23 on the clock) of the timestamp expression `moment`."""
        if self.postgres:
            return f"extract(hour from ({moment}) AT TIME ZONE '{self.timezone}')::int"
        return f"taptrail_local_hour({moment}, '{self.timezone}')"

    def month_start(self, day: str) -> str:
        """The first day of the month of the date expression `day`."""
        if self.postgres:
            return f"date_trunc('month', {day})::date"
        return f"date({day}, 'start of month')"

    def plus_days(self, day: str, days: int) -> str:
        """The date expression `day` moved by `days` days."""
        if self.postgres:
            return f"(({day}) + {int(days)})"
        return f"date({day}, '{int(days):+d} days')"


def clock(session: Session, timezone: str) -> Clock:
    """The clock of `timezone` for this session's database (SQLite: functions installed)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        install(session.connection().connection.driver_connection)
    return Clock(dialect, timezone)


def install(connection: Any) -> None:
    """Register the SQLite functions the SQLite clock's expressions call."""
    for name, arity, function in (
        ("taptrail_local_day", 2, _local_day),
        ("taptrail_local_hour", 2, _local_hour),
    ):
        connection.create_function(name, arity, function, deterministic=True)


@functools.lru_cache(maxsize=4096)
def _local(moment: str, timezone: str) -> dt.datetime:
    # Cached: a rebuild converts each tap once per table, and taps share their seconds rarely,
    # but offer views and codes are converted again for each visitor-day they are joined to.
    return dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC).astimezone(zone(timezone))


def _local_day(moment: str | None, timezone: str) -> str | None:
    return None if moment is None else _local(moment, timezone).date().isoformat()


def _local_hour(moment: str | None, timezone: str) -> int | None:
    return None if moment is None else _local(moment, timezone).hour
