"""NDEF for stickers: a URI record laid out in a chip's user memory as the factory formats it.

User memory (from page 4) holds Type 2 Tag TLVs: the chip's factory TLVs (a Lock Control TLV on
the NTAG213), then the NDEF Message TLV (03, length, message), then a Terminator TLV (FE) when
there is room for one.
"""

from __future__ import annotations

import ndef as ndeflib

from tags.chips import PAGE_SIZE, ChipProfile

TLV_NULL = 0x00
TLV_LOCK_CONTROL = 0x01
TLV_MEMORY_CONTROL = 0x02
TLV_NDEF = 0x03
TLV_TERMINATOR = 0xFE


class CapacityError(ValueError):
    """The URL does not fit the chip."""


class NdefFormatError(ValueError):
    """User memory does not hold a readable NDEF URI record."""


def uri_message(url: str) -> bytes:
    """Encode the NDEF message of one URI record (ndeflib picks the prefix code)."""
    return b"".join(ndeflib.message_encoder([ndeflib.UriRecord(url)]))


def _tlv_header(length: int) -> bytes:
    if length < 0xFF:
        return bytes([TLV_NDEF, length])
    return bytes([TLV_NDEF, 0xFF]) + length.to_bytes(2, "big")


def _record_overhead(payload_length: int) -> int:
    # Record header, type length, payload length (1 byte for a short record, else 4), type "U".
    return 4 if payload_length <= 0xFF else 7


def _layout_length(chip: ChipProfile, message_length: int) -> int:
    return len(chip.factory_tlvs) + len(_tlv_header(message_length)) + message_length


def _split_prefix(url: str) -> tuple[str, str]:
    # The record payload is the prefix code then the rest of the URI; what is missing from the
    # front of the URL is the abbreviated prefix.
    rest = ndeflib.UriRecord(url).data[1:].decode("utf-8")
    return url[: len(url) - len(rest)], rest


def max_uri_chars(chip: ChipProfile, prefix: str = "https://") -> int:
    """How many characters after `prefix` a URI record can hold on `chip`."""
    best = 0
    for chars in range(chip.ndef_area_bytes):
        payload = 1 + chars
        message = _record_overhead(payload) + payload
        if _layout_length(chip, message) <= chip.ndef_area_bytes:
            best = chars
    return best


def check_capacity(url: str, chip: ChipProfile) -> int:
    """Return the bytes to spare on `chip` for `url`, or raise CapacityError saying what to do."""
    message = uri_message(url)
    spare = chip.ndef_area_bytes - _layout_length(chip, len(message))
    if spare < 0:
        prefix, rest = _split_prefix(url)
        after = f" after {prefix}" if prefix else ""
        raise CapacityError(
            f"this URL is {len(rest)} characters{after}; an {chip.name} holds "
            f"{max_uri_chars(chip, prefix)}{after}: use a shorter base URL or a larger chip"
        )
    return spare


def encode_user_memory(url: str, chip: ChipProfile) -> bytes:
    """The bytes to write from page 4: TLVs, message, terminator if it fits, padded to a page."""
    check_capacity(url, chip)
    message = uri_message(url)
    data = chip.factory_tlvs + _tlv_header(len(message)) + message
    if len(data) < chip.ndef_area_bytes:
        data += bytes([TLV_TERMINATOR])
    padding = -len(data) % PAGE_SIZE
    return data + bytes(padding)


def find_ndef_message(memory: bytes) -> bytes:
    """Walk the TLVs of user memory (from page 4) and return the NDEF message bytes."""
    offset = 0
    while offset < len(memory):
        tag = memory[offset]
        if tag == TLV_NULL:
            offset += 1
            continue
        if tag == TLV_TERMINATOR:
            break
        if offset + 1 >= len(memory):
            break
        length, header = memory[offset + 1], 2
        if length == 0xFF:
            if offset + 3 >= len(memory):
                break
            length, header = int.from_bytes(memory[offset + 2 : offset + 4], "big"), 4
        start = offset + header
        if tag == TLV_NDEF:
            if start + length > len(memory):
                raise NdefFormatError(
                    f"the NDEF TLV announces {length} bytes but only {len(memory) - start} follow"
                )
            return bytes(memory[start : start + length])
        # Lock and memory control TLVs on NTAG21x point outside the data area: skip them whole.
        offset = start + length
    raise NdefFormatError("no NDEF message in user memory")


def decode_user_memory(memory: bytes) -> str:
    """Return the URL stored in user memory (starting at page 4), or raise NdefFormatError."""
    return decode_uri_message(find_ndef_message(memory))


def decode_uri_message(message: bytes) -> str:
    """Return the URL of an NDEF message's first URI record, or raise NdefFormatError."""
    if not message:
        raise NdefFormatError("the sticker is blank (empty NDEF message)")
    try:
        records = list(ndeflib.message_decoder(message))
    except ndeflib.DecodeError as error:
        raise NdefFormatError(f"the NDEF message is damaged: {error}") from None
    for record in records:
        if isinstance(record, ndeflib.UriRecord):
            return record.iri
    raise NdefFormatError("the NDEF message holds no URI record")
