"""The set-based rebuild gives exactly the rows a day-at-a-time refresh gives, in every rollup
table: three territories whose clocks change on different days inside the range, people coming
back, museum -> shop journeys, objected taps, machines, copies, offers, codes, passports and
stamps, and taps on the stroke of local midnight."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text, update

from server.commands.analytics import rollups_group
from server.db import database
from server.models import (
    Base,
    LoyaltyCard,
    LoyaltyStamp,
    Offer,
    OfferKind,
    OfferView,
    Passport,
    PlaceKind,
    RedemptionCode,
    StampKind,
    StickerDay,
    VisitorDay,
)
from server.services import rollups
from server.services.retention import retention_cutoff
from tests.server import factories
from tests.server.rollups.helpers import NOW, store, tap

# Paris changes on March 29th, New York on March 8th, Sydney on April 5th (backwards: autumn).
ZONES = {"paris": "Europe/Paris", "new-york": "America/New_York", "sydney": "Australia/Sydney"}
FIRST, LAST = dt.date(2026, 3, 2), dt.date(2026, 4, 7)
ROLLUP_TABLES = [
    table
    for name, table in sorted(Base.metadata.tables.items())
    if name.startswith("rollup_") and name != "rollup_dirty_days"
]


def _world(app) -> dict[str, dict]:
    """Per territory: a museum, a second museum, a square, two shop windows and their shops,
    one sticker each (the museum's with a chip UID), an offer per shop, a loyalty card."""
    worlds = {}
    for number, (slug, timezone) in enumerate(ZONES.items()):
        territory = factories.territory(app, slug, timezone=timezone)
        shops = [factories.shop(app, f"{slug}-shop-{n}", territory, 50.69, 3.17) for n in (1, 2)]
        places = {
            "museum": {"kind": PlaceKind.MUSEUM},
            "museum2": {"kind": PlaceKind.MUSEUM},
            "square": {"kind": PlaceKind.SQUARE},
            "window1": {"kind": PlaceKind.SHOP, "shop_id": shops[0]},
            "window2": {"kind": PlaceKind.SHOP, "shop_id": shops[1]},
        }
        tags = {}
        for name, values in places.items():
            factories.place(app, f"{slug}-{name}", territory, name=name, **values)
            tags[name] = factories.stickers(app, f"{slug}-{name}")[0]["tag_id"]
        factories.update_sticker(app, tags["museum"], uid=f"04A1B2C3D4E5F{number}")
        with database(app).transaction() as session:
            offers = []
            for shop in shops:
                offer = Offer(
                    slug=f"offer-{slug}-{shop}",
                    shop_id=shop,
                    kind=OfferKind.DEAL,
                    title={"fr": "10 %"},
                    valid_from=dt.date(2026, 1, 1),
                    valid_until=dt.date(2026, 12, 31),
                )
                session.add(offer)
                offers.append(offer)
            card = LoyaltyCard(
                shop_id=shops[0],
                reward={"fr": "un café"},
                stamps_needed=5,
                reward_days=30,
                min_interval_minutes=0,
            )
            session.add(card)
            session.flush()
            worlds[slug] = {
                "zone": ZoneInfo(timezone),
                "tags": tags,
                "shops": shops,
                "offers": [offer.id for offer in offers],
                "card": card.id,
            }
    return worlds


def _traffic(app, worlds: dict[str, dict]) -> None:
    """Seeded visits on every day of the range, in every territory, and what people did next."""
    rng = random.Random(19)
    records: list[dict] = []
    extras: list[object] = []
    serial = 0
    regulars = [f"regular-{n}" for n in range(25)]  # the same cookie in every territory
    day = FIRST
    while day <= LAST:
        for world in worlds.values():
            zone, tags = world["zone"], world["tags"]
            midnight = dt.datetime.combine(day, dt.time(), zone)
            # On the stroke of local midnight, and the last microsecond of the day.
            records.append(tap(tags["museum"], midnight, visitor="regular-0"))
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
            records.append(tap(tags["window1"], end - dt.timedelta(microseconds=1), "regular-0"))
            for _ in range(rng.randint(3, 6)):
                serial += 1
                visitor = rng.choice(regulars) if rng.random() < 0.5 else f"once-{serial}"
                start = midnight + dt.timedelta(minutes=rng.randint(0, 23 * 60))
                route = rng.sample(list(tags), rng.randint(1, 3))
                if rng.random() < 0.3:
                    route = ["museum", *route]
                at = start
                for place in route:
                    at += dt.timedelta(minutes=rng.randint(1, 200))
                    records.append(_visit(rng, tags[place], at, visitor))
                if "museum" in route and rng.random() < 0.4:  # a window within the week
                    later = at + dt.timedelta(days=rng.randint(0, 8), minutes=rng.randint(0, 600))
                    records.append(tap(tags[rng.choice(["window1", "window2"])], later, visitor))
                extras += _went_on(rng, world, visitor, at, serial)
        day += dt.timedelta(days=1)
    store(app, records)
    with database(app).transaction() as session:
        session.add_all(extras)


def _visit(rng: random.Random, tag: int, at: dt.datetime, visitor: str) -> dict:
    """A person's tap, or now and then an objected one, a machine's, a copy or a QR scan."""
    draw = rng.random()
    if draw < 0.08:
        return tap(tag, at, visitor=None, visitor_kind="objected")
    if draw < 0.12:
        return tap(tag, at, visitor="bot", human=False, reason="crawler: Googlebot")
    if draw < 0.15:
        return tap(tag, at, visitor="preview", human=False, reason="link preview: WhatsApp")
    if draw < 0.17:
        return tap(tag, at, visitor=visitor, outcome="qr scan")
    if draw < 0.18:
        return tap(tag, at, visitor=visitor, outcome="bad sun")
    if draw < 0.21:
        return tap(tag, at, visitor=visitor, mirror_uid="04FFFFFFFFFFFF")  # a copy, if chipped
    return tap(tag, at, visitor=visitor)


def _went_on(
    rng: random.Random, world: dict, visitor: str, at: dt.datetime, serial: int
) -> list[object]:
    """Offer views, codes (used or not, here or at the other shop), passports, stamps."""
    rows: list[object] = []
    utc = at.astimezone(dt.UTC)
    offer, shops = rng.choice(world["offers"]), world["shops"]
    if rng.random() < 0.3:
        rows.append(
            OfferView(
                offer_id=offer,
                occurred_at=utc + dt.timedelta(hours=rng.randint(0, 200)),
                visitor_id=visitor,
            )
        )
    if rng.random() < 0.2:
        issued = utc + dt.timedelta(hours=rng.randint(0, 100))
        redeemed = issued + dt.timedelta(hours=rng.randint(0, 90)) if rng.random() < 0.7 else None
        rows.append(
            RedemptionCode(
                code=f"C{serial:07d}",
                offer_id=offer,
                visitor_id=visitor if rng.random() < 0.9 else None,
                issued_at=issued,
                expires_at=issued + dt.timedelta(days=30),
                redeemed_at=redeemed,
                redeemed_shop_id=rng.choice(shops) if redeemed else None,
            )
        )
    if rng.random() < 0.05:
        rows.append(
            Passport(
                code=f"P{serial:07d}",
                offer_id=offer,
                shop_id=shops[0],
                issued_at=utc,
                expires_at=utc + dt.timedelta(days=30),
            )
        )
    if rng.random() < 0.2:
        rows.append(
            LoyaltyStamp(
                card_id=world["card"],
                shop_id=shops[0],
                visitor_id=visitor if rng.random() < 0.9 else None,
                kind=StampKind.STAMP if rng.random() < 0.8 else StampKind.REWARD,
                at=utc + dt.timedelta(hours=rng.randint(0, 50)),
            )
        )
    return rows


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every rollup table, in a stable order."""
    with database(app).sessions() as session:
        return {
            table.name: sorted(
                (tuple(str(value) for value in row) for row in session.execute(select(table))),
            )
            for table in ROLLUP_TABLES
        }


def _emptied(app) -> None:
    with database(app).transaction() as session:
        for table in ROLLUP_TABLES:
            session.execute(delete(table))


@pytest.fixture
def traffic(app) -> dict[str, dict]:
    """The three territories with six weeks of traffic stored (not rolled up yet)."""
    worlds = _world(app)
    _traffic(app, worlds)
    return worlds


def test_the_set_based_rebuild_and_its_command_equal_the_day_at_a_time_refresh(
    app, traffic, database_kind
):
    db = database(app)
    by_day = rollups.rebuild_by_day(db, now=NOW)
    expected = snapshot(app)
    assert all(expected[table.name] for table in ROLLUP_TABLES), "every table has rows"
    _emptied(app)
    report = rollups.rebuild(db, now=NOW)
    assert snapshot(app) == expected
    # The days recomputed (journey days differ: a day at a time redoes some of them twice).
    assert (report.days, report.too_old) == (by_day.days, by_day.too_old)
    if database_kind == "postgresql":  # a bulk load: the keys dropped, then built again
        keys = _keys(app)
        assert len(keys) > 30
        rollups.rebuild(db, now=NOW, bulk=True)
        assert snapshot(app) == expected
        assert _keys(app) == keys
    # `taptrail rollups rebuild` (on the same clock) gives the same rows, and its check (a
    # recount, a day at a time) finds nothing: over the days around Paris's clock change only,
    # since the recount is the day-at-a-time refresh's own (_recount), compared above already.
    app.config["FIXED_NOW"] = NOW
    runner = app.test_cli_runner()
    _emptied(app)
    done = runner.invoke(rollups_group, ["rebuild"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"recomputed {by_day.days} days")
    assert snapshot(app) == expected
    around = ["--from", "2026-03-28", "--to", "2026-03-30"]
    checked = runner.invoke(rollups_group, ["rebuild", "--check", *around])
    assert checked.exit_code == 0, checked.output
    assert "checked 9 days: the rollups match the raw rows" in checked.output


def test_a_range_rebuilt_replaces_what_was_there_and_leaves_the_rest(app, traffic):
    db = database(app)
    rollups.rebuild(db, now=NOW)
    expected = snapshot(app)
    # Wrong figures inside the range, a row that should not exist, a lost visitor-day.
    with database(app).transaction() as session:
        session.execute(update(StickerDay).values(taps=StickerDay.taps + 7))
        session.execute(delete(VisitorDay).where(VisitorDay.day == dt.date(2026, 3, 29)))
    rollups.rebuild(db, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=NOW)
    after = snapshot(app)
    for name, rows in after.items():
        if name != "rollup_sticker_days":
            assert rows == expected[name], name
    # Outside the range the wrong counts stay: a range rebuild touches its days only.
    march = {row for row in after["rollup_sticker_days"] if row[0].startswith("2026-03")}
    assert march == {row for row in expected["rollup_sticker_days"] if row[0].startswith("2026-03")}
    assert len(after["rollup_sticker_days"]) == len(expected["rollup_sticker_days"])
    assert rollups.check(db, dt.date(2026, 3, 1), dt.date(2026, 3, 31), now=NOW).differences == []


def test_days_past_retention_are_left_alone_as_a_refresh_leaves_them(app, traffic):
    db = database(app)
    rollups.rebuild(db, now=NOW)
    expected = snapshot(app)
    first = dt.date(2024, 9, 1)  # NOW keeps 25 months: from the end of October 2024
    report = rollups.rebuild(db, first, LAST, now=NOW)
    kept_from = {
        timezone: retention_cutoff(NOW).astimezone(ZoneInfo(timezone)).date()
        for timezone in ZONES.values()
    }
    assert report.too_old == sum((day - first).days for day in kept_from.values())
    assert report.days == sum((LAST - day).days + 1 for day in kept_from.values())
    assert snapshot(app) == expected


def _keys(app) -> set[tuple]:
    """The rollup tables' indexes and constraints, as PostgreSQL describes them."""
    with database(app).sessions() as session:
        indexes = session.execute(
            text("SELECT tablename, indexdef FROM pg_indexes WHERE tablename LIKE 'rollup_%'")
        ).all()
        constraints = session.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text LIKE 'rollup_%'"
            )
        ).all()
    return {tuple(row) for row in indexes} | {tuple(row) for row in constraints}
