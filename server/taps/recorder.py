"""Where taps go: the process's spool, drained by a background thread in each worker."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from flask import Flask

from server.db import Database, database
from server.services.rollups import Schedule
from server.taps.drain import drain
from server.taps.spool import Spool, SpoolError
from server.taps.store import store_taps

log = logging.getLogger(__name__)

EXTENSION = "taptrail.recorder"
MAX_BACKOFF_SECONDS = 30.0


class Recorder:
    """Appends taps to the spool and keeps a drainer thread running in this process."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.database: Database = database(app)
        self.spool = Spool(config["SPOOL_DIR"], fsync=config["SPOOL_FSYNC"])
        self.interval = float(config["DRAIN_INTERVAL"])
        self.threaded = bool(config["DRAIN_THREAD"])
        self.rollups = Schedule(self.database, float(config["ROLLUP_INTERVAL"]))
        self._thread: threading.Thread | None = None
        self._thread_pid = 0
        self._stop = threading.Event()

    def record(self, tap: dict[str, Any]) -> None:
        """Make a tap durable before the response goes out."""
        if self.threaded:
            self._ensure_drainer()
        try:
            self.spool.append(tap)
        except SpoolError:
            # A full or broken disk: store this tap straight away rather than lose it.
            log.exception("tap spool unusable; writing tap %s to the database directly", tap["id"])
            store_taps(self.database, [tap])

    def drain_now(self) -> None:
        """Flush and drain this spool folder once (tests, shutdown)."""
        self.spool.sync()
        drain(self.database, self.spool.directory, wait=True)

    def stop(self) -> None:
        """Stop the drainer thread and close the segment."""
        self._stop.set()
        if self._thread is not None and self._thread_pid == os.getpid():
            self._thread.join(timeout=10)
        self.spool.close()

    def _ensure_drainer(self) -> None:
        # Threads do not survive a fork: each gunicorn worker starts its own on its first tap.
        if self._thread_pid == os.getpid() and self._thread is not None:
            return
        self._stop.clear()
        self._thread_pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="taptrail-drainer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.wait(pause):
            try:
                self.spool.sync()
                drain(self.database, self.spool.directory)
                self.rollups.tick(time.monotonic())
                pause = self.interval
            except Exception:  # the database may be away: the taps wait in the spool
                pause = min(pause * 2, MAX_BACKOFF_SECONDS)
                log.warning("cannot drain the tap spool yet; next try in %.0f s", pause)


def init_app(app: Flask) -> None:
    """Attach the app's Recorder."""
    app.extensions[EXTENSION] = Recorder(app)


def recorder(app: Flask) -> Recorder:
    """The app's Recorder."""
    return app.extensions[EXTENSION]
