"""nfcpy, unchanged, on the virtual reader: open a frontend and connect to the sticker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import nfc
import nfc.tag

from tags.realtime import priority_raised


@contextmanager
def frontend(path: str) -> Iterator[nfc.ContactlessFrontend]:
    """nfcpy's ContactlessFrontend on a virtual reader's `path`, closed afterwards.

    The test thread drives nfcpy with raised priority, as the reader's link thread runs.
    """
    with priority_raised():
        clf = nfc.ContactlessFrontend(path)
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
