import pytest

from tags.chips import NTAG213, NTAG215, NTAG216
from tags.virtual.memory import factory_memory
from tags.virtual.uid import UidError, bcc0, bcc1, parse_uid, random_uid
from tests.tags.virtual.conftest import UID, x


def test_bcc_of_both_cascade_levels():
    # BCC0 = 88 ^ 04 ^ E1 ^ 41, BCC1 = 12 ^ 4C ^ 28 ^ 80
    assert bcc0(UID) == 0x2C
    assert bcc1(UID) == 0xF6


def test_factory_ntag213_pages():
    memory = factory_memory(NTAG213, UID)
    pages = [memory[i : i + 4] for i in range(0, len(memory), 4)]
    assert len(pages) == 0x2D
    assert pages[0] == x("04 E1 41 2C")
    assert pages[1] == x("12 4C 28 80")
    assert pages[2] == x("F6 48 00 00")
    assert pages[3] == x("E1 10 12 00")
    assert pages[4] + pages[5] == x("01 03 A0 0C 34 03 00 FE")
    assert all(page == bytes(4) for page in pages[6:0x28])
    assert pages[0x28:] == [
        x("00 00 00 BD"),
        x("04 00 00 FF"),
        x("00 05 00 00"),
        x("FF FF FF FF"),
        x("00 00 00 00"),
    ]


@pytest.mark.parametrize(
    ("chip", "cc", "dynlock"), [(NTAG215, "E1103E00", 0x82), (NTAG216, "E1106D00", 0xE2)]
)
def test_factory_larger_chips(chip, cc, dynlock):
    memory = factory_memory(chip, UID)
    assert len(memory) == (dynlock + 5) * 4
    assert memory[12:24] == x(cc) + x("03 00 FE 00 00 00 00 00")
    assert memory[dynlock * 4 :] == x("000000BD 040000FF 00050000 FFFFFFFF 00000000")


def test_uids_are_checked():
    assert parse_uid("04:e1:41:12:4c:28:80") == UID
    with pytest.raises(UidError, match="7 bytes"):
        parse_uid("04E141")
    with pytest.raises(UidError, match="starts with 04"):
        parse_uid("05E141124C2880")
    with pytest.raises(UidError, match="hexadecimal"):
        parse_uid("04E141124C28ZZ")
    uid = random_uid()
    assert len(uid) == 7 and uid[0] == 0x04 and uid[3] != 0x88
