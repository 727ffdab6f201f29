"""The UDP link speaks nfcpy's udp driver protocol and nothing else."""

import socket

import pytest

from tags.chips import NTAG213
from tags.virtual.faults import Faults
from tags.virtual.link import LinkError, UdpLink, format_datagram, parse_datagram
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


def exchange(client, port, frame):
    client.sendto(b"106A " + frame.encode(), ("127.0.0.1", port))
    return client.recvfrom(1024)[0]


def test_a_retry_sent_before_a_late_answer_is_answered_once():
    sticker = Sticker.blank(NTAG213)
    reader = VirtualReader()
    reader.present(sticker)
    uid = sticker.uid.hex()
    with reader, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(1.0)
        assert exchange(client, reader.port, "26") == b"106A 4400"
        cl1 = "88" + uid[:6] + f"{0x88 ^ sticker.uid[0] ^ sticker.uid[1] ^ sticker.uid[2]:02x}"
        exchange(client, reader.port, "9370" + cl1)
        cl2 = uid[6:] + f"{sticker.uid[3] ^ sticker.uid[4] ^ sticker.uid[5] ^ sticker.uid[6]:02x}"
        exchange(client, reader.port, "9570" + cl2)
        reader.set_faults(Faults(delay=0.05))  # the answer comes after nfcpy's 5 ms
        client.sendto(b"106A 3004", ("127.0.0.1", reader.port))
        client.sendto(b"106A 3004", ("127.0.0.1", reader.port))  # nfcpy's retry
        assert client.recvfrom(1024)[0].startswith(b"106A 0103a00c")
        reader.set_faults(Faults())
        # The retry got no second answer, so the next command gets its own answer.
        assert exchange(client, reader.port, "3000").startswith(b"106A 04")
        # A repeat sent after the answer came is a new command, answered as usual.
        assert exchange(client, reader.port, "3000").startswith(b"106A 04")
    assert sticker.stats.reads == 3


def test_a_port_0_link_never_picks_a_port_nfcpy_cannot_open(monkeypatch):
    named = []

    def getservbyport(port, protocol):
        if not named:  # the first port the kernel offers has a name, as 60179 "fido" does
            named.append(port)
            return "fido"
        raise OSError("port not found")

    monkeypatch.setattr(socket, "getservbyport", getservbyport)
    link = UdpLink(Failing())
    link.start()
    try:
        assert named and link.port != named[0]
    finally:
        link.stop()


def test_a_named_port_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setattr(socket, "getservbyport", lambda port, protocol: "fido")
    link = UdpLink(Failing(), port=60179)
    with pytest.raises(LinkError, match="nfcpy cannot open port 60179"):
        link.start()
