"""Journeys of a range of origin days in SQL (the set-based rebuild): Flow, JourneyDay and
JourneyShop, the same rows as journeys.py gives a day at a time.

Read from VisitorDay, offer views and codes, as journeys.py reads them: a visitor's pairs of
visitor-days (origin day D, a later one within D..D+7 at another place, last tapped there after
the first tap at the origin) are joined once into a temporary table, and the flows and the
museums' journeys are counted from it. A moment before the end of day D is on day D, one before
the end of D+7 within the week: the local days say so without computing where days end.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.services.rollups.bulk_days import Span, run, values
from server.services.rollups.calendar import day_bounds
from server.services.rollups.journeys import WINDOW_DAYS

PAIRS = "taptrail_rebuild_pairs"
WENT = "taptrail_rebuild_went"


def journeys(session: Session, span: Span) -> None:
    """Flow, JourneyDay and JourneyShop of the origin days of `span`."""
    clock = span.clock
    week_later = clock.plus_days("o.day", WINDOW_DAYS)
    _drop(session)
    run(
        session,
        f"""
        CREATE TEMPORARY TABLE {PAIRS} AS
        SELECT o.day, o.place_id AS from_id, d.place_id AS to_id, o.visitor_id,
            max(CASE WHEN d.day = o.day THEN 1 ELSE 0 END) AS same
        FROM rollup_visitor_days o
        JOIN rollup_visitor_days d ON d.visitor_id = o.visitor_id
            AND d.territory_id = :t AND d.day >= :a AND d.day <= :b_week
            AND d.day >= o.day AND d.day <= {week_later}
            AND d.place_id <> o.place_id AND d.last_at > o.first_at
        WHERE o.territory_id = :t AND o.day >= :a AND o.day <= :b
        GROUP BY o.day, o.place_id, d.place_id, o.visitor_id
        """,
        **values(span),
        b_week=_week_last(span),
    )
    run(
        session,
        f"""
        INSERT INTO rollup_flows (day, from_place_id, to_place_id, territory_id, same_day, week)
        SELECT day, from_id, to_id, :t, sum(same), count(*) FROM {PAIRS}
        GROUP BY day, from_id, to_id
        """,
        t=span.territory_id,
    )
    museum_days = "rollup_visitor_days o JOIN places m ON m.id = o.place_id AND m.kind = 'museum'"
    in_span = "o.territory_id = :t AND o.day >= :a AND o.day <= :b"

    def after(moment: str) -> str:
        """The action at `moment` came after the museum tap and within the week."""
        return (
            f"{moment} > o.first_at AND {moment} >= :s AND {moment} < :e_week "
            f"AND {clock.day(moment)} <= {week_later}"
        )

    def same(moment: str) -> str:
        return f"CASE WHEN {clock.day(moment)} = o.day THEN 1 ELSE 0 END"

    # (origin day, museum, shop, action, visitor): whether it happened the same day.
    run(
        session,
        f"""
        CREATE TEMPORARY TABLE {WENT} AS
        SELECT day, museum, shop_id, action, visitor_id, max(same) AS same
        FROM (
            SELECT r.day, r.from_id AS museum, p.shop_id, 'tapped' AS action,
                r.visitor_id, r.same
            FROM {PAIRS} r
            JOIN places p ON p.id = r.to_id
            JOIN places m ON m.id = r.from_id
            WHERE p.shop_id IS NOT NULL AND m.kind = 'museum'
            UNION ALL
            SELECT o.day, o.place_id, f.shop_id, 'viewed', o.visitor_id,
                {same("v.occurred_at")}
            FROM {museum_days}
            JOIN offer_views v ON v.visitor_id = o.visitor_id
            JOIN offers f ON f.id = v.offer_id
            WHERE {in_span} AND {after("v.occurred_at")}
            UNION ALL
            SELECT o.day, o.place_id, c.redeemed_shop_id, 'redeemed', o.visitor_id,
                {same("c.redeemed_at")}
            FROM {museum_days}
            JOIN redemption_codes c ON c.visitor_id = o.visitor_id
            WHERE {in_span} AND c.redeemed_shop_id IS NOT NULL
                AND {after("c.redeemed_at")}
        ) x
        GROUP BY day, museum, shop_id, action, visitor_id
        """,
        **values(span),
        e_week=_week_end(span),
    )
    counts = ", ".join(
        f"sum(CASE WHEN action = '{action}' THEN same ELSE 0 END), "
        f"sum(CASE WHEN action = '{action}' THEN 1 ELSE 0 END)"
        for action in ("tapped", "viewed", "redeemed")
    )
    run(
        session,
        f"""
        INSERT INTO rollup_journey_shops (day, place_id, shop_id, territory_id,
            tapped_same_day, tapped_week, viewed_same_day, viewed_week,
            redeemed_same_day, redeemed_week)
        SELECT day, museum, shop_id, :t, {counts} FROM {WENT}
        GROUP BY day, museum, shop_id
        """,
        t=span.territory_id,
    )
    run(
        session,
        f"""
        INSERT INTO rollup_journeys
            (day, place_id, territory_id, visitors, went_same_day, went_week)
        SELECT o.day, o.place_id, :t, count(*), sum(coalesce(w.same, 0)),
            sum(CASE WHEN w.visitor_id IS NULL THEN 0 ELSE 1 END)
        FROM {museum_days}
        LEFT JOIN (
            SELECT day, museum, visitor_id, max(same) AS same FROM {WENT}
            GROUP BY day, museum, visitor_id
        ) w ON w.day = o.day AND w.museum = o.place_id AND w.visitor_id = o.visitor_id
        WHERE {in_span}
        GROUP BY o.day, o.place_id
        """,
        **values(span),
    )
    _drop(session)


def flow_months(session: Session, span: Span) -> None:
    """FlowMonth of every month the span touches, summed again from its days' flows."""
    first = span.first.replace(day=1)
    following = (span.last.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    run(
        session,
        "DELETE FROM rollup_flow_months WHERE territory_id = :t AND month >= :a AND month < :f",
        t=span.territory_id,
        a=first,
        f=following,
    )
    month = span.clock.month_start("day")
    run(
        session,
        f"""
        INSERT INTO rollup_flow_months
            (territory_id, month, from_place_id, to_place_id, same_day, week)
        SELECT :t, {month}, from_place_id, to_place_id, sum(same_day), sum(week)
        FROM rollup_flows WHERE territory_id = :t AND day >= :a AND day < :f
        GROUP BY {month}, from_place_id, to_place_id
        """,
        t=span.territory_id,
        a=first,
        f=following,
    )


def _drop(session: Session) -> None:
    """No temporary table left (an error rolls the transaction back, and them with it)."""
    for table in (PAIRS, WENT):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))


def _week_last(span: Span) -> dt.date:
    """The last day a journey of the span's days can reach."""
    return span.last + dt.timedelta(days=WINDOW_DAYS)


def _week_end(span: Span) -> dt.datetime:
    """Where the day after the last day of the span's weeks starts, in UTC."""
    return day_bounds(_week_last(span), span.clock.timezone)[1]
