"""One sticker in the reader's field, through nfcpy: activation, identification, NTAG commands.

Identification is activation (REQA, anticollision and select on both cascade levels of the 7-byte
UID) and one GET_VERSION, as NXP recommends. nfcpy's own tag activation first probes the
Ultralight C's AUTHENTICATE (1A 00), which an NTAG answers with a NAK, and then has to select
the chip again: four exchanges per sticker that tell nothing about an NTAG21x.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt2
import nfc.tag.tt2_nxp

from tags.chips import PAGE_SIZE, ChipProfile, UnknownChipError, chip_by_version
from tagwriter.errors import ReaderError, StickerGone, StickerRefused

GET_VERSION = b"\x60"
FAST_READ = 0x3A
READ = 0x30
READ_PAGES = 4  # a READ answers 16 bytes
NAK_INVALID = 0x0  # NAK 0h: invalid argument, also what a chip without the command answers
WRITE = 0xA2
READ_CNT = b"\x39\x02"
READ_SIG = b"\x3c\x00"
ACK = 0x0A
NAK_EEPROM = 0x5
# nfcpy waits 10 ms for its own GET_VERSION probe; a little more spares a busy laptop.
VERSION_TIMEOUT = 0.02
WRITE_TIMEOUT = 0.1  # as nfcpy's Type2Tag.write
POLL_INTERVAL = 0.15  # between two looks for a sticker when the reader answers at once
SAK_NAMES = {
    0x08: "a MIFARE Classic 1K",
    0x09: "a MIFARE Mini",
    0x18: "a MIFARE Classic 4K",
    0x20: "an ISO-DEP card or a phone",
    0x28: "a MIFARE Classic emulated by a card",
}
TAKE_NTAG = "take an NTAG213/215/216 sticker"


class Nak(Exception):
    """The chip answered a 4-bit NAK and fell back to IDLE: reactivate before the next command."""

    def __init__(self, code: int, command: bytes) -> None:
        super().__init__(f"NAK {code:X}h to {command.hex().upper()}")
        self.code = code


class NoAnswer(Exception):
    """No answer after nfcpy's retries: the sticker may be gone, or the link noisy."""


