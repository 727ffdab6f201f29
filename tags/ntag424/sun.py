"""SUN messages of the NTAG 424 DNA in AES mode (NXP AN12196 §3): what the chip mirrors, checked.

At every tap the chip writes into its URL the encrypted PICC data (PICCDataTag, UID and SDM read
counter under K_SDMMetaRead), optionally encrypted file data, and a MAC truncated to 8 bytes under
a session key derived from K_SDMFileRead, the UID and the counter. The MAC covers the URL's ASCII
text from SDMMACInputOffset up to the MAC itself: nothing when both offsets are equal (AN12196's
first example), the encrypted file data and the text after it otherwise (its second example).

This module both produces (for the virtual chip) and checks (for the server) those values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import cmac as _cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from tags.ntag424.aes import (
    BLOCK,
    ZERO_IV,
    KeptKey,
    cbc_decrypt,
    cbc_encrypt,
    cmac,
    cmac8,
    encrypt_block,
    same,
    truncate,
)

PICC_DATA_BYTES = 16
# LRP mode (AN12304) is not supported: a chip switched to it (for good) mirrors PICCRand (8
# bytes) before 16 bytes of LRP-encrypted PICC data, and MACs with LRP instead of AES-CMAC.
LRP_PICC_DATA_BYTES = 24
LRP_REFUSED = (
    "24-byte PICC data: this chip is in LRP mode (NXP AN12304), which TapTrail does not "
    "support; use NTAG 424 DNA stickers in their factory AES mode"
)
UID_BYTES = 7
COUNTER_BYTES = 3
COUNTER_MAX = 0xFFFFFF
MAC_BYTES = 8
# PICCDataTag: bit 7 UID mirrored, bit 6 read counter mirrored, bits 3-0 the UID length.
UID_MIRRORED = 0x80
COUNTER_MIRRORED = 0x40
UID_LENGTH_MASK = 0x0F
# Session vectors of the SDM keys (AN12196 §3.3): label, then UID and counter, zero padded.
SV_ENC_LABEL = bytes.fromhex("C33C00010080")
SV_MAC_LABEL = bytes.fromhex("3CC300010080")
FILLER_BYTES = PICC_DATA_BYTES - 1 - UID_BYTES - COUNTER_BYTES
_UID_AND_COUNTER = UID_MIRRORED | COUNTER_MIRRORED | UID_BYTES  # PICCDataTag C7h

_HEX = re.compile(r"[0-9A-Fa-f]*")


class SunError(ValueError):
    """A SUN message is malformed or does not verify."""


@dataclass(frozen=True)
class PiccData:
    """What the chip mirrored: its UID and SDM read counter (None when not mirrored)."""

    uid: bytes | None
    counter: int | None


@dataclass(frozen=True)
class SessionKeys:
    """SesSDMFileReadENCKey and SesSDMFileReadMACKey of one tap."""

    enc: bytes
    mac: bytes


@dataclass(frozen=True)
class SunTap:
    """A verified SUN message: the UID, the read counter and the decrypted file data if any."""

    uid: bytes | None
    counter: int | None
    file_data: bytes | None = None


def counter_bytes(counter: int) -> bytes:
    """SDMReadCtr as the chip uses it in cryptograms: 3 bytes, least significant first."""
    if not 0 <= counter <= COUNTER_MAX:
        raise SunError(f"the SDM read counter is 24 bits, {counter} is out of range")
    return counter.to_bytes(COUNTER_BYTES, "little")


def counter_text(counter: int) -> str:
    """SDMReadCtr as the chip mirrors it in ASCII: 6 hex digits, most significant first."""
    return counter_bytes(counter)[::-1].hex().upper()


def picc_length_error(length: int) -> SunError:
    """Why PICC data of `length` bytes is refused: LRP mode named when its length says so."""
    if length == LRP_PICC_DATA_BYTES:
        return SunError(LRP_REFUSED)
    return SunError(f"encrypted PICC data has 16 bytes (32 hex digits) in AES mode, not {length}")


def parse_hex(text: str, size: int, name: str) -> bytes:
    """`size` bytes from exactly 2 * `size` hex digits, or SunError naming the field."""
    if len(text) != 2 * size or not _HEX.fullmatch(text):
        raise SunError(f"the {name} must be {2 * size} hexadecimal digits, got {text!r}")
    return bytes.fromhex(text)


def picc_data_tag(uid: bytes | None, counter: int | None) -> int:
    """PICCDataTag for what is mirrored."""
    tag = 0
    if uid is not None:
        tag |= UID_MIRRORED | len(uid)
    if counter is not None:
        tag |= COUNTER_MIRRORED
    return tag


def encrypt_picc_data(
    meta_read_key: bytes, uid: bytes | None, counter: int | None, filler: bytes
) -> bytes:
    """E(K_SDMMetaRead, PICCDataTag || UID || SDMReadCtr || filler): what the chip mirrors.

    The chip fills the block with random bytes, so the same tap never encrypts alike.
    """
    plain = bytes([picc_data_tag(uid, counter)])
    plain += uid or b""
    plain += counter_bytes(counter) if counter is not None else b""
    plain += filler
    if len(plain) != PICC_DATA_BYTES:
        raise SunError("PICC data is one 16-byte block: give filler for what is not mirrored")
    return cbc_encrypt(meta_read_key, ZERO_IV, plain)


def decrypt_picc_data(meta_read_key: bytes, encrypted: bytes) -> PiccData:
    """Decrypt PICC data with K_SDMMetaRead (AN12196 §3.4.2), or raise SunError."""
    if len(encrypted) != PICC_DATA_BYTES:
        raise picc_length_error(len(encrypted))
    return read_picc_data(cbc_decrypt(meta_read_key, ZERO_IV, encrypted))


def read_picc_data(plain: bytes) -> PiccData:
    """What decrypted PICC data holds (AN12196 §3.4.2), or SunError if it cannot be ours."""
    tag, rest = plain[0], plain[1:]
    uid = counter = None
    if tag & UID_MIRRORED:
        if tag & UID_LENGTH_MASK != UID_BYTES:
            raise SunError("the PICC data does not decrypt to a 7-byte UID: wrong key or forged")
        uid, rest = rest[:UID_BYTES], rest[UID_BYTES:]
    if tag & COUNTER_MIRRORED:
        counter = int.from_bytes(rest[:COUNTER_BYTES], "little")
    if uid is None and counter is None:
        raise SunError("the PICC data mirrors neither UID nor counter: wrong key or forged")
    return PiccData(uid, counter)


def session_vector(label: bytes, uid: bytes | None, counter: int | None) -> bytes:
    """SV1 or SV2: label || UID || SDMReadCtr, zero padded to a whole block."""
    vector = label + (uid or b"") + (counter_bytes(counter) if counter is not None else b"")
    return vector + bytes(-len(vector) % BLOCK)


def session_keys(file_read_key: bytes, uid: bytes | None, counter: int | None) -> SessionKeys:
    """The SDM session keys of one tap, from K_SDMFileRead (AN12196 §3.3)."""
    return SessionKeys(
        enc=cmac(file_read_key, session_vector(SV_ENC_LABEL, uid, counter)),
        mac=cmac(file_read_key, session_vector(SV_MAC_LABEL, uid, counter)),
    )


def sdm_mac(
    file_read_key: bytes, uid: bytes | None, counter: int | None, mac_input: bytes = b""
) -> bytes:
    """SDMMAC: the truncated CMAC of the MAC input under SesSDMFileReadMACKey."""
    return cmac8(session_keys(file_read_key, uid, counter).mac, mac_input)


def file_data_iv(enc_key: bytes, counter: int | None) -> bytes:
    """IVe = E(SesSDMFileReadENCKey, SDMReadCtr || 13 zero bytes) (AN12196 §3.4.3)."""
    start = counter_bytes(counter) if counter is not None else b""
    return encrypt_block(enc_key, start + bytes(BLOCK - len(start)))


def encrypt_file_data(
    file_read_key: bytes, uid: bytes | None, counter: int | None, data: bytes
) -> bytes:
    """SDMENCFileData: the file's plaintext (whole blocks) encrypted for this tap."""
    if not data or len(data) % BLOCK:
        raise SunError("encrypted file data is a whole number of 16-byte blocks")
    enc = session_keys(file_read_key, uid, counter).enc
    return cbc_encrypt(enc, file_data_iv(enc, counter), data)


