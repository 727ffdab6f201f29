"""Resetting an NTAG 424 DNA through the real nfcpy stack, against the virtual chip: the exact
APDUs of each step, a pull at each step, wrong keys, and AN12196's ChangeKey cryptograms."""

import pytest

from tags.ntag424 import apdu, ev2
from tags.ntag424.aes import cbc_decrypt, pad
from tags.ntag424.ev2 import Session
from tags.ntag424.facts import FACTORY_SETTINGS, NDEF_FILE
from tags.ntag424.filesettings import CommMode
from tags.ntag424.keys import FACTORY_KEY, sticker_keys
from tags.ntag424.layout import ndef_file
from tags.ntag424.securemessaging import SecureChannel, command_iv
from tags.virtual import Faults, VirtualReader
from tags.virtual.link import UdpLink
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tagwriter.errors import StickerGone, StickerRefused
from tagwriter.ntag424.card import Card
from tagwriter.ntag424.personalise import personalise
from tagwriter.ntag424.reset import reset
from tests.support.frames import Recorder, iso_dep_exchanges
from tests.support.nfcpy_frontend import connect, frontend
from tests.tags.ntag424 import vectors as v
from tests.tagwriter.test_ntag424 import (
    MASTER,
    OK,
    RND_A,
    SELECT,
    URL,
    VERSION,
    assert_personalised,
    fixed,
    run,
)

ALL_STEPS = ("settings", "key 1", "key 2", "key 3", "key 4", "key 0", "url")
LOOK = (
    [SELECT]
    + [apdu.native(apdu.GET_KEY_VERSION, bytes([n])) for n in range(5)]
    + [
        bytes.fromhex("90F50000010200"),  # GetFileSettings of the NDEF file
        bytes.fromhex("90AD0000070200000000000000"),  # ReadData of the whole NDEF file
    ]
)


@pytest.fixture
def reader():
    with VirtualReader() as reader:
        yield reader


def derived(version=VERSION, master=MASTER):
    return lambda found: sticker_keys(master, found.uid, version)


def reset_with(reader, keys_for=None, **options):
    with frontend(reader.path) as clf:
        return reset(clf, keys_for or derived(), **options)


def assert_factory(sticker: Ntag424Sticker) -> None:
    """What the chip holds: five zero keys of version 0, the factory settings, a blank file."""
    assert sticker.keys == [FACTORY_KEY] * 5 and sticker.key_versions == [0] * 5
    assert sticker.settings == FACTORY_SETTINGS
    assert sticker.files[NDEF_FILE] == bytearray(256)


def personalised(reader) -> Ntag424Sticker:
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    run(reader)
    return sticker


def test_a_personalised_sticker_goes_back_to_the_factory_and_takes_new_keys(reader):
    sticker = personalised(reader)
    journaled = []
    found, steps = reset_with(reader, done=journaled.append)
    assert found.code() == "1000C1SS9CG22JXH6EK" and found.versions == (VERSION,) * 5
    assert tuple(steps) == ALL_STEPS and tuple(journaled) == ALL_STEPS
    assert_factory(sticker)
    with frontend(reader.path) as clf:
        tag = connect(clf)
        assert tag.ndef.is_writeable and not tag.ndef.records
    with frontend(reader.path) as clf:
        personalise(clf, URL, MASTER, 2)  # and it takes new keys
    assert sticker.key_versions == [2] * 5
    _, steps = reset_with(reader, derived(version=2))
    assert tuple(steps) == ALL_STEPS
    assert_factory(sticker)


