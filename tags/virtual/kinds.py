"""The two kinds of virtual sticker, NTAG21x and NTAG 424 DNA, for the reader, rolls and files.

Everything that holds stickers of either kind asks here which chip a sticker needs, how a blank
one of a profile is made and how a saved one comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tags.chips import ChipProfile, chip_by_name
from tags.ntag424.facts import NTAG424DNA, Ntag424Profile
from tags.virtual.chip import Ntag21x
from tags.virtual.ntag424.chip import Ntag424Chip
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tags.virtual.sticker import Sticker

AnySticker = Sticker | Ntag424Sticker
AnyChip = Ntag21x | Ntag424Chip
AnyProfile = ChipProfile | Ntag424Profile


def profile_by_name(name: str) -> AnyProfile:
    """The profile of "ntag213" ... "ntag216" or "ntag424dna", or UnknownChipError."""
    if name.lower() == NTAG424DNA.key:
        return NTAG424DNA
    return chip_by_name(name)


def blank_sticker(profile: AnyProfile, uid: bytes | None = None) -> AnySticker:
    """A factory-fresh sticker of `profile`."""
    if isinstance(profile, Ntag424Profile):
        return Ntag424Sticker.blank(uid)
    return Sticker.blank(profile, uid)


def chip_for(sticker: AnySticker, eeprom_fails: Callable[[], bool]) -> AnyChip:
    """The chip that answers for `sticker` on the reader."""
    if isinstance(sticker, Ntag424Sticker):
        return Ntag424Chip(sticker, eeprom_fails)
    return Ntag21x(sticker, eeprom_fails)


def sticker_from_dict(data: dict[str, Any]) -> AnySticker:
    """A sticker saved by its to_dict, of either kind, or StickerStateError."""
    if data.get("chip") == NTAG424DNA.key:
        return Ntag424Sticker.from_dict(data)
    return Sticker.from_dict(data)