def decrypt_file_data(
    file_read_key: bytes, uid: bytes | None, counter: int | None, encrypted: bytes
) -> bytes:
    """Decrypt SDMENCFileData (AN12196 §3.4.3), or raise SunError if it is not whole blocks."""
    if not encrypted or len(encrypted) % BLOCK:
        raise SunError("encrypted file data is a whole number of 16-byte blocks")
    enc = session_keys(file_read_key, uid, counter).enc
    return cbc_decrypt(enc, file_data_iv(enc, counter), encrypted)


FileReadKey = bytes | Callable[[bytes | None], bytes]


def verify_sun(
    meta_read_key: bytes,
    file_read_key: FileReadKey,
    picc_data: bytes,
    mac: bytes,
    mac_input: bytes = b"",
    encrypted_file_data: bytes | None = None,
) -> SunTap:
    """Check a SUN message with encrypted PICC data; return the tap or raise SunError.

    `file_read_key` is the key itself or a function of the decrypted UID (per-sticker keys).
    `mac_input` is the URL text the MAC covers (empty when SDMMACInputOffset = SDMMACOffset).
    """
    picc = decrypt_picc_data(meta_read_key, picc_data)
    key = file_read_key(picc.uid) if callable(file_read_key) else file_read_key
    if not same(sdm_mac(key, picc.uid, picc.counter, mac_input), mac):
        raise SunError("the SUN message's MAC does not match: a copied, altered or foreign tap")
    file_data = None
    if encrypted_file_data is not None:
        file_data = decrypt_file_data(key, picc.uid, picc.counter, encrypted_file_data)
    return SunTap(picc.uid, picc.counter, file_data)


