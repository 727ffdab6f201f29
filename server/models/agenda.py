"""Events and walks: what happens nearby and routes to follow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.places import Territory
from server.models.types import (
    CreatedAt,
    Demo,
    JSONType,
    Latitude,
    Longitude,
    Name,
    ShortText,
    Slug,
    Timestamp,
    Translated,
    UpdatedAt,
    Url,
    intpk,
)


class Event(Base):
    """Something on at a date and a position (from iCalendar or the content file).

    An all-day event is a span of dates (starts_on to ends_on, both included); its starts_at and
    ends_at are the territory's midnights around them, so that queries by instant still find it.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_position", "latitude", "longitude"),
        Index("ix_events_starts_at", "starts_at"),
    )

    id: Mapped[intpk]
    uid: Mapped[str] = mapped_column(String(255), unique=True)  # iCalendar UID: re-imports update
    # The calendar it was imported from: a new version of that calendar removes what it dropped.
    calendar: Mapped[str | None] = mapped_column(String(200), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    title: Mapped[Name]
    description: Mapped[Translated]
    venue: Mapped[ShortText | None]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    starts_at: Mapped[Timestamp]
    ends_at: Mapped[Timestamp | None]
    starts_on: Mapped[dt.date | None] = mapped_column(Date)  # all-day events only
    ends_on: Mapped[dt.date | None] = mapped_column(Date)  # the last day, included
    url: Mapped[Url | None]
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    territory: Mapped[Territory] = relationship(lazy="joined")

    @property
    def all_day(self) -> bool:
        """Whether it is on whole days rather than between two times."""
        return self.starts_on is not None


class EventSeries(Base):
    """An event as staff write it in the portal: a day, times, how it repeats and the days it
    does not. Its occurrences are stored as Events of the calendar named by its uid, made by the
    iCalendar importer from the VEVENT this describes (server.services.event_editing)."""

    __tablename__ = "event_series"

    id: Mapped[intpk]
    uid: Mapped[str] = mapped_column(String(80), unique=True)  # its VEVENT's UID and calendar
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    title: Mapped[Name]
    description: Mapped[Translated]
    venue: Mapped[ShortText | None]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    url: Mapped[Url | None]
    first_day: Mapped[dt.date] = mapped_column(Date)
    starts: Mapped[str | None] = mapped_column(String(5))  # "19:30"; None: all day
    ends: Mapped[str | None] = mapped_column(String(5))
    frequency: Mapped[str] = mapped_column(String(8), default="once")  # once, weekly, monthly
    until: Mapped[dt.date | None] = mapped_column(Date)
    count: Mapped[int | None]
    exceptions: Mapped[list[str]] = mapped_column(JSONType, default=list)  # ISO dates it skips
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
    updated_at: Mapped[UpdatedAt]

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
