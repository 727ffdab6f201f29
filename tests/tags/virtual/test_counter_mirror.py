"""The NFC counter (once per power-up) and the ASCII mirror in READ and FAST_READ answers."""

from tags import ndef
from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import NTAG213
from tags.mirror import mirror_position
from tags.urls import MirrorMode, tap_url
from tests.tags.virtual.conftest import power_cycle, x
from tests.tags.virtual.test_protection import write_config

CODE = "1000C1SS9CG22JXH6EK"


def test_counter_goes_up_on_the_first_read_of_each_power_up(chip, sticker):
    write_config(chip, sticker, ChipConfig(nfc_cnt_en=True))
    chip.handle(x("30 00"))
    assert sticker.nfc_counter == 0  # enabled only from the next power-up
    for expected in (1, 2, 3):
        power_cycle(chip)
        assert chip.handle(x("39 02")) == (expected - 1).to_bytes(3, "little")
        chip.handle(x("30 04"))
        chip.handle(x("3A 04 05"))
        assert chip.handle(x("39 02")) == expected.to_bytes(3, "little")


def test_counter_stops_at_ffffff(chip, sticker):
    write_config(chip, sticker, ChipConfig(nfc_cnt_en=True))
    sticker.nfc_counter = 0xFFFFFF
    power_cycle(chip)
    chip.handle(x("30 00"))
    assert chip.handle(x("39 02")) == x("FF FF FF")


def test_a_nak_is_not_a_valid_read(chip, sticker):
    write_config(chip, sticker, ChipConfig(nfc_cnt_en=True))
    power_cycle(chip)
    chip.handle(x("30 FF"))
    assert sticker.nfc_counter == 0


def mirrored_url(chip, sticker, mode):
    url = tap_url("https://t.example.org", CODE, mode)
    image = ndef.encode_user_memory(url, NTAG213)
    for index in range(0, len(image), 4):
        assert chip.handle(bytes([0xA2, 4 + index // 4]) + image[index : index + 4]) == x("0A")
    config = mirror_position(url, NTAG213, mode).apply(ChipConfig())
    write_config(chip, sticker, config)
    power_cycle(chip)
    data = b"".join(chip.handle(bytes([0x30, page])) for page in range(4, 0x28, 4))
    return url, ndef.decode_user_memory(data)


def test_uid_and_counter_mirror_as_nxp_shows_it(chip, sticker):
    sticker.nfc_counter = 0x3F30
    url, served = mirrored_url(chip, sticker, MirrorMode.BOTH)
    assert url.endswith("?M=00000000000000x000000")
    assert served == url.replace("00000000000000x000000", "04E141124C2880x003F31")
    assert sticker.url() == url  # the mirror is never stored


def test_uid_only_mirror(chip, sticker):
    url, served = mirrored_url(chip, sticker, MirrorMode.UID)
    assert served == url.replace("00000000000000", "04E141124C2880")


def test_counter_only_mirror(chip, sticker):
    url, served = mirrored_url(chip, sticker, MirrorMode.COUNTER)
    assert served == url.replace("000000", "000001")


def test_mirror_spans_page_boundaries_and_fast_read(chip, sticker):
    config = ChipConfig(mirror_conf=MirrorConf.UID, mirror_page=0x10, mirror_byte=2)
    write_config(chip, sticker, config)
    power_cycle(chip)
    assert chip.handle(x("3A 10 14")) == x("0000") + b"04E141124C2880" + bytes(4)
    assert chip.handle(x("30 11")) == b"E141124C2880" + bytes(4)


def test_mirror_that_does_not_fit_user_memory_is_off(chip, sticker):
    config = ChipConfig(mirror_conf=MirrorConf.BOTH, mirror_page=0x26)
    write_config(chip, sticker, config)
    power_cycle(chip)
    assert chip.handle(x("30 26")) == bytes(8) + x("00 00 00 BD") + config.cfg0()


def test_password_protected_counter_is_not_mirrored(chip, sticker):
    config = ChipConfig(
        mirror_conf=MirrorConf.BOTH, mirror_page=0x10, nfc_cnt_en=True, nfc_cnt_pwd_prot=True
    )
    write_config(chip, sticker, config)
    power_cycle(chip)
    assert chip.handle(x("3A 10 15")) == b"04E141124C2880x" + bytes(9)
