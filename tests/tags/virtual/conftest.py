"""Chips for byte-level tests: a sticker with a known UID, powered and selected."""

from __future__ import annotations

import pytest

from tags.chips import NTAG213
from tags.virtual.chip import Ntag21x
from tags.virtual.sticker import Sticker

# NXP's example UID from the datasheet's mirror section.
UID = bytes.fromhex("04E141124C2880")


def x(text: str) -> bytes:
    """Bytes from hex written with spaces, as in the datasheet."""
    return bytes.fromhex(text.replace(" ", ""))


def activate(chip: Ntag21x) -> None:
    """Power up and select the chip the way nfcpy's udp driver does."""
    if chip.session is None:
        chip.power_on()
    uid = chip.sticker.uid
    assert chip.handle(x("26")) == x("44 00")
    assert chip.handle(x("93 70 88") + uid[:3] + bytes([0x88 ^ uid[0] ^ uid[1] ^ uid[2]]))
    assert chip.handle(x("95 70") + uid[3:] + bytes([uid[3] ^ uid[4] ^ uid[5] ^ uid[6]])) == x("00")


def power_cycle(chip: Ntag21x) -> None:
    """Field off, field on, select again."""
    chip.power_off()
    activate(chip)


@pytest.fixture
def sticker() -> Sticker:
    """A blank NTAG213 with NXP's example UID."""
    return Sticker.blank(NTAG213, UID)


@pytest.fixture
def chip(sticker: Sticker) -> Ntag21x:
    """The sticker's chip, selected and ACTIVE."""
    chip = Ntag21x(sticker)
    activate(chip)
    return chip
