"""Analytics rollups: the counts the dashboard and /api/v1/stats read instead of raw taps.

Every `day` and `hour` here is local to the territory (Europe/Paris for Lille): the day a
visitor would name. Rows are recomputed a whole day at a time from the raw rows of that day
(server/services/rollups.py), so they match a count over the raw taps exactly. The only table
holding visitor ids is VisitorDay; it is purged with the raw taps (taptrail purge), the others
are kept.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.types import Timestamp, str_enum

Day = Date()


class Audience(enum.StrEnum):
    """Who tapped: a person, a link preview (shown apart), or another machine."""

    PERSON = "person"
    PREVIEW = "preview"  # WhatsApp, Slack, iMessage... fetching the URL to draw a card
    MACHINE = "machine"  # crawlers, HEAD requests, prefetches


class StickerDay(Base):
    """Taps at one sticker on one local day, per audience."""

    __tablename__ = "rollup_sticker_days"
    __table_args__ = (
        # Covering: the per-place and per-sticker figures of a year read the index alone.
        Index(
            "ix_rollup_sticker_days_territory_day",
            "territory_id",
            "day",
            "place_id",
            "sticker_id",
            "audience",
            "taps",
            "suspected",
        ),
    )

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    sticker_id: Mapped[int] = mapped_column(ForeignKey("stickers.id"), primary_key=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    taps: Mapped[int]
    suspected: Mapped[int]  # taps whose mirrored UID or counter says a copy was read
    # Scans of an NTAG 424 DNA's QR label (unverified visits, not in `taps`).
    qr_scans: Mapped[int] = mapped_column(default=0, server_default="0")


class PlaceHour(Base):
    """Taps at one place in one local hour, per audience (a place's by-hour view)."""

    __tablename__ = "rollup_place_hours"
    __table_args__ = (
        Index("ix_rollup_place_hours_territory_day", "territory_id", "day"),
        Index("ix_rollup_place_hours_place_day", "place_id", "day"),  # one place's hours
    )

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    # 0-23 on the clock; the repeated hour of the October change holds both of its hours.
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    taps: Mapped[int]


class TerritoryHour(Base):
    """Taps in a territory in one local hour, per audience (by hour, the hour-of-week map)."""

    __tablename__ = "rollup_territory_hours"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), primary_key=True)
    taps: Mapped[int]


class VisitorDay(Base):
    """A person's taps at one place on one local day: unique visitors and journeys come from
    here. Holds the pseudonymous visitor id, so it is purged with the raw taps."""

    __tablename__ = "rollup_visitor_days"
    __table_args__ = (
        Index("ix_rollup_visitor_days_visitor", "visitor_id", "day"),
        Index("ix_rollup_visitor_days_territory", "territory_id", "day", "visitor_id"),
    )

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    taps: Mapped[int]
    first_at: Mapped[Timestamp]
    last_at: Mapped[Timestamp]


class DailyVisitors(Base):
    """Unique visitors (people) per local day, in a territory (place_id 0) and at each place.

    Kept after the purge, when VisitorDay is gone: a day's uniques stay known.
    """

    __tablename__ = "rollup_daily_visitors"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    place_id: Mapped[int] = mapped_column(primary_key=True)  # 0: the whole territory
    visitors: Mapped[int]


FIRST_VISIT = dt.date(1, 1, 1)  # VisitorReturn.previous_day of people never seen before


class VisitorReturn(Base):
    """How many people seen on a day were last seen before it on each earlier day (or never).

    The unique visitors of any range [a, b] are exactly the people seen in it whose previous
    day is before a: a sum over a few rows per day, not a distinct count over millions.
    """

    __tablename__ = "rollup_visitor_returns"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    place_id: Mapped[int] = mapped_column(primary_key=True)  # 0: anywhere in the territory
    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    previous_day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    visitors: Mapped[int]


class OfferDay(Base):
    """An offer's views, codes issued and codes used on one local day."""

    __tablename__ = "rollup_offer_days"
    __table_args__ = (Index("ix_rollup_offer_days_territory_day", "territory_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    views: Mapped[int]
    codes: Mapped[int]
    redemptions: Mapped[int]
    # Passports for this cross-offer handed out at its partner's till (the pair's origin).
    passports: Mapped[int] = mapped_column(default=0, server_default="0")


class JourneyDay(Base):
    """Of the people who tapped at a museum on a day, how many went on to a shop: tapped at
    a shop window, viewed or redeemed an offer, after that tap, the same day or within 7 days."""

    __tablename__ = "rollup_journeys"
    __table_args__ = (Index("ix_rollup_journeys_territory_day", "territory_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)  # the museum tap's day
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    visitors: Mapped[int]
    went_same_day: Mapped[int]
    went_week: Mapped[int]  # same day included


class JourneyShop(Base):
    """A museum's visitors of a day who went on to one shop, by what they did there."""

    __tablename__ = "rollup_journey_shops"
    __table_args__ = (Index("ix_rollup_journey_shops_territory_day", "territory_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    tapped_same_day: Mapped[int]
    tapped_week: Mapped[int]
    viewed_same_day: Mapped[int]
    viewed_week: Mapped[int]
    redeemed_same_day: Mapped[int]
    redeemed_week: Mapped[int]


class Flow(Base):
    """People who tapped at one place and later at another, the same day or within 7 days."""

    __tablename__ = "rollup_flows"
    __table_args__ = (
        # Covering: a year of flows (thousands of pairs a day) is summed from the index alone.
        Index(
            "ix_rollup_flows_territory_day",
            "territory_id",
            "day",
            "from_place_id",
            "to_place_id",
            "same_day",
            "week",
        ),
    )

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)  # the first place's day
    from_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    to_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    same_day: Mapped[int]
    week: Mapped[int]  # same day included


class FlowMonth(Base):
    """Flows summed over a calendar month (by the day of the first place): a year of flows is
    twelve months of pairs, not 365 days of them."""

    __tablename__ = "rollup_flow_months"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Day, primary_key=True)  # its first day
    from_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    to_place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    same_day: Mapped[int]
    week: Mapped[int]


class ShopDay(Base):
    """One shop's funnel on one local day: window taps (people), offer views, codes issued and
    used, loyalty stamps and rewards given at its till."""

    __tablename__ = "rollup_shop_days"
    __table_args__ = (Index("ix_rollup_shop_days_territory_day", "territory_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    window_taps: Mapped[int]
    offer_views: Mapped[int]
    codes_issued: Mapped[int]
    codes_used: Mapped[int]
    stamps: Mapped[int]
    rewards: Mapped[int]


class ShopOrigin(Base):
    """Of one shop's code users and card holders (stamped) on a day, how many had tapped at one
    museum earlier that day, or in the 7 days before (same day included): people, not ids."""

    __tablename__ = "rollup_shop_origins"
    __table_args__ = (Index("ix_rollup_shop_origins_territory_day", "territory_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)  # the shop's day
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    code_users_same_day: Mapped[int]
    code_users_week: Mapped[int]
    holders_same_day: Mapped[int]
    holders_week: Mapped[int]


class DirtyDay(Base):
    """A local day whose rollups must be recomputed; `version` grows with each new mark, so a
    refresh removes only the marks it has seen."""

    __tablename__ = "rollup_dirty_days"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Day, primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
