"""The virtual NTAG 424 DNA's behaviour: activation, ISO-DEP framing, access, SDM, its state."""

import json

from tags.ntag424 import apdu, ev2
from tags.ntag424.facts import NDEF_FILE, NTAG424DNA
from tags.ntag424.filesettings import CommMode, FileSettings
from tags.ntag424.layout import ndef_file, ndef_file_settings, read_sun, sun_url
from tags.ntag424.sun import verify_sun
from tags.virtual.kinds import sticker_from_dict
from tags.virtual.ntag424.chip import Ntag424Chip, State
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tags.virtual.statefile import load_stickers, save_stickers
from tests.tags.virtual.ntag424.conftest import (
    SELECT_APPLICATION,
    Terminal,
    authenticate,
    secure,
)

URL = sun_url("https://t.example.org", "1000C1SS9CG22JXH6EK")
OK = b"\x91\x00"


def read_whole_file(terminal: Terminal) -> bytes:
    answer = terminal.send(apdu.native(apdu.READ_DATA, b"\x02" + bytes(6)))
    assert answer[-2:] == OK
    return answer[:-2]


def personalise_with_zero_keys(terminal: Terminal) -> None:
    """URL and SDM settings written; keys left at zero."""
    channel = authenticate(terminal)
    data = ndef_file(URL)
    header = b"\x02" + apdu.offset(0) + apdu.offset(len(data))
    secure(terminal, channel, apdu.WRITE_DATA, header, data, CommMode.PLAIN)
    settings = ndef_file_settings(URL).encode_change()
    secure(terminal, channel, apdu.CHANGE_FILE_SETTINGS, b"\x02", settings)


def test_activation_and_halt():
    sticker = Ntag424Sticker.blank()
    chip = Ntag424Chip(sticker)
    terminal = Terminal(chip)
    assert terminal.activate() == bytes.fromhex("06 77 77 71 02 80")
    assert chip.handle(bytes([0xC2])) == bytes([0xC2])  # S(DESELECT): answered, then HALT
    assert chip.state is State.HALT
    assert chip.handle(b"\x26") is None  # REQA does not wake a halted chip
    assert chip.handle(b"\x52") == bytes.fromhex("4403")  # WUPA does
    assert sticker.stats.power_ups == 1


def test_iso_dep_chaining_both_ways_and_recovery(terminal):
    chip = terminal.chip
    # A command in two chained I-blocks: the first is acknowledged with R(ACK) 0.
    command = apdu.native(apdu.GET_FILE_SETTINGS, b"\x02")
    assert chip.handle(b"\x12" + command[:3]) == b"\xa2"
    assert chip.handle(b"\x03" + command[3:]) == b"\x03" + bytes.fromhex("0000E0EE000100") + OK
    # An answer longer than FSD - 3 = 253 bytes comes in two chained I-blocks.
    first = chip.handle(b"\x02" + apdu.native(apdu.READ_DATA, b"\x02" + bytes(6)))
    assert first[0] == 0x12 and len(first) == 254
    second = chip.handle(b"\xa3")
    assert second == b"\x03" + bytes(256 - 253) + OK
    # R(NAK) with the chip's number: the last block again; with the other: R(ACK).
    assert chip.handle(b"\xb3") == second
    assert chip.handle(b"\xb2") == b"\xa3"


def test_wrong_key_is_refused_and_nothing_changes(terminal, sticker):
    challenge = terminal.send(apdu.native(apdu.AUTHENTICATE_EV2_FIRST, b"\x00\x00"))
    assert challenge[-2:] == b"\x91\xaf"
    answer, _ = ev2.answer_challenge(bytes(range(16)), challenge[:-2], bytes(16))
    assert terminal.send(apdu.native(apdu.ADDITIONAL_FRAME, answer)) == b"\x91\xae"
    change = apdu.native(apdu.CHANGE_KEY, b"\x01" + bytes(40))
    assert terminal.send(change) == b"\x91\xae"
    assert terminal.send(apdu.native(apdu.AUTHENTICATE_EV2_FIRST, b"\x05\x00")) == b"\x91\x40"
    assert sticker.keys == [bytes(16)] * 5 and sticker.stats.writes == 0


def test_commands_need_the_application_selected(sticker):
    terminal = Terminal(Ntag424Chip(sticker))
    terminal.activate()
    assert terminal.send(apdu.native(apdu.GET_FILE_SETTINGS, b"\x02")) == b"\x91\xf0"
    assert terminal.send(apdu.native(apdu.AUTHENTICATE_EV2_FIRST, b"\x00\x00")) == b"\x91\x9d"
    assert terminal.send(bytes.fromhex("00A4000C02E104")) == b"\x6a\x82"


