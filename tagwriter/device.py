"""Finding and opening the NFC reader through nfcpy, with a next step for every way it fails."""

from __future__ import annotations

import errno
import glob
import os
from dataclasses import dataclass

import nfc
import nfc.clf.device
import nfc.clf.transport

from tagwriter.errors import ReaderError

DEVICE_ENV = "TAGWRITER_DEVICE"
DEFAULT_DEVICE = "usb"
KNOWN_PREFIXES = ("usb", "tty", "com", "udp")
# Kernel NFC drivers that claim PN533-based readers (ACR122U included) before nfcpy can.
KERNEL_DRIVERS = ("pn533_usb", "pn533")
GUIDE = "see 'Encoding stickers' in the README"


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
    try:
        return nfc.ContactlessFrontend(path)
    except OSError as error:
        raise ReaderError(explain(path, error)) from None


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
            clf = nfc.ContactlessFrontend(path)
        except OSError as error:
            found.append(Found(path, name, explain(path, error)))
            continue
        found.append(Found(path, f"{name}: {clf.device}", "ready"))
        clf.close()
    return found
