"""7-byte NXP UIDs: parsing, random generation and the BCC check bytes of the two cascade levels."""

from __future__ import annotations

import random
from functools import reduce
from operator import xor

UID_BYTES = 7
NXP_MANUFACTURER = 0x04
CASCADE_TAG = 0x88


class UidError(ValueError):
    """A UID is not 7 bytes starting with NXP's manufacturer code 04."""


def parse_uid(text: str) -> bytes:
    """Read a UID written as 14 hex digits (spaces and colons allowed)."""
    cleaned = text.replace(":", "").replace(" ", "")
    try:
        uid = bytes.fromhex(cleaned)
    except ValueError:
        raise UidError(f"the UID {text!r} is not hexadecimal; write 14 hex digits") from None
    return check_uid(uid)


def check_uid(uid: bytes) -> bytes:
    """Return `uid` if it is a 7-byte NXP UID, else raise UidError saying what to use."""
    if len(uid) != UID_BYTES:
        raise UidError(f"an NTAG21x UID has 7 bytes (14 hex digits), not {len(uid)}")
    if uid[0] != NXP_MANUFACTURER:
        raise UidError(f"an NXP UID starts with 04, not {uid[0]:02X}")
    return bytes(uid)


def random_uid(rng: random.Random | None = None) -> bytes:
    """A new NXP UID; UID3 avoids 88h so no reader mistakes it for a cascade tag."""
    rng = rng or random.SystemRandom()
    while True:
        uid = bytes([NXP_MANUFACTURER]) + bytes(rng.randrange(256) for _ in range(6))
        if uid[3] != CASCADE_TAG:
            return uid


def bcc0(uid: bytes) -> int:
    """Check byte of cascade level 1: CT xor UID0 xor UID1 xor UID2."""
    return reduce(xor, uid[0:3], CASCADE_TAG)


def bcc1(uid: bytes) -> int:
    """Check byte of cascade level 2: UID3 xor UID4 xor UID5 xor UID6."""
    return reduce(xor, uid[3:7], 0)