def verify_plain_sun(
    file_read_key: bytes, uid: bytes | None, counter: int | None, mac: bytes, mac_input: bytes = b""
) -> SunTap:
    """Check a SUN message whose UID and counter are mirrored in plain text (SDMMetaRead = Eh)."""
    if uid is None and counter is None:
        raise SunError("a plain SUN message mirrors the UID, the counter or both")
    if not same(sdm_mac(file_read_key, uid, counter, mac_input), mac):
        raise SunError("the SUN message's MAC does not match: a copied, altered or foreign tap")
    return SunTap(uid, counter)


class SunVerifier:
    """verify_sun for a verifier that sees the same keys tap after tap (the server).

    The AES contexts of the meta read key and of each sticker's file read key are kept
    (`file_read` gives a KeptKey per UID, cached by the caller), so a tap sets up only its own
    session MAC key: one block decrypted, one CMAC of one block from a kept context, one CMAC
    under the session key. Same checks, same answers as verify_sun. One per thread (see KeptKey).
    """

    def __init__(self, meta_read_key: bytes) -> None:
        self._meta = KeptKey(meta_read_key)

    def verify(
        self,
        file_read: Callable[[bytes | None], KeptKey],
        picc_data: bytes,
        mac: bytes,
        mac_input: bytes = b"",
        encrypted_file_data: bytes | None = None,
    ) -> SunTap:
        """Check a SUN message; return the tap or raise SunError, as verify_sun does."""
        if len(picc_data) != PICC_DATA_BYTES:
            raise picc_length_error(len(picc_data))
        plain = self._meta.decrypt(picc_data)
        uid: bytes | None
        counter: int | None
        if plain[0] == _UID_AND_COUNTER:  # TapTrail's stickers: no PiccData, no padding step
            uid, counter = plain[1:8], int.from_bytes(plain[8:11], "little")
            vector = SV_MAC_LABEL + plain[1:11]  # label, UID, counter: one whole block
        else:
            picc = read_picc_data(plain)
            uid, counter = picc.uid, picc.counter
            vector = session_vector(SV_MAC_LABEL, uid, counter)
        key = file_read(uid)
        # The session key is new at every tap: one CMAC object, made without check_key's copy
        # (a CMAC output is 16 bytes).
        session = _cmac.CMAC(algorithms.AES(key.cmac(vector)))
        session.update(mac_input)
        if not same(truncate(session.finalize()), mac):
            raise SunError("the SUN message's MAC does not match: a copied, altered or foreign tap")
        file_data = None
        if encrypted_file_data is not None:
            if not encrypted_file_data or len(encrypted_file_data) % BLOCK:
                raise SunError("encrypted file data is a whole number of 16-byte blocks")
            enc = key.cmac(session_vector(SV_ENC_LABEL, uid, counter))
            iv = file_data_iv(enc, counter)
            file_data = cbc_decrypt(enc, iv, encrypted_file_data)
        return SunTap(uid, counter, file_data)
