"""Column types shared by every model, so a latitude or a slug means the same thing everywhere."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, ClassVar, Protocol

from sqlalchemy import JSON, DateTime, Enum, Float, Integer, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import InstrumentedAttribute, mapped_column

from server.clock import machine_now


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing a naive datetime {value!r}; use UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: object
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def str_enum(cls: type[enum.StrEnum]) -> Enum:
    """Store a StrEnum by value in a VARCHAR with a CHECK constraint (no native enum types)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        length=max(len(member.value) for member in cls),
        name=cls.__name__.lower(),
    )


# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
Slug = Annotated[str, mapped_column(String(80), unique=True, index=True)]

Name = Annotated[str, mapped_column(String(200))]
ShortText = Annotated[str, mapped_column(String(200))]
Url = Annotated[str, mapped_column(String(500))]
Latitude = Annotated[float, mapped_column(Float)]
Longitude = Annotated[float, mapped_column(Float)]
Timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime())]
CreatedAt = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=machine_now)]
# When a visitor page's content was last edited (the sitemap's lastmod): server.models.edits.
UpdatedAt = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=machine_now)]
# Text in several languages, {"fr": "...", "en": "...", "nl": "..."}; French is the default.
Translated = Annotated[dict[str, str], mapped_column(JSONType, default=dict)]
OpeningHours = Annotated[str, mapped_column(String(500))]  # OpenStreetMap opening_hours syntax
Demo = Annotated[bool, mapped_column(default=False)]  # demo content, safe to delete


class Slugged(Protocol):
    """A model whose rows pages find by slug (territories, places, shops, offers, walks)."""

    slug: ClassVar[InstrumentedAttribute[str]]  # what `Model.slug` is, for a Mapped[Slug]
