"""Where taps go: the spool, flushed to disk and (without a drainer process) drained by threads."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask

from server.config import keyring
from server.db import Database, database
from server.taps.drain import drain
from server.taps.drainer import DrainerLoop
from server.taps.spool import Spool, SpoolError
from server.taps.store import store_taps
from server.taps.sun_verdict import SunJudge

log = logging.getLogger(__name__)

EXTENSION = "taptrail.recorder"
SYNC_SECONDS = 1.0  # the "interval" fsync policy: a power cut loses at most about this much
# This process's id, renewed in forked children: record() compares it without a system call.
_process = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _process.__setitem__(0, os.getpid()))


class Recorder:
    """Appends taps to the spool, flushes it to disk about once a second, and (unless a drainer
    process does it for the host) keeps a drainer thread running in this process."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.database: Database = database(app)
        self.spool = Spool(config["SPOOL_DIR"], fsync=config["SPOOL_FSYNC"])
        self.interval = float(config["DRAIN_INTERVAL"])
        self.threaded = bool(config["DRAIN_THREAD"])
        self.rollup_interval = float(config["ROLLUP_INTERVAL"])
        # The app's keyring when a SUN message is checked (the portal may load it anew).
        self.sun = SunJudge(lambda: keyring(app))
        self._threads_pid = 0
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    def record(self, tap: dict[str, Any]) -> None:
        """Make a tap durable before the response goes out."""
        if self._threads_pid != _process[0]:
            self._start_threads()
        try:
            self.spool.append(tap)
        except SpoolError:
            # A full or broken disk: store this tap straight away rather than lose it.
            log.exception("tap spool unusable; writing tap %s to the database directly", tap["id"])
            store_taps(self.database, [tap], self.sun)

    def drain_now(self) -> None:
        """Flush and drain this spool folder once (tests, shutdown)."""
        self.spool.sync()
        drain(self.database, self.spool.directory, wait=True, sun=self.sun)

    def stop(self) -> None:
        """Stop this process's threads and close the segment."""
        self._stop.set()
        if self._threads_pid == _process[0]:
            for thread in self._threads:
                thread.join(timeout=10)
        self.spool.close()

    def _start_threads(self) -> None:
        # Threads do not survive a fork: each gunicorn worker starts its own on its first tap.
        self._threads_pid = _process[0]
        self._stop.clear()
        self._threads = []
        if self.spool.fsync == "interval":
            # The worker flushes its own segment: the "about once a second" promise must hold
            # whether a drainer is alive or not.
            self._threads.append(threading.Thread(target=self._sync, name="taptrail-fsync"))
        if self.threaded:
            self._threads.append(threading.Thread(target=self._drain, name="taptrail-drainer"))
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    def _sync(self) -> None:
        while not self._stop.wait(SYNC_SECONDS):
            try:
                self.spool.sync()
            except OSError as error:
                log.warning("cannot flush the tap spool to disk: %s", error)

    def _drain(self) -> None:
        loop = DrainerLoop(
            self.database,
            Path(self.spool.directory),
            interval=self.interval,
            rollup_interval=self.rollup_interval,
            sun=self.sun,
        )
        loop.run(self._stop)


def init_app(app: Flask) -> None:
    """Attach the app's Recorder."""
    app.extensions[EXTENSION] = Recorder(app)


def recorder(app: Flask) -> Recorder:
    """The app's Recorder."""
    return app.extensions[EXTENSION]
