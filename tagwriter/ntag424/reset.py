"""Take an NTAG 424 DNA back to its factory keys and NDEF file settings, with its known keys.

For a sticker to be personalised again (another URL, another master key version) or one whose
personalisation must be undone. As in personalisation, key 0 changes last, so a sticker pulled
half-way is reset by running again. The SDM read counter stays: the chip offers no way back.
"""

from __future__ import annotations

import os

import nfc

from tags.ntag424.facts import FACTORY_SETTINGS, NDEF_FILE
from tags.ntag424.filesettings import CommMode
from tags.ntag424.keys import APP_MASTER_KEY, FACTORY_KEY, FACTORY_VERSION, KEY_COUNT, sticker_keys
from tags.ntag424.layout import NLEN_BYTES
from tagwriter.errors import StickerRefused
from tagwriter.ntag424.card import ChipRefused, activate
from tagwriter.ntag424.personalise import Random, key_versions, without_size


def reset(
    clf: nfc.ContactlessFrontend, master_key: bytes, version: int, random: Random = os.urandom
) -> tuple[str, ...]:
    """Reset the sticker in the field, keyed (wholly or partly) from `master_key` of `version`.

    Returns the steps done ("settings", "url", "key 1"...); StickerGone if it leaves (run
    again), StickerRefused if a key is one this master key does not give.
    """
    card = activate(clf, random=random)
    keys = sticker_keys(master_key, card.uid, version)
    card.select_application()
    versions = key_versions(card, keys)
    changed = [key_no for key_no in range(KEY_COUNT) if versions[key_no] == keys.version]
    current = card.get_file_settings(NDEF_FILE)
    key_0 = keys.keys[APP_MASTER_KEY] if APP_MASTER_KEY in changed else FACTORY_KEY
    try:
        card.authenticate(APP_MASTER_KEY, key_0)
    except ChipRefused:
        raise StickerRefused(
            "key 0 of this sticker is not the key its version says: its keys are unknown"
        ) from None
    steps = []
    factory = FACTORY_SETTINGS[NDEF_FILE]
    if without_size(current) != without_size(factory):
        card.change_file_settings(NDEF_FILE, factory)
        steps.append("settings")
    card.write_data(NDEF_FILE, 0, bytes(NLEN_BYTES), CommMode.PLAIN)  # an empty NDEF message
    steps.append("url")
    for key_no in changed:
        if key_no != APP_MASTER_KEY:
            card.change_key(key_no, FACTORY_KEY, FACTORY_VERSION, keys.keys[key_no])
            steps.append(f"key {key_no}")
    if APP_MASTER_KEY in changed:
        card.change_key(APP_MASTER_KEY, FACTORY_KEY, FACTORY_VERSION)
        steps.append(f"key {APP_MASTER_KEY}")
    return tuple(steps)
