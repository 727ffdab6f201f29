"""Keeps one background process alive beside gunicorn's workers, and ends it with them.

gunicorn's master starts the host's drainer in `when_ready` and looks at it every second from a
timer signal (server/gunicorn_conf.py): no thread in the master, which forks the workers. A
process that has died, for whatever reason, is started again after a pause: one second, doubled
each time it dies young, up to 30 s, back to one second once it has lived a while. It dies with
the master: the kernel sends it SIGTERM when the master goes (Linux's PR_SET_PDEATHSIG), and the
drainer also leaves by itself when its parent changes (`--parent`), where that is not available.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
_prctl: Callable[..., int] | None
try:  # loaded before any fork: the child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def die_with_parent(parent: int) -> Callable[[], None]:
    """A preexec_fn: the child gets SIGTERM when `parent` dies, and never outlives it."""

    def arrange() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)

    return arrange


class Supervisor:
    """Starts `command`, and starts it again whenever it has died (see `check`)."""

    def __init__(
        self,
        name: str,
        command: Callable[[int], list[str]],
        *,
        nice: int = 0,
        min_pause: float = 1.0,
        max_pause: float = 30.0,
        stable_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.command = command  # given how many restarts came before, returns the argv
        self.nice = nice
        self.min_pause, self.max_pause, self.stable_after = min_pause, max_pause, stable_after
        self.clock = clock
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._pidfd: int | None = None
        self._started = 0.0
        self._pause = min_pause
        self._next_start: float | None = None
        self._checking = False

    def start(self) -> None:
        """Start the process now."""
        parent = os.getpid()
        arrange = die_with_parent(parent)

        def prepare() -> None:
            if self.nice:
                os.nice(self.nice)
            arrange()

        self.process = subprocess.Popen(self.command(self.restarts), preexec_fn=prepare)
        self._started = self.clock()
        self._next_start = None
        try:
            self._pidfd = os.pidfd_open(self.process.pid)
        except (AttributeError, OSError):  # before Linux 5.3: waitpid alone tells
            self._pidfd = None

    def check(self) -> None:
        """Notice a death and schedule a restart; restart once the pause is over (every second)."""
        if self._checking:  # a timer signal that came while the last check ran
            return
        self._checking = True
        try:
            now = self.clock()
            if self.process is not None and self._has_ended():
                lived = now - self._started
                if lived >= self.stable_after:
                    self._pause = self.min_pause
                pause, self._pause = self._pause, min(self._pause * 2, self.max_pause)
                log.warning(
                    "the %s (pid %d) ended (%s) after %.0f s; starting it again in %.0f s",
                    self.name,
                    self.process.pid,
                    _how(self.process.returncode),
                    lived,
                    pause,
                )
                self._forget()
                self._next_start = now + pause
            if self.process is None and self._next_start is not None and now >= self._next_start:
                self.restarts += 1
                self.start()
        finally:
            self._checking = False

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the process to finish (SIGTERM), wait for it, and start nothing again."""
        self._next_start = None
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._forget()

    def _has_ended(self) -> bool:
        assert self.process is not None
        if self._pidfd is not None:
            readable, _, _ = select.select([self._pidfd], [], [], 0)
            if not readable:
                return False
        # Reaps it (unless gunicorn's own SIGCHLD handler did already: then poll() says 0).
        return self.process.poll() is not None or self._pidfd is not None

    def _forget(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
        self._pidfd = None
        self.process = None


def _how(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"
