"""Where the NTAG ASCII mirror lands: MIRROR_PAGE and MIRROR_BYTE for a URL's placeholder."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tags.chipconfig import ChipConfig
from tags.chips import FIRST_USER_PAGE, PAGE_SIZE, ChipProfile
from tags.ndef import encode_user_memory
from tags.urls import MIRROR_PARAM, MirrorMode


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
