"""The per-day rollups of a range of local days, each table in one INSERT ... SELECT ... GROUP BY
(the set-based rebuild): the same rows as counts.py, funnel.py and returns.py give a day at a
time, counted by the database instead of Python. The caller deletes the range first."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Date, Integer, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from server.models import FIRST_VISIT
from server.models.types import UTCDateTime
from server.services.rollups.calendar import day_bounds, days_between
from server.services.rollups.counts import WHOLE_TERRITORY
from server.services.rollups.sqlclock import Clock


@dataclass(frozen=True)
class Span:
    """A territory's local days from `first` to `last` (both included), and its clock."""

    territory_id: int
    clock: Clock
    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        """Where the first day starts, in UTC."""
        return day_bounds(self.first, self.clock.timezone)[0]

    @property
    def end(self) -> dt.datetime:
        """Where the day after the last starts, in UTC."""
        return day_bounds(self.last, self.clock.timezone)[1]


def run(session: Session, sql: str, **values: Any) -> None:
    """Execute `sql` with its values bound as the models store them (SQLite keeps moments as
    text in its own format: a plain Python datetime would compare wrongly)."""
    binds: list[BindParameter[Any]] = []
    for name, value in values.items():
        if not re.search(rf":{name}\b", sql):
            continue  # the statements share their values; each binds those it names
        kind: TypeEngine[Any] | None = None
        if isinstance(value, dt.datetime):
            kind = UTCDateTime()
        elif isinstance(value, dt.date):
            kind = Date()
        elif isinstance(value, int):
            kind = Integer()
        binds.append(bindparam(name, value, type_=kind))
    session.execute(text(sql).bindparams(*binds))


def values(span: Span) -> dict[str, Any]:
    """The bound values every statement here uses."""
    return {"t": span.territory_id, "a": span.first, "b": span.last, "s": span.start, "e": span.end}


AUDIENCE = (
    "CASE WHEN t.human THEN 'person' "
    "WHEN substr(t.reason, 1, 12) = 'link preview' THEN 'preview' ELSE 'machine' END"
)
TERRITORY_TAPS = (
    "t.place_id IN (SELECT id FROM places WHERE territory_id = :t) "
    "AND t.occurred_at >= :s AND t.occurred_at < :e"
)
SHOPS = "(SELECT id FROM shops WHERE territory_id = :t)"
HOURS = "taptrail_rebuild_hours"  # a month's taps counted by day, hour, sticker and audience


def tap_tables(session: Session, span: Span) -> None:
    """StickerDay, PlaceHour, TerritoryHour and VisitorDay of the span, from its taps."""
    day, hour = span.clock.day("t.occurred_at"), span.clock.hour("t.occurred_at")
    # One pass over the taps for the three tables counted by sticker or place and hour: each
    # is a sum over this (a tenth of the taps' rows or fewer at a busy territory's size).
    session.execute(text(f"DROP TABLE IF EXISTS {HOURS}"))
    run(
        session,
        f"""
        CREATE TEMPORARY TABLE {HOURS} AS
        SELECT day, hour, sticker_id, place_id, audience,
            sum(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END) AS ok,
            sum(CASE WHEN outcome IN ('replayed', 'bad sun') THEN 1
                WHEN outcome = 'ok' AND (uid_matches = false OR counter_advanced = false)
                THEN 1 ELSE 0 END) AS suspected,
            sum(CASE WHEN outcome = 'qr scan' THEN 1 ELSE 0 END) AS qr_scans
        FROM (
            SELECT {day} AS day, {hour} AS hour, t.sticker_id, t.place_id,
                {AUDIENCE} AS audience, t.outcome, t.uid_matches, t.counter_advanced
            FROM taps t
            WHERE {TERRITORY_TAPS} AND t.outcome IN ('ok', 'replayed', 'bad sun', 'qr scan')
        ) x
        GROUP BY day, hour, sticker_id, place_id, audience
        """,
        **values(span),
    )
    run(
        session,
        f"""
        INSERT INTO rollup_sticker_days
            (day, sticker_id, audience, place_id, territory_id, taps, suspected, qr_scans)
        SELECT day, sticker_id, audience, place_id, :t, sum(ok), sum(suspected), sum(qr_scans)
        FROM {HOURS} GROUP BY day, sticker_id, place_id, audience
        """,
        t=span.territory_id,
    )
    # Hours hold taps of stickers read ("ok") only: a copy or a QR scan alone makes no row.
    run(
        session,
        f"""
        INSERT INTO rollup_place_hours (day, hour, place_id, audience, territory_id, taps)
        SELECT day, hour, place_id, audience, :t, sum(ok) FROM {HOURS}
        GROUP BY day, hour, place_id, audience HAVING sum(ok) > 0
        """,
        t=span.territory_id,
    )
    run(
        session,
        f"""
        INSERT INTO rollup_territory_hours (territory_id, day, hour, audience, taps)
        SELECT :t, day, hour, audience, sum(ok) FROM {HOURS}
        GROUP BY day, hour, audience HAVING sum(ok) > 0
        """,
        t=span.territory_id,
    )
    session.execute(text(f"DROP TABLE {HOURS}"))
    run(
        session,
        f"""
        INSERT INTO rollup_visitor_days
            (day, place_id, visitor_id, territory_id, taps, first_at, last_at)
        SELECT day, place_id, visitor_id, :t, count(*), min(occurred_at), max(occurred_at)
        FROM (
            SELECT {day} AS day, t.place_id, t.visitor_id, t.occurred_at
            FROM taps t
            WHERE {TERRITORY_TAPS} AND t.outcome = 'ok' AND t.human
                AND t.visitor_id IS NOT NULL
        ) x
        GROUP BY day, place_id, visitor_id{_IN_KEY_ORDER if span.clock.postgres else ""}
        """,
        **values(span),
    )


