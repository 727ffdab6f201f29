"""NTAG21x originality signatures: ECDSA on secp128r1 over the 7-byte UID, as NXP signs chips.

The chip answers READ_SIG with r || s (16 bytes each). NXP signs the raw UID: there is no hash,
the UID itself is the number that ECDSA signs (NXP AN11350). Real chips verify with NXP's public
key; the virtual chips of the practice reader are signed with a *virtual manufacturer* key whose
private half is published here on purpose, so that tests can tell a genuine virtual sticker from a
forged one. It protects nothing and must never be trusted in production.
"""

from __future__ import annotations

import hashlib

from ecdsa import BadSignatureError, SECP128r1, SigningKey, VerifyingKey
from ecdsa.util import sigdecode_string, sigencode_string

SIGNATURE_BYTES = 32

# NXP's NTAG21x originality key (AN11350), uncompressed point: what production stickers carry.
NXP_NTAG21X_PUBLIC_KEY = bytes.fromhex(
    "04494E1A386D3D3CFE3DC10E5DE68A499B1C202DB5B132393E89ED19FE5BE8BC61"
)

# The virtual manufacturer's private key, derived from a published phrase (not a secret).
_VIRTUAL_SEED = b"TapTrail virtual NTAG21x manufacturer key, for practice and tests only"
_VIRTUAL_KEY = SigningKey.from_secret_exponent(
    int.from_bytes(hashlib.sha256(_VIRTUAL_SEED).digest(), "big") % (SECP128r1.order - 1) + 1,
    curve=SECP128r1,
)
VIRTUAL_PUBLIC_KEY = b"\x04" + _VIRTUAL_KEY.get_verifying_key().to_string()


class OriginalityError(ValueError):
    """A UID, signature or public key has the wrong shape."""


def _check_uid(uid: bytes) -> bytes:
    if len(uid) != 7:
        raise OriginalityError(f"an NTAG21x UID has 7 bytes, not {len(uid)}")
    return bytes(uid)


def virtual_signature(uid: bytes) -> bytes:
    """Sign `uid` with the virtual manufacturer key (deterministic, RFC 6979)."""
    return _VIRTUAL_KEY.sign_digest_deterministic(
        _check_uid(uid), hashfunc=hashlib.sha256, sigencode=sigencode_string
    )


def verify_signature(uid: bytes, signature: bytes, public_key: bytes) -> bool:
    """True if `signature` (r || s) signs `uid` under `public_key` (uncompressed, 04 || x || y)."""
    if len(signature) != SIGNATURE_BYTES:
        raise OriginalityError(f"a signature has {SIGNATURE_BYTES} bytes, not {len(signature)}")
    try:
        key = VerifyingKey.from_string(bytes(public_key), curve=SECP128r1)
    except (ValueError, AssertionError) as error:
        raise OriginalityError(f"not a secp128r1 public key: {error}") from None
    try:
        return key.verify_digest(bytes(signature), _check_uid(uid), sigdecode=sigdecode_string)
    except BadSignatureError:
        return False
