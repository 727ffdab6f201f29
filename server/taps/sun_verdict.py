"""The SUN verdict, reached in the drainer: each spooled SUN message checked before its batch is
stored.

The tap path answers a SUN tap without checking its message (a bad one leads on to the place
like a good one: only its count is refused), so the AES and CMAC work, about 30 us a tap, is
left to the drainer, which does it between rushes. The tap path spools the message as found
(server.taps.sun.spooled); here it becomes what the tap path used to record: the UID and
counter of a message that verifies (`sun`), or the outcome bad_sun with the reason. Whether
the UID is this sticker's, and whether the counter went up, are then decided where the tap is
stored (server/taps/store.py), as for any SUN tap.

Records spooled before this change carry their verdict already and pass unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from server.models import Outcome
from server.taps.sun import SUN_MESSAGE, SunKeys, from_spool
from tags.keyring import Keyring
from tags.ntag424.sun import SunError

log = logging.getLogger(__name__)

OK, BAD_SUN = Outcome.OK.value, Outcome.BAD_SUN.value
NO_KEYS = "its SUN message is not checked yet: this drainer has no SUN keys"


class SunJudge:
    """Checks spooled SUN messages with the keys of the keyring that `ring()` returns.

    The keys follow the keyring: when `ring()` gives another keyring (loaded again), they are
    derived again. A drainer that cannot load any leaves the record as it is; the store then
    refuses it (NO_KEYS) and it waits in the quarantine, to be replayed.
    """

    def __init__(self, ring: Callable[[], Keyring]) -> None:
        self._ring = ring
        self._held: tuple[Keyring, SunKeys] | None = None
        self._said = False  # a missing keyring is logged once, not at every tap

    def keys(self) -> SunKeys:
        """The SUN keys of the current keyring (kept while the keyring is the same object)."""
        ring = self._ring()
        held = self._held
        if held is None or held[0] is not ring:
            held = self._held = (ring, SunKeys(ring))
        return held[1]

    def judge(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its SUN message checked (a new dict), or as given if it has none."""
        if SUN_MESSAGE not in record:
            return record
        try:
            keys = self.keys()
        except Exception:  # no keyring here: keep the message for a drainer that has one
            if not self._said:
                log.exception("no SUN keys: SUN taps go to the quarantine, unchecked")
                self._said = True
            return record
        judged = {name: value for name, value in record.items() if name != SUN_MESSAGE}
        if judged.get("outcome") != OK:  # decided already on the tap path: nothing to prove
            return judged
        try:
            kid, message = from_spool(record[SUN_MESSAGE])
            tap = keys.verify(kid, message)
        except SunError as error:
            judged["outcome"] = BAD_SUN
            judged["mirror_error"] = str(error)[:120]
            return judged
        judged["sun"] = True
        judged["mirror_uid"] = tap.uid.hex().upper() if tap.uid else None
        judged["mirror_counter"] = tap.counter
        return judged