# Rows written in the primary key's order let a bulk load build that index from presorted
# input (PostgreSQL's sort checks for it first); the sort here is cheap: byte order ("C"), which
# is the index's order too for hex ids (any other id is still indexed right, just not faster).
_IN_KEY_ORDER = ' ORDER BY day, place_id, visitor_id COLLATE "C"'


def offer_days(session: Session, span: Span) -> None:
    """OfferDay of the span: views, codes issued, codes used and passports per offer."""
    clock = span.clock
    sources = [
        ("offer_views", "occurred_at", "1, 0, 0, 0"),
        ("redemption_codes", "issued_at", "0, 1, 0, 0"),
        ("redemption_codes", "redeemed_at", "0, 0, 1, 0"),
        ("passports", "issued_at", "0, 0, 0, 1"),
    ]
    union = " UNION ALL ".join(
        f"SELECT {clock.day(f'x.{moment}')} AS day, o.id AS offer_id, o.shop_id, {figures} "
        f"FROM {table} x JOIN offers o ON o.id = x.offer_id "
        f"WHERE o.shop_id IN {SHOPS} AND x.{moment} >= :s AND x.{moment} < :e"
        for table, moment, figures in sources
    )
    run(
        session,
        f"""
        INSERT INTO rollup_offer_days
            (day, offer_id, shop_id, territory_id, views, codes, redemptions, passports)
        SELECT day, offer_id, shop_id, :t, sum(v), sum(c), sum(r), sum(p)
        FROM ({_named(clock, union, ["day", "offer_id", "shop_id", "v", "c", "r", "p"])}) u
        GROUP BY day, offer_id, shop_id
        """,
        **values(span),
    )


