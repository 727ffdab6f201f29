"""A virtual sticker: one NTAG21x chip's non-volatile state (memory, NFC counter, UID)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tags.chipconfig import ChipConfig, MirrorConf
from tags.chips import FIRST_USER_PAGE, PAGE_SIZE, ChipProfile, chip_by_name
from tags.ndef import decode_user_memory
from tags.originality import virtual_signature
from tags.virtual.memory import factory_memory
from tags.virtual.uid import check_uid, random_uid

COUNTER_MAX = 0xFFFFFF


class StickerStateError(ValueError):
    """A saved sticker cannot be loaded."""


@dataclass
class StickerStats:
    """What happened to a sticker on the reader: for tests and the exchanges benchmark."""

    exchanges: int = 0  # frames the chip received while powered, activation included
    power_ups: int = 0
    reads: int = 0  # READ and FAST_READ answered with data
    writes: int = 0  # WRITE and COMPATIBILITY_WRITE stored
    last_access: str | None = None  # "read" or "write": the last memory command answered
    # Activations with a read since the last write, and how many the field tool's check takes:
    # one, or with the mirror on, the re-activations that show the mirrored UID and counter.
    activations_read: int = 0
    activations_needed: int = 1

    @property
    def read_back(self) -> bool:
        """Written, and read since the last write in as many activations as its check needs."""
        return (
            self.writes > 0
            and self.last_access == "read"
            and self.activations_read >= self.activations_needed
        )


def activations_to_verify(config: ChipConfig) -> int:
    """Activations the field tool reads a sticker in after writing it: the writing one, one more
    to see the mirrored UID, and one more again to see the mirrored counter go up."""
    if config.mirror_conf is MirrorConf.OFF:
        return 1
    if config.mirror_conf is MirrorConf.UID or not config.nfc_cnt_en:
        return 2
    return 3


@dataclass(eq=False)
class Sticker:
    """One NTAG213/215/216: its UID, EEPROM pages and the counters the chip keeps."""

    profile: ChipProfile
    uid: bytes
    memory: bytearray
    nfc_counter: int = 0
    auth_failures: int = 0  # negative PWD_AUTH attempts (kept through power cycles)
    stats: StickerStats = field(default_factory=StickerStats)

    @classmethod
    def blank(cls, profile: ChipProfile, uid: bytes | None = None) -> Sticker:
        """A factory-fresh sticker; a random NXP UID unless `uid` is given."""
        uid = check_uid(uid) if uid is not None else random_uid()
        return cls(profile=profile, uid=uid, memory=factory_memory(profile, uid))

    @property
    def signature(self) -> bytes:
        """The originality signature, by the virtual manufacturer key."""
        return virtual_signature(self.uid)

    def page(self, number: int) -> bytes:
        """The 4 stored bytes of one page (PWD and PACK as stored, unlike a READ)."""
        return bytes(self.memory[number * PAGE_SIZE : (number + 1) * PAGE_SIZE])

    @property
    def user_memory(self) -> bytes:
        """User memory, page 4 to the last user page."""
        return bytes(
            self.memory[FIRST_USER_PAGE * PAGE_SIZE : (self.profile.last_user_page + 1) * PAGE_SIZE]
        )

    @property
    def config(self) -> ChipConfig:
        """CFG0/CFG1 as stored (the chip applies them from the next power-up)."""
        return ChipConfig.from_pages(
            self.page(self.profile.cfg0_page), self.page(self.profile.cfg1_page)
        )

    def url(self) -> str:
        """The URL stored in user memory (without the mirror), or NdefFormatError."""
        return decode_user_memory(self.user_memory)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the state file."""
        return {
            "chip": self.profile.key,
            "uid": self.uid.hex().upper(),
            "memory": self.memory.hex().upper(),
            "nfc_counter": self.nfc_counter,
            "auth_failures": self.auth_failures,
            "stats": asdict(self.stats),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sticker:
        """Rebuild a sticker saved by to_dict, or raise StickerStateError."""
        try:
            profile = chip_by_name(data["chip"])
            sticker = cls(
                profile=profile,
                uid=check_uid(bytes.fromhex(data["uid"])),
                memory=bytearray.fromhex(data["memory"]),
                nfc_counter=int(data["nfc_counter"]),
                auth_failures=int(data["auth_failures"]),
                stats=StickerStats(**data.get("stats", {})),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StickerStateError(f"not a saved sticker: {error}") from None
        if len(sticker.memory) != profile.total_pages * PAGE_SIZE:
            raise StickerStateError(f"a saved {profile.name} has {len(sticker.memory)} bytes")
        if not 0 <= sticker.nfc_counter <= COUNTER_MAX:
            raise StickerStateError(f"NFC counter {sticker.nfc_counter} is not 24 bits")
        return sticker
