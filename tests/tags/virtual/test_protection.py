"""Lock bits, password protection and CFGLCK really protect, as the datasheet maps them."""

from tags.chipconfig import ChipConfig
from tags.virtual.chip import State
from tests.tags.virtual.conftest import power_cycle, x

NAK0 = x("00")
ACK = x("0A")


def write_config(chip, sticker, config: ChipConfig, pwd="11223344", pack="AABB0000"):
    profile = sticker.profile
    for page, data in [
        (profile.pwd_page, x(pwd)),
        (profile.pack_page, x(pack)),
        (profile.cfg1_page, config.cfg1()),
        (profile.cfg0_page, config.cfg0()),
    ]:
        assert chip.handle(bytes([0xA2, page]) + data) == ACK


def test_static_lock_bit_locks_its_page(chip, sticker):
    assert chip.handle(x("A2 02 00 00 10 00")) == ACK  # L4
    assert chip.handle(x("A2 04 00 00 00 00")) == NAK0
    assert chip.state is State.IDLE
    assert sticker.page(4) == x("01 03 A0 0C")


def test_static_lock_bit_locks_the_capability_container(chip, sticker):
    assert chip.handle(x("A2 02 00 00 08 00")) == ACK  # L-CC
    assert chip.handle(x("A2 03 00 00 00 0F")) == NAK0
    assert sticker.page(3) == x("E1 10 12 00")


def test_dynamic_lock_page_ors_and_keeps_bd(chip, sticker):
    assert chip.handle(x("A2 28 01 00 00 00")) == ACK
    assert chip.handle(x("A2 28 00 00 00 00")) == ACK
    assert sticker.page(0x28) == x("01 00 00 BD")
    assert chip.handle(x("A2 11 00 00 00 00")) == NAK0
    power_cycle(chip)
    assert chip.handle(x("A2 12 00 00 00 00")) == ACK


def test_password_protects_writes_from_auth0_after_the_next_power_up(chip, sticker):
    write_config(chip, sticker, ChipConfig(auth0=0x10))
    assert chip.handle(x("A2 10 01 02 03 04")) == ACK  # not yet: latched at power-up
    power_cycle(chip)
    assert chip.handle(x("30 10"))[:4] == x("01 02 03 04")  # PROT=0: reads stay open
    assert chip.handle(x("A2 10 00 00 00 00")) == NAK0
    power_cycle(chip)
    assert chip.handle(x("A2 0F 00 00 00 00")) == ACK
    assert chip.handle(x("1B 11 22 33 44")) == x("AA BB")
    assert chip.handle(x("A2 10 00 00 00 00")) == ACK


def test_prot_protects_reads_and_rolls_over_at_auth0(chip, sticker):
    write_config(chip, sticker, ChipConfig(auth0=0x06, prot=True))
    power_cycle(chip)
    assert chip.handle(x("30 04")) == x("01 03 A0 0C 34 03 00 FE 04 E1 41 2C 12 4C 28 80")
    assert chip.handle(x("30 06")) == NAK0
    power_cycle(chip)
    assert chip.handle(x("3A 04 06")) == NAK0
    power_cycle(chip)
    chip.handle(x("1B 11 22 33 44"))
    assert chip.handle(x("30 06")) == bytes(16)


def test_cfglck_freezes_cfg0_and_cfg1_from_the_next_power_up(chip, sticker):
    write_config(chip, sticker, ChipConfig(cfglck=True))
    assert chip.handle(x("A2 29 04 00 00 FF")) == ACK
    power_cycle(chip)
    assert chip.handle(x("A2 29 04 00 00 10")) == NAK0
    power_cycle(chip)
    assert chip.handle(x("A2 2A 00 05 00 00")) == NAK0
    power_cycle(chip)
    assert chip.handle(x("A2 2B 01 02 03 04")) == ACK  # PWD and PACK stay writable
    assert sticker.config.cfglck and sticker.config.auth0 == 0xFF


def test_authlim_counts_failures_then_locks_for_good(chip, sticker):
    write_config(chip, sticker, ChipConfig(auth0=0x04, authlim=2))
    power_cycle(chip)
    assert chip.handle(x("1B 00 00 00 01")) == NAK0
    power_cycle(chip)
    assert chip.handle(x("1B 11 22 33 44")) == x("AA BB")  # success resets the count
    assert sticker.auth_failures == 0
    for attempt in (1, 2):
        power_cycle(chip)
        assert chip.handle(x("1B 00 00 00 01")) == NAK0
        assert sticker.auth_failures == attempt
    power_cycle(chip)
    assert chip.handle(x("1B 00 00 00 01")) == x("04")  # one more failure: locked for good
    power_cycle(chip)
    assert chip.handle(x("1B 11 22 33 44")) == x("04")
    assert not chip.authenticated


def test_without_authlim_failures_are_not_counted(chip, sticker):
    for _ in range(3):
        assert chip.handle(x("1B 00 00 00 01")) == NAK0
        power_cycle(chip)
    assert sticker.auth_failures == 0
    assert chip.handle(x("1B FF FF FF FF")) == x("00 00")


def test_halt_ends_authentication(chip):
    assert chip.handle(x("1B FF FF FF FF")) == x("00 00")
    chip.handle(x("50 00"))
    chip.handle(x("52"))
    chip.handle(x("93 70 88 04 E1 41 2C"))
    chip.handle(x("95 70 12 4C 28 80 F6"))
    assert not chip.authenticated


def test_read_cnt_password_protection(chip, sticker):
    write_config(chip, sticker, ChipConfig(nfc_cnt_en=True, nfc_cnt_pwd_prot=True))
    power_cycle(chip)
    assert chip.handle(x("39 02")) == NAK0
    power_cycle(chip)
    chip.handle(x("1B 11 22 33 44"))
    assert chip.handle(x("39 02")) == x("00 00 00")
