"""The lock bits as NXP's NTAG213/215/216 datasheet maps them, bit by bit and page by page.

The tables below are the datasheet's figures for the static lock bytes (page 02h, bytes 2 and 3)
and the dynamic lock bytes (bytes 0 to 2 of page 28h, 82h, E2h), written out rather than
computed, with page numbers in decimal as the datasheet gives them ("LOCK PAGE 16-17").
"""

import pytest

from tags.chips import NTAG213, NTAG215, NTAG216
from tags.locks import (
    STATIC_LOCK_BYTES,
    STATIC_LOCK_PAGE,
    dynamic_locked_pages,
    every_dynamic_lock_bit,
    merge_dynamic_lock,
    merge_static_lock,
    static_locked_pages,
)

# Static lock byte 0 and 1, (byte, bit): the page that bit locks (L-CC, L4 ... L15).
STATIC_LOCK_BITS = {
    (0, 3): 3,
    (0, 4): 4,
    (0, 5): 5,
    (0, 6): 6,
    (0, 7): 7,
    **{(1, bit): 8 + bit for bit in range(8)},  # lock byte 1 is L15 (bit 7) to L8 (bit 0)
}
# Block-locking bits of static lock byte 0: BL-CC, BL9-4, BL15-10, and the pages they cover.
STATIC_BLOCK_BITS = {0: (3, 3), 1: (4, 9), 2: (10, 15)}

# Dynamic lock bytes 0 and 1, (byte, bit): first and last page that bit locks. Bits missing
# here are RFUI.
DYNAMIC_LOCK_BITS = {
    NTAG213.name: {
        **{(0, bit): (16 + 2 * bit, 17 + 2 * bit) for bit in range(8)},  # 16-17 ... 30-31
        (1, 0): (32, 33),
        (1, 1): (34, 35),
        (1, 2): (36, 37),
        (1, 3): (38, 39),
    },
    NTAG215.name: {
        (0, 0): (16, 31),
        (0, 1): (32, 47),
        (0, 2): (48, 63),
        (0, 3): (64, 79),
        (0, 4): (80, 95),
        (0, 5): (96, 111),
        (0, 6): (112, 127),
        (0, 7): (128, 129),
    },
    NTAG216.name: {
        **{(0, bit): (16 + 16 * bit, 31 + 16 * bit) for bit in range(8)},  # 16-31 ... 128-143
        (1, 0): (144, 159),
        (1, 1): (160, 175),
        (1, 2): (176, 191),
        (1, 3): (192, 207),
        (1, 4): (208, 223),
        (1, 5): (224, 225),
    },
}
# Block-locking bits of dynamic lock byte 2: bit: first and last page whose lock bits it freezes.
DYNAMIC_BLOCK_BITS = {
    NTAG213.name: {0: (16, 19), 1: (20, 23), 2: (24, 27), 3: (28, 31), 4: (32, 35), 5: (36, 39)},
    NTAG215.name: {0: (16, 47), 1: (48, 79), 2: (80, 111), 3: (112, 129)},
    NTAG216.name: {
        0: (16, 47),
        1: (48, 79),
        2: (80, 111),
        3: (112, 143),
        4: (144, 175),
        5: (176, 207),
        6: (208, 225),
    },
}
CHIPS = {chip.name: chip for chip in (NTAG213, NTAG215, NTAG216)}


def one_bit(byte: int, bit: int, size: int) -> bytes:
    """`size` lock bytes with only bit `bit` of byte `byte` set."""
    lock = bytearray(size)
    lock[byte] = 1 << bit
    return bytes(lock)


def pages(first: int, last: int) -> set[int]:
    return set(range(first, last + 1))


def test_static_lock_bytes_are_bytes_2_and_3_of_page_2():
    assert STATIC_LOCK_PAGE == 0x02
    assert bytes([0xB0, 0xB1, 0xB2, 0xB3])[STATIC_LOCK_BYTES] == bytes([0xB2, 0xB3])


@pytest.mark.parametrize(("bit", "page"), list(STATIC_LOCK_BITS.items()))
def test_each_static_lock_bit_locks_its_page(bit, page):
    assert static_locked_pages(one_bit(*bit, size=2)) == {page}


