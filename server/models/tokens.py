"""API tokens for machines: the field tool (scope "encode"), analytics clients later."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.types import CreatedAt, ShortText, Timestamp, intpk


class ApiToken(Base):
    """An API token: only its SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    name: Mapped[ShortText]
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to recognise it
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated, e.g. "encode"
    created_at: Mapped[CreatedAt]
    last_used_at: Mapped[Timestamp | None]
    revoked_at: Mapped[Timestamp | None]

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())

    def is_active(self, now: dt.datetime) -> bool:
        """Not revoked (yet)."""
        return self.revoked_at is None or self.revoked_at > now