def test_the_exact_apdus_of_a_reset(reader):
    sticker = personalised(reader)
    counter_before = sticker.sdm_read_counter
    recorder = Recorder(reader)
    link = UdpLink(recorder)
    link.start()
    try:
        with frontend(f"udp:127.0.0.1:{link.port}") as clf:
            reset(clf, derived(), random=fixed)
    finally:
        link.stop()
    exchanges = iso_dep_exchanges(recorder.frames, recorder.answers)
    commands = [command for command, _ in exchanges]
    # Look before touching, in plain: key versions, settings, the file (and so the code).
    assert commands[:8] == LOOK
    assert [answer for _, answer in exchanges[1:6]] == [bytes([VERSION]) + OK] * 5
    # AuthenticateEV2First with the sticker's derived key 0 (its version says it is changed).
    keys = sticker_keys(MASTER, sticker.uid, VERSION)
    assert commands[8] == bytes.fromhex("9071000002000000")
    challenge, confirmation = exchanges[8][1][:-2], exchanges[9][1][:-2]
    answer, rnd_b = ev2.answer_challenge(keys.keys[0], challenge, RND_A)
    assert commands[9] == apdu.native(apdu.ADDITIONAL_FRAME, answer)
    channel = SecureChannel(ev2.finish(keys.keys[0], 0, RND_A, rnd_b, confirmation))

    def expected(ins, header, data=b"", mode=CommMode.FULL):
        wrapped = apdu.native(ins, channel.wrap(ins, header, data, mode))
        channel.counter += 1
        return wrapped

    # ChangeFileSettings: the factory settings (free access, SDM off), CommMode.FULL.
    factory = FACTORY_SETTINGS[NDEF_FILE].encode_change()
    assert factory == bytes.fromhex("00E0EE")  # read, write, read-write free; change key 0
    assert commands[10] == expected(apdu.CHANGE_FILE_SETTINGS, b"\x02", factory)
    # ChangeKey 1 to 4: (zero key XOR derived key) || version 0 || CRC32NK(zero key).
    for key_no in (1, 2, 3, 4):
        data = apdu.change_key_data(key_no, 0, FACTORY_KEY, 0, keys.keys[key_no])
        assert data == keys.keys[key_no] + b"\x00" + bytes.fromhex("AAB44413")
        assert commands[10 + key_no] == expected(apdu.CHANGE_KEY, bytes([key_no]), data)
    # Key 0 last: zero key || version 0; the chip ends the session (no MAC comes back).
    assert commands[15] == expected(apdu.CHANGE_KEY, b"\x00", FACTORY_KEY + b"\x00")
    assert exchanges[15][1] == OK
    # Then zeros over what the file held, in plain and without a session.
    used = len(ndef_file(URL))
    header = b"\x02" + apdu.offset(0) + apdu.offset(used)
    assert commands[16:] == [apdu.native(apdu.WRITE_DATA, header + bytes(used))]
    assert all(answer.endswith(OK) for _, answer in exchanges[10:])
    assert_factory(sticker)
    assert sticker.sdm_read_counter == counter_before + 1  # the look's read; the chip keeps it


@pytest.mark.parametrize("writes", range(1, 7))
def test_a_reset_pulled_at_any_step_is_finished_on_the_next_try(reader, writes):
    sticker = personalised(reader)
    reader.set_faults(Faults(pull_after_writes=writes))
    journaled = []
    with pytest.raises(StickerGone):
        reset_with(reader, done=journaled.append)
    # The chip acknowledged the last write before it left: the journal has every step done.
    assert tuple(journaled) == ALL_STEPS[:writes]
    reader.put_back()
    found, steps = reset_with(reader)
    assert found.keyed == (writes < 6) and found.code() == "1000C1SS9CG22JXH6EK"
    assert tuple(steps) == ALL_STEPS[writes:]
    assert_factory(sticker)


@pytest.mark.parametrize("writes", range(1, 7))
def test_a_sticker_pulled_while_being_personalised_can_be_reset_instead(reader, writes):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    reader.set_faults(Faults(pull_after_writes=writes))  # url, settings, keys 1 to 4
    with pytest.raises(StickerGone):
        run(reader)
    reader.put_back()
    found, steps = reset_with(reader)
    personalising = ["url", "settings", "key 1", "key 2", "key 3", "key 4"][:writes]
    expected = [s for s in ALL_STEPS if s in personalising and s != "url"] + ["url"]
    assert steps == expected
    assert found.versions[0] == 0  # key 0 was never changed: it opened with the factory key
    assert_factory(sticker)


