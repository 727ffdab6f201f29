"""Signed short codes: a tag id and a key id, authenticated by a truncated HMAC-SHA256.

Layout of a code (19 Crockford base32 symbols, so the tap path "/" + code is 20 characters):

    K TTTTTT MMMMMMMMMMMM
    | |      +-- 12 symbols: the first 60 bits of HMAC-SHA256(key, "TT1" | kid | tag id)
    | +--------- 6 symbols: the tag id, 0 <= id < 2**30
    +----------- 1 symbol: the key id (which key of the keyring signed it)
"""

from __future__ import annotations

import enum
import hashlib
import hmac

from tags import crockford
from tags.keyring import Keyring, KeyState

KID_SYMBOLS = 1
TAG_SYMBOLS = 6
MAC_SYMBOLS = 12
CODE_LENGTH = KID_SYMBOLS + TAG_SYMBOLS + MAC_SYMBOLS
MAC_BITS = 5 * MAC_SYMBOLS
MAX_TAG_ID = (1 << (5 * TAG_SYMBOLS)) - 1
_DOMAIN = b"TT1"


class Reason(enum.StrEnum):
    """Why a code was refused."""

    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown key"
    REVOKED_KEY = "revoked key"
    BAD_SIGNATURE = "bad signature"


class CodeError(ValueError):
    """A short code was refused; `reason` says why."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else str(reason))


def _mac(secret: bytes, kid: int, tag_id: int) -> str:
    digest = hmac.new(secret, _DOMAIN + bytes([kid]) + tag_id.to_bytes(4, "big"), hashlib.sha256)
    truncated = int.from_bytes(digest.digest()[:8], "big") >> (64 - MAC_BITS)
    return crockford.encode(truncated, MAC_SYMBOLS)


def issue(keyring: Keyring, tag_id: int) -> str:
    """Sign `tag_id` with the keyring's active key and return the short code."""
    if not 0 <= tag_id <= MAX_TAG_ID:
        raise ValueError(f"tag id {tag_id} is outside 0..{MAX_TAG_ID}")
    key = keyring.active
    return (
        crockford.encode(key.kid, KID_SYMBOLS)
        + crockford.encode(tag_id, TAG_SYMBOLS)
        + _mac(key.secret, key.kid, tag_id)
    )


def split(code: str) -> tuple[int, int, str]:
    """Return (key id, tag id, MAC symbols) of a code without checking it, or raise MALFORMED."""
    try:
        canonical = crockford.normalize(code)
    except crockford.DecodeError as error:
        raise CodeError(Reason.MALFORMED, str(error)) from None
    if len(canonical) != CODE_LENGTH:
        raise CodeError(
            Reason.MALFORMED, f"a code has {CODE_LENGTH} symbols, this one has {len(canonical)}"
        )
    kid = crockford.decode(canonical[:KID_SYMBOLS])
    tag_id = crockford.decode(canonical[KID_SYMBOLS : KID_SYMBOLS + TAG_SYMBOLS])
    return kid, tag_id, canonical[KID_SYMBOLS + TAG_SYMBOLS :]


def verify(keyring: Keyring, code: str, *, revoked: bool = False) -> int:
    """Return the tag id a code carries, or raise CodeError saying why it is refused.

    With `revoked`, a code signed by a revoked key is accepted (its signature still checked):
    only for taking back a sticker of that key (a reset), never for a tap.
    """
    kid, tag_id, mac = split(code)
    key = keyring.get(kid)
    if key is None:
        raise CodeError(Reason.UNKNOWN_KEY, f"no key {crockford.encode(kid, 1)} in the keyring")
    if key.state is KeyState.REVOKED and not revoked:
        raise CodeError(Reason.REVOKED_KEY, f"key {key.name} was revoked")
    expected = _mac(key.secret, kid, tag_id)
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        raise CodeError(Reason.BAD_SIGNATURE)
    return tag_id


def canonical(code: str) -> str:
    """Return the canonical spelling of a well-formed code (upper case, lookalikes mapped)."""
    kid, tag_id, mac = split(code)
    return crockford.encode(kid, KID_SYMBOLS) + crockford.encode(tag_id, TAG_SYMBOLS) + mac
