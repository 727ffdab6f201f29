"""NTAG 424 DNA facts that the virtual chip and the field tool share (NT4H2421Gx datasheet).

Identification on the air, the application and its three files as they leave the factory: the
capability container (file 01h, E103h), the NDEF file (02h, E104h, 256 bytes) and the proprietary
file (03h, E105h, 128 bytes, CommMode.FULL), five zero keys of version 00h.
"""

from __future__ import annotations

from dataclasses import dataclass

from tags.ntag424.filesettings import FREE, AccessRights, CommMode, FileSettings

# ATQA, SAK and ATS as we know them from the datasheet (no copy was at hand to check them);
# nfcpy itself needs only SAK bit 5 (ISO-DEP) and the ATS's FSCI and FWI.
ATQA = bytes.fromhex("4403")  # 0344h, least significant byte first
SAK_UID_INCOMPLETE = 0x04
SAK = 0x20  # complete, ISO/IEC 14443-4 compliant
# TL 06, T0 77 (FSCI 7: frames of 128 bytes; TA, TB, TC follow), TA 77, TB 71 (FWI 7, SFGI 1),
# TC 02 (CID supported), one historical byte 80.
ATS = bytes.fromhex("067777710280")
# GetVersion: hardware (vendor NXP, type NTAG, 50 pF, 30h.00h, 256 < size <= 512, ISO 14443-4),
# software (1.2), then the production data (UID, batch, week, year; the latter made up here).
VERSION_HARDWARE = bytes.fromhex("04040230001105")
VERSION_SOFTWARE = bytes.fromhex("04040201021105")
VERSION_BATCH_WEEK_YEAR = bytes.fromhex("CF5CD455604321")

NDEF_APPLICATION = bytes.fromhex("D2760000850101")  # ISO DF name of the NDEF application
APPLICATION_FID = bytes.fromhex("E110")
MASTER_FILE_FID = bytes.fromhex("3F00")
CC_FILE, NDEF_FILE, PROPRIETARY_FILE = 0x01, 0x02, 0x03
FILE_IDS = {
    CC_FILE: bytes.fromhex("E103"),
    NDEF_FILE: bytes.fromhex("E104"),
    PROPRIETARY_FILE: bytes.fromhex("E105"),
}
# CCLEN 17h, mapping 2.0, MLe 0100h, MLc 00FFh, NDEF file control TLV (E104h, 256 bytes, read
# and write free), proprietary file control TLV (E105h, 128 bytes, restricted).
FACTORY_CC = bytes.fromhex("001720010000FF0406E104010000000506E10500808283").ljust(32, b"\x00")
FACTORY_SETTINGS = {
    CC_FILE: FileSettings(CommMode.PLAIN, AccessRights(FREE, 0, 0, 0), None, 32),
    NDEF_FILE: FileSettings(CommMode.PLAIN, AccessRights(FREE, FREE, FREE, 0), None, 256),
    PROPRIETARY_FILE: FileSettings(CommMode.FULL, AccessRights(2, 3, 3, 0), None, 128),
}


@dataclass(frozen=True)
class Ntag424Profile:
    """The NTAG 424 DNA as a chip a roll of stickers can be made of."""

    name: str = "NTAG424DNA"

    @property
    def key(self) -> str:
        """Lower-case name used on command lines and in state files."""
        return self.name.lower()


NTAG424DNA = Ntag424Profile()
