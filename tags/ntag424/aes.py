"""AES-128 building blocks of the NTAG 424 DNA: one block, CBC without padding, CMAC, truncation.

Everything the chip computes is made of these, with the `cryptography` package underneath.
"""

from __future__ import annotations

import hmac

from cryptography.hazmat.primitives import cmac as _cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16
KEY_BYTES = 16
ZERO_IV = bytes(BLOCK)
PAD_START = 0x80


class KeyLengthError(ValueError):
    """A key is not 16 bytes."""


def check_key(key: bytes) -> bytes:
    """Return `key` if it is an AES-128 key, else raise KeyLengthError."""
    if len(key) != KEY_BYTES:
        raise KeyLengthError(f"an AES-128 key has 16 bytes, not {len(key)}")
    return bytes(key)


def encrypt_block(key: bytes, block: bytes) -> bytes:
    """E(key, block): one AES block, as the chip derives IVs."""
    encryptor = Cipher(algorithms.AES(check_key(key)), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC over whole blocks (the caller pads)."""
    encryptor = Cipher(algorithms.AES(check_key(key)), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC decryption over whole blocks (the caller unpads)."""
    decryptor = Cipher(algorithms.AES(check_key(key)), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC (NIST SP 800-38B), all 16 bytes."""
    mac = _cmac.CMAC(algorithms.AES(check_key(key)))
    mac.update(data)
    return mac.finalize()


def truncate(mac: bytes) -> bytes:
    """The 8 bytes NXP keeps of a CMAC: the odd-numbered ones (S14, S12, ..., S0 for NXP)."""
    return mac[1::2]


def cmac8(key: bytes, data: bytes) -> bytes:
    """The truncated CMAC the chip sends (MACt, SDMMAC)."""
    return truncate(cmac(key, data))


def same(a: bytes, b: bytes) -> bool:
    """Compare two MACs in constant time."""
    return hmac.compare_digest(a, b)


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2 as the chip applies it: 80h then zeros, always added."""
    return data + bytes([PAD_START]) + bytes(-(len(data) + 1) % BLOCK)


def unpad(data: bytes) -> bytes:
    """Remove padding method 2, or raise ValueError if the data does not end in 80h 00h..."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != PAD_START or len(data) - len(stripped) >= BLOCK:
        raise ValueError("the decrypted data does not end with 80h padding")
    return stripped[:-1]


def rotate_left(data: bytes) -> bytes:
    """One byte to the left, as RndA' and RndB' are formed."""
    return data[1:] + data[:1]


def xor(a: bytes, b: bytes) -> bytes:
    """Byte-wise exclusive or of two strings of the same length."""
    return bytes(x ^ y for x, y in zip(a, b, strict=True))
