"""Bring an NTAG 424 DNA to its SUN URL and per-sticker keys, then check two taps offline.

The sequence, after selecting the NDEF application and reading what the chip says of itself
(the version of each key, the NDEF file's settings):

    AuthenticateEV2First with key 0 (the factory key)
    WriteData        the NDEF file: NLEN and the URL with its placeholders
    ChangeFileSettings  SDM on, PICC data and MAC offsets, writes to key 0 only
    ChangeKey        keys 1 to 4 (from the factory keys), then key 0 last

Key 0 goes last, so a sticker pulled at any point is one of: untouched, URL written, settings
done, some keys changed. The key versions and file settings tell which, and the next try
finishes what is missing; a sticker whose key 0 already carries the version is finished and
only verified. Verification reads the URL in two activations and checks, with the derived keys,
that both SUN messages verify, carry the sticker's UID, and that the counter went up.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import nfc

from tags.ndef import CapacityError, NdefFormatError, decode_uri_message
from tags.ntag424.facts import NDEF_FILE
from tags.ntag424.filesettings import FileSettings, data_comm_mode
from tags.ntag424.keys import (
    APP_MASTER_KEY,
    FACTORY_KEY,
    FACTORY_VERSION,
    KEY_COUNT,
    StickerKeys,
    sticker_keys,
)
from tags.ntag424.layout import (
    MAC_PARAM,
    NLEN_BYTES,
    PICC_PARAM,
    ndef_file,
    ndef_file_settings,
    read_sun,
)
from tags.ntag424.sun import MAC_BYTES, PICC_DATA_BYTES, SunError, verify_sun
from tagwriter.errors import StickerRefused, VerifyError
from tagwriter.ntag424.card import Card, ChipRefused, activate

VERIFY_READS = 2
Random = Callable[[int], bytes]


@dataclass(frozen=True)
class Personalised:
    """A sticker that holds its URL and keys and gave two verified SUN messages."""

    uid: bytes
    url: str
    version: int
    counters: tuple[int, ...]
    steps: tuple[str, ...]  # what this try did ("url", "settings", "key 1"...); () if nothing


def personalise(
    clf: nfc.ContactlessFrontend,
    url: str,
    master_key: bytes,
    version: int,
    random: Random = os.urandom,
) -> Personalised:
    """Personalise the sticker in the field with `url` and keys from `master_key` of `version`.

    Raises StickerGone when it leaves (run again: it carries on), StickerRefused when it cannot
    take the job, VerifyError when it does not give two valid SUN messages afterwards.
    """
    try:
        ndef_file_settings(url)
    except (CapacityError, SunError) as error:
        raise StickerRefused(str(error)) from None
    card = activate(clf, random=random)
    keys = sticker_keys(master_key, card.uid, version)
    steps = finish(card, url, keys)
    counters = verify(clf, card.uid, url, keys, random)
    return Personalised(card.uid, url, version, counters, tuple(steps))


def key_versions(card: Card, keys: StickerKeys) -> list[int]:
    """The version of each key, asked without authentication; StickerRefused for one that is
    neither the factory version nor `keys.version` (keys this tool cannot know)."""
    versions = [card.get_key_version(key_no) for key_no in range(KEY_COUNT)]
    for key_no, found in enumerate(versions):
        if found not in (FACTORY_VERSION, keys.version):
            raise StickerRefused(
                f"key {key_no} of this sticker has version {found}, not {keys.version}: it was "
                "personalised with other keys; reset it with those keys first"
            )
    return versions


def finish(card: Card, url: str, keys: StickerKeys) -> list[str]:
    """Do what the sticker still lacks; return the steps done."""
    card.select_application()
    versions = key_versions(card, keys)
    if versions[APP_MASTER_KEY] == keys.version:
        return []  # key 0 changes last: everything before it was done
    current = card.get_file_settings(NDEF_FILE)
    try:
        card.authenticate(APP_MASTER_KEY, FACTORY_KEY)
    except ChipRefused:
        raise StickerRefused(
            "key 0 of this sticker is not the factory key although its version is 0: its keys "
            "are unknown, so it cannot be personalised"
        ) from None
    steps = _write_url(card, url, current)
    wanted = ndef_file_settings(url)
    if without_size(current) != without_size(wanted):
        card.change_file_settings(NDEF_FILE, wanted)
        steps.append("settings")
    for key_no in range(1, KEY_COUNT):
        if versions[key_no] != keys.version:
            card.change_key(key_no, keys.keys[key_no], keys.version, FACTORY_KEY)
            steps.append(f"key {key_no}")
    card.change_key(APP_MASTER_KEY, keys.keys[APP_MASTER_KEY], keys.version)
    steps.append(f"key {APP_MASTER_KEY}")
    return steps


def without_size(settings: FileSettings) -> FileSettings:
    return FileSettings(settings.comm_mode, settings.access, settings.sdm)


def _write_url(card: Card, url: str, current: FileSettings) -> list[str]:
    mode = data_comm_mode(current, APP_MASTER_KEY, write=True)
    if mode is None:
        raise StickerRefused("key 0 may not write this sticker's NDEF file: reset it first")
    card.write_data(NDEF_FILE, 0, ndef_file(url), mode)
    return ["url"]


def _masked(url: str) -> str:
    """`url` without the values the chip mirrors, to compare a tap with what was written."""
    picc = url.rfind(f"?{PICC_PARAM}=") + 3
    mac = url.rfind(f"&{MAC_PARAM}=") + 3
    return url[:picc] + url[picc + 2 * PICC_DATA_BYTES : mac] + url[mac + 2 * MAC_BYTES :]


def read_url(card: Card) -> str:
    """The URL a tap shows now (with the chip's SUN message in it)."""
    card.select_application()
    data = card.read_data(NDEF_FILE)
    length = int.from_bytes(data[:NLEN_BYTES], "big")
    try:
        return decode_uri_message(data[NLEN_BYTES : NLEN_BYTES + length])
    except NdefFormatError as error:
        raise VerifyError(f"the sticker reads back no URL ({error}): run again") from None


def verify(
    clf: nfc.ContactlessFrontend, uid: bytes, url: str, keys: StickerKeys, random: Random
) -> tuple[int, ...]:
    """Read the URL in two activations; check both SUN messages offline; return the counters."""
    counters: list[int] = []
    for _ in range(VERIFY_READS):
        tapped = read_url(activate(clf, uid, random))
        if len(tapped) != len(url) or _masked(tapped) != _masked(url):
            raise VerifyError(
                f"the sticker reads {tapped}, not {url}: reset it, then personalise it again"
            )
        try:
            params = read_sun(tapped)
            if params is None:
                raise SunError("the chip left the placeholders: SDM is off")
            tap = verify_sun(keys.meta_read, keys.file_read, params.picc_data, params.mac)
        except SunError as error:
            raise VerifyError(f"the sticker's SUN message does not verify ({error})") from None
        if tap.uid != uid or tap.counter is None:
            raise VerifyError("the sticker's SUN message carries another UID or no counter")
        counters.append(tap.counter)
    if counters[1] <= counters[0]:
        raise VerifyError(
            f"the sticker's read counter did not go up ({counters[0]}, {counters[1]})"
        )
    return tuple(counters)
