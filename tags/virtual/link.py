"""The air between nfcpy and the virtual chip: nfcpy's udp driver protocol on a UDP socket.

nfcpy's `udp:HOST:PORT` driver sends one datagram per frame, "106A <hex>", waits for the answer
in the same form, and sends "RFOFF" when it switches the field off. Each new field comes from a
new client socket, so a datagram from a new address also means the field went off and on.
"""

from __future__ import annotations

import binascii
import logging
import select
import socket
import sys
import threading
from typing import Protocol

from tags.realtime import raise_priority

TECHNOLOGY = b"106A"
RF_OFF = b"RFOFF"
MAX_DATAGRAM = 4096
SWITCH_INTERVAL = 0.0005  # seconds

log = logging.getLogger(__name__)

Address = tuple[str, int]


class FrameHandler(Protocol):
    """What sits behind the link: the reader's field with its sticker."""

    def frame(self, frame: bytes, client: Address) -> bytes | None:
        """Answer one frame from `client` (None: the chip stays silent)."""

    def rf_off(self, client: Address) -> None:
        """The reader at `client` switched the field off."""


class LinkError(OSError):
    """The UDP port cannot be opened."""


def parse_datagram(data: bytes) -> bytes | None:
    """The frame inside a "106A <hex>" datagram, or None for another technology or noise."""
    parts = data.split()
    if len(parts) != 2 or parts[0] != TECHNOLOGY:
        return None
    try:
        return binascii.unhexlify(parts[1])
    except (binascii.Error, ValueError):
        return None


def format_datagram(frame: bytes) -> bytes:
    """A frame as nfcpy's udp driver expects it."""
    return TECHNOLOGY + b" " + binascii.hexlify(frame)


class UdpLink:
    """A UDP server thread that hands each frame to a FrameHandler and sends back its answer."""

    def __init__(self, handler: FrameHandler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.host = host
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.priority = "not started"

    @property
    def port(self) -> int:
        """The UDP port nfcpy must use."""
        if self._socket is None:
            raise LinkError("the link is not started")
        return self._socket.getsockname()[1]

    def start(self) -> None:
        """Open the port and serve in a background thread."""
        self._socket, self._stopping = self._bind(), False
        # Another busy Python thread (a state file being saved, the test itself) keeps the
        # interpreter lock for up to the switch interval, 5 ms by default: all of nfcpy's READ
        # timeout. A shorter interval lets the link thread in within half a millisecond.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="virtual-ntag-link", daemon=True
        )
        self._thread.start()
        ready.wait()

    def _bind(self) -> socket.socket:
        for _attempt in range(100):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((self.host, self._requested_port))
            except OSError as error:
                sock.close()
                raise LinkError(
                    f"cannot listen on {self.host}:{self._requested_port}: {error}"
                ) from None
            if not _has_service_name(sock.getsockname()[1]):
                return sock
            sock.close()  # nfcpy could not open this port: try another free one
            if self._requested_port:
                raise LinkError(
                    f"nfcpy cannot open port {self._requested_port}: /etc/services names it"
                )
        raise LinkError("no free UDP port without a service name")

    def stop(self) -> None:
        """Stop serving and close the port."""
        if self._socket is None or self._thread is None:
            return
        self._stopping = True
        # Wake the blocking recvfrom with an empty datagram rather than polling with a timeout.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            waker.sendto(b"", (self.host, self.port))
        self._thread.join()
        self._socket.close()
        self._socket = self._thread = None

    def _serve(self, ready: threading.Event) -> None:
        self.priority = raise_priority()
        ready.set()
        sock = self._socket
        assert sock is not None
        retry: tuple[bytes, Address] | None = None
        while True:
            data, client = sock.recvfrom(MAX_DATAGRAM)
            if not data and self._stopping:
                return  # the waker: everything nfcpy sent before stop() has been handled
            if (data, client) == retry:
                retry = None  # nfcpy takes our late answer for this retry: answer it once
                continue
            retry = None
            if data.startswith(RF_OFF):
                self.handler.rf_off(client)
                continue
            frame = parse_datagram(data)
            if frame is None:
                continue
            try:
                answer = self.handler.frame(frame, client)
                if answer is not None:
                    retry = _retry_waiting(sock, data, client)
                    sock.sendto(format_datagram(answer), client)
            except Exception:
                # One bad frame must not silence the reader for good: say it, stay silent.
                log.exception("the virtual chip failed on frame %s", frame.hex())


def _has_service_name(port: int) -> bool:
    """True if /etc/services names `port`.

    nfcpy's udp driver turns the port of its path back into text with getnameinfo() without
    NI_NUMERICSERV, so for a named port (60179 is "fido") it gets a name and fails on int().
    """
    try:
        socket.getservbyport(port, "tcp")
    except OSError:
        return False
    return True


def _retry_waiting(
    sock: socket.socket, data: bytes, client: Address
) -> tuple[bytes, Address] | None:
    """The same command from the same reader, already queued before we answered, if any.

    On the air an answer either comes in time or is lost. Over UDP a late answer (the machine
    was busy) waits in nfcpy's socket: nfcpy has timed out, sent the command again, and will
    take the late answer as the answer to that retry. Answering the retry too would leave one
    answer queued, which nfcpy would then take for the answer to its next command.
    """
    if not select.select([sock], [], [], 0)[0]:
        return None
    queued, sender = sock.recvfrom(MAX_DATAGRAM, socket.MSG_PEEK)
    return (queued, sender) if (queued, sender) == (data, client) else None
