"""One NTAG21x in the RF field: power, ISO/IEC 14443-3 activation, then the NTAG commands.

States as in the datasheet: IDLE and HALT (waiting), READY1 and READY2 (cascade levels 1 and 2
of the 7-byte UID), ACTIVE (with or without authentication). A NAK or an unexpected frame sends
the chip back to its waiting state, IDLE, or HALT once it has been halted in this power-up.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from tags.virtual.commands import COMMANDS, compatibility_write_data
from tags.virtual.session import NAK_CRC_ERROR, NAK_INVALID_ARGUMENT, Nak, Session
from tags.virtual.sticker import Sticker
from tags.virtual.uid import CASCADE_TAG, bcc0, bcc1

REQA = b"\x26"
WUPA = b"\x52"
HLTA = b"\x50\x00"
ATQA = b"\x44\x00"  # 0044h, least significant byte first
SAK_UID_INCOMPLETE = b"\x04"
SAK_COMPLETE = b"\x00"
SEL_CL1, SEL_CL2 = 0x93, 0x95
NVB_ANTICOLLISION, NVB_SELECT = 0x20, 0x70


class State(enum.Enum):
    """Where the chip is in its state diagram."""

    OFF = "off"
    IDLE = "idle"
    HALT = "halt"
    READY1 = "ready1"
    READY2 = "ready2"
    ACTIVE = "active"


class Ntag21x:
    """The chip: feed it the reader's frames with `handle`, get its answer (None: silence)."""

    def __init__(self, sticker: Sticker, eeprom_fails: Callable[[], bool] | None = None) -> None:
        self.sticker = sticker
        self.eeprom_fails = eeprom_fails or (lambda: False)
        self.state = State.OFF
        self.session: Session | None = None
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

    @property
    def authenticated(self) -> bool:
        """True after a successful PWD_AUTH in this activation."""
        return self.session is not None and self.session.authenticated

    def power_on(self) -> None:
        """Power-on reset: latch the configuration, forget authentication, go IDLE."""
        self.session = Session(self.sticker, eeprom_fails=self.eeprom_fails)
        self.state = self._waiting = State.IDLE
        self.sticker.stats.power_ups += 1

    def power_off(self) -> None:
        """The field is gone: everything volatile is lost."""
        self.session = None
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
            return self._cascade_level(frame, SEL_CL2, 1, State.ACTIVE, SAK_COMPLETE)
        return self._command(frame)

    def refused_frame(self) -> bytes | None:
        """A command this chip lacks (see Faults.refused_commands): NAK 0h when active."""
        if self.state is not State.ACTIVE:
            return None
        self.sticker.stats.exchanges += 1
        self._fall_back()
        return bytes([NAK_INVALID_ARGUMENT])

    def damaged_frame(self) -> bytes | None:
        """A frame arrived with a bad CRC: an active chip answers NAK 1h, others stay silent."""
        if self.state is State.OFF:
            return None
        self.sticker.stats.exchanges += 1
        if self.state is not State.ACTIVE:
            return None
        self._fall_back()
        return bytes([NAK_CRC_ERROR])

    def _wake(self, frame: bytes) -> bytes | None:
        if frame == WUPA or (frame == REQA and self.state is State.IDLE):
            self.state = State.READY1
            return ATQA
        return None

    def _cascade_level(
        self, frame: bytes, sel: int, level: int, next_state: State, sak: bytes
    ) -> bytes | None:
        expected = self._cascade[level]
        if frame == bytes([sel, NVB_ANTICOLLISION]):
            return expected
        if frame == bytes([sel, NVB_SELECT]) + expected:
            self.state = next_state
            return sak
        self._fall_back()
        return None

    def _command(self, frame: bytes) -> bytes | None:
        assert self.session is not None
        try:
            if self.session.compat_write_page is not None:
                return compatibility_write_data(self.session, frame)
            if frame == HLTA:
                self._fall_back()
                self.state = self._waiting = State.HALT
                return None
            handler = COMMANDS.get(frame[0]) if frame else None
            if handler is None:
                raise Nak(NAK_INVALID_ARGUMENT)
            return handler(self.session, frame)
        except Nak as nak:
            self._fall_back()
            return bytes([nak.code])

    def _fall_back(self) -> None:
        """Back to the waiting state; authentication and a pending write are forgotten."""
        self.state = self._waiting
        if self.session is not None:
            self.session.authenticated = False
            self.session.compat_write_page = None
