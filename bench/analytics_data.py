"""The data bench.analytics times the dashboard on: one territory, its places, stickers and
offers, and two years of taps, offer views and redemption codes. Seeded, deterministic.

The shape follows what the service sees: more taps by day than by night, busier weekends and
summers, people tapping one to three stickers in a day, museum visitors going on to a shop
window the same day or within a week (some viewing its offers and taking a code), link previews
and crawlers apart, and a few taps whose NTAG mirror says a copied sticker was read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.models import Offer, Place, Shop, Sticker, Territory
from server.models.offers import OfferKind
from server.models.places import PlaceKind
from server.models.stickers import StickerStatus

TIMEZONE = "Europe/Paris"
PARIS = ZoneInfo(TIMEZONE)
# The 12 hex digits a tap id carries for the process that minted it (server/tap_route.py).
PROCESS_TAG = "bea4c0a11a1c"

# How many places of each kind, and how popular a sticker of that kind is.
PLACE_KINDS = [
    (PlaceKind.MUSEUM, 6, 10.0),
    (PlaceKind.MARKET, 6, 6.0),
    (PlaceKind.STATION, 8, 4.0),
    (PlaceKind.SQUARE, 12, 3.0),
    (PlaceKind.VENUE, 4, 3.0),
    (PlaceKind.VILLAGE, 4, 1.0),
    (PlaceKind.SHOP, 60, 1.5),
]
# Taps by local hour: quiet nights, a midday and an afternoon peak.
HOUR_WEIGHTS = [
    0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 6.0, 7.0,
    7.5, 7.5, 8.0, 8.5, 8.5, 8.0, 6.5, 5.0, 3.5, 2.2, 1.2, 0.6,
]  # fmt: skip
WEEKDAY_WEIGHTS = [0.85, 0.8, 0.9, 0.95, 1.1, 1.6, 1.4]  # Monday first
PREVIEWS = ["WhatsApp", "iMessage", "Slack", "Facebook", "Telegram", "Discord"]
CRAWLERS = ["Googlebot", "bingbot", "YandexBot", "AhrefsBot", "Applebot"]
BROWSERS = (["Safari", "Chrome", "Samsung Internet", "Firefox"], [45, 42, 8, 5])
LANGUAGES = (["fr", "en", "nl", "de", None], [58, 20, 14, 5, 3])

PREVIEW_SHARE = 0.03
CRAWLER_SHARE = 0.02
ORPHAN_SHARE = 0.001  # codes that do not verify: no sticker, no place
LOCAL_SHARE = 0.2  # visits by people who come back over the months (one cookie)
SAME_DAY_SHOP = 0.25  # museum visitors who tap a shop window later that day
WEEK_SHOP = 0.08  # ... or come back within a week to tap one
VIEW_AFTER_SHOP = 0.35  # journeys that open one of the shop's offers
CODE_AFTER_VIEW = 0.4  # ... and take a code
REDEEMED = 0.65  # codes used at the till
VIEW_OTHERWISE = 0.03  # other visits that open an offer
MIRRORED_STICKERS = 0.6  # stickers written with the NTAG UID-and-counter mirror
COPY_SHARE = 0.0005  # mirrored taps that a copied chip or a replayed URL made

TAP_COLUMNS = (
    "id", "occurred_at", "code", "tag_id", "outcome", "sticker_id", "place_id", "visitor_id",
    "visitor_kind", "human", "reason", "browser", "language", "method", "mirror_uid",
    "mirror_counter", "mirror_error", "uid_matches", "counter_advanced",
)  # fmt: skip
VIEW_COLUMNS = ("offer_id", "occurred_at", "visitor_id", "place_id")
CODE_COLUMNS = (
    "code", "offer_id", "visitor_id", "issued_at", "expires_at", "redeemed_at",
    "redeemed_shop_id",
)  # fmt: skip


@dataclass(frozen=True)
class Size:
    """How much to generate, and the last local day of it."""

    taps: int
    days: int
    stickers: int
    last_day: dt.date

    @property
    def first_day(self) -> dt.date:
        """The first local day holding taps."""
        return self.last_day - dt.timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Spot:
    """A sticker as the generator needs it."""

    sticker_id: int
    place_id: int
    kind: PlaceKind
    code: str
    uid: str | None
    shop_id: int | None


@dataclass
class World:
    """What the taps refer to: stickers by popularity, shop windows, offers per shop."""

    territory_id: int
    spots: list[Spot]
    weights: list[float]
    windows: list[Spot]
    offers_by_shop: dict[int, list[int]]
    offers: list[int] = field(default_factory=list)


@dataclass
class Rows:
    """One local day's rows, in the column order of TAP_COLUMNS, VIEW_COLUMNS, CODE_COLUMNS."""

    day: dt.date
    taps: list[tuple] = field(default_factory=list)
    views: list[tuple] = field(default_factory=list)
    codes: list[tuple] = field(default_factory=list)