def test_a_factory_sticker_needs_nothing(reader):
    sticker = Ntag424Sticker.blank()
    reader.present(sticker)
    found, steps = reset_with(reader, keys_for=lambda found: pytest.fail("no keys needed"))
    assert found.factory and steps == []
    assert sticker.stats.writes == 0


def test_a_key_that_is_not_the_derived_one_is_refused_and_key_0_stays_known(reader):
    sticker = personalised(reader)
    sticker.keys[3] = bytes(range(16))  # version still 1: someone else's key
    with pytest.raises(StickerRefused, match="key 3 of this sticker is not the key derived") as e:
        reset_with(reader)
    assert "put it aside" in str(e.value)
    keys = sticker_keys(MASTER, sticker.uid, VERSION)
    assert sticker.keys[0] == keys.keys[0] and sticker.key_versions[0] == VERSION
    assert sticker.keys[1:3] == [FACTORY_KEY] * 2  # what was done before stays done


def test_keys_of_another_master_key_are_refused_before_any_write(reader):
    sticker = personalised(reader)
    writes = sticker.stats.writes
    with pytest.raises(StickerRefused, match="key 0 of this sticker is not the key derived"):
        reset_with(reader, derived(master=bytes(16)))  # same version, another master key
    with pytest.raises(StickerRefused, match="version 1, but its code's keys have version 2"):
        reset_with(reader, derived(version=2))
    assert sticker.stats.writes == writes
    assert_personalised(sticker)


def test_a_keyed_sticker_whose_file_names_no_code_is_refused(reader):
    sticker = personalised(reader)
    with pytest.raises(StickerRefused, match="names no TapTrail code"):
        reset_with(reader, keys_for=lambda found: None)
    assert_personalised(sticker)


class PublishedTag:
    """A Type 4 tag that answers the one APDU of AN12196's ChangeKey example (case 1)."""

    identifier = bytes(7)

    def __init__(self):
        self.sent = []

    def send_apdu(self, cla, ins, p1, p2, data, mrl, check_status):
        self.sent.append(bytes([cla, ins, p1, p2, len(data)]) + data + b"\x00")
        return v.CK2_ANSWER


def published_session_card():
    card = Card(PublishedTag())
    session = Session(key_no=0, ti=v.CK_TI, enc_key=v.CK_ENC_KEY, mac_key=v.CK_MAC_KEY)
    card.channel = SecureChannel(session, counter=2)
    return card


def test_the_change_key_of_another_key_matches_an12196():
    # AN12196's case 1 through the field tool's own Card: key 02h from zero to NewKey.
    card = published_session_card()
    card.change_key(2, v.CK2_NEW_KEY, 0x01, old_key=FACTORY_KEY)
    assert card.tag.sent == [v.CK2_APDU]
    assert card.channel.counter == 3  # the published answer's MAC was accepted


def test_the_reset_cryptogram_is_the_published_one_taken_back():
    # Back from NewKey to zero in the same session: NewKey XOR OldKey is the published XOR
    # (the same two keys), then version 0 and CRC32NK of the zero key.
    card = published_session_card()
    card.change_key(2, FACTORY_KEY, 0x00, old_key=v.CK2_NEW_KEY)
    sent = card.tag.sent[0]
    assert sent[:6] == v.CK2_APDU[:6]  # 90 C4 00 00 29 02
    iv = command_iv(card.channel.session, 2)
    plain = cbc_decrypt(v.CK_ENC_KEY, iv, sent[6:38])
    assert plain[:16] == v.CK2_PADDED[:16]
    assert plain == pad(v.CK2_NEW_KEY + b"\x00" + apdu.crc32nk(FACTORY_KEY))


def test_a_chip_switched_to_lrp_mode_is_refused_saying_so(reader):
    sticker = personalised(reader)
    sticker.lrp = True  # as SetConfiguration would leave it: for good
    with pytest.raises(StickerRefused, match=r"LRP mode .* which TapTrail does not support"):
        reset_with(reader)
    assert sticker.key_versions == [VERSION] * 5  # nothing touched
