"""Territories (a town or area running the service) and places (where stickers hang)."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.types import (
    CreatedAt,
    Demo,
    JSONType,
    Latitude,
    Longitude,
    Name,
    OpeningHours,
    Slug,
    Translated,
    UpdatedAt,
    intpk,
    str_enum,
)


class Territory(Base):
    """A town or area with its own home page, time zone and places."""

    __tablename__ = "territories"

    id: Mapped[intpk]
    slug: Mapped[Slug]
    name: Mapped[Name]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    country: Mapped[str] = mapped_column(String(2), default="FR")  # ISO 3166, for holidays
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    description: Mapped[Translated]
    # Changes shop owners make to public content wait for a staff review before going live.
    review_changes: Mapped[bool] = mapped_column(default=False)
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]
    # Its own brand values (server/services/branding.py); None or missing: the deployment's.
    brand: Mapped[dict[str, str] | None] = mapped_column(JSONType, default=None)
    updated_at: Mapped[UpdatedAt]

    places: Mapped[list[Place]] = relationship(back_populates="territory", order_by="Place.name")


class PlaceKind(enum.StrEnum):
    """What a place is; analytics tell museum exits from shop windows by it."""

    MUSEUM = "museum"
    VENUE = "venue"
    MARKET = "market"
    SQUARE = "square"
    STATION = "station"
    VILLAGE = "village"
    SHOP = "shop"  # a shop window; shop_id says which shop


class Place(Base):
    """A spot where stickers hang and whose page lists what is nearby."""

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_position", "latitude", "longitude"),)

    id: Mapped[intpk]
    slug: Mapped[Slug]
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    name: Mapped[Name]
    kind: Mapped[PlaceKind] = mapped_column(str_enum(PlaceKind))
    latitude: Mapped[Latitude]
    longitude: Mapped[Longitude]
    radius_m: Mapped[int] = mapped_column(default=800)  # how far "nearby" reaches
    opening_hours: Mapped[OpeningHours | None]
    description: Mapped[Translated]
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), index=True)
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    territory: Mapped[Territory] = relationship(back_populates="places")
