"""Every NTAG21x command against the datasheet: request bytes, answer bytes, and the NAKs."""

import pytest

from tags.chips import NTAG215, NTAG216
from tags.originality import VIRTUAL_PUBLIC_KEY, verify_signature
from tags.virtual.chip import Ntag21x, State
from tags.virtual.sticker import Sticker
from tests.tags.virtual.conftest import UID, activate, x

NAK0 = x("00")
ACK = x("0A")


@pytest.mark.parametrize(
    ("profile", "version"), [(NTAG215, "0004040201001103"), (NTAG216, "0004040201001303")]
)
def test_get_version(profile, version):
    chip = Ntag21x(Sticker.blank(profile, UID))
    activate(chip)
    assert chip.handle(x("60")) == x(version)


def test_get_version_ntag213(chip):
    assert chip.handle(x("60")) == x("00 04 04 02 01 00 0F 03")


def test_read_returns_four_pages(chip):
    assert chip.handle(x("30 00")) == x("04 E1 41 2C 12 4C 28 80 F6 48 00 00 E1 10 12 00")
    assert chip.handle(x("30 04")) == x("01 03 A0 0C 34 03 00 FE 00 00 00 00 00 00 00 00")


def test_read_wraps_at_the_end_of_memory_and_hides_pwd_and_pack(chip):
    assert chip.handle(x("30 29")) == x("04 00 00 FF 00 05 00 00 00 00 00 00 00 00 00 00")
    assert chip.handle(x("30 2C")) == x("00 00 00 00 04 E1 41 2C 12 4C 28 80 F6 48 00 00")


def test_read_beyond_the_last_page_naks_and_goes_idle(chip):
    assert chip.handle(x("30 2D")) == NAK0
    assert chip.state is State.IDLE


def test_fast_read(chip):
    assert chip.handle(x("3A 00 01")) == x("04 E1 41 2C 12 4C 28 80")
    assert chip.handle(x("3A 2A 2C")) == x("00 05 00 00") + bytes(8)
    whole = chip.handle(x("3A 00 2C"))
    assert len(whole) == 0x2D * 4


@pytest.mark.parametrize("frame", ["3A 05 04", "3A 00 2D", "3A 2D 2D"])
def test_fast_read_naks_a_bad_range(chip, frame):
    assert chip.handle(x(frame)) == NAK0
    assert chip.state is State.IDLE


def test_write_stores_a_page(chip, sticker):
    assert chip.handle(x("A2 10 DE AD BE EF")) == ACK
    assert chip.handle(x("30 10"))[:4] == x("DE AD BE EF")
    assert sticker.page(0x10) == x("DE AD BE EF")


@pytest.mark.parametrize(
    "frame", ["A2 00 00 00 00 00", "A2 01 00 00 00 00", "A2 2D 00 00 00 00", "A2 10 00 00 00"]
)
def test_write_naks_pages_0_1_beyond_the_end_and_short_frames(chip, frame):
    assert chip.handle(x(frame)) == NAK0
    assert chip.state is State.IDLE


def test_write_to_page_2_only_sets_lock_bits(chip, sticker):
    assert chip.handle(x("A2 02 00 00 11 00")) == ACK
    assert chip.handle(x("A2 02 FF FF 00 22")) == ACK
    assert sticker.page(2) == x("F6 48 11 22")


def test_capability_container_is_one_time_programmable(chip, sticker):
    assert chip.handle(x("A2 03 00 00 00 0F")) == ACK
    assert chip.handle(x("A2 03 E1 10 12 00")) == ACK
    assert sticker.page(3) == x("E1 10 12 0F")


def test_compatibility_write_in_two_steps(chip, sticker):
    assert chip.handle(x("A0 05")) == ACK
    assert chip.handle(x("11 22 33 44") + bytes(12)) == ACK
    assert sticker.page(5) == x("11 22 33 44")
    assert chip.state is State.ACTIVE


def test_compatibility_write_naks(chip, sticker):
    assert chip.handle(x("A0 2D")) == NAK0
    activate(chip)
    assert chip.handle(x("A0 05")) == ACK
    assert chip.handle(x("11 22 33 44")) == NAK0  # part 2 must carry 16 bytes
    assert sticker.page(5) == x("34 03 00 FE")


def test_read_cnt(chip, sticker):
    sticker.nfc_counter = 0x03F31
    assert chip.handle(x("39 02")) == x("31 3F 00")
    assert chip.handle(x("39 01")) == NAK0


def test_pwd_auth_answers_pack(chip, sticker):
    sticker.memory[0x2B * 4 : 0x2D * 4] = x("12345678 ABCD0000")
    assert chip.handle(x("1B 12 34 56 78")) == x("AB CD")
    assert chip.authenticated
    assert chip.handle(x("1B 12 34 56 00")) == NAK0
    assert chip.state is State.IDLE and not chip.authenticated


def test_pwd_auth_needs_four_bytes(chip):
    assert chip.handle(x("1B FF FF FF")) == NAK0


def test_read_sig(chip):
    signature = chip.handle(x("3C 00"))
    assert len(signature) == 32
    assert verify_signature(UID, signature, VIRTUAL_PUBLIC_KEY)
    assert chip.handle(x("3C 01")) == NAK0


def test_halt_is_silent(chip):
    assert chip.handle(x("50 00")) is None
    assert chip.state is State.HALT


def test_damaged_frame_naks_with_crc_error(chip):
    assert chip.damaged_frame() == x("01")
    assert chip.state is State.IDLE
    assert chip.damaged_frame() is None


def test_eeprom_failure_naks_5(sticker):
    chip = Ntag21x(sticker, eeprom_fails=lambda: True)
    activate(chip)
    assert chip.handle(x("A2 10 01 02 03 04")) == x("05")
    assert chip.state is State.IDLE
    assert sticker.page(0x10) == bytes(4)
