"""Faults of the practice reader: a sticker pulled away mid-batch, lost frames, a slow chip."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace


class FaultError(ValueError):
    """A fault setting is out of range."""


@dataclass(frozen=True)
class Faults:
    """What goes wrong on the virtual reader; the defaults are a perfect link.

    pull_after_writes: the sticker leaves the field right after the k-th WRITE (or
        COMPATIBILITY_WRITE) from now, that write stored and acknowledged; fires once.
    drop_rate: probability that a frame, command or answer, is lost on the air.
    corrupt_rate: probability that a command arrives damaged: the chip answers NAK 1h.
    write_error_rate: probability that the EEPROM fails a write: NAK 5h, page unchanged.
    delay: seconds the chip takes before each answer.
    seed: makes drops and corruptions reproducible.
    refused_commands: command codes the chip answers with NAK 0h and a fall back to IDLE, as a
        clone or a reader's firmware lacking them does (0x3A: no FAST_READ).
    """

    pull_after_writes: int | None = None
    drop_rate: float = 0.0
    corrupt_rate: float = 0.0
    write_error_rate: float = 0.0
    delay: float = 0.0
    seed: int | None = None
    refused_commands: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.pull_after_writes is not None and self.pull_after_writes < 1:
            raise FaultError("pull_after_writes counts writes from 1")
        for name in ("drop_rate", "corrupt_rate", "write_error_rate"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise FaultError(f"{name} is a probability from 0 up to (not including) 1")
        if self.delay < 0:
            raise FaultError("delay is a number of seconds, 0 or more")


@dataclass
class FaultInjector:
    """Draws the faults for each frame and counts writes towards the pull-away."""

    faults: Faults = field(default_factory=Faults)
    writes_left: int | None = field(init=False, default=None)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.faults.seed)
        self.writes_left = self.faults.pull_after_writes

    def lost(self) -> bool:
        """True if this frame is lost."""
        return self.faults.drop_rate > 0 and self.rng.random() < self.faults.drop_rate

    def corrupted(self) -> bool:
        """True if this command arrives damaged."""
        return self.faults.corrupt_rate > 0 and self.rng.random() < self.faults.corrupt_rate

    def write_fails(self) -> bool:
        """True if the EEPROM fails this write."""
        rate = self.faults.write_error_rate
        return rate > 0 and self.rng.random() < rate

    def count_write(self) -> bool:
        """Count one stored write; True when the sticker must now be pulled away."""
        if self.writes_left is None:
            return False
        self.writes_left -= 1
        if self.writes_left > 0:
            return False
        self.faults = replace(self.faults, pull_after_writes=None)
        self.writes_left = None
        return True
