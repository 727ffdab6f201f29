"""NTAG213/215/216 facts: the single table the virtual chip, the field tool and the tests share.

Figures from NXP's NTAG213/215/216 datasheet (memory map, factory content, configuration pages).
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 4
FIRST_USER_PAGE = 4
CC_PAGE = 3
# Pages 03h to 0Fh are locked by the static lock bytes, from 10h on by the dynamic ones.
FIRST_DYNAMIC_LOCK_PAGE = 0x10

# Factory content of the configuration area, identical on the three chips:
# dynamic lock bytes (RFUI byte BDh); CFG0 (MIRROR=04h: STRG_MOD_EN set, mirror off;
# MIRROR_PAGE=00h; AUTH0=FFh: no protection); CFG1 (ACCESS=00h, RFUI 05h); PWD=FFFFFFFFh;
# PACK=0000h.
FACTORY_DYNAMIC_LOCK = bytes.fromhex("000000BD")
FACTORY_CFG0 = bytes.fromhex("040000FF")
FACTORY_CFG1 = bytes.fromhex("00050000")
FACTORY_PWD = bytes.fromhex("FFFFFFFF")
FACTORY_PACK = bytes.fromhex("00000000")


class UnknownChipError(ValueError):
    """The name or GET_VERSION answer matches none of the supported chips."""


@dataclass(frozen=True)
class ChipProfile:
    """Memory map and identification of one NTAG21x chip."""

    name: str
    user_bytes: int
    capability_container: bytes
    version: bytes  # GET_VERSION response
    dynamic_lock_page: int
    # TLVs that precede the (empty) NDEF TLV in the factory layout of pages 4 and 5.
    factory_tlvs: bytes
    # Pages from 10h on that one dynamic lock bit locks (2 on the NTAG213, 16 on the others);
    # each block-locking bit freezes two consecutive lock bits.
    dynamic_lock_granularity: int

    @property
    def key(self) -> str:
        """Lower-case name used on command lines ("ntag213")."""
        return self.name.lower()

    @property
    def last_user_page(self) -> int:
        """Last page of user memory."""
        return FIRST_USER_PAGE + self.user_bytes // PAGE_SIZE - 1

    @property
    def cfg0_page(self) -> int:
        """MIRROR, RFU, MIRROR_PAGE, AUTH0."""
        return self.dynamic_lock_page + 1

    @property
    def cfg1_page(self) -> int:
        """ACCESS, RFU, RFU, RFU."""
        return self.dynamic_lock_page + 2

    @property
    def pwd_page(self) -> int:
        """32-bit password (write only, reads as zeros)."""
        return self.dynamic_lock_page + 3

    @property
    def pack_page(self) -> int:
        """16-bit password acknowledge (write only, reads as zeros); the last page."""
        return self.dynamic_lock_page + 4

    @property
    def last_page(self) -> int:
        """Highest page address."""
        return self.pack_page

    @property
    def total_pages(self) -> int:
        """Number of pages, 0 to last_page."""
        return self.last_page + 1

    @property
    def ndef_area_bytes(self) -> int:
        """Data area size the capability container announces (byte 2 x 8)."""
        return self.capability_container[2] * 8

    @property
    def dynamic_lock_bits(self) -> int:
        """How many dynamic lock bits cover pages 10h to the last user page."""
        pages = self.last_user_page - FIRST_DYNAMIC_LOCK_PAGE + 1
        return -(-pages // self.dynamic_lock_granularity)

    @property
    def factory_user_data(self) -> bytes:
        """Pages 4 and 5 as delivered: the TLVs, an empty NDEF TLV and a terminator."""
        data = self.factory_tlvs + b"\x03\x00\xfe"
        return data + bytes(2 * PAGE_SIZE - len(data))

    @property
    def factory_config(self) -> bytes:
        """Dynamic lock, CFG0, CFG1, PWD and PACK pages as delivered."""
        return FACTORY_DYNAMIC_LOCK + FACTORY_CFG0 + FACTORY_CFG1 + FACTORY_PWD + FACTORY_PACK


NTAG213 = ChipProfile(
    name="NTAG213",
    user_bytes=144,
    capability_container=bytes.fromhex("E1101200"),
    version=bytes.fromhex("0004040201000F03"),
    dynamic_lock_page=0x28,
    # Lock Control TLV: dynamic lock bits at page 28h (outside the data area, so no bytes skipped).
    factory_tlvs=bytes.fromhex("0103A00C34"),
    dynamic_lock_granularity=2,
)
NTAG215 = ChipProfile(
    name="NTAG215",
    user_bytes=504,
    capability_container=bytes.fromhex("E1103E00"),
    version=bytes.fromhex("0004040201001103"),
    dynamic_lock_page=0x82,
    factory_tlvs=b"",
    dynamic_lock_granularity=16,
)
NTAG216 = ChipProfile(
    name="NTAG216",
    user_bytes=888,
    capability_container=bytes.fromhex("E1106D00"),
    version=bytes.fromhex("0004040201001303"),
    dynamic_lock_page=0xE2,
    factory_tlvs=b"",
    dynamic_lock_granularity=16,
)

CHIPS: dict[str, ChipProfile] = {chip.key: chip for chip in (NTAG213, NTAG215, NTAG216)}


def chip_by_name(name: str) -> ChipProfile:
    """Look up a chip by name, case-insensitively ("ntag213", "NTAG215")."""
    try:
        return CHIPS[name.lower()]
    except KeyError:
        known = ", ".join(CHIPS)
        raise UnknownChipError(f"unknown chip {name!r}; choose one of {known}") from None


def chip_by_version(version: bytes) -> ChipProfile:
    """Identify a chip from its GET_VERSION answer."""
    for chip in CHIPS.values():
        if chip.version == bytes(version):
            return chip
    raise UnknownChipError(f"GET_VERSION {bytes(version).hex().upper()} is not an NTAG213/215/216")
