"""What a sticker holds, read in as few FAST_READs as the reader allows, and what that means."""

from __future__ import annotations

from dataclasses import dataclass

from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import CC_PAGE, FIRST_USER_PAGE, PAGE_SIZE, ChipProfile
from tags.locks import (
    STATIC_LOCK_BYTES,
    STATIC_LOCK_PAGE,
    dynamic_locked_pages,
    static_locked_pages,
)
from tags.mirror import mirror_start
from tags.ndef import NdefFormatError, decode_user_memory, find_ndef_message
from tags.urls import MirrorMode
from tagwriter.link import TagLink

NO_PROTECTION = 0xFF


@dataclass(frozen=True)
class Snapshot:
    """Pages as the chip showed them in this activation (the mirror overlaid, PWD as zeros)."""

    profile: ChipProfile
    uid: bytes
    pages: dict[int, bytes]

    def page(self, number: int) -> bytes:
        """One page as read (KeyError if it was not read)."""
        return self.pages[number]

    @property
    def config(self) -> ChipConfig:
        """CFG0/CFG1: also what the chip latched at this power-up."""
        return ChipConfig.from_pages(
            self.page(self.profile.cfg0_page), self.page(self.profile.cfg1_page)
        )

    @property
    def cc(self) -> bytes:
        """The capability container."""
        return self.page(CC_PAGE)

    @property
    def user_memory(self) -> bytes:
        """User memory from page 4, as far as it was read without a gap."""
        data, page = b"", FIRST_USER_PAGE
        while page in self.pages and page <= self.profile.last_user_page:
            data += self.pages[page]
            page += 1
        return data

    @property
    def mirror_bytes(self) -> range:
        """Byte addresses where reads in this activation show the mirror, not what is stored."""
        config = self.config
        if config.mirror_conf is MirrorConf.OFF:
            return range(0)
        length = MirrorMode[config.mirror_conf.name].length
        start = mirror_start(config, self.profile, length)
        return range(0) if start is None else range(start, start + length)

    @property
    def mirrored_pages(self) -> set[int]:
        """Pages that show some of the mirror in this activation."""
        return {address // PAGE_SIZE for address in self.mirror_bytes}

    @property
    def locked_pages(self) -> set[int]:
        """Pages the lock bits keep from ever being written again."""
        dynamic = self.page(self.profile.dynamic_lock_page)
        locked = static_locked_pages(self.page(STATIC_LOCK_PAGE)[STATIC_LOCK_BYTES])
        return locked | dynamic_locked_pages(self.profile, dynamic)

    @property
    def protected_from(self) -> int | None:
        """First page behind the password (AUTH0), or None when there is no password."""
        auth0 = self.config.auth0
        return auth0 if auth0 <= self.profile.last_page else None

    def url(self) -> str | None:
        """The URL a phone reads now (with the mirror); None when the sticker is blank.

        Raises NdefFormatError when the memory holds something else than a URI record.
        """
        memory = self.user_memory
        try:
            message = find_ndef_message(memory)
        except NdefFormatError:
            if any(memory[len(self.profile.factory_tlvs) :]):
                raise
            return None  # never formatted: zeros after the factory TLVs
        return decode_user_memory(memory) if message else None


def read_snapshot(link: TagLink, through: int | None = None) -> Snapshot:
    """Read pages 0 to `through` (default: all user memory) and the configuration pages.

    On an NTAG213 that is one FAST_READ; on the larger chips the user pages and the
    configuration are two reads, and a third only when an NDEF message runs past `through`.
    """
    profile = link.profile
    last_user = profile.last_user_page
    through = last_user if through is None else min(through, last_user)
    config_pages = (profile.dynamic_lock_page, profile.cfg1_page)
    if profile.cfg1_page < link.max_pages:
        ranges = [(0, profile.cfg1_page)]
    else:
        ranges = [(0, through), config_pages]
    pages: dict[int, bytes] = {}
    for start, end in ranges:
        _store(pages, start, link.fast_read(start, end))
    snapshot = Snapshot(profile, link.uid, pages)
    if through < last_user and last_user not in pages and _runs_past(snapshot):
        _store(pages, through + 1, link.fast_read(through + 1, last_user))
    return snapshot


def _store(pages: dict[int, bytes], start: int, data: bytes) -> None:
    for index in range(len(data) // PAGE_SIZE):
        pages[start + index] = data[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]


def _runs_past(snapshot: Snapshot) -> bool:
    try:
        find_ndef_message(snapshot.user_memory)
    except NdefFormatError:
        return True  # the NDEF TLV announces more bytes than were read
    return False
