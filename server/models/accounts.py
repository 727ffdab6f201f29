"""People who sign in to the portal, the shops they keep, and what they did."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.listings import Shop
from server.models.types import CreatedAt, JSONType, ShortText, Timestamp, intpk, str_enum


class Role(enum.StrEnum):
    """What an account may do in the portal (see server.portal.access)."""

    ADMINISTRATOR = "administrator"
    STAFF = "staff"
    SHOP_OWNER = "shop_owner"
    ANALYST = "analyst"


class User(Base):
    """A portal account: an email, an argon2 password hash, a role."""

    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[ShortText | None]
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None until invited in
    # Bumped by a password change or a lock: every session signed with an older epoch ends.
    session_epoch: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[CreatedAt]
    last_login_at: Mapped[Timestamp | None]
    password_changed_at: Mapped[Timestamp | None]
    # The portal's language at the last sign-in or form sent: the language of the mails this
    # account receives (None: not known yet, such a mail is written in every language).
    language: Mapped[str | None] = mapped_column(String(2))

    shops: Mapped[list[Shop]] = relationship(
        secondary="shop_owners", order_by="Shop.name", viewonly=True
    )


class ShopOwner(Base):
    """An account keeps a shop's listing (a shop may have several keepers)."""

    __tablename__ = "shop_owners"
    __table_args__ = (UniqueConstraint("user_id", "shop_id", name="uq_shop_owners_user_shop"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    created_at: Mapped[CreatedAt]


class Invitation(Base):
    """A one-time link to set a password: a new account, a hand-over, or a reset."""

    __tablename__ = "invitations"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the link's token
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[Timestamp]
    used_at: Mapped[Timestamp | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PortalSession(Base):
    """One sign-in on one browser: its session cookie names the row; signing out deletes it."""

    __tablename__ = "portal_sessions"

    id: Mapped[intpk]
    # SHA-256 of the random id the cookie carries: the table alone lets nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The account's session epoch at sign-in: a later password change ends the session too.
    epoch: Mapped[int]
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[Timestamp]


class LoginFailure(Base):
    """A failed sign-in, kept a while so that every worker sees the same rate limit."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "occurred_at"),)

    id: Mapped[intpk]
    # "account:<sha256 of the email>" or "client:<day-salted hash of the address>": no raw data.
    key: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[Timestamp]


class AuditEntry(Base):
    """Who changed what and when; `changes` maps each field to [before, after]."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_target", "target_type", "target_id"),
    )

    id: Mapped[intpk]
    at: Mapped[CreatedAt]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the command line
    action: Mapped[str] = mapped_column(String(60))  # "listing.update", "offer.create", ...
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None]
    summary: Mapped[ShortText]
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    user: Mapped[User | None] = relationship()
