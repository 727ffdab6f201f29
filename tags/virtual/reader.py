"""The practice reader: an RF field holding at most one sticker, served to nfcpy over UDP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tags.virtual.chip import Ntag21x
from tags.virtual.faults import FaultInjector, Faults
from tags.virtual.kinds import AnyChip, AnySticker, chip_for
from tags.virtual.link import Address, UdpLink
from tags.virtual.roll import Roll, RollEmptyError
from tags.virtual.served import Served

# What the reader tells its listener: "presented", "taken away", "pulled away", "field off",
# "roll empty"; with the sticker concerned (None when there is none).
Listener = Callable[[str, AnySticker | None], None]


class VirtualReader(Served):
    """A reader with a virtual NTAG21x or NTAG 424 DNA on it; nfcpy opens it as `reader.path`.

    With a roll, the first blank sticker is on the reader from the start, and with
    `take_away_after_read_back` the next one replaces it as soon as the reader switches the
    field off after the sticker was written and then read back (as the field tool verifies).
    """

    def __init__(
        self,
        roll: Roll | None = None,
        faults: Faults | None = None,
        *,
        take_away_after_read_back: bool = False,
        listener: Listener | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.roll = roll
        self.take_away_after_read_back = take_away_after_read_back
        self.listener = listener
        self._faults = FaultInjector(faults or Faults())
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._chip: AnyChip | None = None
        self._client: Address | None = None
        self._last_taken: AnySticker | None = None
        self.host = host
        self._link = UdpLink(self, host, port)
        if roll is not None:
            self.next_sticker()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> VirtualReader:
        """Open the UDP port and serve nfcpy in a background thread."""
        self._link.start()
        return self

    def stop(self) -> None:
        """Close the port; the stickers keep their memory."""
        self._link.stop()

    @property
    def port(self) -> int:
        """The UDP port."""
        return self._link.port

    @property
    def priority(self) -> str:
        """The scheduling the link thread obtained."""
        return self._link.priority

    # -- the sticker on the reader ---------------------------------------------------------
    @property
    def sticker(self) -> AnySticker | None:
        """The sticker in the field, if any."""
        chip = self._chip
        return None if chip is None else chip.sticker

    @property
    def stickers(self) -> list[AnySticker]:
        """Every sticker the roll gave, in order (or the one presented without a roll)."""
        if self.roll is not None:
            return list(self.roll.stickers)
        return [s for s in (self.sticker or self._last_taken,) if s is not None]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 1.0) -> bool:
        """Wait until `condition()` holds after a frame or field change; False on timeout.

        nfcpy's RFOFF is a datagram: when clf.close() returns, the reader may not have
        seen it yet.
        """
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def snapshot(self) -> dict[str, Any]:
        """Every sticker as plain data, and which one is on the reader (index or None)."""
        with self._lock:
            stickers = self.stickers
            current = self.sticker
            return {
                "stickers": [sticker.to_dict() for sticker in stickers],
                "current": next((i for i, s in enumerate(stickers) if s is current), None),
            }

    def present(self, sticker: AnySticker) -> None:
        """Put `sticker` on the reader (taking away the one there)."""
        with self._lock:
            taken = self._take_away()
            self._chip = self._new_chip(sticker)
            self._changed.notify_all()
        self._tell_taken(taken)
        self._tell("presented", sticker)

    def take_away(self) -> AnySticker | None:
        """Lift the sticker off the reader; returns it."""
        with self._lock:
            taken = self._take_away()
            self._changed.notify_all()
        self._tell_taken(taken)
        return taken

    def put_back(self) -> AnySticker | None:
        """Put the last sticker taken away (or pulled away) back on the reader."""
        sticker = self._last_taken
        if sticker is not None:
            self.present(sticker)
        return sticker

    def next_sticker(self) -> AnySticker | None:
        """Take the current sticker away and put the next blank one of the roll on the reader."""
        with self._lock:
            taken = self._take_away()
            event = self._next_from_roll()
            self._changed.notify_all()
        self._tell_taken(taken)
        self._tell(*event)
        return event[1]

    def set_faults(self, faults: Faults) -> None:
        """Change the faults from now on (the pull-away counts writes from now)."""
        with self._lock:
            self._faults = FaultInjector(faults)

    @property
    def faults(self) -> Faults:
        """The faults in force (a fired pull-away is cleared)."""
        return self._faults.faults

    # -- FrameHandler, called by the link thread -------------------------------------------
    def frame(self, frame: bytes, client: Address) -> bytes | None:
        """Answer one frame from nfcpy, with the faults applied."""
        events: list[tuple[str, AnySticker | None]] = []
        with self._lock:
            if client != self._client:
                # nfcpy opens a new socket for every new field: the old field is gone.
                events += self._field_off()
                self._client = client
            answer = self._air(frame, events)
            delay = self._faults.faults.delay
            self._changed.notify_all()
        for event in events:
            self._tell(*event)
        if answer is not None and delay:
            time.sleep(delay)
        return answer

    def rf_off(self, client: Address) -> None:
        """nfcpy switched the field off: the chip loses power."""
        with self._lock:
            events = self._field_off()
            self._client = None
            self._changed.notify_all()
        for event in events:
            self._tell(*event)

    # -- inside the lock ---------------------------------------------------------------------
    def _air(self, frame: bytes, events: list[tuple[str, AnySticker | None]]) -> bytes | None:
        chip, faults = self._chip, self._faults
        if chip is None or faults.lost():
            return None
        if not chip.powered:
            chip.power_on()
        if faults.corrupted():
            return chip.damaged_frame()
        # Refused commands are NTAG21x command codes: an NTAG 424 DNA's ISO-DEP frames never are.
        if isinstance(chip, Ntag21x) and frame[:1] and frame[0] in faults.faults.refused_commands:
            refused = chip.refused_frame()
            if refused is not None:
                return refused
        writes = chip.sticker.stats.writes
        answer = chip.handle(frame)
        if chip.sticker.stats.writes > writes and faults.count_write():
            events.append(("pulled away", self._take_away()))
        return None if faults.lost() else answer

    def _field_off(self) -> list[tuple[str, AnySticker | None]]:
        chip = self._chip
        if chip is None or not chip.powered:
            return []
        chip.power_off()
        events: list[tuple[str, AnySticker | None]] = [("field off", chip.sticker)]
        if (
            self.take_away_after_read_back
            and self.roll is not None
            and chip.sticker.stats.read_back
        ):
            events.append(("taken away", self._take_away()))
            events.append(self._next_from_roll())
        return events

    def _take_away(self) -> AnySticker | None:
        chip, self._chip = self._chip, None
        if chip is None:
            return None
        chip.power_off()
        self._last_taken = chip.sticker
        return chip.sticker

    def _next_from_roll(self) -> tuple[str, AnySticker | None]:
        if self.roll is None:
            return ("roll empty", None)
        try:
            sticker = self.roll.take()
        except RollEmptyError:
            return ("roll empty", None)
        self._chip = self._new_chip(sticker)
        return ("presented", sticker)

    def _new_chip(self, sticker: AnySticker) -> AnyChip:
        # The chip asks the faults in force at each write, even if they change later.
        return chip_for(sticker, lambda: self._faults.write_fails())

    def _tell(self, event: str, sticker: AnySticker | None) -> None:
        if self.listener is not None:
            self.listener(event, sticker)

    def _tell_taken(self, sticker: AnySticker | None) -> None:
        if sticker is not None:
            self._tell("taken away", sticker)
