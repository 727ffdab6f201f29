"""The NTAG21x ASCII mirror: what the chip shows, where, and where a URL's placeholder puts it.

The chip never stores the mirror; it overlays it on the data it sends, from MIRROR_PAGE,
MIRROR_BYTE on: the UID as 14 characters, the counter as 6, or both joined by "x". The field tool
ends a URL with a placeholder of that length and sets MIRROR_PAGE and MIRROR_BYTE on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import FIRST_USER_PAGE, PAGE_SIZE, ChipProfile
from tags.ndef import encode_user_memory
from tags.urls import MIRROR_PARAM, SEPARATOR, MirrorMode


class MirrorError(ValueError):
    """The URL does not end with the placeholder the mirror mode needs."""


@dataclass(frozen=True)
class MirrorPosition:
    """Page and byte where the chip starts writing the mirrored ASCII."""

    page: int
    byte: int
    mode: MirrorMode

    def apply(self, config: ChipConfig, count_reads: bool = True) -> ChipConfig:
        """Return `config` with the mirror set here (and the read counter on, for counters)."""
        return replace(
            config,
            mirror_conf=self.mode.conf,
            mirror_page=self.page,
            mirror_byte=self.byte,
            nfc_cnt_en=config.nfc_cnt_en or (count_reads and self.mode != MirrorMode.UID),
        )


def mirror_position(url: str, chip: ChipProfile, mode: MirrorMode) -> MirrorPosition:
    """Locate the placeholder of `url` once laid out on `chip` in the factory layout.

    The placeholder ends the URL, and the URL fits the chip's data area, so the mirror always
    lies inside user memory.
    """
    marker = f"{MIRROR_PARAM}={mode.placeholder}"
    if not url.endswith(marker):
        raise MirrorError(f"the URL does not end with the {mode} placeholder ?{marker}")
    image = encode_user_memory(url, chip)
    offset = image.rfind(marker.encode()) + len(MIRROR_PARAM) + 1
    return MirrorPosition(
        page=FIRST_USER_PAGE + offset // PAGE_SIZE, byte=offset % PAGE_SIZE, mode=mode
    )


def mirror_text(conf: MirrorConf, uid: bytes, counter: int | None) -> bytes:
    """The ASCII the chip mirrors; a counter of None (protected) leaves its characters out."""
    uid_text = uid.hex().upper().encode()
    counter_text = b"" if counter is None else f"{counter:06X}".encode()
    if conf is MirrorConf.UID:
        return uid_text
    if conf is MirrorConf.COUNTER:
        return counter_text
    if conf is MirrorConf.BOTH:
        return uid_text + SEPARATOR.encode() + counter_text
    return b""


def mirror_start(config: ChipConfig, profile: ChipProfile, length: int) -> int | None:
    """Byte address where the mirror starts, or None if it is off or does not fit user memory."""
    if config.mirror_conf is MirrorConf.OFF or config.mirror_page < FIRST_USER_PAGE:
        return None
    start = config.mirror_page * PAGE_SIZE + config.mirror_byte
    end_of_user_memory = (profile.last_user_page + 1) * PAGE_SIZE
    return start if start + length <= end_of_user_memory else None


def overlay(answer: bytearray, pages: list[int], start: int, text: bytes) -> None:
    """Write `text` over the bytes of `answer` (made of `pages`, in order) that it covers."""
    for index, page in enumerate(pages):
        for offset in range(PAGE_SIZE):
            position = page * PAGE_SIZE + offset - start
            if 0 <= position < len(text):
                answer[index * PAGE_SIZE + offset] = text[position]
