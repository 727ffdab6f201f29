"""What the portal adds to the content: changes waiting for review, photos, offer views."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.accounts import User
from server.models.base import Base
from server.models.listings import Shop
from server.models.types import CreatedAt, JSONType, ShortText, Timestamp, intpk, str_enum


class ChangeStatus(enum.StrEnum):
    """Where a change to public content stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PendingChange(Base):
    """A shop owner's change held for review (territories with review on); applied on approval."""

    __tablename__ = "pending_changes"
    __table_args__ = (Index("ix_pending_changes_status", "status", "submitted_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))  # "listing", "offer" or "photo"
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    target_id: Mapped[int | None]  # the offer or photo; None for a new offer
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[ChangeStatus] = mapped_column(
        str_enum(ChangeStatus), default=ChangeStatus.PENDING
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[CreatedAt]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[Timestamp | None]
    note: Mapped[ShortText | None]  # why it was refused

    shop: Mapped[Shop] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])


class Photo(Base):
    """A photo of a shop, a sight, a place or an installed sticker: resized, stripped, kept
    under instance/ (visitor pages get sizes derived from it, server.services.photo_sizes)."""

    __tablename__ = "photos"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(64), unique=True)  # random file name, "….jpg"
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), index=True)
    sticker_id: Mapped[int | None] = mapped_column(ForeignKey("stickers.id"), index=True)
    poi_id: Mapped[int | None] = mapped_column(ForeignKey("points_of_interest.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]  # bytes on disk
    live: Mapped[bool] = mapped_column(default=True)  # False while waiting for review
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]


class OfferView(Base):
    """A person opened an offer's page (machines and link previews are not recorded)."""

    __tablename__ = "offer_views"
    __table_args__ = (
        Index("ix_offer_views_offer_at", "offer_id", "occurred_at"),
        Index("ix_offer_views_visitor", "visitor_id", "occurred_at"),  # journeys
    )

    id: Mapped[intpk]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    occurred_at: Mapped[Timestamp]
    visitor_id: Mapped[str | None] = mapped_column(String(40))  # the tap cookie's id, if any
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))  # ?from=, if any
