"""Secure Dynamic Messaging on the chip: the NDEF file as a read shows it, and what settings pass.

At a read the chip writes into its copy of the file, in upper-case ASCII hex: the UID and counter
in plain (SDMMetaRead = Eh) or the encrypted PICC data (a key), the encrypted file data, then the
MAC over the text from SDMMACInputOffset up to the MAC. The stored file keeps its placeholders.
"""

from __future__ import annotations

from tags.ntag424 import sun
from tags.ntag424.facts import NDEF_FILE
from tags.ntag424.filesettings import FREE, NEVER, FileSettings, SdmSettings
from tags.ntag424.keys import KEY_COUNT

UID_TEXT = 2 * sun.UID_BYTES
COUNTER_TEXT = 2 * sun.COUNTER_BYTES
PICC_TEXT = 2 * sun.PICC_DATA_BYTES
MAC_TEXT = 2 * sun.MAC_BYTES
ENC_BLOCK_TEXT = 32


def _put(image: bytearray, offset: int, text: str) -> None:
    image[offset : offset + len(text)] = text.encode("ascii")


def mirror(
    data: bytes, sdm: SdmSettings, keys: list[bytes], uid: bytes, counter: int, filler: bytes
) -> bytes:
    """The file as this read shows it, with the SUN message of `counter` written in."""
    image = bytearray(data)
    uid_shown = uid if sdm.uid else None
    counter_shown = counter if sdm.read_counter else None
    if sdm.meta_read == FREE:
        if uid_shown is not None and sdm.uid_offset is not None:
            _put(image, sdm.uid_offset, uid_shown.hex().upper())
        if counter_shown is not None and sdm.read_counter_offset is not None:
            _put(image, sdm.read_counter_offset, sun.counter_text(counter_shown))
    elif sdm.meta_read != NEVER and sdm.picc_data_offset is not None:
        picc = sun.encrypt_picc_data(keys[sdm.meta_read], uid_shown, counter_shown, filler)
        _put(image, sdm.picc_data_offset, picc.hex().upper())
    if sdm.file_read == NEVER or sdm.mac_offset is None or sdm.mac_input_offset is None:
        return bytes(image)
    key = keys[sdm.file_read]
    if sdm.enc_offset is not None and sdm.enc_length:
        start, half = sdm.enc_offset, sdm.enc_length // 2
        encrypted = sun.encrypt_file_data(
            key, uid_shown, counter_shown, bytes(image[start : start + half])
        )
        _put(image, start, encrypted.hex().upper())
    mac_input = bytes(image[sdm.mac_input_offset : sdm.mac_offset])
    _put(image, sdm.mac_offset, sun.sdm_mac(key, uid_shown, counter_shown, mac_input).hex().upper())
    return bytes(image)


def _key_or(value: int, *allowed: int) -> bool:
    return 0 <= value < KEY_COUNT or value in allowed


def settings_allowed(file_number: int, settings: FileSettings, size: int) -> bool:
    """True if the chip accepts these SDM settings for this file (else PARAMETER_ERROR)."""
    sdm = settings.sdm
    if sdm is None:
        return True
    if file_number != NDEF_FILE or not _key_or(sdm.meta_read, FREE, NEVER):
        return False
    if not _key_or(sdm.file_read, NEVER) or not _key_or(sdm.counter_read, FREE, NEVER):
        return False
    fields = [
        (sdm.uid_offset, UID_TEXT),
        (sdm.read_counter_offset, COUNTER_TEXT),
        (sdm.picc_data_offset, PICC_TEXT),
        (sdm.mac_offset, MAC_TEXT),
        (sdm.enc_offset, sdm.enc_length or 0),
    ]
    if any(offset is not None and offset + length > size for offset, length in fields):
        return False
    if sdm.file_read != NEVER:
        assert sdm.mac_input_offset is not None and sdm.mac_offset is not None
        if sdm.mac_input_offset > sdm.mac_offset:
            return False
        if sdm.enc_offset is not None:
            length = sdm.enc_length or 0
            if not length or length % ENC_BLOCK_TEXT:
                return False
            if not sdm.mac_input_offset <= sdm.enc_offset <= sdm.mac_offset - length:
                return False
    return True
