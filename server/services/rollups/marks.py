"""Mark local days whose rollups must be recomputed, in the transaction that changed them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.models import DirtyDay, Place, Territory
from server.services.rollups.calendar import local_day


def mark(session: Session, territory_id: int, days: Iterable[dt.date]) -> None:
    """Note that these days changed; each mark raises the day's version, so a refresh running
    meanwhile leaves the mark in place for the next one."""
    rows = [{"territory_id": territory_id, "day": day, "version": 1} for day in sorted(set(days))]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(DirtyDay)
    statement = insert.on_conflict_do_update(
        index_elements=["territory_id", "day"], set_={"version": DirtyDay.version + 1}
    )
    session.execute(statement, rows)


def mark_moments(session: Session, territory: Territory, moments: Iterable[dt.datetime]) -> None:
    """Mark the local days of these moments in the territory."""
    mark(session, territory.id, {local_day(moment, territory.timezone) for moment in moments})


def mark_places(session: Session, moments: dict[int, list[dt.datetime]]) -> None:
    """Mark the local days of each place's moments, in its territory (the drainer groups its
    taps' moments by place as it builds its rows)."""
    if not moments:
        return
    zones = session.execute(
        select(Place.id, Territory.id, Territory.timezone)
        .join(Territory, Place.territory_id == Territory.id)
        .where(Place.id.in_(moments))
    )
    by_territory: dict[tuple[int, str], list[dt.datetime]] = {}
    for place_id, territory_id, timezone in zones:
        by_territory.setdefault((territory_id, timezone), []).extend(moments[place_id])
    # In territory order, as every drainer marks: two drainers cannot each wait for the other.
    for (territory_id, timezone), found in sorted(by_territory.items()):
        mark(session, territory_id, _local_days(sorted(found), timezone))


def _local_days(moments: list[dt.datetime], timezone: str) -> set[dt.date]:
    """The local days of these moments (in time order), converting few of them: when a stretch's
    first and last moments fall on one local day, so does every moment between them. A
    drainer's batch is nearly always one stretch; a batch over a month costs a few conversions
    per day (the stretch is halved until its ends agree), not one per tap."""
    days = set()
    stretches = [(0, len(moments) - 1)]
    while stretches:
        first, last = stretches.pop()
        start, end = local_day(moments[first], timezone), local_day(moments[last], timezone)
        days.add(start)
        days.add(end)
        if start != end and last - first > 1:
            middle = (first + last) // 2
            stretches.append((first, middle))
            stretches.append((middle, last))
    return days
