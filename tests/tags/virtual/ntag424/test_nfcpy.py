"""nfcpy's own Type 4 Tag code against the virtual NTAG 424 DNA, as against a sticker."""

import ndef as ndeflib
import nfc.tag.tt4

from tags.ntag424.facts import NTAG424DNA
from tags.virtual import Roll, VirtualReader
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tests.support.nfcpy_frontend import connect, frontend

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"


def test_nfcpy_activates_it_as_a_type_4_tag_and_uses_its_ndef_file():
    sticker = Ntag424Sticker.blank()
    with VirtualReader() as reader:
        reader.present(sticker)
        with frontend(reader.path) as clf:
            tag = connect(clf)
            assert isinstance(tag, nfc.tag.tt4.Type4ATag)
            assert tag.identifier == sticker.uid
            assert str(tag) == "Type4ATag MIU=125 FWT=0.038664"  # FSC 128, FWI 7 from the ATS
            assert tag.ndef.capacity == 254 and tag.ndef.is_writeable
            tag.ndef.records = [ndeflib.UriRecord(URL)]
            assert tag.is_present  # nfcpy's presence check, an R(NAK)
            version = tag.send_apdu(0x90, 0x60, 0x00, 0x00, mrl=256, check_status=False)
            assert version == bytes.fromhex("04040230001105 91AF")
            again = connect(clf)
            assert again.ndef.records[0].iri == URL
    assert sticker.url() == URL
    assert sticker.stats.power_ups == 2


def test_a_roll_of_424_stickers():
    roll = Roll(NTAG424DNA, count=2, seed=1)
    with VirtualReader(roll) as reader, frontend(reader.path) as clf:
        first = connect(clf).identifier
        reader.next_sticker()
        second = connect(clf).identifier
    assert [s.uid for s in reader.stickers] == [first, second]
    assert all(isinstance(s, Ntag424Sticker) for s in reader.stickers)
    assert roll.remaining == 0
