"""The virtual chip answers AN12196's worked examples byte for byte (sections at each test).

The chip draws RndB, TI and the PICC data filler from a scripted source holding the example's
values, so every answer is determined and must be the published one.
"""

from dataclasses import replace

from tags.ntag424 import apdu
from tags.ntag424.aes import ZERO_IV, cbc_decrypt
from tags.ntag424.ev2 import Session
from tags.ntag424.facts import NDEF_FILE
from tags.ntag424.filesettings import FREE, AccessRights, CommMode, FileSettings
from tags.ntag424.layout import ndef_file
from tags.virtual.ntag424.application import Ntag424Application
from tags.virtual.ntag424.chip import Ntag424Chip
from tags.virtual.ntag424.secure import ChipSession
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tests.tags.ntag424 import vectors as v
from tests.tags.virtual.ntag424.conftest import SELECT_APPLICATION, Scripted, Terminal

OK = b"\x91\x00"
MORE = b"\x91\xaf"


def started(sticker: Ntag424Sticker, *random: bytes) -> Terminal:
    terminal = Terminal(Ntag424Chip(sticker, random=Scripted(random)))
    assert terminal.activate() == bytes.fromhex("067777710280")
    assert terminal.send(SELECT_APPLICATION) == b"\x90\x00"
    return terminal


def test_personalisation_session_of_the_application_note():
    # AN12196 §6.6 (Table 14): AuthenticateEV2First with key 0; RndB and TI are the chip's.
    sticker = Ntag424Sticker.blank()
    # §6.4 shows the NDEF file writable by key 0 only; §5.4 writes it in CommMode.FULL.
    sticker.settings[NDEF_FILE] = FileSettings(
        CommMode.FULL, AccessRights(FREE, 0, 0, 0), None, 256
    )
    terminal = started(sticker, v.AUTH0_RND_B, v.AUTH0_TI)
    assert terminal.send(v.AUTH0_COMMAND) == v.AUTH0_CHALLENGE + MORE
    assert terminal.send(v.AUTH0_ANSWER_APDU) == v.AUTH0_CONFIRMATION + OK
    # AN12196 §5.4: WriteData of the NDEF file, CmdCtr 0.
    assert terminal.send(v.WRITE_NDEF_APDU) == v.WRITE_NDEF_ANSWER
    assert bytes(sticker.files[NDEF_FILE][:128]) == v.WRITE_NDEF_PLAIN
    # AN12196 §6.9: ChangeFileSettings, CmdCtr 1: SDM on, PICC data at 20h, MAC at 43h.
    assert terminal.send(v.CFS_APDU) == v.CFS_ANSWER
    assert sticker.settings[NDEF_FILE] == FileSettings.decode_change(v.CFS_DATA, 256)
    assert sticker.url() == v.CHOOSE_URL


def test_authentication_with_key_3_and_a_full_mode_write():
    # AN12196 §6.10 (Table 20) and §6.12 (Table 22), on a factory chip: file 03 is FULL, key 3.
    sticker = Ntag424Sticker.blank()
    rnd_b = cbc_decrypt(v.ZERO_KEY, ZERO_IV, v.AUTH3_CHALLENGE)
    terminal = started(sticker, rnd_b, v.AUTH3_TI)
    assert terminal.send(v.AUTH3_COMMAND) == v.AUTH3_CHALLENGE + MORE
    assert terminal.send(v.AUTH3_ANSWER_APDU) == v.AUTH3_CONFIRMATION + OK
    assert terminal.send(v.WRITE3_APDU) == v.WRITE3_ANSWER
    assert bytes(sticker.files[3][:10]) == bytes.fromhex("0102030405060708090A")


def in_session(sticker: Ntag424Sticker, ti: bytes, enc: bytes, mac: bytes, counter: int):
    """The application with the session of an example already open (its RndA/RndB unpublished)."""
    app = Ntag424Application(sticker)
    app.state.application_selected = True
    app.state.session = ChipSession(Session(0, ti, enc, mac), counter)
    return app


def test_change_key_cryptograms_are_opened_as_published():
    # AN12196 ChangeKey examples: key 02h at CmdCtr 2 (case 1), then key 00h at CmdCtr 3.
    sticker = Ntag424Sticker.blank()
    app = in_session(sticker, v.CK_TI, v.CK_ENC_KEY, v.CK_MAC_KEY, counter=2)
    assert app.process(v.CK2_APDU) == v.CK2_ANSWER
    assert (sticker.keys[2], sticker.key_versions[2]) == (v.CK2_NEW_KEY, 1)
    assert app.process(v.CK0_APDU) == OK  # no MAC: the session's key is gone
    assert (sticker.keys[0], sticker.key_versions[0]) == (v.CK0_NEW_KEY, 1)
    assert app.state.session is None