def build_world(session: Session, stickers: int, seed: int) -> World:
    """Add the territory, ~100 places, their shops, `stickers` stickers and the offers."""
    rng = random.Random(seed)
    territory = Territory(
        slug="bench", name="Bench", timezone=TIMEZONE, latitude=50.69, longitude=3.18
    )
    session.add(territory)
    session.flush()
    places = _places(session, rng, territory.id)
    spots, weights = _stickers(session, rng, places, stickers)
    offers_by_shop = _offers(session, rng, places)
    windows = [spot for spot in spots if spot.kind is PlaceKind.SHOP]
    offers = [offer for shop_offers in offers_by_shop.values() for offer in shop_offers]
    return World(territory.id, spots, weights, windows, offers_by_shop, offers)


def _places(session: Session, rng: random.Random, territory_id: int) -> list[Place]:
    """The places of PLACE_KINDS; each shop window with its shop."""
    places = []
    for kind, count, _weight in PLACE_KINDS:
        for n in range(count):
            shop_id = None
            if kind is PlaceKind.SHOP:
                shop = Shop(
                    slug=f"bench-shop-{n}",
                    territory_id=territory_id,
                    name=f"Shop {n}",
                    category=rng.choice(["shop", "restaurant", "cafe"]),
                    latitude=rng.gauss(50.69, 0.01),
                    longitude=rng.gauss(3.18, 0.015),
                )
                session.add(shop)
                session.flush()
                shop_id = shop.id
            places.append(
                Place(
                    slug=f"bench-{kind.value}-{n}",
                    territory_id=territory_id,
                    name=f"{kind.value.title()} {n}",
                    kind=kind,
                    latitude=rng.gauss(50.69, 0.01),
                    longitude=rng.gauss(3.18, 0.015),
                    shop_id=shop_id,
                )
            )
    session.add_all(places)
    session.flush()
    return places


def _stickers(
    session: Session, rng: random.Random, places: list[Place], count: int
) -> tuple[list[Spot], list[float]]:
    """One sticker per place first, the rest where people tap most; popularity per sticker."""
    popularity = {kind: weight for kind, _count, weight in PLACE_KINDS}
    place_weights = [popularity[place.kind] for place in places]
    owners = places[:count] + rng.choices(places, place_weights, k=max(0, count - len(places)))
    spots, weights = [], []
    for tag_id, place in enumerate(owners, start=1):
        uid = f"04{rng.getrandbits(48):012X}" if rng.random() < MIRRORED_STICKERS else None
        code = f"1{tag_id:06d}BENCH{rng.getrandbits(35):07X}"
        session.add(
            Sticker(
                id=tag_id,
                code=code,
                place_id=place.id,
                status=StickerStatus.INSTALLED,
                chip="ntag213",
                uid=uid,
            )
        )
        spots.append(Spot(tag_id, place.id, place.kind, code, uid, place.shop_id))
        weights.append(popularity[place.kind] * rng.lognormvariate(0, 0.5))
    session.flush()
    return spots, weights


