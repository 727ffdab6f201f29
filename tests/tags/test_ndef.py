import ndef as ndeflib
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nfc.tag.tt2 import get_capacity

from tags import ndef
from tags.chips import CHIPS, NTAG213, NTAG215, NTAG216
from tags.urls import MirrorMode, tap_url

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"

# Pages 4.. of a factory NTAG213 after writing URL, byte by byte: Lock Control TLV
# (01 03 A0 0C 34), NDEF TLV (03, length 26h = 38), the record (D1 = MB|ME|SR|TNF well-known,
# type length 01, payload length 22h = 34, type "U" = 55, prefix code 04 = "https://", then the
# 33 ASCII characters), Terminator TLV (FE), zero padding to the page boundary.
RECORD = (
    "D1012255" + "04" + "742E6578616D706C652E6F72672F"  # t.example.org/
    "313030304331535339434732324A584836454B"  # 1000C1SS9CG22JXH6EK
)
NTAG213_IMAGE = bytes.fromhex("0103A00C34" + "0326" + RECORD + "FE" + "0000")
NTAG215_IMAGE = bytes.fromhex("0326" + RECORD + "FE" + "000000")


def test_ntag213_image_is_byte_exact():
    assert ndef.encode_user_memory(URL, NTAG213) == NTAG213_IMAGE


def test_ntag215_and_216_have_no_lock_control_tlv():
    assert ndef.encode_user_memory(URL, NTAG215) == NTAG215_IMAGE
    assert ndef.encode_user_memory(URL, NTAG216) == NTAG215_IMAGE


def test_ndeflib_decodes_what_we_build():
    message = ndef.find_ndef_message(ndef.encode_user_memory(URL, NTAG213))
    (record,) = ndeflib.message_decoder(message)
    assert isinstance(record, ndeflib.UriRecord)
    assert record.iri == URL
    assert record.data[0] == 0x04  # "https://" abbreviated to one byte


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-./?=", max_size=132))
def test_memory_round_trips_on_every_chip(rest):
    url = "https://" + rest
    for chip in CHIPS.values():
        assert ndef.decode_user_memory(ndef.encode_user_memory(url, chip)) == url


def test_factory_layout_holds_132_characters_after_https_on_an_ntag213():
    assert ndef.max_uri_chars(NTAG213) == 132
    fits = "https://" + "a" * 132
    assert ndef.check_capacity(fits, NTAG213) == 0
    image = ndef.encode_user_memory(fits, NTAG213)
    assert len(image) == NTAG213.user_bytes  # full: no room for a terminator
    assert ndef.decode_user_memory(image) == fits


@pytest.mark.parametrize("chip", list(CHIPS.values()), ids=lambda c: c.name)
def test_capacity_agrees_with_nfcpy(chip):
    # nfcpy computes the NDEF capacity from the capability container and the TLVs before the
    # NDEF TLV; our largest message must be exactly that.
    offset = 16 + len(chip.factory_tlvs)
    nfcpy_capacity = get_capacity(chip.ndef_area_bytes, offset, set())
    largest = "https://" + "a" * ndef.max_uri_chars(chip)
    assert len(ndef.uri_message(largest)) == nfcpy_capacity
    with pytest.raises(ndef.CapacityError):
        ndef.check_capacity(largest + "a", chip)


def test_capacity_error_says_what_fits_and_what_to_do():
    url = "https://" + "a" * 141
    with pytest.raises(ndef.CapacityError) as error:
        ndef.check_capacity(url, NTAG213)
    assert str(error.value) == (
        "this URL is 141 characters after https://; an NTAG213 holds 132 after https://: "
        "use a shorter base URL or a larger chip"
    )


def test_demo_url_with_full_mirror_placeholder_fits_an_ntag213_with_75_bytes_spare():
    url = tap_url("https://t.example.org", "1000C1SS9CG22JXH6EK", MirrorMode.BOTH)
    assert ndef.check_capacity(url, NTAG213) == 75


@pytest.mark.parametrize(
    ("memory", "message"),
    [
        (NTAG213.factory_user_data, "blank"),
        (bytes.fromhex("0103A00C34FE00000000"), "no NDEF message"),
        (bytes.fromhex("03100000"), "announces 16 bytes"),
        (bytes.fromhex("0304D1010055") + bytes(8), "damaged"),
        (bytes.fromhex("0309D101055402656E6869FE"), "no URI record"),
    ],
)
def test_unreadable_memory_is_reported(memory, message):
    with pytest.raises(ndef.NdefFormatError, match=message):
        ndef.decode_user_memory(memory)


def test_null_tlvs_are_skipped():
    image = ndef.encode_user_memory(URL, NTAG215)
    assert ndef.decode_user_memory(b"\x00\x00" + image) == URL
