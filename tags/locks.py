"""NTAG21x static and dynamic lock bits: which pages they lock, how a WRITE may only set them.

The chip's own rules, from NXP's datasheet: the virtual chip enforces them, the field tool reads
a sticker's locks and plans its locking writes with them.

Static lock bytes (page 02h, bytes 2 and 3):
    LOCK0: L7 L6 L5 L4 L-CC BL15-10 BL9-4 BL-CC (bit 7 to bit 0)
    LOCK1: L15 ... L8
Lx locks page x, L-CC the capability container; a block-locking bit (BL) freezes its lock bits.
Dynamic lock bytes (bytes 0 to 2 of the dynamic lock page): bit j of bytes 0-1 locks
`granularity` pages from page 10h + j * granularity; bit i of byte 2 freezes lock bits 2i, 2i+1.
Every lock bit is one-time programmable: a WRITE ORs into it.
"""

from __future__ import annotations

from tags.chips import CC_PAGE, FIRST_DYNAMIC_LOCK_PAGE, ChipProfile

STATIC_LOCK_PAGE = 2
# Bytes 2-3 of page 2 are the static lock bytes; bytes 0-1 (BCC1, internal) are read-only.
STATIC_LOCK_BYTES = slice(2, 4)

# Static block-locking bits of LOCK0 and the lock bits (LOCK1 << 8 | LOCK0) that each freezes.
_STATIC_BLOCKS = {
    0b001: 0b0000_0000_0000_1000,  # BL-CC freezes L-CC
    0b010: 0b0000_0011_1111_0000,  # BL9-4 freezes L4..L9
    0b100: 0b1111_1100_0000_0000,  # BL15-10 freezes L10..L15
}


def static_locked_pages(lock: bytes) -> set[int]:
    """Pages 03h to 0Fh that the two static lock bytes lock."""
    bits = lock[0] | lock[1] << 8
    pages = {CC_PAGE} if bits & 0b1000 else set()
    return pages | {page for page in range(4, 16) if bits >> page & 1}


def merge_static_lock(old: bytes, new: bytes) -> bytes:
    """OR `new` into the static lock bytes, except bits their block-locking bits froze."""
    bits, wanted = old[0] | old[1] << 8, new[0] | new[1] << 8
    frozen = 0
    for block, covered in _STATIC_BLOCKS.items():
        if bits & block:
            frozen |= covered
    merged = bits | (wanted & ~frozen)
    return bytes([merged & 0xFF, merged >> 8])


def dynamic_locked_pages(profile: ChipProfile, lock: bytes) -> set[int]:
    """Pages from 10h to the last user page that the dynamic lock bytes lock."""
    bits = lock[0] | lock[1] << 8
    pages: set[int] = set()
    size = profile.dynamic_lock_granularity
    for index in range(profile.dynamic_lock_bits):
        if bits >> index & 1:
            first = FIRST_DYNAMIC_LOCK_PAGE + index * size
            pages.update(range(first, min(first + size, profile.last_user_page + 1)))
    return pages


def merge_dynamic_lock(old: bytes, new: bytes) -> bytes:
    """OR `new` into dynamic lock bytes 0-2, except lock bits frozen by block-locking bits."""
    bits, wanted = old[0] | old[1] << 8, new[0] | new[1] << 8
    frozen = 0
    for block in range(8):
        if old[2] >> block & 1:
            frozen |= 0b11 << (2 * block)
    merged = bits | (wanted & ~frozen)
    return bytes([merged & 0xFF, merged >> 8, old[2] | new[2]])


def every_dynamic_lock_bit(profile: ChipProfile) -> bytes:
    """Dynamic lock bytes 0-2 with every lock and block-locking bit the chip has set, RFUI clear."""
    bits = profile.dynamic_lock_bits
    # One lock bit per group of pages, and one block-locking bit per two lock bits.
    return ((1 << bits) - 1).to_bytes(2, "little") + bytes([(1 << -(-bits // 2)) - 1])
