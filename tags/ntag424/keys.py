"""Per-sticker NTAG 424 DNA keys derived from a master key by NXP AN10922 AES-128 diversification.

AN10922 §2.2 derives a card key as a CMAC of the diversification input under the master key,
with its own padding rule: the input, prefixed with the constant 01h, is always padded to two
blocks (80h then zeros, last block masked with the CMAC subkey K2) unless it fills them exactly
(then K1). For inputs of 16 to 31 bytes that equals an ordinary CMAC of 01h || input; for shorter
ones it does not, which is why the padding is spelt out here rather than left to a CMAC library.

Why AN10922 rather than HKDF: both are sound key-derivation functions, but AN10922 is what NXP's
own tooling and the secure access modules of card readers (MIFARE SAM AV3, NXP's reader library)
compute, so stickers keyed this way can later be checked or re-keyed by such readers and tools
without exporting the master key from them; HKDF-SHA256 would tie the keys to our code alone.

Roles of the five application keys on a TapTrail sticker:
  key 0  application master key: changes keys and file settings (per sticker)
  key 1  SDM file read key: SDMMAC and encrypted file data (per sticker)
  key 2  SDM meta read key: encrypts the PICC data; the same on every sticker of one master key
         version, so that a verifier can decrypt the UID before it knows which sticker tapped
  keys 3 and 4 are unused, but moved off the factory value like the others (per sticker)
The version written with each key (KeyVer) is the master key's version, 1 to 255; factory keys
are all zero with version 0.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from tags.ntag424.aes import BLOCK, PAD_START, ZERO_IV, cbc_encrypt, check_key, encrypt_block, xor

DIVERSIFICATION_CONSTANT = 0x01  # AN10922: AES-128 keys
MAX_INPUT = 2 * BLOCK - 1
KEY_COUNT = 5
APP_MASTER_KEY = 0
SDM_FILE_READ_KEY = 1
SDM_META_READ_KEY = 2
FACTORY_KEY = bytes(16)
FACTORY_VERSION = 0
SYSTEM_IDENTIFIER = b"TapTrail"
# Domain separation: the SUN master key of a keyring entry is never the entry's HMAC key itself.
MASTER_KEY_LABEL = b"TapTrail NTAG 424 DNA master key"
_RB = 0x87


class DiversificationError(ValueError):
    """A diversification input or key version is out of range."""


def _double(block: bytes) -> bytes:
    value = int.from_bytes(block, "big") << 1
    if value >> (8 * BLOCK):
        value ^= (1 << (8 * BLOCK)) | _RB
    return value.to_bytes(BLOCK, "big")


def cmac_subkeys(key: bytes) -> tuple[bytes, bytes]:
    """K1 and K2 of NIST SP 800-38B for `key`, as AN10922's steps list them."""
    first = _double(encrypt_block(key, bytes(BLOCK)))
    return first, _double(first)


def diversify(master_key: bytes, diversification_input: bytes) -> bytes:
    """AN10922 §2.2 AES-128 diversification of `master_key` with 1 to 31 bytes of input."""
    check_key(master_key)
    if not 1 <= len(diversification_input) <= MAX_INPUT:
        raise DiversificationError(
            f"AN10922 takes 1 to 31 bytes of diversification input, not "
            f"{len(diversification_input)}"
        )
    k1, k2 = cmac_subkeys(master_key)
    message = bytes([DIVERSIFICATION_CONSTANT]) + diversification_input
    if len(message) == 2 * BLOCK:
        subkey = k1
    else:
        message += bytes([PAD_START]) + bytes(2 * BLOCK - len(message) - 1)
        subkey = k2
    message = message[:BLOCK] + xor(message[BLOCK:], subkey)
    return cbc_encrypt(master_key, ZERO_IV, message)[-BLOCK:]


@dataclass(frozen=True)
class StickerKeys:
    """The five application keys of one sticker and the version they are written with."""

    keys: tuple[bytes, ...]
    version: int

    def __post_init__(self) -> None:
        if len(self.keys) != KEY_COUNT:
            raise DiversificationError(f"an NTAG 424 DNA has {KEY_COUNT} application keys")
        if not 1 <= self.version <= 0xFF:
            raise DiversificationError("a key version is 1 to 255 (0 marks the factory keys)")

    def __repr__(self) -> str:
        return f"StickerKeys(version={self.version}, keys=<secret>)"

    @property
    def meta_read(self) -> bytes:
        """K_SDMMetaRead (key 2)."""
        return self.keys[SDM_META_READ_KEY]

    @property
    def file_read(self) -> bytes:
        """K_SDMFileRead (key 1)."""
        return self.keys[SDM_FILE_READ_KEY]


def application_key(master_key: bytes, key_no: int, system: bytes = SYSTEM_IDENTIFIER) -> bytes:
    """A key shared by every sticker of `master_key`: key number and system identifier only."""
    return diversify(master_key, bytes([key_no]) + system)


def sticker_key(
    master_key: bytes, uid: bytes, key_no: int, system: bytes = SYSTEM_IDENTIFIER
) -> bytes:
    """A per-sticker key: AN10922 with UID || key number || system identifier as input."""
    if len(uid) != 7:
        raise DiversificationError(f"an NTAG 424 DNA UID has 7 bytes, not {len(uid)}")
    return diversify(master_key, uid + bytes([key_no]) + system)


def sticker_keys(master_key: bytes, uid: bytes, version: int) -> StickerKeys:
    """All five keys of the sticker `uid` under the master key of `version`."""
    keys = tuple(
        application_key(master_key, key_no)
        if key_no == SDM_META_READ_KEY
        else sticker_key(master_key, uid, key_no)
        for key_no in range(KEY_COUNT)
    )
    return StickerKeys(keys, version)


def master_key(signing_secret: bytes) -> bytes:
    """The AES-128 SUN master key that goes with a keyring entry's signing secret.

    A key entry of the server's keyring signs short codes and, through this one-way step, is
    the master key of the NTAG 424 DNA stickers whose codes it signed: rotation, revocation and
    versions (the key id is the KeyVer written on the chip) come with the keyring.
    """
    if len(signing_secret) < 16:
        raise DiversificationError("a signing secret has at least 16 bytes")
    return hmac.new(signing_secret, MASTER_KEY_LABEL, hashlib.sha256).digest()[:16]
