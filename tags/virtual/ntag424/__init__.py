"""A virtual NTAG 424 DNA that nfcpy's own Type 4 Tag code activates over its UDP driver.

ISO/IEC 14443-3A activation (ATQA 0344h, SAK 20h), RATS and ISO-DEP blocks with chaining, the
NDEF application with its three files, AuthenticateEV2First and EV2 secure messaging, ChangeKey,
ChangeFileSettings and Secure Dynamic Messaging at every activation. Its non-volatile state
(keys and versions, files, settings, SDM read counter) lives in an `Ntag424Sticker`.
"""

from tags.virtual.ntag424.chip import Ntag424Chip
from tags.virtual.ntag424.sticker import Ntag424Sticker

__all__ = ["Ntag424Chip", "Ntag424Sticker"]
