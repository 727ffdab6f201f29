"""One NTAG 424 DNA in the RF field: ISO/IEC 14443-3A activation, RATS, then ISO-DEP.

States as in ISO/IEC 14443-3: IDLE and HALT (waiting), READY1 and READY2 (the two cascade levels
of the 7-byte UID), ACTIVE (selected, SAK 20h: ISO-DEP offered), then PROTOCOL once RATS has been
answered with the ATS. An unexpected frame before PROTOCOL sends the chip back to its waiting
state; S(DESELECT) sends it to HALT.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable

from tags.ntag424.facts import ATQA, ATS, SAK, SAK_UID_INCOMPLETE
from tags.virtual.ntag424.application import Ntag424Application, Random
from tags.virtual.ntag424.isodep import IsoDep, fsd
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tags.virtual.uid import CASCADE_TAG, bcc0, bcc1

REQA = b"\x26"
WUPA = b"\x52"
HLTA = b"\x50\x00"
RATS = 0xE0
SEL_CL1, SEL_CL2 = 0x93, 0x95
NVB_ANTICOLLISION, NVB_SELECT = 0x20, 0x70


class State(enum.Enum):
    """Where the chip is in ISO/IEC 14443-3 and -4."""

    OFF = "off"
    IDLE = "idle"
    HALT = "halt"
    READY1 = "ready1"
    READY2 = "ready2"
    ACTIVE = "active"
    PROTOCOL = "protocol"


class Ntag424Chip:
    """The chip: feed it the reader's frames with `handle`, get its answer (None: silence).

    `random` draws RndB, TI and the PICC data filler (tests pass NXP's example values).
    """

    def __init__(
        self,
        sticker: Ntag424Sticker,
        eeprom_fails: Callable[[], bool] | None = None,
        random: Random = os.urandom,
    ) -> None:
        self.sticker = sticker
        self.eeprom_fails = eeprom_fails
        self.random = random
        self.state = State.OFF
        self.application: Ntag424Application | None = None
        self.isodep: IsoDep | None = None
        self._waiting = State.IDLE
        uid = sticker.uid
        self._cascade = (
            bytes([CASCADE_TAG]) + uid[0:3] + bytes([bcc0(uid)]),
            uid[3:7] + bytes([bcc1(uid)]),
        )

    @property
    def powered(self) -> bool:
        """True while the field is on."""
        return self.state is not State.OFF

    def power_on(self) -> None:
        """Power-on reset: a new activation, nothing volatile kept."""
        self.application = Ntag424Application(self.sticker, self.random, self.eeprom_fails)
        self.isodep = None
        self.state = self._waiting = State.IDLE
        self.sticker.stats.power_ups += 1

    def power_off(self) -> None:
        """The field is gone."""
        self.application = self.isodep = None
        self.state = State.OFF

    def handle(self, frame: bytes) -> bytes | None:
        """Process one frame from the reader and return the chip's answer, or None."""
        if self.state is State.OFF:
            return None
        self.sticker.stats.exchanges += 1
        if self.state in (State.IDLE, State.HALT):
            return self._wake(frame)
        if self.state is State.READY1:
            return self._cascade_level(frame, SEL_CL1, 0, State.READY2, SAK_UID_INCOMPLETE)
        if self.state is State.READY2:
            return self._cascade_level(frame, SEL_CL2, 1, State.ACTIVE, SAK)
        if self.state is State.ACTIVE:
            return self._rats(frame)
        assert self.isodep is not None
        answer = self.isodep.block(frame)
        if self.isodep.deselected:
            self._halt()
        return answer

    def damaged_frame(self) -> bytes | None:
        """A frame with a bad CRC: ISO-DEP ignores it (the reader times out and asks again)."""
        if self.state is not State.OFF:
            self.sticker.stats.exchanges += 1
        if self.state in (State.READY1, State.READY2, State.ACTIVE):
            self._fall_back()
        return None

    def _wake(self, frame: bytes) -> bytes | None:
        if frame == WUPA or (frame == REQA and self.state is State.IDLE):
            self.state = State.READY1
            return ATQA
        return None

    def _cascade_level(
        self, frame: bytes, sel: int, level: int, next_state: State, sak: int
    ) -> bytes | None:
        expected = self._cascade[level]
        if frame == bytes([sel, NVB_ANTICOLLISION]):
            return expected
        if frame == bytes([sel, NVB_SELECT]) + expected:
            self.state = next_state
            return bytes([sak])
        self._fall_back()
        return None

    def _rats(self, frame: bytes) -> bytes | None:
        if frame == HLTA:
            self._halt()
            return None
        if len(frame) != 2 or frame[0] != RATS:
            self._fall_back()
            return None
        assert self.application is not None
        self.isodep = IsoDep(self.application.process, fsd(frame[1]))
        self.state = State.PROTOCOL
        return ATS

    def _fall_back(self) -> None:
        self.state = self._waiting

    def _halt(self) -> None:
        self.state = self._waiting = State.HALT
        self.isodep = None
        self.application = Ntag424Application(self.sticker, self.random, self.eeprom_fails)
