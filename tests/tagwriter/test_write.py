"""`tagwriter write` on the virtual reader, checked with plain nfcpy as a phone would read."""

import nfc.tag.tt2
import pytest

from tags.chips import NTAG213
from tags.urls import MirrorMode, tap_url
from tags.virtual import Faults, Sticker, VirtualReader
from tags.virtual.link import UdpLink
from tagwriter.cli import main
from tagwriter.password import sticker_password
from tests.support.frames import Recorder
from tests.support.nfcpy_frontend import connect, frontend
from tests.tagwriter.conftest import SECRET

CODE = "1000C1SS9CG22JXH6EK"
URL = tap_url("https://t.example.org", CODE)


def write(runner, reader, *args, **options):
    return runner.invoke(main, ["write", *args, "--device", reader.path, "--wait", "5"], **options)


def nfcpy_url(reader):
    with frontend(reader.path) as clf:
        return connect(clf).ndef.records[0].iri


def test_the_url_is_written_verified_and_read_by_nfcpy(runner, readers):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    result = write(runner, reader, URL)
    assert result.exit_code == 0, result.output
    assert f"sticker {sticker.uid.hex().upper()} (NTAG213): {URL} written and verified" in (
        result.output
    )
    assert nfcpy_url(reader) == URL


def test_the_exact_commands_of_a_write(runner):
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader()
    reader.present(sticker)
    recorder = Recorder(reader)
    link = UdpLink(recorder)
    link.start()
    try:
        result = runner.invoke(
            main,
            [
                "write",
                CODE,
                "--base-url",
                "https://t.example.org",
                "--device",
                f"udp:127.0.0.1:{link.port}",
            ],
        )
    finally:
        link.stop()
    assert result.exit_code == 0, result.output
    frames = recorder.frames
    uid = sticker.uid
    # Activation over both cascade levels, then GET_VERSION: nothing else identifies the chip.
    assert frames[0] == b"\x26"
    assert frames[1:5] == [
        b"\x93\x20",
        b"\x93\x70\x88" + uid[:3] + bytes([0x88 ^ uid[0] ^ uid[1] ^ uid[2]]),
        b"\x95\x20",
        b"\x95\x70" + uid[3:] + bytes([uid[3] ^ uid[4] ^ uid[5] ^ uid[6]]),
    ]
    assert frames[5] == b"\x60"
    assert frames[6] == bytes([0x3A, 0x00, NTAG213.cfg1_page])  # all it needs, one FAST_READ
    writes = frames[7:-1]
    assert all(frame[0] == 0xA2 and len(frame) == 6 for frame in writes)
    assert writes[-1][1] == 5 and writes[-1][4] == len(URL) - len("https://") + 5
    last_page = max(frame[1] for frame in writes)
    assert frames[-1] == bytes([0x3A, 0x04, last_page])  # one verifying read, at the end
    assert sticker.url() == URL


def test_mirror_both_shows_the_uid_and_a_counter_going_up_per_tap(runner, readers):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    assert write(runner, reader, URL, "--mirror", "both").exit_code == 0
    taps = [nfcpy_url(reader) for _ in range(3)]
    uid = sticker.uid.hex().upper()
    # The field tool read the mirror in two power-ups of its own (counters 1 and 2) to check it.
    assert taps == [f"{URL}?M={uid}x{count:06X}" for count in (3, 4, 5)]


