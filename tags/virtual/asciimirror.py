"""The NTAG21x ASCII mirror: UID and/or NFC counter as upper-case hex inside READ answers.

The chip never stores the mirror; it overlays it on the data it sends, from MIRROR_PAGE,
MIRROR_BYTE on: the UID as 14 characters, the counter as 6, or both joined by "x".
"""

from __future__ import annotations

from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import FIRST_USER_PAGE, PAGE_SIZE, ChipProfile
from tags.urls import SEPARATOR


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
