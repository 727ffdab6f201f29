"""A roll of blank stickers: the next one comes off when the current one is taken away."""

from __future__ import annotations

import random

from tags.virtual.kinds import AnyProfile, AnySticker, blank_sticker
from tags.virtual.uid import random_uid


class RollEmptyError(LookupError):
    """Every sticker of the roll has been used."""


class Roll:
    """Blank stickers of one chip, each with its own UID; `count` None means endless."""

    def __init__(
        self,
        profile: AnyProfile,
        count: int | None = None,
        seed: int | None = None,
        used: list[AnySticker] | None = None,
    ) -> None:
        self.profile = profile
        self.count = count
        self.stickers: list[AnySticker] = list(used or [])
        self._rng = random.Random(seed) if seed is not None else None
        self._uids = {sticker.uid for sticker in self.stickers}

    @property
    def remaining(self) -> int | None:
        """Blank stickers left (None for an endless roll)."""
        return None if self.count is None else max(0, self.count - len(self.stickers))

    def take(self) -> AnySticker:
        """Peel off the next blank sticker, or raise RollEmptyError."""
        if self.remaining == 0:
            raise RollEmptyError(f"all {self.count} stickers of the roll are used")
        uid = random_uid(self._rng)
        while uid in self._uids:
            uid = random_uid(self._rng)
        self._uids.add(uid)
        sticker = blank_sticker(self.profile, uid)
        self.stickers.append(sticker)
        return sticker
