"""Personalising an NTAG 424 DNA through the real nfcpy stack, against the virtual chip."""

import pytest

from tags.chips import NTAG213
from tags.ntag424 import apdu, ev2
from tags.ntag424.facts import NDEF_FILE, NTAG424DNA
from tags.ntag424.filesettings import CommMode
from tags.ntag424.keys import FACTORY_KEY, sticker_keys
from tags.ntag424.layout import ndef_file, ndef_file_settings, read_sun, sun_url
from tags.ntag424.securemessaging import SecureChannel
from tags.ntag424.sun import verify_sun
from tags.virtual import Faults, Roll, Sticker, VirtualReader
from tags.virtual.link import UdpLink
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tagwriter.errors import StickerGone, StickerRefused, VerifyError
from tagwriter.ntag424.personalise import personalise
from tests.support.frames import Recorder, iso_dep_exchanges
from tests.support.nfcpy_frontend import connect, frontend

MASTER = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
VERSION = 1
URL = sun_url("https://t.example.org", "1000C1SS9CG22JXH6EK")
RND_A = bytes.fromhex("13C5DB8A5930439FC3DEF9A4C675360F")
SELECT = bytes.fromhex("00A4040C07D276000085010100")
READ_NDEF_FILE = bytes.fromhex("90AD0000070200000000000000")
OK = b"\x91\x00"


def fixed(size: int) -> bytes:
    """The field tool's RndA, fixed so that the cryptograms can be recomputed."""
    return RND_A[:size]


@pytest.fixture
def reader():
    with VirtualReader() as reader:
        yield reader


def run(reader, **options):
    with frontend(reader.path) as clf:
        return personalise(clf, URL, MASTER, VERSION, **options)


def phone_tap(reader):
    """The URL nfcpy reads the way a phone does (NDEF discovery)."""
    with frontend(reader.path) as clf:
        return connect(clf).ndef.records[0].iri


def assert_personalised(sticker: Ntag424Sticker) -> None:
    keys = sticker_keys(MASTER, sticker.uid, VERSION)
    assert sticker.keys == list(keys.keys)
    assert sticker.key_versions == [VERSION] * 5
    assert sticker.settings[NDEF_FILE] == ndef_file_settings(URL)
    assert sticker.url() == URL


def test_a_blank_sticker_is_personalised_and_taps_verify(reader):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    done = run(reader)
    assert done.uid == sticker.uid and done.counters == (1, 2)
    assert done.steps == ("url", "settings", "key 1", "key 2", "key 3", "key 4", "key 0")
    assert_personalised(sticker)
    # A phone's tap: nfcpy's own NDEF read; the server's check with the derived keys.
    keys = sticker_keys(MASTER, sticker.uid, VERSION)
    params = read_sun(phone_tap(reader))
    tap = verify_sun(keys.meta_read, keys.file_read, params.picc_data, params.mac)
    assert (tap.uid, tap.counter) == (sticker.uid, 3)
    # Factory keys no longer open it; nor does the SUN verify with another sticker's keys.
    other = sticker_keys(MASTER, bytes.fromhex("04A1B2C3D4E5F6"), VERSION)
    with pytest.raises(Exception, match="MAC"):
        verify_sun(keys.meta_read, other.file_read, params.picc_data, params.mac)


def test_the_exact_apdus_and_cryptograms(reader):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    recorder = Recorder(reader)
    link = UdpLink(recorder)
    link.start()
    try:
        with frontend(f"udp:127.0.0.1:{link.port}") as clf:
            personalise(clf, URL, MASTER, VERSION, random=fixed)
    finally:
        link.stop()
    exchanges = iso_dep_exchanges(recorder.frames, recorder.answers)
    commands = [command for command, _ in exchanges]
    # Look before touching: the key versions and the NDEF file's settings, in plain.
    assert commands[:7] == [SELECT] + [
        apdu.native(apdu.GET_KEY_VERSION, bytes([n])) for n in range(5)
    ] + [bytes.fromhex("90F50000010200")]
    # AuthenticateEV2First with the factory key 0; the session as the chip opened it.
    assert commands[7] == bytes.fromhex("9071000002000000")
    challenge, confirmation = exchanges[7][1][:-2], exchanges[8][1][:-2]
    answer, rnd_b = ev2.answer_challenge(FACTORY_KEY, challenge, RND_A)
    assert commands[8] == apdu.native(apdu.ADDITIONAL_FRAME, answer)
    channel = SecureChannel(ev2.finish(FACTORY_KEY, 0, RND_A, rnd_b, confirmation))
    keys = sticker_keys(MASTER, sticker.uid, VERSION)

    def expected(ins, header, data=b"", mode=CommMode.FULL):
        wrapped = apdu.native(ins, channel.wrap(ins, header, data, mode))
        channel.counter += 1  # as the chip counts every command of the session
        return wrapped

    file_data = ndef_file(URL)
    header = b"\x02" + apdu.offset(0) + apdu.offset(len(file_data))
    assert commands[9] == expected(apdu.WRITE_DATA, header, file_data, CommMode.PLAIN)
    settings = ndef_file_settings(URL).encode_change()
    assert commands[10] == expected(apdu.CHANGE_FILE_SETTINGS, b"\x02", settings)
    for key_no in (1, 2, 3, 4):
        data = apdu.change_key_data(key_no, 0, keys.keys[key_no], VERSION, FACTORY_KEY)
        assert commands[10 + key_no] == expected(apdu.CHANGE_KEY, bytes([key_no]), data)
    data = apdu.change_key_data(0, 0, keys.keys[0], VERSION)
    assert commands[15] == expected(apdu.CHANGE_KEY, b"\x00", data)
    assert exchanges[15][1] == OK  # the session's key changed: no MAC comes back
    # Two activations, each one select and one ReadData of the whole NDEF file.
    assert commands[16:] == [SELECT, READ_NDEF_FILE, SELECT, READ_NDEF_FILE]
    assert all(answer.endswith(OK) for _, answer in exchanges[9:15])