def test_a_change_key_with_a_wrong_crc_is_refused():
    sticker = Ntag424Sticker.blank()
    sticker.keys[2] = bytes(range(16))  # not the old key the cryptogram was made with
    app = in_session(sticker, v.CK_TI, v.CK_ENC_KEY, v.CK_MAC_KEY, counter=2)
    assert app.process(v.CK2_APDU) == b"\x91\x1e"
    assert sticker.keys[2] == bytes(range(16)) and sticker.key_versions[2] == 0


def test_get_card_uid_answer_is_the_published_cryptogram():
    # AN12196 §7.3.
    sticker = Ntag424Sticker.blank(v.UID_VALUE)
    app = in_session(sticker, v.UID_TI, v.UID_ENC_KEY, v.UID_MAC_KEY, counter=0)
    assert app.process(v.UID_COMMAND) == v.UID_ANSWER


def test_get_file_settings_in_mac_mode_is_the_published_answer():
    # AN12196 §5.3.
    sticker = Ntag424Sticker.blank()
    sticker.settings[NDEF_FILE] = FileSettings.decode_get(v.MAC_EXAMPLE_SETTINGS)
    app = in_session(sticker, v.MAC_EXAMPLE_TI, bytes(16), v.MAC_EXAMPLE_KEY, counter=0)
    expected = v.MAC_EXAMPLE_SETTINGS + v.MAC_EXAMPLE_ANSWER_MAC + OK
    assert app.process(v.MAC_EXAMPLE_COMMAND) == expected


def read_ndef(terminal: Terminal) -> bytes:
    """The NDEF file as a plain ReadData of the whole file shows it."""
    answer = terminal.send(apdu.native(apdu.READ_DATA, b"\x02" + bytes(6)))
    assert answer[-2:] == OK
    return answer[:-2]


def test_sun_message_of_the_application_note():
    # AN12196 §3.4.2 and §3.4.4.2.1 (Tables 2 and 4): UID 04DE5F1EACC040, counter 61, zero
    # keys, SDM settings of §6.9; the filler is the last 5 bytes of Table 2's plaintext.
    sticker = Ntag424Sticker.blank(v.T2_UID)
    sticker.files[NDEF_FILE][:] = ndef_file(v.CHOOSE_URL).ljust(256, b"\x00")
    sticker.settings[NDEF_FILE] = FileSettings.decode_change(v.CFS_DATA, 256)
    sticker.sdm_read_counter = 60
    terminal = started(sticker, v.T2_PLAIN[11:])
    url = ndef_file(v.CHOOSE_URL)
    tapped = url.replace(b"0" * 32, b"EF963FF7828658A599F3041510671E88")
    tapped = tapped.replace(b"0" * 16, b"94EED9EE65337086")
    assert read_ndef(terminal)[: len(url)] == tapped
    assert sticker.sdm_read_counter == 61


def test_sun_message_with_encrypted_file_data():
    # AN12196 §3.4.4.2.2 (Table 5): PICC data, 16 bytes of file data encrypted, MAC over
    # "<enc>&cmac=", at counter 8 (settings laid out as §5.3's GetFileSettings shows them).
    sticker = Ntag424Sticker.blank(v.T5_UID)
    url = "https://www.my424dna.com/?picc_data=" + "0" * 32 + "&enc=" + "x" * 16 + "0" * 16
    url += "&cmac=" + "0" * 16
    data = ndef_file(url)
    settings = FileSettings.decode_get(v.MAC_EXAMPLE_SETTINGS)
    enc_at = data.index(b"&enc=") + 5
    sdm = replace(
        settings.sdm,
        picc_data_offset=data.index(b"picc_data=") + 10,
        mac_input_offset=enc_at,
        enc_offset=enc_at,
        mac_offset=data.index(b"&cmac=") + 6,
    )
    sticker.files[NDEF_FILE][: len(data)] = data
    sticker.settings[NDEF_FILE] = FileSettings(CommMode.PLAIN, settings.access, sdm, 256)
    sticker.sdm_read_counter = 7
    filler = cbc_decrypt(v.ZERO_KEY, ZERO_IV, v.T5_PICC_DATA)[11:]
    terminal = started(sticker, filler)
    shown = read_ndef(terminal)[: len(data)]
    assert shown.endswith(  # "https://www." is the URI record's prefix code 02h
        b"my424dna.com/?picc_data=FD91EC264309878BE6345CBE53BADF40"
        b"&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6"
    )