def test_with_a_password_only_the_secret_changes_the_sticker(runner, readers, monkeypatch):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    monkeypatch.setenv("TAGWRITER_SECRET", SECRET)
    assert write(runner, reader, URL, "--password").exit_code == 0
    with frontend(reader.path) as clf:
        tag = connect(clf)
        assert tag.ndef.records[0].iri == URL
        with pytest.raises(nfc.tag.tt2.Type2TagCommandError):
            tag.write(6, b"evil")
        tag = connect(clf)
        assert not tag.ndef.is_writeable  # CC: writing needs the password
        # nfcpy itself accepts the derived password: PWD then PACK, as its protect() wrote.
        tag = connect(clf)
        assert tag.authenticate(sticker_password(SECRET.encode(), sticker.uid)) is True
    assert sticker.url() == URL
    other = URL.replace("6EK", "6EX")
    monkeypatch.delenv("TAGWRITER_SECRET")
    refused = write(runner, reader, other, "--rewrite")
    assert refused.exit_code == 1 and "write-protected by a password" in refused.output
    monkeypatch.setenv("TAGWRITER_SECRET", "another-secret-0123456789")
    refused = write(runner, reader, other, "--rewrite")
    assert refused.exit_code == 1 and "not the one your secret gives it" in refused.output
    monkeypatch.setenv("TAGWRITER_SECRET", SECRET)
    assert write(runner, reader, other, "--rewrite", "--password").exit_code == 0
    assert sticker.url() == other


def test_a_sticker_holding_another_url_is_refused_without_rewrite(runner, readers):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    assert write(runner, reader, URL).exit_code == 0
    other = URL.replace("6EK", "6EX")
    refused = write(runner, reader, other)
    assert refused.exit_code == 1
    assert f"already holds {URL}" in refused.output and "--rewrite" in refused.output
    assert sticker.url() == URL
    assert write(runner, reader, URL).exit_code == 0  # the same URL again: verified, no change


def test_locking_asks_first_and_then_nothing_changes_it(runner, readers):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    declined = write(runner, reader, URL, "--lock", input="n\n")
    assert declined.exit_code == 1 and sticker.stats.writes == 0
    assert write(runner, reader, URL, "--lock", "--yes").exit_code == 0
    locked = bytes(sticker.memory)
    with frontend(reader.path) as clf:
        tag = connect(clf)
        assert not tag.ndef.is_writeable
        with pytest.raises(nfc.tag.tt2.Type2TagCommandError):
            tag.write(6, b"evil")
    refused = write(runner, reader, URL.replace("6EK", "6EX"), "--rewrite")
    assert refused.exit_code == 1
    assert "locked for good" in refused.output and "take another sticker" in refused.output
    assert bytes(sticker.memory) == locked


def test_a_url_too_long_for_the_chip_is_refused_before_any_write(runner, readers):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    result = write(runner, reader, "https://" + "a" * 140)
    assert result.exit_code == 1
    assert "an NTAG213 holds 132 after https://" in result.output
    assert "use a shorter base URL or a larger chip" in result.output
    assert sticker.stats.writes == 0


def test_a_code_needs_a_base_url(runner, readers):
    result = write(runner, readers(sticker=Sticker.blank(NTAG213)), CODE)
    assert result.exit_code == 2 and "--base-url" in result.output


def test_password_without_a_secret_says_where_to_put_it(runner, readers):
    result = write(runner, readers(sticker=Sticker.blank(NTAG213)), URL, "--password")
    assert result.exit_code == 2 and "TAGWRITER_SECRET" in result.output


def test_mirror_placeholder_is_added_to_a_url_without_one(runner, readers):
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker)
    assert write(runner, reader, URL, "--mirror", "uid").exit_code == 0
    assert sticker.url() == tap_url("https://t.example.org", CODE, MirrorMode.UID)


def test_lost_frames_and_failed_writes_still_end_in_a_verified_sticker(runner, readers):
    faults = Faults(drop_rate=0.01, write_error_rate=0.02, seed=7)
    for index in range(6):
        sticker = Sticker.blank(NTAG213)
        reader = readers(sticker=sticker, faults=faults)
        url = URL.replace("6EK", f"6E{index}")
        result = write(runner, reader, url, "--mirror", "both")
        assert result.exit_code == 0, result.output
        assert sticker.url() == tap_url(
            "https://t.example.org", CODE[:-1] + str(index), MirrorMode.BOTH
        )
