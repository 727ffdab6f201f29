"""Taps: every request on a short path, people and machines alike, flagged for analytics."""

from __future__ import annotations

import enum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.types import Timestamp, str_enum


class Outcome(enum.StrEnum):
    """What verifying the code and finding its sticker gave; only "ok" is a tap of a sticker."""

    OK = "ok"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown key"
    REVOKED_KEY = "revoked key"
    BAD_SIGNATURE = "bad signature"
    UNKNOWN_STICKER = "unknown sticker"
    RETIRED_STICKER = "retired sticker"
    # NTAG 424 DNA stickers: a genuine SUN message whose read counter is not above the last one
    # accepted (a replayed URL), and a SUN message that is missing or does not verify.
    REPLAYED = "replayed"
    BAD_SUN = "bad sun"
    # A scan of an NTAG 424 DNA sticker's printed QR label (/<code>/Q): it cannot carry a SUN
    # message, so it proves nothing; counted apart, never as a tap nor as a bad SUN message.
    QR_SCAN = "qr scan"


class VisitorKind(enum.StrEnum):
    """Where the visitor id comes from."""

    COOKIE = "cookie"  # our first-party cookie came with the request
    NEW = "new"  # no cookie: a fresh random one was set with the response
    HASH = "hash"  # no cookie offered (machines): a hash with a daily rotating salt
    OBJECTED = "objected"  # the browser objected (privacy page or Sec-GPC): no id at all


class Tap(Base):
    """One request on a tap URL. Orphan visits (bad codes) have no sticker and say why.

    On PostgreSQL the table is partitioned by month of `occurred_at` (migration 0017,
    services/tap_partitions.py), and its primary key there is (id, occurred_at), as a
    partitioned table's unique keys must hold the partition key.
    """

    __tablename__ = "taps"
    __table_args__ = (
        Index("ix_taps_sticker_at", "sticker_id", "occurred_at"),
        Index("ix_taps_place_at", "place_id", "occurred_at"),
        Index("ix_taps_occurred_at", "occurred_at"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    # Time-ordered unique id minted on the tap path, spooled with its time: draining the spool
    # twice cannot double a tap (the pair (id, occurred_at) is the same both times).
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    occurred_at: Mapped[Timestamp]
    code: Mapped[str] = mapped_column(String(64))  # canonical when well formed, else as received
    tag_id: Mapped[int | None]
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    # No foreign keys (migration 0024): the drainer reads the batch's stickers and places,
    # locked, in the transaction that stores the taps, and neither is ever deleted; checked by
    # the database for every row, they cost a third of its work per tap.
    sticker_id: Mapped[int | None]
    place_id: Mapped[int | None]
    visitor_id: Mapped[str | None] = mapped_column(String(40))  # None: the visitor objected
    visitor_kind: Mapped[VisitorKind] = mapped_column(str_enum(VisitorKind))
    human: Mapped[bool]
    # Why not human: "head", "prefetch", "link preview: WhatsApp", "crawler: Googlebot", ...
    reason: Mapped[str | None] = mapped_column(String(80))
    browser: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str | None] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(8))
    mirror_uid: Mapped[str | None] = mapped_column(String(14))
    mirror_counter: Mapped[int | None]
    mirror_error: Mapped[str | None] = mapped_column(String(120))  # an unreadable mirror value
    uid_matches: Mapped[bool | None]  # None: no UID mirrored, or no chip registered
    counter_advanced: Mapped[bool | None]  # False: the counter did not go up, a suspected copy

    @property
    def suspected_copy(self) -> bool:
        """The mirror says this was not the registered chip, or a replayed read."""
        return self.uid_matches is False or self.counter_advanced is False
