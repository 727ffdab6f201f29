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


class KeptKey:
    """One AES-128 key used again and again (a verifier's meta read key, a sticker's file read
    key), with its ECB contexts and a keyed CMAC context kept so that a block costs no set-up.

    A CMAC is a copy of the kept context (OpenSSL duplicates the expanded key, about four times
    cheaper than a new CMAC object, which expands the key again: every SUN tap takes one).
    An OpenSSL context is not safe to share between threads: keep one KeptKey per thread.
    """

    def __init__(self, key: bytes) -> None:
        algorithm = algorithms.AES(check_key(key))
        cipher = Cipher(algorithm, modes.ECB())
        self._encryptor = cipher.encryptor()
        self._decryptor = cipher.decryptor()
        self._cmac = _cmac.CMAC(algorithm)

    def __repr__(self) -> str:  # never print a key, even by accident
        return "KeptKey(<secret>)"

    def encrypt(self, block: bytes) -> bytes:
        """E(key, block) for one 16-byte block."""
        return self._encryptor.update(block)

    def decrypt(self, block: bytes) -> bytes:
        """D(key, block) for one 16-byte block (CBC with a zero IV over one block is this)."""
        return self._decryptor.update(block)

    def cmac(self, data: bytes) -> bytes:
        """AES-CMAC of `data` under this key: the same value as cmac(key, data)."""
        mac = self._cmac.copy()
        mac.update(data)
        return mac.finalize()