@pytest.mark.parametrize("writes", range(1, 8))
def test_a_sticker_pulled_mid_way_is_finished_on_the_next_try(reader, writes):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    reader.set_faults(Faults(pull_after_writes=writes))
    with pytest.raises(StickerGone):
        run(reader)
    assert reader.sticker is None and sticker.stats.writes == writes
    reader.put_back()
    done = run(reader)
    all_steps = ["url", "settings", "key 1", "key 2", "key 3", "key 4", "key 0"]
    if writes == 7:
        assert done.steps == ()  # key 0 changed last: only the verification was left
    else:
        # The URL is written again (the chip cannot show it raw once SDM is on), settings and
        # keys only where they are missing.
        missing = all_steps[writes:]
        assert done.steps == tuple(["url"] + [s for s in missing if s != "url"])
    assert_personalised(sticker)
    assert done.counters[1] > done.counters[0]


def test_a_sticker_keyed_by_another_master_key_version_is_refused(reader):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    run(reader)
    with frontend(reader.path) as clf, pytest.raises(StickerRefused, match="version 1, not 2"):
        personalise(clf, URL, MASTER, 2)
    with frontend(reader.path) as clf, pytest.raises(VerifyError, match="does not verify"):
        personalise(clf, URL, bytes(16), VERSION)  # same version, another master key
    assert_personalised(sticker)


def test_a_sticker_personalised_for_another_url_is_not_taken_for_this_one(reader):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    run(reader)
    other = sun_url("https://t.example.org", "1000C1SS9CG22JXH6EX")
    with frontend(reader.path) as clf, pytest.raises(VerifyError, match="reset it"):
        personalise(clf, other, MASTER, VERSION)
    assert sticker.url() == URL


def test_unknown_keys_are_never_overwritten(reader):
    sticker = Ntag424Sticker.blank()
    sticker.keys[0] = bytes(range(16))  # changed, but the version left at 0
    reader.present(sticker)
    with pytest.raises(StickerRefused, match="not the factory key"):
        run(reader)
    assert sticker.stats.writes == 0 and sticker.key_versions == [0] * 5


def test_a_chip_in_lrp_mode_is_refused_saying_so_before_any_write(reader):
    # NT4H2421Gx §9, Table 19: a chip switched to LRP mode answers the AES AuthenticateEV2First
    # (no PCDCap2) with PERMISSION_DENIED; TapTrail does not support LRP (AN12304).
    sticker = Ntag424Sticker.blank()
    sticker.lrp = True
    reader.present(sticker)
    recorder = Recorder(reader)
    link = UdpLink(recorder)
    link.start()
    try:
        lrp = pytest.raises(StickerRefused, match=r"switched to LRP mode \(NXP AN12304\)")
        with frontend(f"udp:127.0.0.1:{link.port}") as clf, lrp:
            personalise(clf, URL, MASTER, VERSION, random=fixed)
    finally:
        link.stop()
    exchanges = iso_dep_exchanges(recorder.frames, recorder.answers)
    # Refused, the application selected again (a chip that lost it says the same), refused again.
    authenticate, denied = bytes.fromhex("9071000002000000"), bytes.fromhex("919D")
    assert exchanges[-3:] == [(authenticate, denied), (SELECT, b"\x90\x00"), (authenticate, denied)]
    assert sticker.stats.writes == 0 and sticker.key_versions == [0] * 5


def test_an_ntag21x_is_refused(reader):
    reader.present(Sticker.blank(NTAG213))
    with pytest.raises(StickerRefused, match="no NTAG 424 DNA"):
        run(reader)


def test_a_url_that_does_not_fit_is_refused_before_any_write(reader):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    with frontend(reader.path) as clf, pytest.raises(StickerRefused, match="256"):
        personalise(clf, sun_url("https://" + "a" * 220 + ".org", "1"), MASTER, VERSION)
    assert sticker.stats.writes == 0


def test_a_roll_moves_on_after_the_two_verifying_reads():
    roll = Roll(NTAG424DNA, count=2, seed=3)
    with VirtualReader(roll, take_away_after_read_back=True) as reader:
        first = run(reader)
        assert reader.wait_until(lambda: reader.sticker is not roll.stickers[0])
        second = run(reader)
    assert first.uid != second.uid
    for sticker in roll.stickers:
        assert_personalised(sticker)


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_lost_and_damaged_frames_are_recovered_by_iso_dep(reader, seed):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    reader.set_faults(Faults(drop_rate=0.03, corrupt_rate=0.02, seed=seed))
    done = run(reader)
    assert_personalised(sticker)
    assert sticker.stats.writes == 7  # an answer lost is sent again, never the command redone
    assert done.counters[1] > done.counters[0]
