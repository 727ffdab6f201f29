"""The NTAG 424 DNA behind ISO-DEP: APDUs in, answers out, for one activation.

What the chip remembers only while powered lives here (selection, authentication, the SDM read
of this activation); the sticker keeps the rest. ISO commands (CLA 00h) go to `iso`, native ones
(CLA 90h) to `native`, each function taking this object and the command.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from tags.ntag424 import apdu
from tags.ntag424.facts import NDEF_FILE
from tags.ntag424.filesettings import CommMode, FileSettings, data_comm_mode
from tags.ntag424.sun import COUNTER_MAX, FILLER_BYTES
from tags.virtual.ntag424 import iso, native, sdm
from tags.virtual.ntag424.secure import ChipSession, Refusal
from tags.virtual.ntag424.sticker import Ntag424Sticker

Random = Callable[[int], bytes]
Continuation = Callable[[bytes], tuple[int, bytes]]


@dataclass
class Activation:
    """Volatile state, lost when the field goes off."""

    application_selected: bool = False
    current_file: int | None = None
    session: ChipSession | None = None
    pending: Continuation | None = None  # what an AF command continues
    ndef_read: bool = False  # the NDEF file was read in this activation
    image: bytes | None = None  # the NDEF file as this activation shows it


class Ntag424Application:
    """The chip's application layer; `process` answers one command APDU."""

    def __init__(
        self,
        sticker: Ntag424Sticker,
        random: Random = os.urandom,
        eeprom_fails: Callable[[], bool] | None = None,
    ) -> None:
        self.sticker = sticker
        self.random = random
        self.eeprom_fails = eeprom_fails or (lambda: False)
        self.state = Activation()

    def process(self, command: bytes) -> bytes:
        """Answer one command APDU (data and status word)."""
        if len(command) < 4:
            return apdu.SW_WRONG_LENGTH
        if command[0] == apdu.ISO_CLA:
            self.state.pending = None
            return iso.process(self, command)
        if command[0] == apdu.NATIVE_CLA:
            return native.process(self, command)
        return apdu.SW_CLA_NOT_SUPPORTED

    # -- what the commands share ---------------------------------------------------------------
    def forget_authentication(self) -> None:
        """Drop the session (an error, another application, a key changed under it)."""
        self.state.session = None
        self.state.pending = None

    def settings(self, number: int) -> FileSettings:
        """A file's settings, or FILE_NOT_FOUND."""
        if not self.state.application_selected or number not in self.sticker.settings:
            raise Refusal(apdu.FILE_NOT_FOUND)
        return self.sticker.settings[number]

    def data_mode(self, number: int, write: bool) -> CommMode:
        """How a ReadData or WriteData on this file travels now, or a refusal."""
        session = self.state.session
        key_no = None if session is None else session.session.key_no
        mode = data_comm_mode(self.settings(number), key_no, write)
        if mode is None:
            raise Refusal(apdu.AUTHENTICATION_ERROR)
        return mode

    def read(self, number: int, offset: int, length: int) -> bytes:
        """File bytes as a read shows them (the SUN message mirrored into the NDEF file)."""
        data = self._view(number)
        if offset > len(data) or offset + length > len(data):
            raise Refusal(apdu.BOUNDARY_ERROR)
        stats = self.sticker.stats
        stats.reads += 1
        stats.last_access = "read"
        return data[offset : offset + length]

    def _view(self, number: int) -> bytes:
        sticker, state = self.sticker, self.state
        data = bytes(sticker.files[number])
        settings = sticker.settings[number]
        if number == NDEF_FILE and not state.ndef_read:
            state.ndef_read = True
            sticker.stats.activations_read += 1
        if number != NDEF_FILE or settings.sdm is None:
            return data
        if state.image is None:
            limit = settings.sdm.read_counter_limit
            if limit is not None and sticker.sdm_read_counter >= limit:
                raise Refusal(apdu.PERMISSION_DENIED)
            # SDMReadCtr goes up at the first read of the file in each activation.
            sticker.sdm_read_counter = min(sticker.sdm_read_counter + 1, COUNTER_MAX)
            state.image = sdm.mirror(
                data,
                settings.sdm,
                sticker.keys,
                sticker.uid,
                sticker.sdm_read_counter,
                self.random(FILLER_BYTES),
            )
        return state.image

    def write(self, number: int, offset: int, data: bytes) -> None:
        """Store file bytes, or refuse (beyond the end, or the EEPROM failing)."""
        file = self.sticker.files[number]
        if offset > len(file) or offset + len(data) > len(file):
            raise Refusal(apdu.BOUNDARY_ERROR)
        self.count_write()
        file[offset : offset + len(data)] = data
        if number == NDEF_FILE:
            self.state.image = None

    def count_write(self) -> None:
        """One non-volatile change about to be made, or MEMORY_ERROR if the EEPROM fails it."""
        if self.eeprom_fails():
            raise Refusal(apdu.MEMORY_ERROR)
        stats = self.sticker.stats
        stats.writes += 1
        stats.last_access = "write"
        stats.activations_read = 0
