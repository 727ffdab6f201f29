"""Test doubles on nfcpy's udp link: a recorder of the frames a tool sends, and a MIFARE Classic."""

from __future__ import annotations

from tags.virtual.link import Address, FrameHandler

REQA, WUPA = b"\x26", b"\x52"


class Recorder:
    """Passes frames to a reader (or any handler) and keeps each command nfcpy sent.

    `answers` holds the handler's answer to each frame (None where it stayed silent).
    """

    def __init__(self, handler: FrameHandler) -> None:
        self.handler = handler
        self.frames: list[bytes] = []
        self.answers: list[bytes | None] = []

    def frame(self, frame: bytes, client: Address) -> bytes | None:
        """Record, then let the handler answer."""
        self.frames.append(frame)
        answer = self.handler.frame(frame, client)
        self.answers.append(answer)
        return answer

    def rf_off(self, client: Address) -> None:
        """Pass the field-off on."""
        self.handler.rf_off(client)


class MifareClassic:
    """A MIFARE Classic 1K as far as activation goes: ATQA 0004, 4-byte UID, SAK 08."""

    UID = bytes.fromhex("DEADBEEF")

    def __init__(self) -> None:
        self.bcc = self.UID[0] ^ self.UID[1] ^ self.UID[2] ^ self.UID[3]

    def frame(self, frame: bytes, client: Address) -> bytes | None:
        """Answer activation; stay silent to anything else, as an unauthenticated Classic."""
        if frame in (REQA, WUPA):
            return b"\x04\x00"
        if frame == b"\x93\x20":
            return self.UID + bytes([self.bcc])
        if frame == b"\x93\x70" + self.UID + bytes([self.bcc]):
            return b"\x08"
        return None

    def rf_off(self, client: Address) -> None:
        """Nothing to forget."""


def iso_dep_exchanges(
    frames: list[bytes], answers: list[bytes | None]
) -> list[tuple[bytes, bytes]]:
    """The APDUs in recorded ISO-DEP I-blocks with their answers, chained blocks joined.

    Activation frames, presence checks and other R- and S-blocks are left out.
    """
    exchanges: list[tuple[bytes, bytes]] = []
    command, answer = b"", None
    for frame, reply in zip(frames, answers, strict=True):
        pcb = frame[0]
        if pcb & 0xE2 == 0x02:  # an I-block from the reader
            command += frame[1:]
            if pcb & 0x10:
                continue  # more of the command follows; the chip answered R(ACK)
            answer = b""
        elif pcb & 0xF6 != 0xA2 or answer is None:
            continue  # not an R(ACK) asking for more of an answer
        if reply and reply[0] & 0xE2 == 0x02:
            answer += reply[1:]
            if not reply[0] & 0x10:
                exchanges.append((command, answer))
                command, answer = b"", None
    return exchanges
