"""nfcpy, unchanged, on the virtual reader: open a frontend and connect to the sticker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import nfc
import nfc.tag

from tags.virtual.reader import VirtualReader


@contextmanager
def frontend(reader: VirtualReader) -> Iterator[nfc.ContactlessFrontend]:
    """nfcpy's ContactlessFrontend on the reader's UDP port, closed afterwards."""
    clf = nfc.ContactlessFrontend(reader.path)
    try:
        yield clf
    finally:
        clf.close()


def connect(clf: nfc.ContactlessFrontend) -> nfc.tag.Tag | None:
    """One activation attempt as a field tool does it: Type A only, no presence loop.

    Returns None if no sticker answered (after nfcpy's 1 s wait for an ATQA).
    """
    attempts = iter([False])
    options = {
        "targets": ["106A"],
        "iterations": 1,
        "beep-on-connect": False,
        "on-connect": lambda tag: False,
    }
    return clf.connect(rdwr=options, terminate=lambda: next(attempts, True)) or None
