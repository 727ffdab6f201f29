"""A sticker's life: planned (issued), encoded (written by the field tool), installed, retired.

Encoding is recorded by the field tool's registration (services.batches); staff then mark it
installed where it hangs (optionally with a photo), and retired when it is taken down. A retired
sticker answers 410 to taps and can never come back: its code is spent.
"""

from __future__ import annotations

import datetime as dt

from server.errors import N_, Problem
from server.models import Sticker, StickerStatus


def install(sticker: Sticker, location: str | None, now: dt.datetime) -> None:
    """The sticker is up; `location` says where ("exit, left of the door")."""
    if sticker.status is StickerStatus.PLANNED:
        raise Problem(
            N_("sticker %(id)s is not encoded yet: write it with tagwriter first"),
            field="status",
            id=sticker.id,
        )
    if sticker.status is StickerStatus.RETIRED:
        raise Problem(
            N_("sticker %(id)s is retired; put up a new one"), field="status", id=sticker.id
        )
    sticker.status = StickerStatus.INSTALLED
    sticker.installed_at = sticker.installed_at or now
    if location:
        sticker.location = location[:200]


def retire(sticker: Sticker, now: dt.datetime) -> None:
    """The sticker is taken down (or lost, torn): its taps get the "retired" page from now on."""
    if sticker.status is StickerStatus.RETIRED:
        return
    sticker.status = StickerStatus.RETIRED
    sticker.retired_at = now
