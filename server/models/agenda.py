"""Events and walks: what happens nearby and routes to follow."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.places import Territory
from server.models.types import (
    CreatedAt,
    Demo,
    Latitude,
    Longitude,
    Name,
    ShortText,
    Slug,
    Timestamp,
    Translated,
    Url,
    intpk,
)


class Event(Base):
    """Something on at a date and a position (from iCalendar or the content file)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_position", "latitude", "longitude"),
        Index("ix_events_starts_at", "starts_at"),
    )

    id: Mapped[intpk]
    uid: Mapped[str] = mapped_column(String(255), unique=True)  # iCalendar UID: re-imports update
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    title: Mapped[Name]
    description: Mapped[Translated]
    venue: Mapped[ShortText | None]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    starts_at: Mapped[Timestamp]
    ends_at: Mapped[Timestamp | None]
    url: Mapped[Url | None]
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]

    territory: Mapped[Territory] = relationship(lazy="joined")


class Walk(Base):
    """A walking tour: ordered stops, starting where its first stop is."""

    __tablename__ = "walks"
    __table_args__ = (Index("ix_walks_start", "start_latitude", "start_longitude"),)

    id: Mapped[intpk]
    slug: Mapped[Slug]
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    name: Mapped[Name]
    description: Mapped[Translated]
    # The first stop's position, copied here so the nearby query can prefilter on an index.
    start_latitude: Mapped[Latitude]
    start_longitude: Mapped[Longitude]
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]

    territory: Mapped[Territory] = relationship(lazy="joined")

    stops: Mapped[list[WalkStop]] = relationship(
        back_populates="walk", order_by="WalkStop.position", cascade="all, delete-orphan"
    )


class WalkStop(Base):
    """One stop of a walk, in order."""

    __tablename__ = "walk_stops"
    __table_args__ = (UniqueConstraint("walk_id", "position", name="uq_walk_stops_walk_position"),)

    id: Mapped[intpk]
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id"))
    position: Mapped[int]
    name: Mapped[Name]
    note: Mapped[Translated]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    url: Mapped[Url | None]

    walk: Mapped[Walk] = relationship(back_populates="stops")