class TagLink:
    """An activated NTAG213/215/216 and the commands the field tool sends it."""

    def __init__(self, clf: nfc.ContactlessFrontend, target: nfc.clf.RemoteTarget) -> None:
        self.clf = clf
        self.target = target
        self.uid = bytes(target.sdd_res)
        self.writes = 0  # WRITEs acknowledged, whatever attempt they belonged to
        self.fast_read_refused = False
        self.profile, self.tag = self._identify()

    @property
    def max_pages(self) -> int:
        """Pages one FAST_READ may return through this reader."""
        return max(4, min(self.clf.max_recv_data_size - 2, 252) // PAGE_SIZE)

    def _identify(self) -> tuple[ChipProfile, nfc.tag.tt2.Type2Tag]:
        sak = self.target.sel_res[0] if self.target.sel_res else None
        if sak != 0x00 or len(self.uid) != 7:
            what = SAK_NAMES.get(sak or 0, f"a card with SAK {sak or 0:02X}h")
            raise StickerRefused(f"this is {what}, not an NTAG sticker: {TAKE_NTAG}")
        for attempt in range(2):
            try:
                version = bytes(self.clf.exchange(GET_VERSION, VERSION_TIMEOUT))
                break
            except nfc.clf.CommunicationError:
                # An Ultralight or NTAG203 stays silent, and a silent chip must be selected
                # again before anything else.
                self.reactivate()
                if attempt:
                    raise StickerRefused(
                        "this sticker does not answer GET_VERSION, so it is no NTAG21x "
                        f"(a MIFARE Ultralight or NTAG203?): {TAKE_NTAG}"
                    ) from None
        try:
            profile = chip_by_version(version)
        except UnknownChipError:
            known = nfc.tag.tt2_nxp.VERSION_MAP.get(version)
            name = known.__name__ if known else f"chip {version.hex().upper()}"
            raise StickerRefused(f"this sticker is an {name}: {TAKE_NTAG}") from None
        return profile, nfc.tag.tt2_nxp.VERSION_MAP[version](self.clf, self.target)

    def reactivate(self) -> None:
        """Power-cycle and select this sticker again, or raise StickerGone."""
        self.target.sel_req = self.target.sdd_res[:]
        found = self.clf.sense(self.target, iterations=1)
        if found is None:
            raise StickerGone("the sticker left the reader")
        self.target = found
        if hasattr(self, "tag"):
            self.tag._target = found  # nfcpy's tag object talks to the new activation

    def command(self, frame: bytes, timeout: float) -> bytes:
        """Send a raw command; return the answer, or raise Nak or NoAnswer."""
        try:
            answer = bytes(self.tag.transceive(frame, timeout=timeout))
        except nfc.tag.TagCommandError as error:
            raise NoAnswer(str(error)) from None
        if len(answer) == 1 and answer[0] != ACK:
            raise Nak(answer[0], frame)
        return answer

    def fast_read(self, start: int, end: int) -> bytes:
        """Pages `start` to `end` inclusive, in as few FAST_READs as the reader allows.

        A chip (or reader) that refuses FAST_READ with a NAK is read with READ instead, from
        then on: READ is mandatory on every Type 2 tag.
        """
        if not self.fast_read_refused:
            try:
                return self._fast_read(start, end)
            except Nak as nak:
                if nak.code != NAK_INVALID:
                    raise
                self.reactivate()  # a NAK sends the chip back to IDLE
                self.fast_read_refused = True
        return self.read(start, end)

    def read(self, start: int, end: int) -> bytes:
        """Pages `start` to `end` inclusive with READ, four pages at a time."""
        data = b""
        for page in range(start, end + 1, READ_PAGES):
            answer = self.command(bytes([READ, page]), 0.01)
            if len(answer) != READ_PAGES * PAGE_SIZE:
                raise NoAnswer(f"READ {page:02X}h gave {len(answer)} bytes")
            data += answer
        return data[: (end - start + 1) * PAGE_SIZE]  # READ wraps past the last page

    def _fast_read(self, start: int, end: int) -> bytes:
        data = b""
        while start <= end:
            last = min(end, start + self.max_pages - 1)
            pages = last - start + 1
            # About 0.4 ms per page at 106 kbit/s, and the chip's own reply time.
            answer = self.command(bytes([FAST_READ, start, last]), 0.01 + 0.0005 * pages)
            if len(answer) != pages * PAGE_SIZE:
                raise NoAnswer(f"FAST_READ {start:02X}h-{last:02X}h gave {len(answer)} bytes")
            data += answer
            start = last + 1
        return data

    def write(self, page: int, data: bytes) -> None:
        """WRITE one page; Nak or NoAnswer when the chip does not acknowledge."""
        answer = self.command(bytes([WRITE, page]) + data, WRITE_TIMEOUT)
        if answer != bytes([ACK]):
            raise NoAnswer(f"WRITE {page:02X}h answered {answer.hex()}")
        self.writes += 1

    def authenticate(self, password: bytes) -> bool:
        """PWD_AUTH with nfcpy's own password format (PWD then PACK); False if refused."""
        accepted = bool(self.tag.authenticate(password))
        if not accepted:
            self.reactivate()  # a refused PWD_AUTH sends the chip back to IDLE
        return accepted

    def _optional(self, frame: bytes, timeout: float) -> bytes | None:
        """The answer to a command the chip may refuse; None (and the chip selected) if so."""
        try:
            return self.command(frame, timeout)
        except (Nak, NoAnswer):
            self.reactivate()
            return None

    def signature(self) -> bytes | None:
        """The 32-byte originality signature, or None if the chip did not give it."""
        answer = self._optional(READ_SIG, 0.02)
        return answer if answer is not None and len(answer) == 32 else None

    def counter(self) -> int | None:
        """The NFC counter (READ_CNT), or None when the chip keeps it behind the password."""
        answer = self._optional(READ_CNT, 0.01)
        return None if answer is None else int.from_bytes(answer[:3], "little")


def wait_for_sticker(
    clf: nfc.ContactlessFrontend,
    timeout: float | None = None,
    skip: Callable[[bytes], bool] = lambda uid: False,
    empty: Callable[[], None] = lambda: None,
) -> nfc.clf.RemoteTarget | None:
    """The next Type A target in the field (not one `skip` rejects); None after `timeout`.

    `empty` is called each time the field is found empty.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        started = time.monotonic()
        try:
            target = clf.sense(nfc.clf.RemoteTarget("106A"), iterations=1)
        except OSError:
            raise ReaderError(
                "the reader stopped answering (unplugged?): plug it back in and run the "
                "same command again"
            ) from None
        if target is None:
            empty()
        elif not skip(bytes(target.sdd_res or b"")):
            return target
        # USB readers answer at once when the field is empty: do not spin.
        time.sleep(max(0.0, POLL_INTERVAL - (time.monotonic() - started)))
    return None
