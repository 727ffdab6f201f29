"""The practice reader: a roll of stickers, sticker changes, faults, counters per sticker."""

import ndef as ndeflib
import nfc.tag.tt2
import nfc.tag.tt2_nxp
import pytest

from tags.chips import NTAG213, NTAG215
from tags.virtual.faults import FaultError, Faults
from tags.virtual.reader import VirtualReader
from tags.virtual.roll import Roll, RollEmptyError
from tags.virtual.sticker import Sticker
from tests.support.nfcpy_frontend import connect, frontend
from tests.tags.virtual.conftest import x

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"
CLIENT, OTHER_CLIENT = ("127.0.0.1", 50001), ("127.0.0.1", 50002)


def write_and_verify(clf, url=URL):
    """What the field tool does: write, then a fresh activation that reads it back."""
    connect(clf).ndef.records = [ndeflib.UriRecord(url)]
    return connect(clf).ndef.records[0].iri


def select(reader, sticker, client=CLIENT):
    """Activate the sticker through the reader's frame handler, as nfcpy would."""
    uid = sticker.uid
    assert reader.frame(x("26"), client) == x("44 00")
    reader.frame(x("93 70 88") + uid[:3] + bytes([0x88 ^ uid[0] ^ uid[1] ^ uid[2]]), client)
    reader.frame(x("95 70") + uid[3:] + bytes([uid[3] ^ uid[4] ^ uid[5] ^ uid[6]]), client)


def test_roll_gives_the_next_sticker_after_write_and_read_back():
    events = []
    roll = Roll(NTAG215, count=3, seed=7)
    reader = VirtualReader(
        roll, take_away_after_read_back=True, listener=lambda e, s: events.append(e)
    )
    with reader, frontend(reader.path) as clf:
        uids = []
        for n in range(3):
            tag = connect(clf)
            uids.append(tag.identifier)
            assert write_and_verify(clf, f"{URL}{n}") == f"{URL}{n}"
    # Closing nfcpy switched the field off: the last sticker went too.
    assert reader.wait_until(lambda: reader.sticker is None)
    assert [s.uid for s in reader.stickers] == uids and len(set(uids)) == 3
    assert [s.url() for s in reader.stickers] == [f"{URL}{n}" for n in range(3)]
    assert events.count("presented") == 3 and events[-1] == "roll empty"
    assert roll.remaining == 0
    with pytest.raises(RollEmptyError):
        roll.take()


def test_a_sticker_read_but_never_written_stays_on_the_reader():
    reader = VirtualReader(Roll(NTAG213, seed=1), take_away_after_read_back=True)
    with reader, frontend(reader.path) as clf:
        first = connect(clf).identifier
        assert connect(clf).identifier == first


def test_the_test_changes_stickers_by_hand():
    roll = Roll(NTAG213, seed=2)
    reader = VirtualReader(roll)
    first = reader.sticker
    second = reader.next_sticker()
    assert second is not first and reader.sticker is second
    assert reader.take_away() is second and reader.sticker is None
    assert reader.put_back() is second and reader.sticker is second
    reader.present(first)
    assert reader.sticker is first and reader.stickers == [first, second]


def test_counters_per_sticker_count_rf_exchanges():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader()
    reader.present(sticker)
    select(reader, sticker)
    assert reader.frame(x("30 04"), CLIENT) is not None
    stats = sticker.stats
    assert (stats.exchanges, stats.power_ups, stats.reads, stats.writes) == (4, 1, 1, 0)


def test_a_new_client_socket_or_rfoff_is_a_new_field():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader()
    reader.present(sticker)
    select(reader, sticker)
    assert reader.frame(x("1B FF FF FF FF"), CLIENT) == x("00 00")
    select(reader, sticker, OTHER_CLIENT)  # answers REQA again: it was powered down
    reader.rf_off(OTHER_CLIENT)
    select(reader, sticker, OTHER_CLIENT)
    assert sticker.stats.power_ups == 3


def test_pulled_away_after_the_kth_write_keeps_what_was_written():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader(faults=Faults(pull_after_writes=2))
    reader.present(sticker)
    select(reader, sticker)
    assert reader.frame(x("A2 10 01 01 01 01"), CLIENT) == x("0A")
    assert reader.frame(x("A2 11 02 02 02 02"), CLIENT) == x("0A")
    assert reader.sticker is None
    assert reader.frame(x("A2 12 03 03 03 03"), CLIENT) is None
    assert [sticker.page(p) for p in (0x10, 0x11, 0x12)] == [x("01010101"), x("02020202"), bytes(4)]
    assert reader.faults.pull_after_writes is None  # fires once
    reader.put_back()
    select(reader, sticker, OTHER_CLIENT)
    assert reader.frame(x("A2 12 03 03 03 03"), OTHER_CLIENT) == x("0A")


def test_nfcpy_write_interrupted_by_a_pull_then_finished_after_put_back():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader()
    reader.present(sticker)
    with reader, frontend(reader.path) as clf:
        tag = connect(clf)
        assert tag.ndef is not None
        reader.set_faults(Faults(pull_after_writes=3))
        with pytest.raises(nfc.tag.tt2.Type2TagCommandError):
            tag.ndef.records = [ndeflib.UriRecord(URL + "?" + "x" * 40)]
        assert sticker.stats.writes == 3
        reader.put_back()
        assert write_and_verify(clf) == URL
    assert sticker.url() == URL


def test_lost_frames_are_recovered_by_nfcpy_retries():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader(faults=Faults(drop_rate=0.05, seed=3))
    reader.present(sticker)
    with reader, frontend(reader.path) as clf:
        for _attempt in range(20):
            try:
                if write_and_verify(clf) == URL:
                    break
            except (nfc.tag.TagCommandError, AttributeError):
                continue  # the tool retries a failed activation or write
    assert sticker.url() == URL


def test_a_slightly_slow_chip_is_fine_a_very_slow_one_is_misidentified():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader(faults=Faults(delay=0.001))
    reader.present(sticker)
    with reader, frontend(reader.path) as clf:
        assert type(connect(clf)) is nfc.tag.tt2_nxp.NTAG213
        # nfcpy waits 10 ms for GET_VERSION: a 30 ms chip looks like a plain Ultralight.
        reader.set_faults(Faults(delay=0.03))
        assert type(connect(clf)) is nfc.tag.tt2_nxp.MifareUltralight


def test_corrupted_commands_get_nak_1():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader()
    reader.present(sticker)
    select(reader, sticker)
    reader.set_faults(Faults(corrupt_rate=0.999999, seed=1))
    assert reader.frame(x("30 00"), CLIENT) == x("01")
    assert reader.frame(x("30 00"), CLIENT) is None  # back in IDLE


@pytest.mark.parametrize(
    "faults",
    [{"pull_after_writes": 0}, {"drop_rate": 1.0}, {"corrupt_rate": -0.1}, {"delay": -1}],
)
def test_bad_fault_settings_are_refused(faults):
    with pytest.raises(FaultError):
        Faults(**faults)


def test_eeprom_write_errors_nak_5_and_leave_the_page():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader(faults=Faults(write_error_rate=0.999999, seed=1))
    reader.present(sticker)
    select(reader, sticker)
    assert reader.frame(x("A2 10 01 02 03 04"), CLIENT) == x("05")
    assert sticker.page(0x10) == bytes(4) and sticker.stats.writes == 0
    reader.set_faults(Faults())
    select(reader, sticker, OTHER_CLIENT)
    assert reader.frame(x("A2 10 01 02 03 04"), OTHER_CLIENT) == x("0A")
