"""Finding and opening the NFC reader through nfcpy, with a next step for every way it fails."""

from __future__ import annotations

import errno
import glob
import os
import socket
from dataclasses import dataclass

import nfc
import nfc.clf.device
import nfc.clf.transport

from tagwriter.errors import ReaderError

DEVICE_ENV = "TAGWRITER_DEVICE"
DEFAULT_DEVICE = "usb"
KNOWN_PREFIXES = ("usb", "tty", "com", "udp")
UDP_PORT = 54321  # nfcpy's default, where 'tagwriter simulate' listens
UDP_PROBE_SECONDS = 0.1
# Kernel NFC drivers that claim PN533-based readers (ACR122U included) before nfcpy can.
KERNEL_DRIVERS = ("pn533_usb", "pn533")
GUIDE = "see 'Encoding stickers' in docs/field-tool.md"


@dataclass(frozen=True)
class Found:
    """A reader nfcpy knows, on USB or a serial port, and whether it can be opened now."""

    path: str
    name: str
    status: str


def kernel_driver_loaded() -> str | None:
    """The kernel NFC driver that would hold a PN533 reader, if it is loaded."""
    for name in KERNEL_DRIVERS:
        if os.path.isdir(f"/sys/module/{name}"):
            return name
    return None


def explain(path: str, error: OSError) -> str:
    """One sentence: why `path` could not be opened, and what to do about it."""
    if error.errno == errno.EACCES:
        return (
            f"no permission to open the reader at {path}: install the udev rule and "
            f"replug the reader, or join the plugdev group ({GUIDE})"
        )
    if error.errno == errno.EBUSY:
        driver = kernel_driver_loaded()
        holder = f"the kernel's {driver} driver" if driver else "another program (pcscd?)"
        return (
            f"the reader at {path} is in use by {holder}: run 'sudo modprobe -r pn533_usb "
            f"pn533' and blacklist them, or stop the other program ({GUIDE})"
        )
    if error.errno == errno.ENODEV:
        if not path.startswith(KNOWN_PREFIXES):
            return (
                f"{path!r} is not a reader path: use usb, usb:072f:2200, tty:USB0:pn532 "
                "or udp:127.0.0.1:54321"
            )
        return (
            f"no NFC reader found at {path}: plug the reader in, or list readers with "
            "'tagwriter devices'"
        )
    return f"cannot open the reader at {path} ({error.strerror or error}): replug it and retry"


def open_reader(path: str) -> nfc.ContactlessFrontend:
    """nfcpy's frontend on `path`, or ReaderError saying what to do."""
    if path.startswith("udp"):
        _check_udp(path)
    try:
        return nfc.ContactlessFrontend(path)
    except OSError as error:
        raise ReaderError(explain(path, error)) from None
    except ValueError:
        # nfcpy's udp driver turns the port back into a name with getnameinfo() and then calls
        # int() on it: a port that /etc/services names (1 is "tcpmux") cannot be used.
        raise ReaderError(
            f"nfcpy cannot use {path}, a port with a service name: use another port, such as "
            f"the 54321 where 'tagwriter simulate' listens by default"
        ) from None


def _check_udp(path: str) -> None:
    """Refuse a udp: path whose port is not a number, or where nothing listens.

    Over UDP nfcpy would wait for ever for a chip that no program answers for; on this host
    (and most networks) the kernel says at once that nothing listens on the port.
    """
    parts = path.split(":")
    host = parts[1] if len(parts) > 1 and parts[1] else "localhost"
    port = parts[2] if len(parts) > 2 and parts[2] else str(UDP_PORT)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ReaderError(f"{path!r} is not a reader path: a virtual one is udp:HOST:PORT")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(UDP_PROBE_SECONDS)
        try:
            probe.connect((host, int(port)))
            probe.send(b"")  # a virtual reader ignores an empty datagram
            probe.recv(1)
        except ConnectionRefusedError:
            raise ReaderError(
                f"nothing answers at {path}: start 'tagwriter simulate' (it listens on "
                f"udp:127.0.0.1:{UDP_PORT}) and point --device there, or check the device path"
            ) from None
        except socket.gaierror as error:
            raise ReaderError(
                f"cannot find the host of {path} ({error.strerror}): check the device path"
            ) from None
        except TimeoutError:
            pass  # something listens and stays silent, as a virtual reader does


def _usb_readers() -> list[tuple[str, str]]:
    found = nfc.clf.transport.USB.find("usb") or []
    readers = []
    for vendor, product, bus, device in found:
        driver = nfc.clf.device.usb_device_map.get((vendor, product))
        if driver is not None:
            path = f"usb:{int(bus):03d}:{int(device):03d}"
            readers.append((path, f"{driver} ({vendor:04x}:{product:04x})"))
    return readers


def serial_ports() -> list[str]:
    """Serial ports where a PN532 may sit (not probed: that would write to any device)."""
    return sorted(glob.glob("/dev/ttyUSB*") + glob.glob("/dev/ttyACM*"))


def find_readers(extra: str | None = None) -> list[Found]:
    """The USB readers nfcpy supports (and `extra`, a path to try), each opened once to check."""
    candidates = _usb_readers()
    if extra:
        candidates.append((extra, "given with --device"))
    found = []
    for path, name in candidates:
        try:
            clf = open_reader(path)
        except ReaderError as error:
            found.append(Found(path, name, str(error)))
            continue
        found.append(Found(path, f"{name}: {clf.device}", "ready"))
        clf.close()
    return found
