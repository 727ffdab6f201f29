"""Stickers and the batches they are issued in."""

from __future__ import annotations

import enum

from sqlalchemy import ColumnElement, ForeignKey, String, func, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base
from server.models.places import Place
from server.models.types import CreatedAt, Demo, ShortText, Timestamp, Url, intpk, str_enum


class StickerStatus(enum.StrEnum):
    """A sticker's life: issued, written by the field tool, put up, taken down."""

    PLANNED = "planned"
    ENCODED = "encoded"
    INSTALLED = "installed"
    RETIRED = "retired"


class Batch(Base):
    """N signed URLs issued together for one place, as the field tool writes them."""

    __tablename__ = "batches"

    id: Mapped[intpk]
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    chip: Mapped[str] = mapped_column(String(16))  # "ntag213", as in tags.chips.CHIPS
    base_url: Mapped[Url]
    mirror: Mapped[str | None] = mapped_column(String(8))  # tags.urls.MirrorMode or None
    password: Mapped[bool] = mapped_column(default=False)
    lock: Mapped[bool] = mapped_column(default=False)
    note: Mapped[ShortText | None]
    created_at: Mapped[CreatedAt]

    place: Mapped[Place] = relationship()
    stickers: Mapped[list[Sticker]] = relationship(back_populates="batch", order_by="Sticker.id")


class Sticker(Base):
    """One signed code, and once written, the chip that holds it."""

    __tablename__ = "stickers"

    # The tag id signed into the code; allocated from the "tag_id" counter, never reused.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    status: Mapped[StickerStatus] = mapped_column(
        str_enum(StickerStatus), default=StickerStatus.PLANNED
    )
    chip: Mapped[str | None] = mapped_column(String(16))
    uid: Mapped[str | None] = mapped_column(String(14), unique=True)  # 7 bytes, upper-case hex
    location: Mapped[ShortText | None]  # "exit, left of the door"
    target_url: Mapped[Url | None]  # where a tap goes instead of the place page
    encoded_at: Mapped[Timestamp | None]
    installed_at: Mapped[Timestamp | None]
    retired_at: Mapped[Timestamp | None]
    # The last NTAG read counter seen, to notice a counter that does not go up (a copy).
    last_counter: Mapped[int | None]
    last_counter_at: Mapped[Timestamp | None]
    last_tap_at: Mapped[Timestamp | None]
    # NTAG 424 DNA: the highest SUN read counter accepted; a tap must go above it (taps/store.py).
    sun_counter: Mapped[int | None]
    demo: Mapped[Demo]
    created_at: Mapped[CreatedAt]

    batch: Mapped[Batch | None] = relationship(back_populates="stickers")
    place: Mapped[Place] = relationship()

    @hybrid_property
    def expected_chip(self) -> str | None:
        """The chip holding this sticker, or before it is registered, the one its batch is for
        (a 424 batch's code proves a tap only with a SUN message, registered or not)."""
        return self.chip or (self.batch.chip if self.batch is not None else None)

    @expected_chip.inplace.expression
    @classmethod
    def _expected_chip_expression(cls) -> ColumnElement[str | None]:
        """The same in a query (the tap path's and the drainer's, which read rows)."""
        batch_chip = select(Batch.chip).where(Batch.id == cls.batch_id).scalar_subquery()
        return func.coalesce(cls.chip, batch_chip)


class Counter(Base):
    """Named counters handed out atomically (UPDATE ... RETURNING) on both databases."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int]