def _offers(session: Session, rng: random.Random, places: list[Place]) -> dict[int, list[int]]:
    """A deal at most shops, a cross-offer for museum visitors at some."""
    museums = [place for place in places if place.kind is PlaceKind.MUSEUM]
    offers: dict[int, list[Offer]] = defaultdict(list)
    for place in places:
        if place.shop_id is None:
            continue
        kinds = [OfferKind.DEAL] if rng.random() < 0.7 else []
        kinds += [OfferKind.CROSS] if rng.random() < 0.4 else []
        for kind in kinds:
            offer = Offer(
                slug=f"bench-offer-{place.shop_id}-{kind.value}",
                shop_id=place.shop_id,
                kind=kind,
                title={"fr": f"Offre {place.shop_id}"},
                valid_from=dt.date(2000, 1, 1),
                valid_until=dt.date(2099, 12, 31),
                trigger_place_id=rng.choice(museums).id if kind is OfferKind.CROSS else None,
            )
            session.add(offer)
            offers[place.shop_id].append(offer)
    session.flush()
    return {shop: [offer.id for offer in shop_offers] for shop, shop_offers in offers.items()}


def day_counts(size: Size, seed: int) -> list[int]:
    """Taps per day, summing to exactly size.taps: weekends, summer and growth weigh in."""
    rng = random.Random(seed)
    weights = []
    for index in range(size.days):
        day = size.first_day + dt.timedelta(days=index)
        summer = 1 + 0.45 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.25)
        growth = 0.8 + 0.4 * index / max(1, size.days - 1)
        noise = rng.lognormvariate(0, 0.15)
        weights.append(WEEKDAY_WEIGHTS[day.weekday()] * summer * growth * noise)
    total = sum(weights)
    counts = [int(size.taps * weight / total) for weight in weights]
    for index in rng.sample(range(size.days), size.taps - sum(counts)):
        counts[index] += 1
    return counts


@dataclass
class _Visit:
    """A person's (or a machine's) taps of one day, before they become rows."""

    visitor: str
    returning: bool  # the person's cookie came with the first tap
    start: int  # seconds since local midnight
    spots: list[Spot]


