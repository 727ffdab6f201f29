"""Take an NTAG 424 DNA back to its factory state with the keys it was given.

For a sticker to be personalised again (another URL, another master key version), one whose
personalisation must be undone, or one half-personalised by a pull. First a look, without
authentication: the key versions, the NDEF file's settings and what the file holds (the URL
and so the code, which is how the field tool gets the sticker's keys from the server). Then:

    AuthenticateEV2First  key 0, with its derived key if its version says so, else the factory key
    ChangeFileSettings    the NDEF file back to free reads and writes, SDM off
    ChangeKey             keys 1 to 4 that carry a version, back to zero (version 0)
    ChangeKey             key 0 last (the chip ends the session)
    WriteData             zeros over what the NDEF file held, in plain (writes are free again)

Key 0 changes last and the URL goes after it, so a sticker pulled at any point still tells,
by its key versions, which keys are left, and still holds the code those keys come from: the
next try finishes the reset and never leaves a key nobody knows. The SDM read counter stays:
the chip offers no way back.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import nfc

from tags.ndef import NdefFormatError, decode_uri_message
from tags.ntag424 import apdu
from tags.ntag424.facts import FACTORY_SETTINGS, NDEF_FILE
from tags.ntag424.filesettings import FREE, CommMode, FileSettings
from tags.ntag424.keys import APP_MASTER_KEY, FACTORY_KEY, FACTORY_VERSION, KEY_COUNT, StickerKeys
from tags.ntag424.layout import NLEN_BYTES
from tagwriter.errors import StickerRefused
from tagwriter.ntag424.card import Card, ChipRefused, activate
from tagwriter.ntag424.personalise import without_size

WRITE_CHUNK = 248  # WriteData's 7-byte header and the data fit a short APDU (255 bytes)
PUT_ASIDE = "put it aside: it cannot be reset without the keys it was personalised with"


@dataclass(frozen=True)
class Found:
    """What an NTAG 424 DNA says of itself before anything is touched."""

    uid: bytes
    versions: tuple[int, ...]
    settings: FileSettings
    content: bytes  # the NDEF file as read (with the chip's mirror if SDM is on)

    @property
    def keyed(self) -> bool:
        """Some key is not the factory one (its version says so)."""
        return any(version != FACTORY_VERSION for version in self.versions)

    @property
    def factory(self) -> bool:
        """Nothing left to reset: factory keys and settings, an empty NDEF file."""
        settings_done = without_size(self.settings) == without_size(FACTORY_SETTINGS[NDEF_FILE])
        return not self.keyed and settings_done and not any(self.content)

    def url(self) -> str | None:
        """The URL the NDEF file holds, if it holds one."""
        length = int.from_bytes(self.content[:NLEN_BYTES], "big")
        try:
            return decode_uri_message(self.content[NLEN_BYTES : NLEN_BYTES + length])
        except NdefFormatError:
            return None

    def code(self) -> str | None:
        """The short code at the end of the URL's path (TapTrail's URLs), if there is a URL."""
        url = self.url()
        if url is None:
            return None
        return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or None


def look(card: Card) -> Found:
    """Select the application and read the key versions, file settings and NDEF file."""
    card.select_application()
    versions = tuple(card.get_key_version(key_no) for key_no in range(KEY_COUNT))
    settings = card.get_file_settings(NDEF_FILE)
    content = (
        card.read_data(NDEF_FILE)
        if FREE in (settings.access.read, settings.access.read_write)
        else b""
    )
    return Found(card.uid, versions, settings, content)


def reset(
    clf: nfc.ContactlessFrontend,
    keys_for: Callable[[Found], StickerKeys | None],
    random: Callable[[int], bytes] = os.urandom,
    done: Callable[[str], None] = lambda step: None,
) -> tuple[Found, list[str]]:
    """Reset the sticker in the field: look, get its keys from `keys_for`, reset; both results."""
    card = activate(clf, random=random)
    found = look(card)
    return found, reset_card(card, found, keys_for(found) if found.keyed else None, done)


def reset_card(
    card: Card,
    found: Found,
    keys: StickerKeys | None,
    done: Callable[[str], None] = lambda step: None,
) -> list[str]:
    """Reset the sticker `found` on `card` (keys from its code, None if all are factory keys).

    `done` is called after each step the chip acknowledged ("settings", "key 1"..., "url"),
    for the journal. Returns the steps. StickerRefused, saying what to do, for keys this tool
    cannot know or that do not open the sticker; StickerGone if it leaves (run again).
    """
    check_versions(found, keys)
    steps: list[str] = []

    def step(name: str) -> None:
        steps.append(name)
        done(name)

    factory = FACTORY_SETTINGS[NDEF_FILE]
    settings_done = without_size(found.settings) == without_size(factory)
    if found.keyed or not settings_done:
        _authenticate(card, found, keys)
        if not settings_done:
            card.change_file_settings(NDEF_FILE, factory)
            step("settings")
        for key_no in range(1, KEY_COUNT):
            if found.versions[key_no] != FACTORY_VERSION:
                assert keys is not None  # check_versions: a keyed sticker needs its keys
                _change_back(card, key_no, keys.keys[key_no])
                step(f"key {key_no}")
        if found.versions[APP_MASTER_KEY] != FACTORY_VERSION:
            card.change_key(APP_MASTER_KEY, FACTORY_KEY, FACTORY_VERSION)
            step(f"key {APP_MASTER_KEY}")
    used = len(found.content.rstrip(b"\x00"))
    if used:
        _blank(card, used)
        step("url")
    return steps


def check_versions(found: Found, keys: StickerKeys | None) -> None:
    """StickerRefused, saying what to do, if some key's version is not one `keys` can open."""
    for key_no, version in enumerate(found.versions):
        if version == FACTORY_VERSION:
            continue
        if keys is None:
            raise StickerRefused(
                f"key {key_no} of this sticker has version {version}: its keys are needed, and "
                "its NDEF file names no TapTrail code to ask the server for them; " + PUT_ASIDE
            )
        if version != keys.version:
            raise StickerRefused(
                f"key {key_no} of this sticker has version {version}, but its code's keys have "
                f"version {keys.version}: it was keyed by another server or keyring; " + PUT_ASIDE
            )


