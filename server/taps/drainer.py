"""The drainer's loop: drain the spool as taps come, back off while the database is away, keep
the analytics rollups fresh and the coming months' tap partitions made (PostgreSQL), and say it
is alive (a heartbeat file beside the spool).

Under gunicorn it runs as a process of its own (`taptrail drain --follow`, started without the
web app as `python -m server.background drain --follow`), which the master supervises
(server/taps/supervisor.py); elsewhere each process runs it in a thread
(server/taps/recorder.py). Nothing that happens in a round stops it: a database that is away
only makes it wait longer before the next round, and a tap the database refuses goes to the
quarantine inside the drain itself.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.clock import machine_now
from server.db import Database
from server.services import tap_partitions
from server.services.rollups import Schedule
from server.taps.drain import Pacer, drain
from server.taps.health import beat
from server.taps.sun_verdict import SunJudge

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
BEAT_SECONDS = 1.0  # how often the heartbeat is written, however often the drainer looks
# How often a drainer beside the workers looks at the spool: a rush it let pass is drained
# within a look or two of its end, so the last tap answered is soon stored.
FOLLOW_SECONDS = 0.25
# While a rush passes it looks more often: the first look after the rush still counts the rush's
# last taps and lets it pass once more, so with 0.25 s between looks the drain began 0.25-0.5 s
# after the last tap (a look is a stat() per segment).
RUSH_LOOK_SECONDS = 0.05
PARTITIONS_EVERY = 3600.0  # seconds between two checks that the coming months' partitions exist


@dataclass
class DrainerLoop:
    """One drainer: `run(stop)` drains until `stop` is set (or its parent process is gone)."""

    database: Database
    directory: Path
    interval: float = 1.0
    rollup_interval: float = 60.0
    pace: bool = False  # let a rush of taps pass before draining (beside the workers)
    parent: int | None = None  # stop when this process is no longer our parent
    restarts: int = 0  # how many times a supervisor started a drainer before this one
    sun: SunJudge | None = None  # checks the SUN messages the tap path spooled

    def __post_init__(self) -> None:
        self.state: dict[str, Any] = {
            "pid": os.getpid(),
            "started_at": machine_now().isoformat(),
            "restarts": self.restarts,
            "last_drain_at": None,
            "last_error": None,
        }
        self._rollups = Schedule(self.database, self.rollup_interval)
        self._pacer = Pacer(self.directory) if self.pace else None
        self._partitions_due = 0.0  # monotonic time of the next check: the first round
        self._beat_due = 0.0  # monotonic time of the next heartbeat (without its own thread)

    def run(self, stop: threading.Event, *, heartbeat_thread: bool = False) -> None:
        """Drain every `interval` seconds until `stop` is set; back off while it fails.

        The heartbeat is written about once a second. With `heartbeat_thread` a thread of its
        own writes it, so a long drain (a backlog after an outage) never looks like a dead drainer.
        """
        if heartbeat_thread:
            threading.Thread(target=self._beat_until, args=(stop,), daemon=True).start()
        pause = self.interval
        while not stop.wait(pause):
            if self.parent is not None and os.getppid() != self.parent:
                log.warning("the drainer's parent is gone; draining once more and leaving")
                break
            now = time.monotonic()
            if not heartbeat_thread and now >= self._beat_due:
                self.beat()
                self._beat_due = now + BEAT_SECONDS
            pause = self.round(now, pause)

    def round(self, now: float, pause: float) -> float:
        """One drain (unless a rush is passing); returns the pause before the next round."""
        if self._pacer is not None and not self._pacer.should_drain(now):
            return min(self.interval, RUSH_LOOK_SECONDS)  # a rush: the workers go first
        try:
            if now >= self._partitions_due:  # before draining: the month may just have turned
                tap_partitions.prepare(self.database, machine_now())
                self._partitions_due = now + PARTITIONS_EVERY
            drain(self.database, self.directory, sync=False, sun=self.sun)
            self._rollups.tick(now)
        except Exception as error:  # the database is away, or worse: wait, never die
            pause = min(max(pause, self.interval) * 2, MAX_BACKOFF_SECONDS)
            self.state["last_error"] = f"{type(error).__name__}: {str(error)[:200]}"
            log.warning("cannot drain the tap spool yet (%s); next try in %.0f s", error, pause)
            return pause
        self.state["last_drain_at"] = machine_now().isoformat()
        self.state["last_error"] = None
        return self.interval

    def beat(self) -> None:
        """Write the heartbeat now; a spool folder that cannot be written is only logged."""
        try:
            beat(self.directory, self.state)
        except OSError as error:
            log.warning("cannot write the drainer's heartbeat: %s", error)

    def _beat_until(self, stop: threading.Event) -> None:
        self.beat()
        while not stop.wait(BEAT_SECONDS):
            self.beat()
