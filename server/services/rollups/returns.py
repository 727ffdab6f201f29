"""Visitor returns: for each day, when its people were last seen before (unique visitors of any
range come from these), and which later days change when a day's people change."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import FIRST_VISIT, VisitorDay, VisitorReturn
from server.services.rollups.counts import WHOLE_TERRITORY, Row, Territorial

CHUNK = 500  # visitor ids per IN (...) list


def return_rows(session: Session, scope: Territorial) -> dict[type, list[Row]]:
    """The day's VisitorReturn rows, at each place and in the whole territory."""
    today = people(session, scope.territory_id, scope.day)
    here: dict[tuple[int, str], dt.date] = {}
    anywhere: dict[str, dt.date] = {}
    # The visitors' earlier days through the visitor index alone: a condition on the territory
    # here would let the planner walk the territory's whole history once per visitor instead.
    visitors = sorted({visitor for _, visitor in today})
    for start in range(0, len(visitors), CHUNK):
        for visitor, place, territory, day in session.execute(
            select(
                VisitorDay.visitor_id, VisitorDay.place_id, VisitorDay.territory_id, VisitorDay.day
            ).where(
                VisitorDay.visitor_id.in_(visitors[start : start + CHUNK]),
                VisitorDay.day < scope.day,
            )
        ):
            if territory != scope.territory_id:
                continue
            anywhere[visitor] = max(day, anywhere.get(visitor, day))
            here[place, visitor] = max(day, here.get((place, visitor), day))
    places: Counter[tuple[int, dt.date]] = Counter(
        (place, here.get((place, visitor), FIRST_VISIT)) for place, visitor in today
    )
    places.update(
        (WHOLE_TERRITORY, anywhere.get(visitor, FIRST_VISIT)) for visitor in set(visitors)
    )
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