def shop_days(session: Session, span: Span) -> None:
    """ShopDay of the span: window taps, offer views, codes issued and used, stamps, rewards."""
    clock = span.clock
    six = ["window_taps", "offer_views", "codes_issued", "codes_used", "stamps", "rewards"]

    def figures(column: str) -> str:
        return ", ".join("1" if name == column else "0" for name in six)

    def source(column: str, moment: str, rest: str) -> str:
        return f"SELECT {clock.day(moment)}, shop, {figures(column)} FROM {rest}"

    union = " UNION ALL ".join(
        [
            source(
                "window_taps",
                "t.occurred_at",
                "(SELECT t.occurred_at, p.shop_id AS shop FROM taps t JOIN places p "
                f"ON p.id = t.place_id WHERE p.shop_id IN {SHOPS} AND t.human "
                "AND t.outcome = 'ok' AND t.occurred_at >= :s AND t.occurred_at < :e) t",
            ),
            source(
                "offer_views",
                "t.occurred_at",
                "(SELECT x.occurred_at, o.shop_id AS shop FROM offer_views x JOIN offers o "
                f"ON o.id = x.offer_id WHERE o.shop_id IN {SHOPS} "
                "AND x.occurred_at >= :s AND x.occurred_at < :e) t",
            ),
            source(
                "codes_issued",
                "t.issued_at",
                "(SELECT x.issued_at, o.shop_id AS shop FROM redemption_codes x JOIN offers o "
                f"ON o.id = x.offer_id WHERE o.shop_id IN {SHOPS} "
                "AND x.issued_at >= :s AND x.issued_at < :e) t",
            ),
            source(
                "codes_used",
                "t.redeemed_at",
                "(SELECT redeemed_at, redeemed_shop_id AS shop FROM redemption_codes "
                f"WHERE redeemed_shop_id IN {SHOPS} "
                "AND redeemed_at >= :s AND redeemed_at < :e) t",
            ),
            *(
                source(
                    column,
                    "t.at",
                    f"(SELECT at, shop_id AS shop FROM loyalty_stamps WHERE shop_id IN {SHOPS} "
                    f"AND kind = '{kind}' AND at >= :s AND at < :e) t",
                )
                for column, kind in (("stamps", "stamp"), ("rewards", "reward"))
            ),
        ]
    )
    columns = ", ".join(six)
    sums = ", ".join(f"sum({name})" for name in six)
    run(
        session,
        f"""
        INSERT INTO rollup_shop_days (day, shop_id, territory_id, {columns})
        SELECT day, shop_id, :t, {sums}
        FROM ({_named(clock, union, ["day", "shop_id", *six])}) u
        GROUP BY day, shop_id
        """,
        **values(span),
    )


def _named(clock: Clock, union: str, names: list[str]) -> str:
    """A UNION ALL whose columns are called `names` on both dialects (SQLite takes no column
    list after a subquery's alias: a first, empty SELECT names them)."""
    if clock.postgres:
        return f"SELECT * FROM ({union}) AS n ({', '.join(names)})"
    nulls = ", ".join(f"NULL AS {name}" for name in names)
    return f"SELECT {nulls} WHERE 0 UNION ALL {union}"


def shop_origins(session: Session, span: Span) -> None:
    """ShopOrigin of the span: per shop and museum, the day's code users and card holders who
    had tapped at that museum earlier that day or in the 7 days (168 hours) before it."""
    clock = span.clock
    last_events = f"""
        SELECT shop_id, role, visitor_id, {clock.day("moment")} AS day, max(moment) AS moment
        FROM (
            SELECT redeemed_shop_id AS shop_id, 'code' AS role, visitor_id,
                redeemed_at AS moment
            FROM redemption_codes
            WHERE redeemed_shop_id IN {SHOPS} AND visitor_id IS NOT NULL
                AND redeemed_at >= :s AND redeemed_at < :e
            UNION ALL
            SELECT shop_id, 'card', visitor_id, at FROM loyalty_stamps
            WHERE shop_id IN {SHOPS} AND kind = 'stamp' AND visitor_id IS NOT NULL
                AND at >= :s AND at < :e
        ) x
        GROUP BY shop_id, role, visitor_id, {clock.day("moment")}
    """
    # Where each day starts, and the 7 days (168 hours) before it, as funnel.py computes them:
    # from Python, for a midnight that happens twice (a clock going back at midnight) is the
    # first one to Python and the second to PostgreSQL's AT TIME ZONE.
    days = list(days_between(span.first, span.last))
    starts: dict[str, Any] = {}
    for n, day in enumerate(days):
        start = day_bounds(day, clock.timezone)[0]
        starts |= {f"d{n}": day, f"s{n}": start, f"w{n}": start - dt.timedelta(days=7)}
    bounds = " UNION ALL ".join(
        f"SELECT :d{n} AS day, :s{n} AS day_start, :w{n} AS week_start" for n in range(len(days))
    )
    # Per (event, museum): whether a museum tap fell between the day's start and the event.
    hits = f"""
        SELECT ev.day, ev.shop_id, ev.role, ev.visitor_id, t.place_id,
            max(CASE WHEN t.occurred_at >= b.day_start THEN 1 ELSE 0 END) AS same
        FROM ({last_events}) ev
        JOIN ({bounds}) b ON b.day = ev.day
        JOIN taps t ON t.visitor_id = ev.visitor_id
        WHERE t.place_id IN (SELECT id FROM places WHERE territory_id = :t AND kind = 'museum')
            AND t.human AND t.outcome = 'ok'
            AND t.occurred_at >= :week_s AND t.occurred_at < :e
            AND t.occurred_at >= b.week_start
            AND t.occurred_at <= ev.moment
        GROUP BY ev.day, ev.shop_id, ev.role, ev.visitor_id, t.place_id
    """
    run(
        session,
        f"""
        INSERT INTO rollup_shop_origins (day, shop_id, place_id, territory_id,
            code_users_same_day, code_users_week, holders_same_day, holders_week)
        SELECT day, shop_id, place_id, :t,
            sum(CASE WHEN role = 'code' THEN same ELSE 0 END),
            sum(CASE WHEN role = 'code' THEN 1 ELSE 0 END),
            sum(CASE WHEN role = 'card' THEN same ELSE 0 END),
            sum(CASE WHEN role = 'card' THEN 1 ELSE 0 END)
        FROM ({hits}) h
        GROUP BY day, shop_id, place_id
        """,
        **values(span),
        **starts,
        week_s=span.start - dt.timedelta(days=7),
    )


