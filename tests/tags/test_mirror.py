import pytest

from tags import ndef
from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import CHIPS, NTAG213, NTAG215
from tags.mirror import MirrorError, mirror_position
from tags.urls import MirrorMode, tap_url

CODE = "1000C1SS9CG22JXH6EK"


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
