"""Test doubles on nfcpy's udp link: a recorder of the frames a tool sends, and a MIFARE Classic."""

from __future__ import annotations

from tags.virtual.link import Address, FrameHandler

REQA, WUPA = b"\x26", b"\x52"


class Recorder:
    """Passes frames to a reader (or any handler) and keeps each command nfcpy sent."""

    def __init__(self, handler: FrameHandler) -> None:
        self.handler = handler
        self.frames: list[bytes] = []

    def frame(self, frame: bytes, client: Address) -> bytes | None:
        """Record, then let the handler answer."""
        self.frames.append(frame)
        return self.handler.frame(frame, client)

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
