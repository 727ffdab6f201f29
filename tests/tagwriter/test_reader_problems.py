"""Readers that are missing, busy or forbidden, and chips that are not NTAG21x."""

import errno
import socket

import nfc
import pytest

from tags.chips import NTAG213
from tags.virtual import Faults, Sticker
from tags.virtual.link import UdpLink
from tagwriter.cli import main
from tests.support.frames import MifareClassic

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"


def test_no_reader_says_to_plug_it_in(runner):
    result = runner.invoke(main, ["write", URL, "--device", "usb:072f:2200"])
    assert result.exit_code == 1
    assert "no NFC reader found at usb:072f:2200: plug the reader in" in result.output


def test_a_path_nfcpy_does_not_know_lists_the_forms_it_takes(runner):
    result = runner.invoke(main, ["read", "--device", "bluetooth"])
    assert result.exit_code == 1 and "tty:USB0:pn532" in result.output


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.EBUSY, "is in use by"),
        (errno.EACCES, "udev rule"),
    ],
)
def test_a_reader_that_cannot_be_opened_says_why(runner, monkeypatch, code, says):
    def refuse(path):
        raise OSError(code, "refused")

    monkeypatch.setattr(nfc, "ContactlessFrontend", refuse)
    result = runner.invoke(main, ["write", URL, "--device", "usb:072f:2200"])
    assert result.exit_code == 1
    assert says in result.output and "Encoding stickers" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_devices_without_a_reader_says_what_to_plug_in(runner):
    result = runner.invoke(main, ["devices"])
    assert result.exit_code == 1 and "no NFC reader found: plug in" in result.output


def test_devices_tries_the_path_it_is_given(runner, readers):
    reader = readers(sticker=Sticker.blank(NTAG213))
    result = runner.invoke(main, ["devices"], env={"TAGWRITER_DEVICE": reader.path})
    assert result.exit_code == 0 and f"{reader.path}  given with --device" in result.output


def test_a_mifare_classic_is_refused(runner):
    link = UdpLink(MifareClassic())
    link.start()
    try:
        result = runner.invoke(
            main, ["write", URL, "--device", f"udp:127.0.0.1:{link.port}", "--wait", "5"]
        )
    finally:
        link.stop()
    assert result.exit_code == 1
    assert "this is a MIFARE Classic 1K, not an NTAG sticker" in result.output
    assert "take an NTAG213/215/216 sticker" in result.output


def test_a_chip_without_get_version_is_refused(runner, readers):
    # The slow chip answers after nfcpy has given up on GET_VERSION, as an Ultralight never does.
    sticker = Sticker.blank(NTAG213)
    reader = readers(sticker=sticker, faults=Faults(delay=0.06))
    result = runner.invoke(main, ["write", URL, "--device", reader.path, "--wait", "5"])
    assert result.exit_code == 1
    assert "does not answer GET_VERSION" in result.output and "NTAG213/215/216" in result.output
    assert sticker.stats.writes == 0


def _named_port_with_a_listener() -> tuple[socket.socket, int]:
    """A UDP socket bound to a port /etc/services names, which nfcpy cannot take."""
    for port in range(1024, 65536):
        try:
            socket.getservbyport(port, "tcp")
        except OSError:
            continue
        listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            listener.bind(("127.0.0.1", port))
        except OSError:
            listener.close()
            continue
        return listener, port
    raise AssertionError("no named port is free")


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


NOTHING_ANSWERS = (
    "Error: nothing answers at {path}: start 'tagwriter simulate' (it listens on "
    "udp:127.0.0.1:54321) and point --device there, or check the device path\n"
)


@pytest.mark.parametrize("port", ["1", "free"])
def test_a_virtual_reader_that_is_not_running_says_to_start_the_simulator(runner, port):
    path = f"udp:127.0.0.1:{_free_udp_port() if port == 'free' else port}"
    result = runner.invoke(main, ["read", "--device", path, "--wait", "3"])
    assert result.exit_code == 1
    assert result.output == NOTHING_ANSWERS.format(path=path)


def test_a_named_udp_port_nfcpy_cannot_take_is_refused_in_one_sentence(runner):
    listener, port = _named_port_with_a_listener()
    with listener:
        result = runner.invoke(main, ["read", "--device", f"udp:127.0.0.1:{port}", "--wait", "3"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: nfcpy cannot use udp:127.0.0.1:{port}, a port with a service name: use another "
        "port, such as the 54321 where 'tagwriter simulate' listens by default\n"
    )


@pytest.mark.parametrize(
    ("path", "said"),
    [
        (
            "udp:127.0.0.1:abc",
            "'udp:127.0.0.1:abc' is not a reader path: a virtual one is udp:HOST:PORT",
        ),
        ("udp:nohost.invalid:54321", "cannot find the host of udp:nohost.invalid:54321"),
    ],
)
def test_a_udp_path_that_cannot_work_says_why(runner, path, said):
    result = runner.invoke(main, ["read", "--device", path, "--wait", "3"])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {said}")
    assert len(result.output.splitlines()) == 1
