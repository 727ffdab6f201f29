import pytest

from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import (
    NTAG213,
    NTAG215,
    NTAG216,
    UnknownChipError,
    chip_by_name,
    chip_by_version,
)


@pytest.mark.parametrize(
    ("chip", "user", "last", "cc", "dynlock", "cfg0", "cfg1", "pwd", "pack", "storage"),
    [
        (NTAG213, 144, 0x2C, "E1101200", 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x0F),
        (NTAG215, 504, 0x86, "E1103E00", 0x82, 0x83, 0x84, 0x85, 0x86, 0x11),
        (NTAG216, 888, 0xE6, "E1106D00", 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0x13),
    ],
)
def test_profiles_match_the_datasheet(
    chip, user, last, cc, dynlock, cfg0, cfg1, pwd, pack, storage
):
    assert chip.user_bytes == user
    assert chip.last_page == last
    assert chip.capability_container == bytes.fromhex(cc)
    assert (chip.dynamic_lock_page, chip.cfg0_page, chip.cfg1_page) == (dynlock, cfg0, cfg1)
    assert (chip.pwd_page, chip.pack_page) == (pwd, pack)
    assert chip.version == bytes([0x00, 0x04, 0x04, 0x02, 0x01, 0x00, storage, 0x03])
    assert chip.last_user_page == dynlock - 1
    assert (chip.last_user_page - 3) * 4 == user


def test_factory_user_data():
    assert NTAG213.factory_user_data == bytes.fromhex("0103A00C 3403 00FE".replace(" ", ""))
    assert NTAG215.factory_user_data == bytes.fromhex("0300FE0000000000")


def test_lookup_by_name_and_version():
    assert chip_by_name("NTAG215") is NTAG215
    assert chip_by_version(bytes.fromhex("0004040201001303")) is NTAG216
    with pytest.raises(UnknownChipError, match="ntag213, ntag215, ntag216"):
        chip_by_name("mifare")
    with pytest.raises(UnknownChipError, match="0004030101000B03"):
        chip_by_version(bytes.fromhex("0004030101000B03"))  # an Ultralight EV1


def test_factory_configuration_decodes_to_defaults():
    config = ChipConfig.from_pages(NTAG213.factory_config[4:8], NTAG213.factory_config[8:12])
    assert config == ChipConfig()
    assert config.cfg0() == bytes.fromhex("040000FF")
    assert config.cfg1() == bytes.fromhex("00050000")


def test_configuration_bits_land_where_the_datasheet_says():
    config = ChipConfig(
        mirror_conf=MirrorConf.BOTH,
        mirror_byte=2,
        mirror_page=0x10,
        auth0=0x04,
        prot=True,
        cfglck=True,
        nfc_cnt_en=True,
        nfc_cnt_pwd_prot=True,
        authlim=5,
    )
    assert config.cfg0() == bytes([0b1110_0100, 0x00, 0x10, 0x04])
    assert config.cfg1() == bytes([0b1101_1101, 0x05, 0x00, 0x00])
    assert ChipConfig.from_pages(config.cfg0(), config.cfg1()) == config


@pytest.mark.parametrize(
    ("chip", "granularity", "bits"), [(NTAG213, 2, 12), (NTAG215, 16, 8), (NTAG216, 16, 14)]
)
def test_dynamic_lock_bits_cover_the_pages_from_10h(chip, granularity, bits):
    assert chip.dynamic_lock_granularity == granularity
    assert chip.dynamic_lock_bits == bits
