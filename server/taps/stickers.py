"""Sticker look-ups for the tap path: memory first, the database, then a disk copy."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass

from sqlalchemy import select

from server.cache import DiskCache
from server.db import UNAVAILABLE, Database
from server.models import Place, Sticker, Territory


class DirectoryUnavailable(Exception):
    """The database is away and this sticker was never seen: nothing to fall back on."""


@dataclass(frozen=True)
class StickerInfo:
    """What the tap path needs to send a visitor on."""

    tag_id: int
    status: str
    place_slug: str
    place_name: str
    territory_slug: str
    target_url: str | None
    chip: str | None = None  # "ntag424" (its own, else its batch's): taps must carry SUN
    uid: str | None = None  # registered chip UID, upper-case hex


class StickerDirectory:
    """Finds stickers by tag id, keeping answers for `ttl` seconds and on disk for outages."""

    def __init__(self, database: Database, cache: DiskCache, ttl: float) -> None:
        self.database = database
        self.cache = cache
        self.ttl = ttl
        self._memory: dict[int, tuple[float, StickerInfo | None]] = {}
        self._lock = threading.Lock()

    def get(self, tag_id: int) -> StickerInfo | None:
        """The sticker, None if there is no such sticker, or DirectoryUnavailable."""
        now = time.monotonic()
        held = self._memory.get(tag_id)
        if held is not None and now - held[0] < self.ttl:
            return held[1]
        try:
            info = self._query(tag_id)
        except UNAVAILABLE:
            if held is not None:
                return held[1]
            kept = self.cache.load(f"sticker-{tag_id}")
            if kept is None:
                raise DirectoryUnavailable(tag_id) from None
            data = json.loads(kept[0])
            return StickerInfo(**data) if data else None
        with self._lock:
            self._memory[tag_id] = (now, info)
        self.cache.store(f"sticker-{tag_id}", json.dumps(asdict(info) if info else None))
        return info

    def _query(self, tag_id: int) -> StickerInfo | None:
        query = (
            select(Sticker.status, Sticker.target_url, Place.slug, Place.name, Territory.slug)
            .add_columns(Sticker.expected_chip, Sticker.uid)
            .join(Place, Sticker.place_id == Place.id)
            .join(Territory, Place.territory_id == Territory.id)
            .where(Sticker.id == tag_id)
        )
        with self.database.sessions() as session:
            row = session.execute(query).first()
        if row is None:
            return None
        status, target, place_slug, place_name, territory_slug, chip, uid = row
        return StickerInfo(
            tag_id, status.value, place_slug, place_name, territory_slug, target, chip, uid
        )