def test_a_failed_command_ends_the_session(terminal):
    channel = authenticate(terminal)
    forged = bytearray(
        apdu.native(apdu.GET_KEY_VERSION, channel.wrap(0x64, b"\x01", mode=CommMode.MAC))
    )
    forged[-2] ^= 0x01  # one bit of the MAC
    assert terminal.send(bytes(forged)) == b"\x91\x1e"
    # The session is gone: a MACed command is refused, a plain one answered in plain.
    again = apdu.native(apdu.GET_KEY_VERSION, channel.wrap(0x64, b"\x01", mode=CommMode.MAC))
    assert terminal.send(again) == b"\x91\x7e"
    assert terminal.send(apdu.native(apdu.GET_KEY_VERSION, b"\x01")) == b"\x00\x91\x00"


def test_sdm_counter_goes_up_once_per_activation(terminal, sticker):
    personalise_with_zero_keys(terminal)
    assert sticker.sdm_read_counter == 0  # enabling SDM resets it
    taps = []
    for _ in range(3):
        terminal.activate()
        assert terminal.send(SELECT_APPLICATION) == b"\x90\x00"
        first, second = read_whole_file(terminal), read_whole_file(terminal)
        assert first == second  # one SUN message per activation, whatever the reads
        length = int.from_bytes(first[:2], "big")
        text = first[7 : 2 + length].decode()
        params = read_sun("https://" + text)
        taps.append(verify_sun(bytes(16), bytes(16), params.picc_data, params.mac))
    assert [tap.counter for tap in taps] == [1, 2, 3]
    assert {tap.uid for tap in taps} == {sticker.uid}
    assert sticker.stats.activations_read == 3 and sticker.stats.read_back


def test_counter_is_kept_when_settings_are_sent_again(terminal, sticker):
    personalise_with_zero_keys(terminal)
    sticker.sdm_read_counter = 41
    channel = authenticate(terminal)
    settings = ndef_file_settings(URL)
    secure(terminal, channel, apdu.CHANGE_FILE_SETTINGS, b"\x02", settings.encode_change())
    assert sticker.sdm_read_counter == 41
    plain = FileSettings(CommMode.PLAIN, settings.access, None)
    secure(terminal, channel, apdu.CHANGE_FILE_SETTINGS, b"\x02", plain.encode_change())
    secure(terminal, channel, apdu.CHANGE_FILE_SETTINGS, b"\x02", settings.encode_change())
    assert sticker.sdm_read_counter == 0


def test_settings_the_chip_refuses(terminal, sticker):
    channel = authenticate(terminal)
    settings = ndef_file_settings(URL)
    outside = settings.sdm.__class__(**{**vars(settings.sdm), "mac_offset": 250})
    bad = FileSettings(CommMode.PLAIN, settings.access, outside).encode_change()
    answer = terminal.send(apdu.native(0x5F, channel.wrap(0x5F, b"\x02", bad)))
    assert answer == b"\x91\x9e"
    assert sticker.settings[NDEF_FILE].sdm is None


def test_personalised_file_refuses_writes_without_key_0(terminal, sticker):
    personalise_with_zero_keys(terminal)
    terminal.activate()
    terminal.send(SELECT_APPLICATION)
    assert terminal.send(bytes.fromhex("00A4000C02E104")) == b"\x90\x00"
    assert terminal.send(bytes.fromhex("00D6000002FFFF")) == b"\x69\x82"
    write = apdu.native(apdu.WRITE_DATA, b"\x02" + apdu.offset(0) + apdu.offset(1) + b"\xff")
    assert terminal.send(write) == b"\x91\xae"
    assert sticker.url() == URL


def test_an_eeprom_failure_leaves_the_file_as_it_was(sticker):
    failures = iter([True])
    terminal = Terminal(Ntag424Chip(sticker, eeprom_fails=lambda: next(failures, False)))
    terminal.activate()
    terminal.send(SELECT_APPLICATION)
    write = apdu.native(apdu.WRITE_DATA, b"\x02" + apdu.offset(0) + apdu.offset(2) + b"\x00\x05")
    assert terminal.send(write) == b"\x91\xee"
    assert bytes(sticker.files[NDEF_FILE][:2]) == b"\x00\x00"
    assert terminal.send(write) == OK


def test_state_survives_a_state_file(tmp_path, terminal, sticker):
    personalise_with_zero_keys(terminal)
    sticker.keys[3], sticker.key_versions[3] = bytes(range(16)), 7
    path = tmp_path / "stickers.json"
    save_stickers(path, [sticker])
    (loaded,) = load_stickers(path)
    assert loaded.to_dict() == sticker.to_dict()
    assert json.loads(path.read_text())["stickers"][0]["chip"] == NTAG424DNA.key
    assert sticker_from_dict(sticker.to_dict()).url() == URL
