"""NTAG 424 DNA commands as APDUs (NT4H2421Gx §10): instruction codes, status words, layouts.

Native commands travel wrapped in ISO/IEC 7816-4 with CLA 90h (90 INS 00 00 Lc data 00) and are
answered with SW1 = 91h and a one-byte status; ISO commands (CLA 00h) are answered with the usual
SW1 SW2. Lengths and offsets inside native commands are 3 bytes, least significant first.
"""

from __future__ import annotations

import zlib

from tags.ntag424.aes import KEY_BYTES, check_key, xor

NATIVE_CLA = 0x90
ISO_CLA = 0x00
NATIVE_SW1 = 0x91
# Native instructions.
GET_VERSION = 0x60
AUTHENTICATE_EV2_FIRST = 0x71
AUTHENTICATE_EV2_NON_FIRST = 0x77
ADDITIONAL_FRAME = 0xAF
CHANGE_KEY = 0xC4
GET_KEY_VERSION = 0x64
CHANGE_FILE_SETTINGS = 0x5F
GET_FILE_SETTINGS = 0xF5
READ_DATA = 0xAD
WRITE_DATA = 0x8D
GET_CARD_UID = 0x51
# ISO instructions.
ISO_SELECT_FILE = 0xA4
ISO_READ_BINARY = 0xB0
ISO_UPDATE_BINARY = 0xD6
SELECT_BY_DF_NAME = 0x04
SELECT_BY_FILE_ID = 0x00
NO_RESPONSE_DATA = 0x0C
# Native status bytes (SW2 after 91h).
OK = 0x00
MORE = 0xAF
ILLEGAL_COMMAND = 0x1C
INTEGRITY_ERROR = 0x1E
NO_SUCH_KEY = 0x40
LENGTH_ERROR = 0x7E
PERMISSION_DENIED = 0x9D
PARAMETER_ERROR = 0x9E
AUTHENTICATION_ERROR = 0xAE
BOUNDARY_ERROR = 0xBE
COMMAND_ABORTED = 0xCA
MEMORY_ERROR = 0xEE
FILE_NOT_FOUND = 0xF0
# ISO status words.
SW_OK = b"\x90\x00"
SW_END_OF_FILE = b"\x62\x82"
SW_MEMORY_FAILURE = b"\x65\x81"
SW_WRONG_LENGTH = b"\x67\x00"
SW_NO_CURRENT_FILE = b"\x69\x86"
SW_SECURITY_NOT_SATISFIED = b"\x69\x82"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_FILE_FULL = b"\x6a\x84"
SW_WRONG_P1_P2 = b"\x6a\x86"
SW_WRONG_OFFSET = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"

STATUS_TEXT = {
    ILLEGAL_COMMAND: "command not allowed now",
    INTEGRITY_ERROR: "MAC or padding wrong",
    NO_SUCH_KEY: "no such key",
    LENGTH_ERROR: "wrong length",
    PERMISSION_DENIED: "permission denied",
    PARAMETER_ERROR: "wrong parameter",
    AUTHENTICATION_ERROR: "authentication failed (wrong key)",
    BOUNDARY_ERROR: "beyond the end of the file",
    COMMAND_ABORTED: "previous command not finished",
    MEMORY_ERROR: "memory write failed",
    FILE_NOT_FOUND: "no such file",
}


def native(ins: int, data: bytes = b"") -> bytes:
    """A native command wrapped in ISO/IEC 7816-4: 90 INS 00 00 [Lc data] 00."""
    if len(data) > 0xFF:
        raise ValueError("a short APDU carries at most 255 bytes of data")
    body = bytes([len(data)]) + data if data else b""
    return bytes([NATIVE_CLA, ins, 0x00, 0x00]) + body + b"\x00"


def offset(value: int) -> bytes:
    """A 3-byte little-endian offset or length."""
    return value.to_bytes(3, "little")


def crc32nk(data: bytes) -> bytes:
    """CRC32NK of a new key: IEEE 802.3 CRC without the final inversion, LSB first."""
    return ((zlib.crc32(data) ^ 0xFFFFFFFF) & 0xFFFFFFFF).to_bytes(4, "little")


def change_key_data(
    key_no: int, auth_key_no: int, new_key: bytes, version: int, old_key: bytes | None = None
) -> bytes:
    """ChangeKey's plaintext (before padding and encryption), NT4H2421Gx §10.6.1.

    Changing the key one is authenticated with sends NewKey || KeyVer. Any other key goes as
    (NewKey XOR OldKey) || KeyVer || CRC32NK(NewKey), so the old key must be known.
    """
    check_key(new_key)
    if key_no == auth_key_no:
        return new_key + bytes([version])
    if old_key is None or len(old_key) != KEY_BYTES:
        raise ValueError("changing another key than the authenticated one needs its old value")
    return xor(new_key, old_key) + bytes([version]) + crc32nk(new_key)
