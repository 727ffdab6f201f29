"""nfcpy's own Type 2 Tag code against the virtual chip, exactly as against a sticker."""

import ndef as ndeflib
import nfc.tag.tt2
import nfc.tag.tt2_nxp
import pytest

from tags import ndef
from tags.chipconfig import ChipConfig
from tags.chips import CHIPS, NTAG213
from tags.mirror import mirror_position
from tags.originality import NXP_NTAG21X_PUBLIC_KEY, VIRTUAL_PUBLIC_KEY, verify_signature
from tags.urls import MirrorMode, tap_url
from tags.virtual.reader import VirtualReader
from tags.virtual.sticker import Sticker
from tests.support.nfcpy_frontend import connect, frontend

NFCPY_CLASSES = {
    "ntag213": nfc.tag.tt2_nxp.NTAG213,
    "ntag215": nfc.tag.tt2_nxp.NTAG215,
    "ntag216": nfc.tag.tt2_nxp.NTAG216,
}


@pytest.fixture
def on_reader():
    """A function that starts a reader with a sticker on it; the readers stop afterwards."""
    readers = []

    def start(sticker):
        reader = VirtualReader().start()
        reader.present(sticker)
        readers.append(reader)
        return reader

    yield start
    for reader in readers:
        reader.stop()


@pytest.mark.parametrize("key", sorted(CHIPS))
def test_each_chip_is_identified_and_holds_the_largest_ndef(on_reader, key):
    profile = CHIPS[key]
    sticker = Sticker.blank(profile)
    reader = on_reader(sticker)
    url = "https://" + "a" * ndef.max_uri_chars(profile)
    with frontend(reader.path) as clf:
        tag = connect(clf)
        assert type(tag) is NFCPY_CLASSES[key]
        assert tag.identifier == sticker.uid
        assert tag.ndef is not None and tag.ndef.is_writeable
        assert tag.ndef.capacity == len(ndef.uri_message(url))
        tag.ndef.records = [ndeflib.UriRecord(url)]
        with pytest.raises(ValueError, match="capacity"):
            tag.ndef.records = [ndeflib.UriRecord(url + "a")]
        again = connect(clf)
        assert again.ndef.records[0].iri == url
    assert sticker.url() == url


def test_signature_is_the_virtual_manufacturers(on_reader):
    sticker = Sticker.blank(NTAG213)
    with frontend(on_reader(sticker).path) as clf:
        signature = connect(clf).signature
    assert verify_signature(sticker.uid, signature, VIRTUAL_PUBLIC_KEY)
    assert not verify_signature(sticker.uid, signature, NXP_NTAG21X_PUBLIC_KEY)


def test_password_protection(on_reader):
    sticker = Sticker.blank(NTAG213)
    with frontend(on_reader(sticker).path) as clf:
        tag = connect(clf)
        tag.ndef.records = [ndeflib.UriRecord("https://t.example.org/first")]
        assert tag.protect(b"pass12") is True
        tag = connect(clf)
        assert tag.ndef.records[0].iri == "https://t.example.org/first"  # PROT=0: readable
        assert not tag.ndef.is_writeable
        with pytest.raises(nfc.tag.tt2.Type2TagCommandError):
            tag.write(4, b"\x00\x00\x00\x00")
        tag = connect(clf)
        assert tag.authenticate(b"wrong!") is False
        tag = connect(clf)
        assert tag.authenticate(b"pass12") is True
        assert tag.ndef.is_writeable
        tag.ndef.records = [ndeflib.UriRecord("https://t.example.org/second")]
    assert sticker.url() == "https://t.example.org/second"
    assert sticker.page(NTAG213.pwd_page) == b"pass"
    assert sticker.page(NTAG213.pack_page)[:2] == b"12"


def test_locking_makes_the_sticker_read_only_for_good(on_reader):
    sticker = Sticker.blank(NTAG213)
    with frontend(on_reader(sticker).path) as clf:
        tag = connect(clf)
        tag.ndef.records = [ndeflib.UriRecord("https://t.example.org/locked")]
        assert tag.protect() is True
        locked = bytes(sticker.memory)
        tag = connect(clf)
        assert tag.ndef.records[0].iri == "https://t.example.org/locked"
        assert not tag.ndef.is_writeable
        for page in [3, 4, 0x0F, 0x10, 0x27, NTAG213.cfg0_page, NTAG213.cfg1_page]:
            tag = connect(clf)
            with pytest.raises(nfc.tag.tt2.Type2TagCommandError):
                tag.write(page, b"\x00\x00\x00\x00")
    assert bytes(sticker.memory) == locked
    assert sticker.page(2)[2:] == b"\xff\xff"
    assert sticker.config.cfglck


def test_counter_goes_up_once_per_activation(on_reader):
    sticker = Sticker.blank(NTAG213)
    with frontend(on_reader(sticker).path) as clf:
        tag = connect(clf)
        tag.write(NTAG213.cfg1_page, ChipConfig(nfc_cnt_en=True).cfg1())
        counts = []
        for _ in range(4):
            tag = connect(clf)
            assert tag.ndef is not None  # nfcpy reads the tag: the first READ counts
            counts.append(int.from_bytes(tag.transceive(b"\x39\x02"), "little"))
    assert counts == [1, 2, 3, 4]
    assert sticker.nfc_counter == 4


def test_mirror_shows_up_in_the_url_nfcpy_reads(on_reader):
    sticker = Sticker.blank(NTAG213)
    url = tap_url("https://t.example.org", "1000C1SS9CG22JXH6EK", MirrorMode.BOTH)
    config = mirror_position(url, NTAG213, MirrorMode.BOTH).apply(ChipConfig())
    with frontend(on_reader(sticker).path) as clf:
        tag = connect(clf)
        tag.ndef.records = [ndeflib.UriRecord(url)]
        tag.write(NTAG213.cfg0_page, config.cfg0())
        tag.write(NTAG213.cfg1_page, config.cfg1())
        read = [connect(clf).ndef.records[0].iri for _ in range(2)]
    uid = sticker.uid.hex().upper()
    assert read == [url.replace("00000000000000x000000", f"{uid}x{n:06X}") for n in (1, 2)]
    assert sticker.url() == url
