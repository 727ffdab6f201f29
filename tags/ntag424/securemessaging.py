"""EV2 secure messaging (NT4H2421Gx §9.1.9, AN12196 §5): CommMode.MAC and CommMode.FULL.

After AuthenticateEV2First every command and answer carries the 2-byte command counter CmdCtr
(least significant byte first) and the transaction identifier TI in its MAC:

    command MAC   = MACt(SesAuthMACKey, Ins || CmdCtr || TI || CmdHeader || CmdData)
    answer MAC    = MACt(SesAuthMACKey, RC || CmdCtr + 1 || TI || RespData)

where MACt keeps the odd bytes of the CMAC. In CommMode.FULL the data is also encrypted,
AES-CBC under SesAuthENCKey with padding method 2 always added, and the IVs are
E(SesAuthENCKey, A55Ah || TI || CmdCtr || 0^8) for a command and 5AA5h for an answer (with the
counter already incremented). The counter goes up by one after each command in the session,
whatever its CommMode.
"""

from __future__ import annotations

from dataclasses import dataclass

from tags.ntag424.aes import (
    BLOCK,
    cbc_decrypt,
    cbc_encrypt,
    cmac8,
    encrypt_block,
    pad,
    same,
    unpad,
)
from tags.ntag424.ev2 import Session
from tags.ntag424.filesettings import CommMode

COMMAND_IV_LABEL = bytes.fromhex("A55A")
RESPONSE_IV_LABEL = bytes.fromhex("5AA5")
MAC_BYTES = 8
COUNTER_MAX = 0xFFFF


class IntegrityError(ValueError):
    """A MAC does not match or encrypted data does not decrypt: the exchange was tampered with."""


def counter_bytes(counter: int) -> bytes:
    """CmdCtr as it enters IVs and MACs."""
    return counter.to_bytes(2, "little")


def command_iv(session: Session, counter: int) -> bytes:
    """IV of a command's encrypted data."""
    vector = COMMAND_IV_LABEL + session.ti + counter_bytes(counter)
    return encrypt_block(session.enc_key, vector + bytes(BLOCK - len(vector)))


def response_iv(session: Session, counter: int) -> bytes:
    """IV of an answer's encrypted data (`counter` already incremented)."""
    vector = RESPONSE_IV_LABEL + session.ti + counter_bytes(counter)
    return encrypt_block(session.enc_key, vector + bytes(BLOCK - len(vector)))


def command_mac(session: Session, counter: int, ins: int, header: bytes, data: bytes) -> bytes:
    """MACt of a command (data already encrypted in CommMode.FULL)."""
    message = bytes([ins]) + counter_bytes(counter) + session.ti + header + data
    return cmac8(session.mac_key, message)


def response_mac(session: Session, counter: int, status: int, data: bytes) -> bytes:
    """MACt of an answer (`counter` already incremented, data already encrypted)."""
    message = bytes([status]) + counter_bytes(counter) + session.ti + data
    return cmac8(session.mac_key, message)


def encrypt(session: Session, iv: bytes, data: bytes) -> bytes:
    """Pad and encrypt command or answer data."""
    return cbc_encrypt(session.enc_key, iv, pad(data))


def decrypt(session: Session, iv: bytes, data: bytes) -> bytes:
    """Decrypt and unpad, or raise IntegrityError."""
    if not data or len(data) % BLOCK:
        raise IntegrityError("encrypted data is not a whole number of 16-byte blocks")
    try:
        return unpad(cbc_decrypt(session.enc_key, iv, data))
    except ValueError as error:
        raise IntegrityError(str(error)) from None


@dataclass
class SecureChannel:
    """The reader's end of an authenticated session: wraps commands, checks and opens answers."""

    session: Session
    counter: int = 0

    def wrap(
        self, ins: int, header: bytes = b"", data: bytes = b"", mode: CommMode = CommMode.FULL
    ) -> bytes:
        """The command data field to send: header, data as `mode` wants it, MACt."""
        if mode is CommMode.PLAIN:
            return header + data
        if mode is CommMode.FULL and data:
            data = encrypt(self.session, command_iv(self.session, self.counter), data)
        return header + data + command_mac(self.session, self.counter, ins, header, data)

    def unwrap(self, status: int, body: bytes, mode: CommMode = CommMode.FULL) -> bytes:
        """Check a successful answer's MAC, decrypt it, count the command; or IntegrityError."""
        following = self.counter + 1
        if mode is CommMode.PLAIN:
            self.counter = following
            return body
        if len(body) < MAC_BYTES:
            raise IntegrityError("the chip's answer lacks its MAC")
        data, mac = body[:-MAC_BYTES], body[-MAC_BYTES:]
        if not same(response_mac(self.session, following, status, data), mac):
            raise IntegrityError("the chip's answer has a wrong MAC")
        if mode is CommMode.FULL and data:
            data = decrypt(self.session, response_iv(self.session, following), data)
        self.counter = following
        return data
