"""What a powered NTAG21x holds in its latches: configuration read at power-up, authentication,
the once-per-power-up counter flag, and which pages it lets the reader read and write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tags.chipconfig import ChipConfig
from tags.chips import CC_PAGE, PAGE_SIZE, ChipProfile
from tags.locks import (
    STATIC_LOCK_BYTES,
    STATIC_LOCK_PAGE,
    dynamic_locked_pages,
    merge_dynamic_lock,
    merge_static_lock,
    static_locked_pages,
)
from tags.virtual.sticker import Sticker, activations_to_verify

ACK = 0x0A
NAK_INVALID_ARGUMENT = 0x0
NAK_CRC_ERROR = 0x1
NAK_AUTH_LIMIT = 0x4  # "invalid authentication counter overflow": AUTHLIM exhausted
NAK_EEPROM_ERROR = 0x5


class Nak(Exception):
    """The chip answers a 4-bit NAK and falls back to IDLE (or HALT)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"NAK {code:X}h")
        self.code = code


@dataclass
class Session:
    """Volatile state between power-up and power-down."""

    sticker: Sticker
    config: ChipConfig = field(init=False)
    authenticated: bool = False
    counted: bool = False  # the NFC counter went up in this power-up
    read_after_write: bool = False  # a read answered since this power-up's last write
    compat_write_page: int | None = None  # COMPATIBILITY_WRITE waiting for its data
    eeprom_fails: Callable[[], bool] = lambda: False  # a fault: this write does not program

    def __post_init__(self) -> None:
        # CFG0/CFG1 are latched at power-up: what a WRITE puts there counts from the next one.
        self.config = self.sticker.config

    @property
    def profile(self) -> ChipProfile:
        """The chip's profile."""
        return self.sticker.profile

    def protected(self, page: int) -> bool:
        """True if `page` is behind the password and the reader has not authenticated."""
        return page >= self.config.auth0 and not self.authenticated

    def read_protected(self, page: int) -> bool:
        """True if reading `page` needs the password now (PROT set)."""
        return self.config.prot and self.protected(page)

    def read_page(self, page: int) -> bytes:
        """What a READ shows of one page: PWD and PACK read as zeros."""
        if page in (self.profile.pwd_page, self.profile.pack_page):
            return bytes(PAGE_SIZE)
        return self.sticker.page(page)

    def check_write(self, page: int) -> None:
        """Raise Nak unless a WRITE to `page` is allowed now."""
        profile = self.profile
        if not STATIC_LOCK_PAGE <= page <= profile.last_page or self.protected(page):
            raise Nak(NAK_INVALID_ARGUMENT)
        static = self.sticker.page(STATIC_LOCK_PAGE)[STATIC_LOCK_BYTES]
        dynamic = self.sticker.page(profile.dynamic_lock_page)
        if page in static_locked_pages(static) or page in dynamic_locked_pages(profile, dynamic):
            raise Nak(NAK_INVALID_ARGUMENT)
        if self.config.cfglck and page in (profile.cfg0_page, profile.cfg1_page):
            raise Nak(NAK_INVALID_ARGUMENT)

    def store(self, page: int, data: bytes) -> None:
        """Write one page as the EEPROM does: lock bits and CC only OR, UID bytes stay."""
        if self.eeprom_fails():
            raise Nak(NAK_EEPROM_ERROR)
        old = self.sticker.page(page)
        if page == STATIC_LOCK_PAGE:
            data = old[0:2] + merge_static_lock(old[STATIC_LOCK_BYTES], data[STATIC_LOCK_BYTES])
        elif page == CC_PAGE:
            data = bytes(a | b for a, b in zip(old, data, strict=True))
        elif page == self.profile.dynamic_lock_page:
            data = merge_dynamic_lock(old, data) + old[3:4]  # byte 3 always reads BDh
        self.sticker.memory[page * PAGE_SIZE : (page + 1) * PAGE_SIZE] = data
        self.sticker.stats.writes += 1
        self.sticker.stats.last_access = "write"
        self.sticker.stats.activations_read = 0
        self.sticker.stats.activations_needed = activations_to_verify(self.sticker.config)
        self.read_after_write = False
