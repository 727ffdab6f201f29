"""What the nearby list shows: shops, points of interest and transit stops."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from server.models.base import Base
from server.models.places import Territory
from server.models.types import (
    CreatedAt,
    Demo,
    JSONType,
    Latitude,
    Longitude,
    Name,
    OpeningHours,
    ShortText,
    Slug,
    Timestamp,
    Translated,
    UpdatedAt,
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
    # False: left out of visitor pages and the API (a sight staff took offline, or a shop whose
    # keeper's account was erased); kept, with its photos, to bring back.
    published: Mapped[bool] = mapped_column(default=True, server_default=true())
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

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


class TransitFeed(Base):
    """A GTFS feed, named after its agencies (or as the staff chose): its stops go together."""

    __tablename__ = "transit_feeds"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    agencies: Mapped[str | None] = mapped_column(String(500))  # agency.txt's names, for people
    publisher: Mapped[ShortText | None]  # feed_info.txt
    version: Mapped[str | None] = mapped_column(String(100))  # feed_info.txt
    timezone: Mapped[str | None] = mapped_column(String(64))  # agency.txt: its times' zone
    imported_at: Mapped[Timestamp]
    demo: Mapped[Demo]


class TransitStop(Base):
    """A stop or station from a GTFS feed's stops.txt.

    Platforms and entrances name their station in parent_station and are not listed on their
    own: the station is, once, with the lines of all its platforms.
    """

    __tablename__ = "transit_stops"
    __table_args__ = (
        UniqueConstraint("feed", "stop_id", name="uq_transit_stops_feed_stop"),
        Index("ix_transit_stops_position", "latitude", "longitude"),
    )

    id: Mapped[intpk]
    # Which feed, so a re-import replaces its own.
    feed: Mapped[str] = mapped_column(ForeignKey("transit_feeds.name"))
    stop_id: Mapped[str] = mapped_column(String(80))
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[Name]
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    location_type: Mapped[int] = mapped_column(default=0)  # GTFS: 0 stop, 1 station, 2 entrance
    parent_station: Mapped[str | None] = mapped_column(String(80))  # the station's stop_id
    lines: Mapped[list[str]] = mapped_column(JSONType, default=list)  # route short names
    wheelchair_boarding: Mapped[int | None]
    demo: Mapped[Demo]
