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


def mark_place_moments(session: Session, moments: Iterable[tuple[int, dt.datetime]]) -> None:
    """Mark the local days of (place id, moment) pairs, each in its place's territory."""
    pairs = list(moments)
    places = {place_id for place_id, _ in pairs}
    if not places:
        return
    zones = {
        place_id: (territory_id, timezone)
        for place_id, territory_id, timezone in session.execute(
            select(Place.id, Territory.id, Territory.timezone)
            .join(Territory, Place.territory_id == Territory.id)
            .where(Place.id.in_(places))
        )
    }
    # A drainer's batch nearly always falls within one local day: when its first and last
    # moments do, so does every moment between them, and none needs converting.
    first = min(moment for _, moment in pairs)
    last = max(moment for _, moment in pairs)
    days: dict[int, set[dt.date]] = {}
    spread = set()  # territories where the batch spans more than one local day
    for territory_id, timezone in set(zones.values()):
        day = local_day(first, timezone)
        if day == local_day(last, timezone):
            days[territory_id] = {day}
        else:
            spread.add(territory_id)
    if spread:
        for place_id, moment in pairs:
            territory_id, timezone = zones[place_id]
            if territory_id in spread:
                days.setdefault(territory_id, set()).add(local_day(moment, timezone))
    for territory_id, changed in days.items():
        mark(session, territory_id, changed)
