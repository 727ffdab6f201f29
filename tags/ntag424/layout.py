"""TapTrail's SUN URL on an NTAG 424 DNA: where the chip mirrors, and how a tapped URL is read.

The URL is the tap server's short URL with two parameters that the chip fills at every tap:

    https://t.example.org/1000C1SS9CG22JXH6EK?e=<32 hex digits>&c=<16 hex digits>

`e` is the encrypted PICC data (UID and SDM read counter under key 2), `c` the SDMMAC (under a
session key from key 1, the UID and the counter). The MAC input is empty (SDMMACInputOffset =
SDMMACOffset), as in AN12196's first example: the UID and counter are bound by the session key.
The NDEF file holds NLEN (2 bytes) then the NDEF message; offsets count from the file's start.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from tags.ndef import CapacityError, uri_message
from tags.ntag424.filesettings import FREE, AccessRights, CommMode, FileSettings, SdmSettings
from tags.ntag424.keys import APP_MASTER_KEY, SDM_FILE_READ_KEY, SDM_META_READ_KEY
from tags.ntag424.sun import MAC_BYTES, PICC_DATA_BYTES, SunError, parse_hex
from tags.urls import tap_url

CHIP = "ntag424"  # the NTAG 424 DNA's name in batches, manifests and registrations
PICC_PARAM = "e"
MAC_PARAM = "c"
PLACEHOLDER = "0"
NDEF_FILE_SIZE = 256
NLEN_BYTES = 2
QR_LABEL_PREFIX = "Q"  # /Q/<code>: a scan of a 424 sticker's QR label (qr_label_url)


@dataclass(frozen=True)
class SunOffsets:
    """Where the chip writes the PICC data and the MAC in the NDEF file."""

    picc_data: int
    mac: int


@dataclass(frozen=True)
class SunParams:
    """The SUN message of a tapped URL, ready for `sun.verify_sun`."""

    picc_data: bytes
    mac: bytes
    mac_input: bytes = b""


def sun_url(base: str, code: str) -> str:
    """The URL written on a sticker: the tap URL with zeros where the chip mirrors."""
    zeros_picc = PLACEHOLDER * 2 * PICC_DATA_BYTES
    zeros_mac = PLACEHOLDER * 2 * MAC_BYTES
    return f"{tap_url(base, code)}?{PICC_PARAM}={zeros_picc}&{MAC_PARAM}={zeros_mac}"


def qr_label_url(url: str) -> str:
    """What an NTAG 424 DNA's printed QR label points at: the short URL with /Q/ before the code.

    A label printed once cannot carry the SUN message that changes at every tap: the server
    records a request on /Q/<code> as a QR scan (unverified, counted apart), never as a tap
    without its SUN message. Capitals keep the URL in QR's alphanumeric mode.
    """
    parts = urlsplit(url.split("?", 1)[0])
    folder, _, code = parts.path.rpartition("/")
    return f"{parts.scheme}://{parts.netloc}{folder}/{QR_LABEL_PREFIX}/{code}"


def ndef_file(url: str) -> bytes:
    """NLEN and the NDEF message of `url`, or CapacityError if it exceeds the 256-byte file."""
    message = uri_message(url)
    if NLEN_BYTES + len(message) > NDEF_FILE_SIZE:
        raise CapacityError(
            f"this URL needs {NLEN_BYTES + len(message)} bytes; the NTAG 424 DNA's NDEF file "
            f"holds {NDEF_FILE_SIZE}: use a shorter base URL"
        )
    return len(message).to_bytes(NLEN_BYTES, "big") + message


def sun_offsets(url: str) -> SunOffsets:
    """Offsets of the `e` and `c` values in the NDEF file of `url`, or SunError if absent."""
    data = ndef_file(url)
    picc = f"?{PICC_PARAM}=".encode() + PLACEHOLDER.encode() * 2 * PICC_DATA_BYTES
    mac = f"&{MAC_PARAM}=".encode() + PLACEHOLDER.encode() * 2 * MAC_BYTES
    picc_at, mac_at = data.rfind(picc), data.rfind(mac)
    if picc_at < 0 or mac_at < picc_at:
        raise SunError(f"{url!r} lacks the ?{PICC_PARAM}=...&{MAC_PARAM}=... placeholders")
    return SunOffsets(picc_data=picc_at + 3, mac=mac_at + 3)


def ndef_file_settings(url: str) -> FileSettings:
    """The NDEF file's settings once personalised: SDM on, readable by all, writable by key 0.

    SDMCtrRet is key 1, as in AN12196's example; the counter of a tap is in the PICC data anyway.
    """
    offsets = sun_offsets(url)
    sdm = SdmSettings(
        meta_read=SDM_META_READ_KEY,
        file_read=SDM_FILE_READ_KEY,
        counter_read=SDM_FILE_READ_KEY,
        picc_data_offset=offsets.picc_data,
        mac_input_offset=offsets.mac,
        mac_offset=offsets.mac,
    )
    master = APP_MASTER_KEY
    rights = AccessRights(read=FREE, write=master, read_write=master, change=master)
    return FileSettings(CommMode.PLAIN, rights, sdm, NDEF_FILE_SIZE)


def read_sun(url: str) -> SunParams | None:
    """The SUN message of a tapped URL; None if it still holds the placeholders; else SunError."""
    values = parse_qs(urlsplit(url).query, keep_blank_values=True)
    picc_values, mac_values = values.get(PICC_PARAM), values.get(MAC_PARAM)
    if not picc_values or not mac_values or len(picc_values) > 1 or len(mac_values) > 1:
        raise SunError(f"a SUN URL has one {PICC_PARAM}= and one {MAC_PARAM}= parameter")
    picc = parse_hex(picc_values[0], PICC_DATA_BYTES, "encrypted PICC data")
    mac = parse_hex(mac_values[0], MAC_BYTES, "SUN MAC")
    if not any(picc) and not any(mac):
        return None
    return SunParams(picc, mac)
