import pytest

from tags import ndef
from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import CHIPS, NTAG213, NTAG215, NTAG216
from tags.mirror import MirrorError, mirror_position, mirror_start, mirror_text, overlay
from tags.urls import MirrorMode, tap_url

CODE = "1000C1SS9CG22JXH6EK"
# NXP's example of the UID and counter mirror: UID 04E141124C2880, NFC counter 003F31h.
NXP_UID = bytes.fromhex("04E141124C2880")
NXP_COUNTER = 0x003F31


@pytest.mark.parametrize("mode", list(MirrorMode))
@pytest.mark.parametrize("chip", list(CHIPS.values()), ids=lambda c: c.name)
def test_position_points_exactly_at_the_placeholder(chip, mode):
    url = tap_url("https://t.example.org", CODE, mode)
    position = mirror_position(url, chip, mode)
    image = ndef.encode_user_memory(url, chip)
    offset = (position.page - 4) * 4 + position.byte
    assert image[offset : offset + mode.length].decode() == mode.placeholder
    # what a chip mirroring there would serve is the URL with the real value in it
    real = (
        "04E141124C2880x003F31"[-mode.length :]
        if mode is MirrorMode.COUNTER
        else ("04E141124C2880x003F31"[: mode.length])
    )
    served = image[:offset] + real.encode() + image[offset + mode.length :]
    assert ndef.decode_user_memory(served).endswith("?M=" + real)


def test_known_position_on_an_ntag213():
    url = tap_url("https://t.example.org", CODE, MirrorMode.BOTH)
    # 5 (lock TLV) + 2 (NDEF TLV) + 4 (record header) + 1 (prefix) + 33 + 3 ("?M=") = byte 48
    position = mirror_position(url, NTAG213, MirrorMode.BOTH)
    assert (position.page, position.byte) == (16, 0)
    on_215 = mirror_position(url, NTAG215, MirrorMode.BOTH)
    assert (on_215.page, on_215.byte) == (14, 3)


def test_apply_sets_the_configuration_and_counter():
    url = tap_url("https://t.example.org", CODE, MirrorMode.BOTH)
    config = mirror_position(url, NTAG213, MirrorMode.BOTH).apply(ChipConfig())
    assert (config.mirror_conf, config.mirror_page, config.mirror_byte) == (MirrorConf.BOTH, 16, 0)
    assert config.nfc_cnt_en
    uid_only = tap_url("https://t.example.org", CODE, MirrorMode.UID)
    assert not mirror_position(uid_only, NTAG213, MirrorMode.UID).apply(ChipConfig()).nfc_cnt_en


def test_url_without_placeholder_is_refused():
    with pytest.raises(MirrorError, match="placeholder"):
        mirror_position(tap_url("https://t.example.org", CODE), NTAG213, MirrorMode.UID)
    with pytest.raises(MirrorError, match="placeholder"):
        url = tap_url("https://t.example.org", CODE, MirrorMode.COUNTER)
        mirror_position(url, NTAG213, MirrorMode.BOTH)


@pytest.mark.parametrize(
    ("conf", "text"),
    [
        (MirrorConf.UID, "04E141124C2880"),
        (MirrorConf.COUNTER, "003F31"),
        (MirrorConf.BOTH, "04E141124C2880x003F31"),
        (MirrorConf.OFF, ""),
    ],
)
def test_the_mirrored_text_is_nxps_example(conf, text):
    assert mirror_text(conf, NXP_UID, NXP_COUNTER) == text.encode()
    if conf is not MirrorConf.OFF:
        assert len(text) == MirrorMode[conf.name].length  # 14, 6 and 21 characters


def test_a_protected_counter_leaves_its_characters_out():
    assert mirror_text(MirrorConf.BOTH, NXP_UID, None) == b"04E141124C2880x"
    assert mirror_text(MirrorConf.COUNTER, NXP_UID, None) == b""


def test_the_mirror_starts_at_mirror_byte_of_mirror_page():
    config = ChipConfig(mirror_conf=MirrorConf.UID, mirror_page=0x10, mirror_byte=3)
    assert mirror_start(config, NTAG213, MirrorMode.UID.length) == 0x10 * 4 + 3


@pytest.mark.parametrize("page", [0x00, 0x01, 0x02, 0x03])
def test_mirror_page_below_4_or_mirror_conf_off_means_no_mirror(page):
    on = ChipConfig(mirror_conf=MirrorConf.BOTH, mirror_page=page)
    assert mirror_start(on, NTAG213, MirrorMode.BOTH.length) is None
    off = ChipConfig(mirror_conf=MirrorConf.OFF, mirror_page=0x10)
    assert mirror_start(off, NTAG213, MirrorMode.BOTH.length) is None


@pytest.mark.parametrize(
    ("chip", "mode", "page", "byte"),
    [
        # User memory ends with page 27h, 81h and E1h (just before the dynamic lock page): the
        # last place where each mirror still fits whole.
        (NTAG213, MirrorMode.UID, 0x24, 2),
        (NTAG213, MirrorMode.COUNTER, 0x26, 2),
        (NTAG213, MirrorMode.BOTH, 0x22, 3),
        (NTAG215, MirrorMode.UID, 0x7E, 2),
        (NTAG215, MirrorMode.COUNTER, 0x80, 2),
        (NTAG215, MirrorMode.BOTH, 0x7C, 3),
        (NTAG216, MirrorMode.UID, 0xDE, 2),
        (NTAG216, MirrorMode.COUNTER, 0xE0, 2),
        (NTAG216, MirrorMode.BOTH, 0xDC, 3),
    ],
)
def test_a_mirror_must_end_within_user_memory(chip, mode, page, byte):
    last = ChipConfig(mirror_conf=mode.conf, mirror_page=page, mirror_byte=byte)
    assert mirror_start(last, chip, mode.length) == page * 4 + byte
    assert page * 4 + byte + mode.length == chip.dynamic_lock_page * 4
    one_further = (page, byte + 1) if byte < 3 else (page + 1, 0)
    beyond = ChipConfig(
        mirror_conf=mode.conf, mirror_page=one_further[0], mirror_byte=one_further[1]
    )
    assert mirror_start(beyond, chip, mode.length) is None


def test_the_mirror_overlays_the_bytes_it_covers_in_a_read_answer():
    # A READ of pages 0Fh to 12h with the counter mirror from page 10h, byte 2.
    answer = bytearray(b"AAAABBBBCCCCDDDD")
    overlay(answer, [0x0F, 0x10, 0x11, 0x12], 0x10 * 4 + 2, b"003F31")
    assert answer == bytearray(b"AAAABB003F31DDDD")


def test_the_mirror_lands_by_page_number_when_a_read_rolls_over():
    # READ 10h on a chip read-protected from 11h rolls over to page 0: pages 10h, 00h, 01h, 02h.
    answer = bytearray(b"PPPPQQQQRRRRSSSS")
    overlay(answer, [0x10, 0x00, 0x01, 0x02], 0x0F * 4 + 2, b"003F31")
    assert answer == bytearray(b"3F31QQQQRRRRSSSS")
