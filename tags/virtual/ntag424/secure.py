"""The chip's end of EV2 secure messaging: commands checked and opened, answers sealed."""

from __future__ import annotations

from dataclasses import dataclass

from tags.ntag424 import apdu
from tags.ntag424.aes import same
from tags.ntag424.ev2 import Session
from tags.ntag424.filesettings import CommMode
from tags.ntag424.securemessaging import (
    MAC_BYTES,
    IntegrityError,
    command_iv,
    command_mac,
    decrypt,
    encrypt,
    response_iv,
    response_mac,
)


class Refusal(Exception):
    """The chip answers a native command with an error status (and forgets authentication)."""

    def __init__(self, status: int) -> None:
        super().__init__(apdu.STATUS_TEXT.get(status, f"status {status:02X}h"))
        self.status = status


@dataclass
class ChipSession:
    """An authenticated session as the chip holds it."""

    session: Session
    counter: int = 0

    def open(
        self, ins: int, body: bytes, header_length: int, mode: CommMode
    ) -> tuple[bytes, bytes]:
        """Split a command into header and data, checking its MAC and decrypting in FULL mode."""
        if mode is CommMode.PLAIN:
            return body[:header_length], body[header_length:]
        if len(body) < header_length + MAC_BYTES:
            raise Refusal(apdu.LENGTH_ERROR)
        header = body[:header_length]
        data, mac = body[header_length:-MAC_BYTES], body[-MAC_BYTES:]
        if not same(command_mac(self.session, self.counter, ins, header, data), mac):
            raise Refusal(apdu.INTEGRITY_ERROR)
        if mode is CommMode.FULL and data:
            try:
                data = decrypt(self.session, command_iv(self.session, self.counter), data)
            except IntegrityError:
                raise Refusal(apdu.INTEGRITY_ERROR) from None
        return header, data

    def seal(self, data: bytes, mode: CommMode) -> bytes:
        """Count the command, then encrypt and MAC a successful answer as `mode` wants."""
        self.counter += 1
        if mode is CommMode.PLAIN:
            return data
        if mode is CommMode.FULL and data:
            data = encrypt(self.session, response_iv(self.session, self.counter), data)
        return data + response_mac(self.session, self.counter, apdu.OK, data)
