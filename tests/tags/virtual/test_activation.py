"""ISO/IEC 14443-3 activation of a 7-byte-UID NTAG21x: exact frames in and out."""

from tags.virtual.chip import Ntag21x, State
from tests.tags.virtual.conftest import activate, x


def test_anticollision_and_select_over_two_cascade_levels(sticker):
    chip = Ntag21x(sticker)
    assert chip.handle(x("26")) is None  # no field, no answer
    chip.power_on()
    assert chip.handle(x("26")) == x("44 00")
    assert chip.handle(x("93 20")) == x("88 04 E1 41 2C")
    assert chip.handle(x("93 70 88 04 E1 41 2C")) == x("04")  # SAK: UID not complete
    assert chip.handle(x("95 20")) == x("12 4C 28 80 F6")
    assert chip.handle(x("95 70 12 4C 28 80 F6")) == x("00")  # SAK 00: Type 2 Tag
    assert chip.state is State.ACTIVE


def test_wupa_wakes_from_idle_and_halt_but_reqa_only_from_idle(chip):
    assert chip.handle(x("50 00")) is None
    assert chip.state is State.HALT
    assert chip.handle(x("26")) is None
    assert chip.handle(x("30 00")) is None
    assert chip.handle(x("52")) == x("44 00")
    assert chip.state is State.READY1


def test_a_wrong_select_sends_the_chip_back_to_idle(sticker):
    chip = Ntag21x(sticker)
    chip.power_on()
    chip.handle(x("26"))
    assert chip.handle(x("93 70 88 04 E1 41 2D")) is None  # bad BCC
    assert chip.state is State.IDLE
    assert chip.handle(x("26")) == x("44 00")


def test_after_halt_an_error_goes_back_to_halt(chip):
    chip.handle(x("50 00"))
    chip.handle(x("52"))
    chip.handle(x("93 70 88 04 E1 41 2C"))
    chip.handle(x("95 70 12 4C 28 80 F6"))
    assert chip.handle(x("1A 00")) == x("00")
    assert chip.state is State.HALT
    assert chip.handle(x("26")) is None


def test_unknown_command_naks_and_the_chip_must_be_woken_again(chip):
    # nfcpy's probe for a MIFARE Ultralight C: NAK 0h, then it activates the chip again.
    assert chip.handle(x("1A 00")) == x("00")
    assert chip.state is State.IDLE
    assert chip.handle(x("60")) is None
    activate(chip)
    assert chip.handle(x("60")) == x("00 04 04 02 01 00 0F 03")


def test_power_off_loses_everything_volatile(chip):
    chip.power_off()
    assert chip.state is State.OFF
    assert chip.handle(x("26")) is None
