"""File settings bytes and the SUN URL layout, against AN12196's examples."""

import pytest

from tags.ndef import CapacityError
from tags.ntag424 import layout
from tags.ntag424.filesettings import (
    FREE,
    NEVER,
    AccessRights,
    CommMode,
    FileSettings,
    FileSettingsError,
    SdmSettings,
)
from tags.ntag424.sun import SunError
from tests.tags.ntag424 import vectors as v


def test_change_file_settings_data_of_the_example():
    # AN12196 §6.9: FileOption 40h, rights 00E0h, SDMOptions C1h, SDMAccessRights F121h,
    # PICCDataOffset 20h, SDMMACInputOffset = SDMMACOffset = 43h.
    settings = FileSettings.decode_change(v.CFS_DATA)
    assert settings.comm_mode is CommMode.PLAIN
    assert settings.access == AccessRights(read=FREE, write=0, read_write=0, change=0)
    assert settings.sdm == SdmSettings(
        meta_read=2,
        file_read=1,
        counter_read=1,
        picc_data_offset=0x20,
        mac_input_offset=0x43,
        mac_offset=0x43,
    )
    assert settings.encode_change() == v.CFS_DATA


def test_get_file_settings_answer_of_the_example():
    # AN12196 §5.3: UID, counter and encrypted file data mirrored, all under key 0.
    settings = FileSettings.decode_get(v.MAC_EXAMPLE_SETTINGS)
    assert settings.size == 256
    sdm = settings.sdm
    assert (sdm.meta_read, sdm.file_read, sdm.counter_read) == (0, 0, FREE)
    assert (sdm.picc_data_offset, sdm.mac_input_offset, sdm.mac_offset) == (0x1F, 0x44, 0x6A)
    assert (sdm.enc_offset, sdm.enc_length) == (0x44, 0x20)
    assert settings.encode_get() == v.MAC_EXAMPLE_SETTINGS


def test_plain_mirror_settings_round_trip():
    sdm = SdmSettings(
        meta_read=FREE,
        file_read=1,
        uid_offset=10,
        read_counter_offset=30,
        mac_input_offset=10,
        mac_offset=40,
        read_counter_limit=1000,
    )
    settings = FileSettings(CommMode.PLAIN, AccessRights(FREE, 0, 0, 0), sdm, 256)
    assert FileSettings.decode_get(settings.encode_get()) == settings
    no_sdm = FileSettings(CommMode.FULL, AccessRights(2, 3, 3, 0), None, 128)
    assert no_sdm.encode_get() == bytes.fromhex("00 03 3023 800000")  # factory file 03
    assert FileSettings.decode_get(no_sdm.encode_get()) == no_sdm


@pytest.mark.parametrize(
    "data",
    ["40", "4000E0C1F12120", "4000E0C1F121200000430000430000FF", "0200E0"],
    ids=["short", "offset cut", "trailing byte", "comm mode 2"],
)
def test_malformed_settings_are_refused(data):
    with pytest.raises(FileSettingsError):
        FileSettings.decode_change(bytes.fromhex(data))


def test_sdm_settings_need_their_offsets():
    with pytest.raises(FileSettingsError, match="picc data offset"):
        SdmSettings(meta_read=2, file_read=NEVER).encode()


def test_the_layout_of_the_example_url():
    # AN12196's URL gives back its own offsets (20h, 43h) and its ChangeFileSettings data,
    # and its NDEF file is the first 83 bytes that §5.4 writes.
    assert layout.sun_offsets(v.CHOOSE_URL) == layout.SunOffsets(picc_data=0x20, mac=0x43)
    assert layout.ndef_file_settings(v.CHOOSE_URL).encode_change() == v.CFS_DATA
    assert layout.ndef_file(v.CHOOSE_URL) == v.WRITE_NDEF_PLAIN[:83]


def test_taptrail_sun_url():
    url = layout.sun_url("https://t.example.org/", "1000C1SS9CG22JXH6EK")
    assert url == "https://t.example.org/1000C1SS9CG22JXH6EK?e=" + "0" * 32 + "&c=" + "0" * 16
    data = layout.ndef_file(url)
    offsets = layout.sun_offsets(url)
    assert data[offsets.picc_data - 3 : offsets.picc_data] == b"?e="
    assert data[offsets.mac - 3 : offsets.mac] == b"&c="
    assert layout.read_sun(url) is None  # still the placeholders
    tapped = url.replace("0" * 32, v.T2_PICC_DATA.hex().upper()).replace(
        "0" * 16, v.T4_MAC.hex().upper()
    )
    assert layout.read_sun(tapped) == layout.SunParams(v.T2_PICC_DATA, v.T4_MAC)


@pytest.mark.parametrize(
    "query",
    ["e=" + "0" * 32, "e=" + "0" * 31 + "&c=" + "0" * 16, "e=" + "0" * 32 + "&c=ZZ&c=00"],
)
def test_malformed_sun_urls_are_refused(query):
    with pytest.raises(SunError):
        layout.read_sun(f"https://t.example.org/1000C1SS9CG22JXH6EK?{query}")


def test_a_url_too_long_for_the_file_is_refused():
    url = layout.sun_url("https://" + "a" * 200 + ".example.org", "1000C1SS9CG22JXH6EK")
    with pytest.raises(CapacityError, match="256"):
        layout.ndef_file(url)
    with pytest.raises(SunError, match="placeholders"):
        layout.sun_offsets("https://t.example.org/1000C1SS9CG22JXH6EK")
