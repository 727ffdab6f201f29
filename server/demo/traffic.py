"""Demo traffic: about 60 days of plausible taps at the Roubaix demo stickers, so the dashboard has
something to show. People tap mostly in opening hours; museum visitors go on to shop windows
and open their offers; a few link previews and crawlers come too; one sticker falls silent
(torn off) and one is read from a copy.

Everything is derived from the day and a counter, never from the clock's seconds: tap ids are
the same at every load, so loading again stores nothing twice (store_taps skips known ids), and
an offer view is added only with the new tap it follows. Taps go through store_taps, as the
drainer stores them, and the rollups of the loaded days are rebuilt afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.db import Database
from server.models import (
    LoyaltyCard,
    LoyaltyHolding,
    LoyaltyStamp,
    LoyaltyWallet,
    Offer,
    OfferView,
    Place,
    PlaceKind,
    RedemptionCode,
    Shop,
    StampKind,
    Sticker,
    StickerStatus,
    Tap,
    Territory,
)
from server.services import redemption, rollups
from server.taps.store import store_taps
from tags import crockford

DAYS = 60
# Roubaix only, where the museum-to-shops story is: three territories' worth of taps would add
# seconds to every fresh `make run`.
TERRITORIES = ("roubaix",)
# People tapping per day at a place of each kind (before the weekday and random factors).
PEOPLE = {
    PlaceKind.MUSEUM: 18,
    PlaceKind.MARKET: 12,
    PlaceKind.STATION: 7,
    PlaceKind.VENUE: 5,
    PlaceKind.SQUARE: 4,
    PlaceKind.VILLAGE: 2,
    PlaceKind.SHOP: 2,
}
OPEN, PEAK, CLOSE = 9.5, 15.0, 19.0
SAME_DAY, LATER = 0.3, 0.08  # museum visitors going on to a shop window: today, in 1-6 days
PREVIEWS = ("link preview: WhatsApp", "link preview: Slack", "link preview: iMessage")
SILENT = ("villa-cavrois", 20)  # this place's sticker stops answering 20 days ago
COPIED = ("gare-jean-lebas", "04C0FFEE5EED01")  # a copy of this sticker, read with its own UID
CROSS_OFFER = "beffroi-billet-piscine"  # museum visitors at its window take and use its codes
CARD_SHOP = "comptoir-de-la-piscine"  # some of its window's tappers hold its loyalty card


@dataclass(frozen=True)
class Spot:
    """A demo sticker and what its taps need to know."""

    sticker_id: int
    code: str
    place_id: int
    slug: str
    kind: PlaceKind
    shop_id: int | None


def _id(*parts: object) -> str:
    text = "demo-tap|" + "|".join(map(str, parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _record(spot: Spot, at: dt.datetime, tap_id: str, visitor: str, **extra: Any) -> dict:
    """A spool record, as the tap path writes it."""
    return {
        "id": tap_id,
        "at": at.astimezone(dt.UTC).isoformat(),
        "code": spot.code,
        "tag_id": spot.sticker_id,
        "outcome": "ok",
        "visitor_id": visitor,
        "visitor_kind": "cookie",
        "human": True,
        "reason": None,
        "method": "GET",
        "browser": "Safari",
        "language": "fr",
    } | extra


def _spots(database: Database) -> dict[tuple[int, str], list[Spot]]:
    """The installed demo stickers, grouped by territory (id, time zone)."""
    with database.sessions() as session:
        rows = session.execute(
            select(Sticker, Place)
            .join(Place, Place.id == Sticker.place_id)
            .join(Territory, Territory.id == Place.territory_id)
            .where(Sticker.demo.is_(True), Sticker.status == StickerStatus.INSTALLED)
            .where(Territory.slug.in_(TERRITORIES))
            .order_by(Sticker.id)
        ).all()
        spots: dict[tuple[int, str], list[Spot]] = defaultdict(list)
        for sticker, place in rows:
            key = (place.territory_id, place.territory.timezone)
            spots[key].append(
                Spot(sticker.id, sticker.code, place.id, place.slug, place.kind, place.shop_id)
            )
        return spots


def _day(
    spots: list[Spot], day: dt.date, zone: ZoneInfo, today: dt.date
) -> tuple[list[dict], list[tuple[str, int, dt.datetime, str]]]:
    """One local day of one territory: tap records, and (tap id, shop id, moment, visitor) of
    the shop-window taps followed by an offer view."""
    rng = random.Random(f"taptrail-demo|{spots[0].place_id}|{day}")
    records: list[dict] = []
    views: list[tuple[str, int, dt.datetime, str]] = []
    windows = [s for s in spots if s.kind is PlaceKind.SHOP]
    weekend = day.weekday() >= 5

    def moment(hour: float, day_: dt.date = day) -> dt.datetime:
        return dt.datetime.combine(day_, dt.time(), zone) + dt.timedelta(hours=hour)

    n = 0
    for spot in spots:
        if spot.slug == SILENT[0] and day > today - dt.timedelta(days=SILENT[1]):
            continue
        people = PEOPLE.get(spot.kind, 3) * (1.6 if weekend else 1.0)
        if spot.kind is PlaceKind.MUSEUM and day.weekday() == 0:
            people = 1  # closed on Mondays: staff only
        if spot.kind is PlaceKind.MARKET and day.weekday() == 6:
            people *= 2.5  # Sunday market
        for _ in range(round(people * rng.uniform(0.6, 1.4))):
            n += 1
            visitor = _id("visitor", spot.place_id, day, n)
            hour = rng.triangular(OPEN, CLOSE, PEAK)
            extra = {}
            if spot.slug == COPIED[0] and day > today - dt.timedelta(days=10) and n % 7 == 0:
                extra = {"mirror_uid": COPIED[1], "mirror_counter": 3}
            records.append(
                _record(spot, moment(hour), _id(day, spot.place_id, n), visitor, **extra)
            )
            if spot.kind is not PlaceKind.MUSEUM or not windows:
                continue
            chance = rng.random()
            if chance < SAME_DAY + LATER:
                window = rng.choice(windows)
                later = chance >= SAME_DAY
                on = day + dt.timedelta(days=rng.randint(1, 6)) if later else day
                at = moment(min(hour + rng.uniform(0.3, 2.5), 23.5), on)
                tap_id = _id(day, spot.place_id, n, "window")
                records.append(_record(window, at, tap_id, visitor))
                if window.shop_id is not None and rng.random() < 0.6:
                    views.append((tap_id, window.shop_id, at + dt.timedelta(minutes=2), visitor))
        for k in range(rng.choice((0, 0, 1, 2))):  # a link shared in a chat
            preview = {"human": False, "visitor_kind": "hash", "reason": rng.choice(PREVIEWS)}
            at = moment(rng.uniform(8, 23))
            records.append(_record(spot, at, _id(day, spot.place_id, "p", k), "", **preview))
    for k in range(rng.randint(1, 4)):  # crawlers and HEAD requests, territory-wide
        spot = rng.choice(spots)
        machine = {"human": False, "visitor_kind": "hash", "browser": None, "language": None}
        machine |= (
            {"reason": "crawler: Googlebot"} if k % 2 else {"reason": "head", "method": "HEAD"}
        )
        records.append(_record(spot, moment(rng.uniform(0, 24)), _id(day, "m", k), "", **machine))
    for record in records:  # machines have a daily hash, not a cookie
        record["visitor_id"] = record["visitor_id"] or _id("hash", day, record["id"])[:40]
    return records, views


def load_traffic(database: Database, now: dt.datetime, days: int = DAYS) -> int:
    """Store the demo taps of the last `days` local days up to `now` (those not stored yet),
    their offer views, then count the rollups of those days; returns how many taps were new."""
    stored = 0
    loaded: list[dt.date] = []  # the local days loaded, in any territory
    for (_territory, timezone), spots in _spots(database).items():
        zone = ZoneInfo(timezone)
        today = now.astimezone(zone).date()
        loaded += [today - dt.timedelta(days=days - 1), today]
        records, views = [], []
        for back in range(days - 1, -1, -1):
            day_records, day_views = _day(spots, today - dt.timedelta(days=back), zone, today)
            records += day_records
            views += day_views
        records = [r for r in records if dt.datetime.fromisoformat(r["at"]) <= now]
        with database.sessions() as session:
            ids = [r["id"] for r in records]
            known = set(session.scalars(select(Tap.id).where(Tap.id.in_(ids))))
        stored += store_taps(database, records)[0]
        _add_views(database, [v for v in views if v[0] not in known and v[2] <= now])
        _add_codes_and_stamps(database, [r for r in records if r["id"] not in known], now)
    if stored:  # days were loaded, and something new in them
        # Counted set-based (rollups/rebuild.py): the same rows as a refresh a day at a time
        # gives, in a fifth of the time (0.3 against 1.5 s on SQLite for the 60 days).
        rollups.rebuild(database, min(loaded), max(loaded), now=now)
    rollups.refresh(database, now)  # any other day marked meanwhile
    return stored


def _add_codes_and_stamps(database: Database, records: list[dict], now: dt.datetime) -> None:
    """Museum visitors who tap at the Brasserie's window the same day take its cross-offer's
    code (most use it); some visitors at the Comptoir's window hold its loyalty card and get a
    stamp. Derived from the tap ids, so loading again adds nothing twice."""
    museum_days: set[tuple[str, str]] = set()
    with database.sessions() as session:
        places = {p.id: p for p in session.scalars(select(Place))}
        stickers = {s.id: s.place_id for s in session.scalars(select(Sticker))}
    for record in records:
        place = places.get(stickers.get(record["tag_id"], -1))
        if record["human"] and place is not None and place.kind is PlaceKind.MUSEUM:
            museum_days.add((record["visitor_id"], record["at"][:10]))
    with database.transaction() as session:
        offer = session.scalars(select(Offer).where(Offer.slug == CROSS_OFFER)).first()
        card = session.scalars(select(LoyaltyCard).join(Shop).where(Shop.slug == CARD_SHOP)).first()
        touched: list[dt.datetime] = []
        for record in sorted(records, key=lambda r: r["at"]):
            place = places.get(stickers.get(record["tag_id"], -1))
            if not record["human"] or place is None or place.shop_id is None:
                continue
            at = dt.datetime.fromisoformat(record["at"])
            luck = int(record["id"][:8], 16) % 100
            shop = place.slug.removeprefix("vitrine-")
            came = (record["visitor_id"], record["at"][:10]) in museum_days
            if offer is not None and shop == offer.shop.slug and came and luck < 70:
                issued = at + dt.timedelta(minutes=3)
                used = at + dt.timedelta(minutes=45) if luck < 55 else None
                if issued > now:
                    continue
                code = crockford.encode(int(record["id"][:10], 16), redemption.CODE_SYMBOLS)
                exists = select(RedemptionCode.id).where(RedemptionCode.code == code)
                if session.scalars(exists).first() is not None:
                    continue
                session.add(
                    RedemptionCode(
                        code=code,
                        offer_id=offer.id,
                        visitor_id=record["visitor_id"],
                        issued_at=issued,
                        expires_at=redemption.expiry(offer, issued),
                        redeemed_at=used if used and used <= now else None,
                        redeemed_shop_id=offer.shop_id if used and used <= now else None,
                    )
                )
                touched.append(issued)
            if card is not None and shop == CARD_SHOP and luck < 50:
                stamped = at + dt.timedelta(minutes=20)
                if stamped > now:
                    continue
                _demo_stamp(session, card, record["visitor_id"], stamped)
                touched.append(stamped)
        if touched and offer is not None:
            rollups.mark_moments(session, offer.shop.territory, touched)


def _demo_stamp(session: Any, card: LoyaltyCard, visitor: str, at: dt.datetime) -> None:
    """A demo visitor's card at the Comptoir (joined at their first stamp) gets one stamp."""
    wallet = session.scalars(select(LoyaltyWallet).where(LoyaltyWallet.visitor_id == visitor))
    found = wallet.first()
    if found is None:
        digest = hashlib.sha256(f"demo-wallet|{visitor}".encode()).hexdigest()
        found = LoyaltyWallet(
            visitor_id=visitor, recovery_hash=digest, consented_at=at, notice="demo"
        )
        session.add(found)
        session.flush()
    held = session.scalars(
        select(LoyaltyHolding).where(
            LoyaltyHolding.wallet_id == found.id, LoyaltyHolding.card_id == card.id
        )
    ).first()
    if held is None:
        code = crockford.encode(int(hashlib.sha256(visitor.encode()).hexdigest()[:10], 16), 8)
        held = LoyaltyHolding(wallet_id=found.id, card_id=card.id, code=code, joined_at=at)
        session.add(held)
        session.flush()
    held.stamps = (held.stamps or 0) + 1
    held.last_stamp_at = at
    session.add(
        LoyaltyStamp(
            card_id=card.id,
            shop_id=card.shop_id,
            holding_id=held.id,
            visitor_id=visitor,
            kind=StampKind.STAMP,
            at=at,
        )
    )


def _add_views(database: Database, views: list[tuple[str, int, dt.datetime, str]]) -> None:
    """Offer views of the shops' first offer, by visitors who just tapped at their window."""
    if not views:
        return
    with database.transaction() as session:
        offers: dict[int, Offer] = {}
        for first in session.scalars(select(Offer).order_by(Offer.id)):
            offers.setdefault(first.shop_id, first)
        added = []
        for _tap, shop_id, at, visitor in views:
            offer = offers.get(shop_id)
            if offer is not None:
                session.add(OfferView(offer_id=offer.id, occurred_at=at, visitor_id=visitor))
                added.append((offer, at))
        for offer, at in added:
            rollups.mark_moments(session, offer.shop.territory, [at])