def visitor_returns(session: Session, territory_id: int, clock: Clock, first: dt.date) -> None:
    """VisitorReturn of every day from `first` on: for each person of the day, the day they
    were last seen before, at the place and anywhere in the territory (the later days too: a
    redone day changes its people's next visit's "previous day")."""
    run(
        session,
        _RETURNS_POSTGRES if clock.postgres else _RETURNS_SQLITE,
        t=territory_id,
        a=first,
        never=FIRST_VISIT,
        whole=WHOLE_TERRITORY,
    )


# One sort of the visitor-days by (visitor, place, day) serves both windows: the second needs
# (visitor, day), which PostgreSQL gets by an incremental sort within each visitor. The
# previous day anywhere is the latest of the visitor's days before this one (a RANGE frame);
# `nth` keeps one row per visitor and day for the territory's count. "C": visitor ids are
# hex, so byte order sorts them as well as the locale's order, and much faster.
_RETURNS_POSTGRES = """
    INSERT INTO rollup_visitor_returns (territory_id, place_id, day, previous_day, visitors)
    WITH seen AS (
        SELECT place_id, day,
            coalesce(lag(day) OVER (
                PARTITION BY visitor_id COLLATE "C", place_id ORDER BY day
            ), :never) AS here,
            coalesce(max(day) OVER (
                PARTITION BY visitor_id COLLATE "C" ORDER BY day
                RANGE BETWEEN UNBOUNDED PRECEDING AND '1 day' PRECEDING
            ), :never) AS anywhere,
            row_number() OVER (PARTITION BY visitor_id COLLATE "C", day) AS nth
        FROM rollup_visitor_days WHERE territory_id = :t
    )
    SELECT :t, place_id, day, here, count(*) FROM seen WHERE day >= :a
    GROUP BY place_id, day, here
    UNION ALL
    SELECT :t, :whole, day, anywhere, count(*) FROM seen WHERE day >= :a AND nth = 1
    GROUP BY day, anywhere
"""
_RETURNS_SQLITE = """
    INSERT INTO rollup_visitor_returns (territory_id, place_id, day, previous_day, visitors)
    SELECT :t, place_id, day, previous, count(*)
    FROM (
        SELECT place_id, day, coalesce(
            lag(day) OVER (PARTITION BY place_id, visitor_id ORDER BY day), :never
        ) AS previous
        FROM rollup_visitor_days WHERE territory_id = :t
    ) here
    WHERE day >= :a
    GROUP BY place_id, day, previous
    UNION ALL
    SELECT :t, :whole, day, previous, count(*)
    FROM (
        SELECT day, coalesce(
            lag(day) OVER (PARTITION BY visitor_id ORDER BY day), :never
        ) AS previous
        FROM (
            SELECT DISTINCT visitor_id, day FROM rollup_visitor_days WHERE territory_id = :t
        ) people
    ) anywhere
    WHERE day >= :a
    GROUP BY day, previous
"""


def daily_visitors(session: Session, span: Span) -> None:
    """DailyVisitors of the span: each day's people are its VisitorReturn rows summed."""
    run(
        session,
        """
        INSERT INTO rollup_daily_visitors (territory_id, day, place_id, visitors)
        SELECT :t, day, place_id, sum(visitors) FROM rollup_visitor_returns
        WHERE territory_id = :t AND day >= :a AND day <= :b
        GROUP BY day, place_id
        """,
        **values(span),
    )
