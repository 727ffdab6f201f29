"""The NTAG21x configuration pages CFG0 and CFG1, decoded into named fields and encoded back.

CFG0 = MIRROR, RFUI, MIRROR_PAGE, AUTH0
    MIRROR: MIRROR_CONF (bits 7-6), MIRROR_BYTE (bits 5-4), STRG_MOD_EN (bit 2)
CFG1 = ACCESS, RFUI, RFUI, RFUI
    ACCESS: PROT (bit 7), CFGLCK (bit 6), NFC_CNT_EN (bit 4), NFC_CNT_PWD_PROT (bit 3),
            AUTHLIM (bits 2-0)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MirrorConf(enum.IntEnum):
    """MIRROR_CONF: what the chip mirrors into READ answers, as ASCII hex."""

    OFF = 0b00
    UID = 0b01
    COUNTER = 0b10
    BOTH = 0b11


@dataclass(frozen=True)
class ChipConfig:
    """Decoded CFG0/CFG1; defaults are the factory values."""

    mirror_conf: MirrorConf = MirrorConf.OFF
    mirror_byte: int = 0
    strg_mod_en: bool = True
    mirror_page: int = 0
    auth0: int = 0xFF
    prot: bool = False
    cfglck: bool = False
    nfc_cnt_en: bool = False
    nfc_cnt_pwd_prot: bool = False
    authlim: int = 0
    cfg0_rfui: int = 0x00
    cfg1_rfui: bytes = b"\x05\x00\x00"

    @classmethod
    def from_pages(cls, cfg0: bytes, cfg1: bytes) -> ChipConfig:
        """Decode the two 4-byte configuration pages."""
        mirror, access = cfg0[0], cfg1[0]
        return cls(
            mirror_conf=MirrorConf(mirror >> 6),
            mirror_byte=(mirror >> 4) & 0b11,
            strg_mod_en=bool(mirror & 0b100),
            mirror_page=cfg0[2],
            auth0=cfg0[3],
            prot=bool(access & 0x80),
            cfglck=bool(access & 0x40),
            nfc_cnt_en=bool(access & 0x10),
            nfc_cnt_pwd_prot=bool(access & 0x08),
            authlim=access & 0b111,
            cfg0_rfui=cfg0[1],
            cfg1_rfui=bytes(cfg1[1:4]),
        )

    @property
    def mirror_byte_value(self) -> int:
        """The MIRROR byte of CFG0."""
        return (self.mirror_conf << 6) | (self.mirror_byte << 4) | (self.strg_mod_en << 2)

    @property
    def access_byte_value(self) -> int:
        """The ACCESS byte of CFG1."""
        return (
            (self.prot << 7)
            | (self.cfglck << 6)
            | (self.nfc_cnt_en << 4)
            | (self.nfc_cnt_pwd_prot << 3)
            | (self.authlim & 0b111)
        )

    def cfg0(self) -> bytes:
        """Encode page CFG0."""
        return bytes([self.mirror_byte_value, self.cfg0_rfui, self.mirror_page, self.auth0])

    def cfg1(self) -> bytes:
        """Encode page CFG1."""
        return bytes([self.access_byte_value]) + self.cfg1_rfui
