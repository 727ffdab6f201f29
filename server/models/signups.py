"""Shops signing themselves up: a request the TapTrail team approves (a shop and its owner's
account are made) or refuses with a reason."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.places import Territory
from server.models.types import (
    CreatedAt,
    Latitude,
    Longitude,
    Name,
    ShortText,
    Timestamp,
    intpk,
    str_enum,
)


class SignupStatus(enum.StrEnum):
    """Where a sign-up request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class SignupRequest(Base):
    """A shop asking to join: its business, SIRET, place on the map, contact and consent."""

    __tablename__ = "signup_requests"
    __table_args__ = (Index("ix_signup_requests_status", "status", "created_at"),)

    id: Mapped[intpk]
    business_name: Mapped[Name]
    siret: Mapped[str] = mapped_column(String(14), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"))
    category: Mapped[str] = mapped_column(String(40))
    address: Mapped[ShortText]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    contact_name: Mapped[Name]
    email: Mapped[str] = mapped_column(String(254), index=True)  # stored lower-case
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2), default="fr")  # the mails' language
    consent_at: Mapped[Timestamp]  # when the terms were accepted
    status: Mapped[SignupStatus] = mapped_column(
        str_enum(SignupStatus), default=SignupStatus.PENDING
    )
    reason: Mapped[ShortText | None]  # why it was refused (the applicant reads it)
    created_at: Mapped[CreatedAt]
    decided_at: Mapped[Timestamp | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))

    territory: Mapped[Territory] = relationship()
