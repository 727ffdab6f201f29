"""The UDP link speaks nfcpy's udp driver protocol and nothing else."""

import socket

from tags.chips import NTAG213
from tags.virtual.link import UdpLink, format_datagram, parse_datagram
from tags.virtual.reader import VirtualReader
from tags.virtual.sticker import Sticker


def test_datagrams_as_nfcpy_writes_them():
    assert parse_datagram(b"106A 26") == b"\x26"
    assert parse_datagram(b"106A 9370880412") == bytes.fromhex("9370880412")
    assert format_datagram(bytes.fromhex("4400")) == b"106A 4400"
    for noise in (b"106B 050010", b"212F 0600ffff0100", b"106A", b"106A zz", b"hello there you"):
        assert parse_datagram(noise) is None


def test_only_type_a_frames_are_answered_over_udp():
    reader = VirtualReader()
    reader.present(Sticker.blank(NTAG213))
    with reader, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(1.0)
        client.sendto(b"106B 050010", ("127.0.0.1", reader.port))
        client.sendto(b"106A 26", ("127.0.0.1", reader.port))
        assert client.recvfrom(1024)[0] == b"106A 4400"
        client.sendto(b"RFOFF", ("127.0.0.1", reader.port))
        # In READY1 a REQA is an error; after the power-down it wakes the chip again.
        client.sendto(b"106A 26", ("127.0.0.1", reader.port))
        assert client.recvfrom(1024)[0] == b"106A 4400"
        assert reader.sticker.stats.power_ups == 2
        assert reader.priority != "not started"


class Failing:
    """A frame handler with a bug in its first frame."""

    def __init__(self):
        self.calls = 0

    def frame(self, frame, client):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("bug")
        return b"\x0a"

    def rf_off(self, client):
        """Nothing to power down."""


def test_a_failing_frame_is_logged_and_the_link_goes_on(caplog):
    link = UdpLink(Failing())
    link.start()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.settimeout(1.0)
            client.sendto(b"106A 3000", ("127.0.0.1", link.port))
            client.sendto(b"106A 3000", ("127.0.0.1", link.port))
            assert client.recvfrom(1024)[0] == b"106A 0a"
    finally:
        link.stop()
    assert "the virtual chip failed on frame 3000" in caplog.text
