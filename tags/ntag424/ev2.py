"""AuthenticateEV2First in AES mode (NT4H2421Gx §9.1.5, AN12196 §6.6): both ends of the 3-pass.

    reader -> chip   71 KeyNo LenCap
    chip -> reader   E(K, RndB)                                   status AF (more to come)
    reader -> chip   AF E(K, RndA || RndB')                       RndB' = RndB rotated left
    chip -> reader   E(K, TI || RndA' || PDcap2 || PCDcap2)       status 00

E is AES-CBC with a zero IV over the whole field. Both ends then derive the session keys from the
two random numbers: SesAuthENCKey = CMAC(K, SV1), SesAuthMACKey = CMAC(K, SV2), with
SV = label || RndA[15..14] || (RndA[13..8] XOR RndB[15..10]) || RndB[9..0] || RndA[7..0]
(byte 15 is the first one sent). The command counter starts at 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from tags.ntag424.aes import (
    BLOCK,
    ZERO_IV,
    cbc_decrypt,
    cbc_encrypt,
    cmac,
    rotate_left,
    same,
    xor,
)

SV1_LABEL = bytes.fromhex("A55A00010080")
SV2_LABEL = bytes.fromhex("5AA500010080")
TI_BYTES = 4
CAPABILITIES_BYTES = 6


class AuthenticationError(ValueError):
    """The other end does not hold the same key (or answered out of turn)."""


@dataclass(frozen=True)
class Session:
    """What an authentication leaves both ends with; the command counter lives in the channel."""

    key_no: int
    ti: bytes
    enc_key: bytes
    mac_key: bytes

    def __repr__(self) -> str:
        return f"Session(key_no={self.key_no}, ti={self.ti.hex().upper()}, keys=<secret>)"


def session_vector(label: bytes, rnd_a: bytes, rnd_b: bytes) -> bytes:
    """SV1 or SV2 of AN12196 §6.6 (32 bytes)."""
    return label + rnd_a[0:2] + xor(rnd_a[2:8], rnd_b[0:6]) + rnd_b[6:16] + rnd_a[8:16]


def open_session(key: bytes, key_no: int, ti: bytes, rnd_a: bytes, rnd_b: bytes) -> Session:
    """The session keys both ends derive from the random numbers."""
    return Session(
        key_no=key_no,
        ti=ti,
        enc_key=cmac(key, session_vector(SV1_LABEL, rnd_a, rnd_b)),
        mac_key=cmac(key, session_vector(SV2_LABEL, rnd_a, rnd_b)),
    )


# -- the reader's side ------------------------------------------------------------------------
def answer_challenge(key: bytes, encrypted_rnd_b: bytes, rnd_a: bytes) -> tuple[bytes, bytes]:
    """From the chip's E(K, RndB): return (E(K, RndA || RndB'), RndB)."""
    if len(encrypted_rnd_b) != BLOCK or len(rnd_a) != BLOCK:
        raise AuthenticationError("the chip's challenge is not one 16-byte block")
    rnd_b = cbc_decrypt(key, ZERO_IV, encrypted_rnd_b)
    return cbc_encrypt(key, ZERO_IV, rnd_a + rotate_left(rnd_b)), rnd_b


def finish(key: bytes, key_no: int, rnd_a: bytes, rnd_b: bytes, encrypted_answer: bytes) -> Session:
    """Check the chip's last answer (RndA') and open the session, or raise AuthenticationError."""
    if len(encrypted_answer) != 2 * BLOCK:
        raise AuthenticationError("the chip's last answer is not two 16-byte blocks")
    plain = cbc_decrypt(key, ZERO_IV, encrypted_answer)
    ti, rnd_a_rotated = plain[:TI_BYTES], plain[TI_BYTES : TI_BYTES + BLOCK]
    if not same(rnd_a_rotated, rotate_left(rnd_a)):
        raise AuthenticationError("the chip did not return RndA': it does not hold this key")
    return open_session(key, key_no, ti, rnd_a, rnd_b)


# -- the chip's side --------------------------------------------------------------------------
def challenge(key: bytes, rnd_b: bytes) -> bytes:
    """E(K, RndB), the chip's first answer."""
    return cbc_encrypt(key, ZERO_IV, rnd_b)


def check_answer(key: bytes, rnd_b: bytes, encrypted: bytes) -> bytes:
    """Check E(K, RndA || RndB') from the reader; return RndA or raise AuthenticationError."""
    if len(encrypted) != 2 * BLOCK:
        raise AuthenticationError("the reader's answer is not two 16-byte blocks")
    plain = cbc_decrypt(key, ZERO_IV, encrypted)
    if not same(plain[BLOCK:], rotate_left(rnd_b)):
        raise AuthenticationError("the reader did not return RndB': wrong key")
    return plain[:BLOCK]


def confirmation(key: bytes, ti: bytes, rnd_a: bytes) -> bytes:
    """E(K, TI || RndA' || PDcap2 || PCDcap2), the chip's last answer (capabilities all zero)."""
    plain = ti + rotate_left(rnd_a) + bytes(2 * CAPABILITIES_BYTES)
    return cbc_encrypt(key, ZERO_IV, plain)
