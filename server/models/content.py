"""The content version: one number that changes whenever what a visitor page shows changes.

Database triggers (migration 0023) bump it on every change to the tables the place page reads,
so a kept rendering (server.visitor.pagecache) is checked with one cheap SELECT per request.
"""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.types import intpk


class ContentVersion(Base):
    """The single row holding the content version (bumped by triggers, never by the app)."""

    __tablename__ = "content_version"

    id: Mapped[intpk]
    version: Mapped[int] = mapped_column(BigInteger, default=0)