def _authenticate(card: Card, found: Found, keys: StickerKeys | None) -> None:
    derived = found.versions[APP_MASTER_KEY] != FACTORY_VERSION
    key_0 = keys.keys[APP_MASTER_KEY] if keys is not None and derived else FACTORY_KEY
    try:
        card.authenticate(APP_MASTER_KEY, key_0)
    except ChipRefused:
        which = "the key derived for it from its code" if derived else "the factory key"
        raise StickerRefused(
            f"key 0 of this sticker is not {which} although its version says so: its keys "
            f"are unknown (written by another tool or server); {PUT_ASIDE}"
        ) from None


def _change_back(card: Card, key_no: int, old_key: bytes) -> None:
    """ChangeKey of key `key_no` to zero: the cryptogram carries NewKey XOR OldKey."""
    try:
        card.change_key(key_no, FACTORY_KEY, FACTORY_VERSION, old_key)
    except ChipRefused as refusal:
        if refusal.status != apdu.INTEGRITY_ERROR:
            raise
        raise StickerRefused(
            f"key {key_no} of this sticker is not the key derived for it (the chip found the "
            f"new key's checksum wrong), so it cannot be changed; key 0 was left alone, so "
            f"nothing is lost; {PUT_ASIDE}"
        ) from None


def _blank(card: Card, used: int) -> None:
    """Zeros over the first `used` bytes of the NDEF file: NLEN 0 first, an empty message."""
    # Writes are free again: in plain, inside the session if one is still open (it is not
    # once key 0 changed) or outside it.
    for start in range(0, used, WRITE_CHUNK):
        length = min(WRITE_CHUNK, used - start)
        card.write_data(NDEF_FILE, start, bytes(length), CommMode.PLAIN)
