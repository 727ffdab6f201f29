"""Virtual NTAG213/215/216 and NTAG 424 DNA stickers that nfcpy talks to over its UDP driver.

Use it to practise without stickers and to test the field tool:

    with VirtualReader(Roll(NTAG213, count=3), take_away_after_read_back=True) as reader:
        clf = nfc.ContactlessFrontend(reader.path)
        ...
    reader.stickers  # every sticker with its UID, memory and counters
"""

from tags.virtual.faults import Faults
from tags.virtual.ntag424.sticker import Ntag424Sticker
from tags.virtual.reader import VirtualReader
from tags.virtual.remote import ReaderProcess
from tags.virtual.roll import Roll, RollEmptyError
from tags.virtual.sticker import Sticker

__all__ = [
    "Faults",
    "Ntag424Sticker",
    "ReaderProcess",
    "Roll",
    "RollEmptyError",
    "Sticker",
    "VirtualReader",
]
