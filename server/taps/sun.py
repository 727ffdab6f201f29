"""SUN taps: an NTAG 424 DNA's SUN message found in a tap URL and checked with the keyring's keys.

A SUN URL is the sticker's short URL with the chip's mirror in its query (tags/ntag424/layout.py):

    /<code>?e=<PICC data, 32 hex>&c=<SDMMAC, 16 hex>                   the usual form
    /<code>?e=<PICC data>&f=<encrypted file data, 32n hex>&c=<SDMMAC>  with encrypted file data

AN12196's own parameter names (picc_data, enc, cmac) are read too. With file data, the MAC
covers the URL text from the start of the file data up to the MAC (SDMMACInputOffset at the
file data); without, it covers nothing, the UID and counter being bound by the session key.

The keys: the code's key id names a keyring entry; its SUN master key (tags.ntag424.keys.
master_key) gives the meta read key shared by that entry's stickers, which decrypts the UID, and
the sticker's own file read key, diversified with that UID. Whether the counter went up is not
decided here but where the tap is stored, atomically (taps/store.py).

The tap path only finds the message (locate) and spools it as text (spooled); the drainer
checks it (server/taps/sun_verdict.py), since the visitor's answer never depends on the verdict.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from tags.keyring import Keyring, KeyState
from tags.ntag424 import keys as sun_keys
from tags.ntag424.aes import KeptKey
from tags.ntag424.keys import SDM_FILE_READ_KEY, SDM_META_READ_KEY
from tags.ntag424.sun import (
    LRP_PICC_DATA_BYTES,
    MAC_BYTES,
    PICC_DATA_BYTES,
    SunError,
    SunTap,
    SunVerifier,
    parse_hex,
    picc_length_error,
)

PICC_NAMES = frozenset({"e", "picc_data"})
FILE_NAMES = frozenset({"f", "enc"})
MAC_NAMES = frozenset({"c", "cmac"})
KINDS = {
    **dict.fromkeys(PICC_NAMES, "e"),
    **dict.fromkeys(FILE_NAMES, "f"),
    **dict.fromkeys(MAC_NAMES, "c"),
}
SUN_CHIP = "ntag424"  # tags.chips' name for the NTAG 424 DNA, whose every tap carries SUN
NO_SUN = "this NTAG 424 DNA sticker's tap carries no SUN message"
FILE_DATA_MAX = 128  # bytes: the NDEF file holds 256, half of it is a generous bound
NDEF_FILE_BYTES = 256  # the whole URL the chip writes fits in it, the MAC's text too
HEX_DIGITS = "0123456789abcdefABCDEF"
PLACEHOLDERS = "the SUN parameters still hold the placeholders: not tapped from a chip"
_USUAL_LENGTH = len("e=&c=") + 2 * (PICC_DATA_BYTES + MAC_BYTES)
STICKER_KEYS = 65536  # derived file read keys kept in memory (one per sticker tapped)
SUN_MESSAGE = "sun_message"  # the field of a tap record holding a message not checked yet
OTHER_CHIP = "a genuine SUN message of another chip than this sticker's"


@dataclass(frozen=True)
class SunMessage:
    """The SUN parameters of one tap URL, as bytes, with the text the MAC covers."""

    picc_data: bytes
    mac: bytes
    mac_input: bytes = b""
    file_data: bytes | None = None


def find_message(query: str) -> SunMessage | None:
    """The SUN message in a raw query string; None if it has no SUN parameter; else SunError.

    The raw text matters: the MAC covers the URL exactly as the chip wrote it.
    """
    if len(query) == _USUAL_LENGTH and query.startswith("e=") and query[34:37] == "&c=":
        # The usual form, e=<32 hex>&c=<16 hex>, read at fixed places: nearly every SUN tap.
        picc = _hex(query[2:34], PICC_DATA_BYTES, "encrypted PICC data")
        mac = _hex(query[37:], MAC_BYTES, "SUN MAC")
        if not any(picc) and not any(mac):
            raise SunError(PLACEHOLDERS)
        return SunMessage(picc, mac)
    values: dict[str, tuple[str, int]] = {}
    position = 0
    for part in query.split("&"):
        name, sep, value = part.partition("=")
        kind = KINDS.get(name)
        if kind is not None:
            if kind in values:
                raise SunError("a SUN URL carries each of its parameters once")
            values[kind] = (value, position + len(name) + len(sep))
        position += len(part) + 1
    if not values:
        return None
    if "e" not in values or "c" not in values:
        raise SunError("a SUN URL has both the e= (PICC data) and the c= (MAC) parameters")
    if len(values["e"][0]) == 2 * LRP_PICC_DATA_BYTES:  # said plainly, not "not 32 digits"
        raise picc_length_error(LRP_PICC_DATA_BYTES)
    picc = _hex(values["e"][0], PICC_DATA_BYTES, "encrypted PICC data")
    mac = _hex(values["c"][0], MAC_BYTES, "SUN MAC")
    if not any(picc) and not any(mac):
        raise SunError(PLACEHOLDERS)
    if "f" not in values:
        return SunMessage(picc, mac)
    text, start = values["f"]
    file_data = _file_hex(text)
    mac_at = values["c"][1]
    if mac_at < start:
        raise SunError("the file data comes before the MAC in a SUN URL")
    if mac_at - start > NDEF_FILE_BYTES:  # no chip wrote it; and it is spooled with the tap
        raise SunError("more text between the file data and the MAC than a chip holds")
    return SunMessage(picc, mac, query[start:mac_at].encode("ascii", "replace"), file_data)


def locate(query: str) -> dict[str, Any] | None:
    """find_message for the tap path: the message as the spool keeps it (spooled), its shape
    checked, nothing decoded; None if the query has no SUN parameter; else SunError.

    The usual form is taken as the chip wrote it, hex text and all: nearly every SUN tap.
    """
    if len(query) == _USUAL_LENGTH and query.startswith("e=") and query[34:37] == "&c=":
        picc, mac = query[2:34], query[37:]
        if not picc.strip(HEX_DIGITS) and not mac.strip(HEX_DIGITS):
            if not picc.strip("0") and not mac.strip("0"):
                raise SunError(PLACEHOLDERS)
            return {"e": picc, "c": mac}
    message = find_message(query)  # the other forms, and what is wrong with a bad one
    return None if message is None else spooled(message)


def spooled(message: SunMessage) -> dict[str, Any]:
    """The message as a tap record holds it until the drainer checks it (with "kid", the key
    id of the tap's code, added by the tap path): hex, and the text the MAC covers."""
    held: dict[str, Any] = {"e": message.picc_data.hex(), "c": message.mac.hex()}
    if message.file_data is not None:
        held["f"] = message.file_data.hex()
        held["m"] = message.mac_input.decode("ascii")  # find_message kept it ASCII
    return held


def from_spool(held: Any) -> tuple[int, SunMessage]:
    """The key id and message of a spooled SUN message (spooled); SunError if it is not one.

    The spool is a file: a line edited by hand, or mangled, must end as a bad SUN message,
    never stop the drainer.
    """
    if not isinstance(held, dict):
        raise SunError("the spooled SUN message is not an object")
    kid, picc, mac = held.get("kid"), held.get("e"), held.get("c")
    file_data, mac_input = held.get("f"), held.get("m", "")
    if type(kid) is not int or not all(isinstance(v, str) for v in (picc, mac, mac_input)):
        raise SunError("the spooled SUN message lacks its key id, PICC data or MAC")
    assert isinstance(picc, str) and isinstance(mac, str) and isinstance(mac_input, str)
    message = SunMessage(
        _hex(picc, PICC_DATA_BYTES, "encrypted PICC data"),
        _hex(mac, MAC_BYTES, "SUN MAC"),
        mac_input.encode("ascii", "replace"),
        None if file_data is None else _file_hex(file_data),
    )
    return kid, message


def _file_hex(text: Any) -> bytes:
    if not isinstance(text, str) or not text or len(text) % 32 or len(text) > 2 * FILE_DATA_MAX:
        raise SunError("encrypted file data is whole 16-byte blocks in hex (32 digits each)")
    return _hex(text, len(text) // 2, "encrypted file data")


def _hex(text: str, size: int, name: str) -> bytes:
    """parse_hex, with bytes.fromhex first: the tap path's common case costs one call."""
    if len(text) == 2 * size and text.isascii() and text.isalnum():
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return parse_hex(text, size, name)  # raises SunError saying what is wrong


class SunKeys:
    """The SUN keys of one keyring: meta read keys per key id, file read keys per sticker.

    The AES contexts are kept per thread (an OpenSSL context is not thread-safe), so a tap
    sets up only its own session key (tags.ntag424.sun.SunVerifier).
    """

    def __init__(self, ring: Keyring) -> None:
        self._masters = {
            key.kid: sun_keys.master_key(key.secret)
            for key in ring.keys
            if key.state is not KeyState.REVOKED
        }
        self._local = threading.local()

    def _thread(self) -> tuple[dict[int, SunVerifier], OrderedDict[tuple[int, bytes], KeptKey]]:
        held = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = ({}, OrderedDict())
        return held

    def _verifier(self, kid: int) -> SunVerifier:
        verifiers, _ = self._thread()
        verifier = verifiers.get(kid)
        if verifier is None:
            master = self._masters.get(kid)
            if master is None:
                raise SunError(f"no usable SUN master key for key id {kid}")
            meta = sun_keys.application_key(master, SDM_META_READ_KEY)
            verifier = verifiers[kid] = SunVerifier(meta)
        return verifier

    def _file_read(self, kid: int, uid: bytes) -> KeptKey:
        """The sticker's file read key with its AES contexts, derived once per (key id, UID).

        A least-recently-used cache: a sticker tapped again and again costs no AN10922
        derivation (three AES blocks and two key set-ups), and a flood of made-up UIDs (each
        needs a genuine meta read key to get this far) cannot grow it beyond STICKER_KEYS.
        """
        _, stickers = self._thread()
        found = (kid, uid)
        key = stickers.get(found)
        if key is not None:
            stickers.move_to_end(found)
            return key
        derived = sun_keys.sticker_key(self._masters[kid], uid, SDM_FILE_READ_KEY)
        key = stickers[found] = KeptKey(derived)
        if len(stickers) > STICKER_KEYS:
            stickers.popitem(last=False)
        return key

    def verify(self, kid: int, message: SunMessage) -> SunTap:
        """Check `message` against the keys of key id `kid`; the verified tap, or SunError."""
        verifier = self._verifier(kid)

        def file_read(uid: bytes | None) -> KeptKey:
            if uid is None:
                raise SunError("a TapTrail SUN message mirrors the UID")
            return self._file_read(kid, uid)

        tap = verifier.verify(
            file_read, message.picc_data, message.mac, message.mac_input, message.file_data
        )
        if tap.counter is None:
            raise SunError("a TapTrail SUN message mirrors the read counter")
        return tap
