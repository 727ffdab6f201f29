"""Offers: a deal at a shop, or a cross-offer for visitors coming from a partner or a place."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ColumnElement, Date, ForeignKey, String, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.listings import Shop
from server.models.places import Place, PlaceKind
from server.models.types import (
    CreatedAt,
    Demo,
    OpeningHours,
    Slug,
    Timestamp,
    Translated,
    UpdatedAt,
    intpk,
    str_enum,
)


class OfferKind(enum.StrEnum):
    """A plain deal, or a cross-offer that needs a partner shop or a trigger place."""

    DEAL = "deal"
    CROSS = "cross"


class OfferCondition(enum.StrEnum):
    """What must hold before a visitor gets a code (checked by services.conditions)."""

    NONE = "none"
    TAP_PLACE = "tap place"  # a tap at trigger_place today, with this phone's visitor id
    TAP_KIND = "tap kind"  # a tap at any place of trigger_kind in the territory today
    PASSPORT = "passport"  # a one-time passport from partner_shop's till


class Offer(Base):
    """A deal ("bon plan") at a shop, valid between two dates and optionally on some hours."""

    __tablename__ = "offers"

    id: Mapped[intpk]
    slug: Mapped[Slug]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    kind: Mapped[OfferKind] = mapped_column(str_enum(OfferKind), default=OfferKind.DEAL)
    title: Mapped[Translated]
    conditions: Mapped[Translated]
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)  # inclusive, in the territory's time zone
    hours: Mapped[OpeningHours | None]  # when in the week it applies; None: the shop's hours
    quota: Mapped[int | None]  # how many codes may be issued; None: no limit
    # Codes issued so far: one conditional UPDATE of this counter decides each new code, so the
    # quota holds however many workers, hosts and visitors ask at once (services.redemption).
    codes_issued: Mapped[int] = mapped_column(default=0)
    partner_shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), index=True)
    trigger_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    # A cross-offer with a partner shop is live only once the partner agreed (None: not yet).
    partner_agreed_at: Mapped[Timestamp | None]
    # When the partner said no (None: it has not): shown to both shops; agreeing clears it.
    partner_refused_at: Mapped[Timestamp | None]
    condition: Mapped[OfferCondition] = mapped_column(
        str_enum(OfferCondition), default=OfferCondition.NONE, server_default="none"
    )
    trigger_kind: Mapped[PlaceKind | None] = mapped_column(str_enum(PlaceKind))
    # Codes one visitor may get for this offer in all (None: one a day while it runs).
    per_visitor: Mapped[int | None]
    daily_quota: Mapped[int | None]  # codes a day for everyone (None: no daily limit)
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    shop: Mapped[Shop] = relationship(foreign_keys=[shop_id], lazy="joined")
    partner_shop: Mapped[Shop | None] = relationship(foreign_keys=[partner_shop_id])
    trigger_place: Mapped[Place | None] = relationship(foreign_keys=[trigger_place_id])

    @property
    def agreed(self) -> bool:
        """Shown to visitors: not a partner offer, or one its partner shop agreed to."""
        return self.partner_shop_id is None or self.partner_agreed_at is not None


def agreed_offers() -> ColumnElement[bool]:
    """The SQL condition of Offer.agreed: what visitor pages and the API may show."""
    return or_(Offer.partner_shop_id.is_(None), Offer.partner_agreed_at.is_not(None))


class RedemptionCode(Base):
    """A single-use code a visitor shows at the till to get a cross-offer."""

    __tablename__ = "redemption_codes"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    # Pseudonymous, as in taps; indexed for journeys (a museum's visitors who redeemed later).
    visitor_id: Mapped[str | None] = mapped_column(String(40), index=True)
    issued_at: Mapped[CreatedAt]
    expires_at: Mapped[Timestamp]
    redeemed_at: Mapped[Timestamp | None]
    redeemed_shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    redeemed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # at which till


class OfferDayCodes(Base):
    """Codes issued for an offer on one local day: the counter its daily quota is held by."""

    __tablename__ = "offer_day_codes"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    issued: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class Passport(Base):
    """A one-time proof, issued at a partner's till, that unlocks one code of a cross-offer."""

    __tablename__ = "passports"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)  # issued there
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[CreatedAt]
    expires_at: Mapped[Timestamp]
    used_at: Mapped[Timestamp | None]
    # The code it unlocked (one passport, one code).
    redemption_code_id: Mapped[int | None] = mapped_column(ForeignKey("redemption_codes.id"))
