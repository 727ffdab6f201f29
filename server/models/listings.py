"""What the nearby list shows: shops, points of interest and transit stops."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from server.models.base import Base
from server.models.places import Territory
from server.models.types import (
    CreatedAt,
    Demo,
    Latitude,
    Longitude,
    Name,
    OpeningHours,
    ShortText,
    Slug,
    Translated,
    Url,
    intpk,
)


class Listing(Base):
    """What shops and sights share: a named, described position with opening hours."""

    __abstract__ = True

    id: Mapped[intpk]
    slug: Mapped[Slug]
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    name: Mapped[Name]
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[Translated]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    opening_hours: Mapped[OpeningHours | None]
    website: Mapped[Url | None]
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]

    @declared_attr
    def territory(cls) -> Mapped[Territory]:
        """The territory, loaded with the listing: its pages show its name and time zone."""
        return relationship(lazy="joined")


class Shop(Listing):
    """A shop, restaurant or café with its listing."""

    __tablename__ = "shops"
    __table_args__ = (Index("ix_shops_position", "latitude", "longitude"),)

    address: Mapped[ShortText | None]
    phone: Mapped[str | None] = mapped_column(String(40))


class PointOfInterest(Listing):
    """A sight: a monument, a park, a viewpoint, a museum without a sticker."""

    __tablename__ = "points_of_interest"
    __table_args__ = (Index("ix_points_of_interest_position", "latitude", "longitude"),)


class TransitStop(Base):
    """A stop or station from a GTFS feed's stops.txt."""

    __tablename__ = "transit_stops"
    __table_args__ = (
        UniqueConstraint("feed", "stop_id", name="uq_transit_stops_feed_stop"),
        Index("ix_transit_stops_position", "latitude", "longitude"),
    )

    id: Mapped[intpk]
    feed: Mapped[str] = mapped_column(String(80))  # which feed, so a re-import replaces its own
    stop_id: Mapped[str] = mapped_column(String(80))
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[Name]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    location_type: Mapped[int] = mapped_column(default=0)  # GTFS: 0 stop, 1 station, ...
    wheelchair_boarding: Mapped[int | None]
    demo: Mapped[Demo]
