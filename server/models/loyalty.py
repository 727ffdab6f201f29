"""Loyalty cards: a shop's "n visits, then a reward", the cards visitors chose to hold, stamps.

Holding a card is personal data beyond audience measurement, so it starts with the visitor's
recorded consent (LoyaltyWallet.consented_at) and leaving deletes the wallet and its cards.
Stamps stay as anonymous counts for the shop's figures (their card link is cut on leaving).
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.listings import Shop
from server.models.types import CreatedAt, Demo, Timestamp, Translated, intpk, str_enum


class LoyaltyCard(Base):
    """What a shop offers: after `stamps_needed` visits, a reward valid `reward_days` days."""

    __tablename__ = "loyalty_cards"

    id: Mapped[intpk]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    reward: Mapped[Translated]  # "a free coffee"
    stamps_needed: Mapped[int]
    reward_days: Mapped[int]  # how long a full card's reward can be claimed
    min_interval_minutes: Mapped[int]  # one stamp per visit: no second stamp sooner than this
    active: Mapped[bool] = mapped_column(default=True)
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]

    shop: Mapped[Shop] = relationship(lazy="joined")


class LoyaltyWallet(Base):
    """One phone's cards: tied to the first-party visitor id, movable with a recovery code."""

    __tablename__ = "loyalty_wallets"

    id: Mapped[intpk]
    visitor_id: Mapped[str] = mapped_column(String(40), unique=True)
    recovery_hash: Mapped[str] = mapped_column(String(64), unique=True)  # HMAC, never the code
    consented_at: Mapped[Timestamp]
    notice: Mapped[str] = mapped_column(String(20))  # which version of the notice was agreed
    created_at: Mapped[CreatedAt]


class LoyaltyHolding(Base):
    """A visitor's card at one shop: its short code (shown to the till) and its stamps."""

    __tablename__ = "loyalty_holdings"
    __table_args__ = (UniqueConstraint("wallet_id", "card_id"),)

    id: Mapped[intpk]
    wallet_id: Mapped[int] = mapped_column(
        ForeignKey("loyalty_wallets.id", ondelete="CASCADE"), index=True
    )
    card_id: Mapped[int] = mapped_column(ForeignKey("loyalty_cards.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    stamps: Mapped[int] = mapped_column(default=0)
    last_stamp_at: Mapped[Timestamp | None]
    full_at: Mapped[Timestamp | None]  # when the last stamp filled it: the reward's clock
    rewards: Mapped[int] = mapped_column(default=0)  # rewards given so far
    joined_at: Mapped[CreatedAt]

    card: Mapped[LoyaltyCard] = relationship(lazy="joined")


class StampKind(enum.StrEnum):
    """A stamp given, or a full card's reward given."""

    STAMP = "stamp"
    REWARD = "reward"


class LoyaltyStamp(Base):
    """One stamp or reward given at a till: counted per week for the shop's figures."""

    __tablename__ = "loyalty_stamps"
    __table_args__ = (Index("ix_loyalty_stamps_shop_at", "shop_id", "at"),)

    id: Mapped[intpk]
    card_id: Mapped[int] = mapped_column(ForeignKey("loyalty_cards.id"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    # Cut (NULL) when the visitor leaves: what stays is an anonymous count.
    holding_id: Mapped[int | None] = mapped_column(
        ForeignKey("loyalty_holdings.id", ondelete="SET NULL"), index=True
    )
    # Copied from the wallet at stamping, for the funnel (museum tap before?), cleared on leaving.
    visitor_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[StampKind] = mapped_column(str_enum(StampKind))
    at: Mapped[Timestamp]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
