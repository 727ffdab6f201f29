"""Visitor returns: for each day, when its people were last seen before (unique visitors of any
range come from these), and which later days change when a day's people change."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Session, aliased

from server.models import FIRST_VISIT, VisitorDay, VisitorReturn
from server.services.rollups.counts import WHOLE_TERRITORY, Row, Territorial

CHUNK = 500  # visitor ids per IN (...) list


def return_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The day's VisitorReturn rows, at each place and in the whole territory."""
    earlier = aliased(VisitorDay)

    def last_seen(*where: ColumnElement[bool]) -> ScalarSelect[dt.date]:
        return (
            select(func.max(earlier.day))
            .where(earlier.visitor_id == VisitorDay.visitor_id, earlier.day < scope.day, *where)
            .scalar_subquery()
        )

    before_here = last_seen(earlier.place_id == VisitorDay.place_id)
    before_anywhere = last_seen(earlier.territory_id == scope.territory_id)
    places: Counter[tuple[int, dt.date]] = Counter()
    territory: dict[str, dt.date] = {}
    for place_id, visitor_id, here, anywhere in session.execute(
        select(VisitorDay.place_id, VisitorDay.visitor_id, before_here, before_anywhere).where(
            VisitorDay.territory_id == scope.territory_id, VisitorDay.day == scope.day
        )
    ):
        places[place_id, here or FIRST_VISIT] += 1
        territory[visitor_id] = anywhere or FIRST_VISIT
    places.update(Counter((WHOLE_TERRITORY, previous) for previous in territory.values()))
    common = {"territory_id": scope.territory_id, "day": scope.day}
    return {
        VisitorReturn: [
            {**common, "place_id": place, "previous_day": previous, "visitors": count}
            for (place, previous), count in places.items()
        ]
    }


def people(session: Session, territory_id: int, day: dt.date) -> set[tuple[int, str]]:
    """(place, visitor) of the people seen on a day: compared before and after a recount."""
    rows = session.execute(
        select(VisitorDay.place_id, VisitorDay.visitor_id).where(
            VisitorDay.territory_id == territory_id, VisitorDay.day == day
        )
    )
    return {(place_id, visitor_id) for place_id, visitor_id in rows}


def next_days(
    session: Session, territory_id: int, changed: dict[str, set[tuple[int, dt.date]]]
) -> set[dt.date]:
    """For each (place, day) a visitor changed on, the day they were next seen at that place
    and the day they were next seen anywhere: the days whose "previous day" may have changed."""
    found: set[dt.date] = set()
    visitors = sorted(changed)
    for start in range(0, len(visitors), CHUNK):
        seen: dict[str, list[tuple[int, dt.date]]] = {}
        for visitor, place, day in session.execute(
            select(VisitorDay.visitor_id, VisitorDay.place_id, VisitorDay.day).where(
                VisitorDay.territory_id == territory_id,
                VisitorDay.visitor_id.in_(visitors[start : start + CHUNK]),
            )
        ):
            seen.setdefault(visitor, []).append((place, day))
        for visitor, visits in seen.items():
            for place, day in changed[visitor]:
                anywhere = [other for _, other in visits if other > day]
                here = [other for where, other in visits if where == place and other > day]
                found.update(min(later) for later in (anywhere, here) if later)
    return found