def test_static_block_locking_bits_lock_no_page_themselves():
    assert static_locked_pages(bytes([0b111, 0x00])) == set()
    assert static_locked_pages(bytes([0xFF, 0xFF])) == pages(3, 15)


@pytest.mark.parametrize(("bit", "covered"), list(STATIC_BLOCK_BITS.items()))
def test_each_static_block_locking_bit_freezes_the_lock_bits_of_its_pages(bit, covered):
    merged = merge_static_lock(one_bit(0, bit, size=2), b"\xff\xff")
    assert static_locked_pages(merged) == pages(3, 15) - pages(*covered)


def test_static_block_locking_bits_freeze_lock_bits():
    assert static_locked_pages(bytes.fromhex("F8FF")) == pages(3, 15)
    # BL9-4 set: L4..L9 can no longer be set, L10..L15 still can.
    assert merge_static_lock(bytes.fromhex("0200"), bytes.fromhex("F0FF")) == bytes.fromhex("02FC")
    # BL-CC freezes L-CC, BL15-10 freezes L10..L15.
    assert merge_static_lock(bytes.fromhex("0100"), bytes.fromhex("0800")) == bytes.fromhex("0100")
    assert merge_static_lock(bytes.fromhex("0400"), bytes.fromhex("00FF")) == bytes.fromhex("0403")


@pytest.mark.parametrize(
    ("chip", "bit", "locked"),
    [(name, bit, span) for name, bits in DYNAMIC_LOCK_BITS.items() for bit, span in bits.items()],
)
def test_each_dynamic_lock_bit_locks_the_pages_the_datasheet_gives(chip, bit, locked):
    assert dynamic_locked_pages(CHIPS[chip], one_bit(*bit, size=3)) == pages(*locked)


@pytest.mark.parametrize("chip", list(CHIPS))
def test_dynamic_lock_bits_cover_page_16_to_the_last_user_page_and_rfui_bits_nothing(chip):
    profile, table = CHIPS[chip], DYNAMIC_LOCK_BITS[chip]
    covered = set().union(*(pages(*span) for span in table.values()))
    assert covered == pages(16, profile.last_user_page)
    assert profile.last_user_page == profile.dynamic_lock_page - 1
    for bit in [(byte, bit) for byte in (0, 1) for bit in range(8) if (byte, bit) not in table]:
        assert dynamic_locked_pages(profile, one_bit(*bit, size=3)) == set()


@pytest.mark.parametrize(
    ("chip", "bit", "covered"),
    [(name, bit, span) for name, bits in DYNAMIC_BLOCK_BITS.items() for bit, span in bits.items()],
)
def test_each_dynamic_block_locking_bit_freezes_the_lock_bits_of_its_pages(chip, bit, covered):
    profile = CHIPS[chip]
    merged = merge_dynamic_lock(one_bit(2, bit, size=3), b"\xff\xff\x00")
    everything = pages(16, profile.last_user_page)
    assert dynamic_locked_pages(profile, merged) == everything - pages(*covered)
    assert merged[2] == 1 << bit  # block-locking bits only OR, never lock pages themselves


def test_dynamic_block_locking_bits_freeze_pairs_of_lock_bits():
    before, wanted = bytes.fromhex("000001BD"), bytes.fromhex("FF0000")
    assert merge_dynamic_lock(before, wanted) == bytes.fromhex("FC0001")
    assert merge_dynamic_lock(bytes.fromhex("010000BD"), bytes(3)) == bytes.fromhex("010000")


@pytest.mark.parametrize(
    ("chip", "lock"),
    # Every lock and block-locking bit of the datasheet's figures, and none of the RFUI bits.
    [(NTAG213.name, "FF0F3F"), (NTAG215.name, "FF000F"), (NTAG216.name, "FF3F7F")],
)
def test_every_dynamic_lock_bit_sets_what_the_chip_has_and_no_rfui_bit(chip, lock):
    expected = bytearray(3)
    for byte, bit in DYNAMIC_LOCK_BITS[chip]:
        expected[byte] |= 1 << bit
    for bit in DYNAMIC_BLOCK_BITS[chip]:
        expected[2] |= 1 << bit
    assert every_dynamic_lock_bit(CHIPS[chip]) == bytes(expected) == bytes.fromhex(lock)