class Generator:
    """Produces the days' rows in order; state (counters, pending returns) spans days."""

    def __init__(self, world: World, size: Size, seed: int) -> None:
        self.world = world
        self.size = size
        self.rng = random.Random(seed)
        self.counts = day_counts(size, seed)
        self.spot_cum = list(itertools.accumulate(world.weights))
        self.hour_cum = list(itertools.accumulate(HOUR_WEIGHTS))
        self.browser_cum = list(itertools.accumulate(BROWSERS[1]))
        self.language_cum = list(itertools.accumulate(LANGUAGES[1]))
        self.locals = [f"{self.rng.getrandbits(128):032x}" for _ in range(size.taps // 200 + 10)]
        self.seen_locals: set[str] = set()
        self.pending: dict[int, list[_Visit]] = defaultdict(list)  # museum visitors returning
        self.counters: dict[int, int] = defaultdict(int)
        self.serial = itertools.count()
        self.code_serial = itertools.count(1)
        self.minutes: dict[int, str] = {}

    def days(self) -> Iterator[Rows]:
        """Every day's rows, first day first, taps sorted by id (so by time)."""
        for index, count in enumerate(self.counts):
            yield self.day(index, count)

    def day(self, index: int, count: int) -> Rows:
        """Exactly `count` taps on day `index`: returning museum visitors first, then new visits."""
        day = self.size.first_day + dt.timedelta(days=index)
        rows = Rows(day)
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=PARIS)
        # Each local hour's start in UTC seconds, across a clock change too.
        hours = [int(midnight.replace(hour=h).timestamp()) for h in range(24)]
        self.minutes.clear()
        left = count
        for visit in self.pending.pop(index, []):
            left -= self.emit(rows, hours, visit, left)
        while left > 0:
            left -= self.emit(rows, hours, self.new_visit(index), left)
        rows.taps.sort()
        return rows

    def new_visit(self, index: int) -> _Visit:
        """A machine's single fetch, or a person tapping one to three stickers."""
        rng = self.rng
        start = self.start_time()
        draw = rng.random()
        if draw < PREVIEW_SHARE + CRAWLER_SHARE + ORPHAN_SHARE:
            return _Visit("", False, start, [])  # a machine or an orphan: decided in emit()
        if rng.random() < LOCAL_SHARE:
            visitor = rng.choice(self.locals)
            returning = visitor in self.seen_locals
            self.seen_locals.add(visitor)
        else:
            visitor, returning = f"{rng.getrandbits(128):032x}", False
        first = self.spot()
        spots = [first]
        if first.kind is PlaceKind.MUSEUM:
            self.museum_journey(index, visitor, start, spots)
        else:
            more = bisect((0.6, 0.87), rng.random())  # one to three taps
            spots += [self.spot() for _ in range(more)]
        return _Visit(visitor, returning, start, spots)

    def museum_journey(self, index: int, visitor: str, start: int, spots: list[Spot]) -> None:
        """A museum visitor goes on to a shop window later today, or within the week."""
        rng = self.rng
        if rng.random() < 0.3:
            spots.append(self.spot())
        draw = rng.random()
        if draw < SAME_DAY_SHOP:
            spots.append(rng.choice(self.world.windows))
        elif draw < SAME_DAY_SHOP + WEEK_SHOP:
            later = index + rng.randint(1, 7)
            if later < self.size.days:
                window = rng.choice(self.world.windows)
                self.pending[later].append(_Visit(visitor, True, self.start_time(), [window]))

    def spot(self) -> Spot:
        """A sticker, the popular ones more often."""
        return self.world.spots[_pick(self.rng, self.spot_cum)]

    def start_time(self) -> int:
        """Seconds since local midnight, drawn from the hourly shape."""
        hour = _pick(self.rng, self.hour_cum)
        return hour * 3600 + int(self.rng.random() * 3600)

    def emit(self, rows: Rows, hours: list[int], visit: _Visit, left: int) -> int:
        """Append a visit's taps (at most `left`) and what followed them; returns how many."""
        if not visit.spots:
            rows.taps.append(self.machine_tap(hours, visit.start))
            return 1
        rng = self.rng
        browser = BROWSERS[0][_pick(rng, self.browser_cum)]
        language = LANGUAGES[0][_pick(rng, self.language_cum)]
        seconds = visit.start
        came_from = None
        for number, spot in enumerate(visit.spots[:left]):
            if number:
                seconds = min(86_399, seconds + 600 + int(rng.random() * 10_200))
            kind = "cookie" if number or visit.returning else "new"
            tap = self.person_tap(hours, seconds, spot, visit.visitor, kind, browser, language)
            rows.taps.append(tap)
            self.after_tap(rows, tap, spot, came_from, visit.visitor)
            if spot.kind is PlaceKind.MUSEUM:
                came_from = spot.place_id
        return min(left, len(visit.spots))

    def epoch_and_stamp(self, hours: list[int], seconds: int) -> tuple[int, str]:
        """Microseconds since 1970 and the UTC text SQLAlchemy stores, for a local time."""
        hour, rest = divmod(seconds, 3600)
        epoch = hours[hour] + rest
        micro = int(self.rng.random() * 1_000_000)
        return epoch * 1_000_000 + micro, self.stamp(epoch, micro)

    def stamp(self, epoch: int, micro: int) -> str:
        """'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; the minute's text is cached (strftime is slow)."""
        minute, second = divmod(epoch, 60)
        prefix = self.minutes.get(minute)
        if prefix is None:
            moment = dt.datetime.fromtimestamp(minute * 60, dt.UTC)
            prefix = self.minutes[minute] = moment.strftime("%Y-%m-%d %H:%M:")
        return f"{prefix}{second:02d}.{micro:06d}"

    def tap_id(self, micros: int) -> str:
        """A time-ordered tap id as server/tap_route.py mints them."""
        return f"{micros:014x}{PROCESS_TAG}{next(self.serial) % 0x1000000:06x}"

    def person_tap(
        self,
        hours: list[int],
        seconds: int,
        spot: Spot,
        visitor: str,
        kind: str,
        browser: str,
        language: str | None,
    ) -> tuple:
        """A person's tap of a sticker, with the mirror's UID and counter when it has one."""
        micros, stamp = self.epoch_and_stamp(hours, seconds)
        uid = counter = matches = advanced = None
        if spot.uid is not None:
            self.counters[spot.sticker_id] += 1
            uid, counter, matches, advanced = spot.uid, self.counters[spot.sticker_id], True, True
            if self.rng.random() < COPY_SHARE:
                if self.rng.random() < 0.5:
                    uid, matches = f"04{self.rng.getrandbits(48):012X}", False  # a cloned chip
                else:
                    counter, advanced = counter - 1, False  # a replayed URL
        return (
            self.tap_id(micros), stamp, spot.code, spot.sticker_id, "ok", spot.sticker_id,
            spot.place_id, visitor, kind, True, None, browser, language, "GET", uid, counter,
            None, matches, advanced,
        )  # fmt: skip

    def machine_tap(self, hours: list[int], seconds: int) -> tuple:
        """A link preview, a crawler, or a code that does not verify (no sticker)."""
        rng = self.rng
        micros, stamp = self.epoch_and_stamp(hours, seconds)
        spot = self.spot()
        visitor = f"{rng.getrandbits(96):024x}"  # a daily hashed id: machines send no cookie
        draw = rng.random() * (PREVIEW_SHARE + CRAWLER_SHARE + ORPHAN_SHARE)
        if draw < ORPHAN_SHARE:
            code = f"1{rng.getrandbits(90):018X}"
            return (
                self.tap_id(micros), stamp, code, None, "bad signature", None, None, visitor,
                "new", True, None, "Chrome", "fr", "GET", None, None, None, None, None,
            )  # fmt: skip
        if draw < ORPHAN_SHARE + PREVIEW_SHARE:
            reason, browser = f"link preview: {rng.choice(PREVIEWS)}", None
        else:
            reason, browser = f"crawler: {rng.choice(CRAWLERS)}", None
        return (
            self.tap_id(micros), stamp, spot.code, spot.sticker_id, "ok", spot.sticker_id,
            spot.place_id, visitor, "hash", False, reason, browser, None, "GET", None, None,
            None, None, None,
        )  # fmt: skip

    def after_tap(
        self, rows: Rows, tap: tuple, spot: Spot, came_from: int | None, visitor: str
    ) -> None:
        """Offer views and codes: most after a museum-to-shop journey, a few otherwise."""
        rng = self.rng
        offers = self.world.offers_by_shop.get(spot.shop_id or 0)
        if came_from is not None and offers and rng.random() < VIEW_AFTER_SHOP:
            self.view(rows, tap[1], rng.choice(offers), visitor, came_from, take_code=True)
        elif came_from is None and rng.random() < VIEW_OTHERWISE and self.world.offers:
            self.view(rows, tap[1], rng.choice(self.world.offers), visitor, spot.place_id)

    def view(
        self, rows: Rows, after: str, offer: int, visitor: str, place: int, take_code: bool = False
    ) -> None:
        """An offer view a few minutes after a tap, maybe a code, maybe used at the till."""
        rng = self.rng
        seen = dt.datetime.fromisoformat(after) + dt.timedelta(seconds=rng.randint(30, 600))
        rows.views.append((offer, _text(seen), visitor, place))
        if not take_code or rng.random() >= CODE_AFTER_VIEW:
            return
        issued = seen + dt.timedelta(seconds=rng.randint(10, 120))
        redeemed = None
        if rng.random() < REDEEMED:
            redeemed = _text(issued + dt.timedelta(seconds=rng.randint(300, 5400)))
        shop = self.world_shop(offer) if redeemed else None
        code = f"B{next(self.code_serial):09d}"
        expires = _text(issued + dt.timedelta(days=7))
        rows.codes.append((code, offer, visitor, _text(issued), expires, redeemed, shop))

    def world_shop(self, offer: int) -> int:
        """The shop an offer belongs to."""
        return next(shop for shop, ids in self.world.offers_by_shop.items() if offer in ids)


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    """An index drawn by cumulative weights (random.choices costs ten times more per call)."""
    return bisect(cumulative, rng.random() * cumulative[-1])


def _text(moment: dt.datetime) -> str:
    """A naive UTC datetime as SQLAlchemy stores it on SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
