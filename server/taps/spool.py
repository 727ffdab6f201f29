"""The tap spool: an append-only file per process where every tap lands before the response.

Each tap is one JSON line written with a single os.write() on a file opened with O_APPEND, so a
killed worker loses nothing that it answered: once write() returns, the line is in the kernel's
page cache and outlives the process. What it does not outlive is a power cut or a kernel crash
before the page cache reaches the disk; the fsync policy decides how much that can cost:

- "always":   fdatasync after every tap; nothing is lost even on power loss; slowest.
- "interval": (default) a thread of each writing process calls fdatasync on its segment about
              once a second, whether a drainer is alive or not; a power cut can lose at most
              the last second of taps; a crashed process loses nothing.
- "never":    leave it to the kernel (usually within 30 s).

A segment is named taps-<host>-<pid>-<n>.jsonl. Its writer holds a shared flock on it for as
long as it may append; a drainer that can take an exclusive lock knows no one will write to it
again, and deletes it once drained. New segments are created under a temporary name, locked,
then renamed, so a drainer never sees a live segment without its lock.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
from pathlib import Path
from typing import Any

import orjson

SEGMENT_GLOB = "taps-*.jsonl"
SEGMENT_BYTES = 16 * 1024 * 1024  # start a new segment past this size
# This process's id, renewed in forked children: appends check it without a system call.
_pid = os.getpid()


def _renew_pid() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_renew_pid)


class SpoolError(OSError):
    """A tap could not be written to the spool (disk full, permissions)."""


class Spool:
    """The current process's append-only segment in a spool folder."""

    def __init__(
        self, directory: str | os.PathLike[str], fsync: str = "interval", max_bytes: int = 0
    ) -> None:
        self.directory = Path(directory)
        self.fsync = fsync
        self.max_bytes = max_bytes or SEGMENT_BYTES
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._size = 0
        self._serial = 0
        self._unsynced = False
        self.path: Path | None = None

    def append(self, record: dict[str, Any]) -> None:
        """Write one tap durably (see the module's fsync policy) or raise SpoolError."""
        # orjson writes the same compact UTF-8 line as json.dumps(..., separators=(",", ":"),
        # ensure_ascii=False) would, about ten times faster: this runs on every tap.
        line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        with self._lock:
            fd = self._segment()
            try:
                written = os.write(fd, line)
                if written != len(line):  # only on a full disk: never append after a torn line
                    self._close()
                    raise SpoolError(f"short write to {self.path} ({written} of {len(line)})")
                if self.fsync == "always":
                    os.fdatasync(fd)
                else:
                    self._unsynced = True
            except OSError as error:
                self._close()
                message = f"cannot write to the tap spool {self.directory}: {error}"
                raise SpoolError(message) from error
            self._size += written
            if self._size >= self.max_bytes:
                self._close()

    def sync(self) -> None:
        """Flush appended taps to the disk (the "interval" policy calls this periodically)."""
        with self._lock:
            if self._fd is None or not self._unsynced or self._pid != _pid:
                return
            # Flush a duplicate outside the lock: a tap appended meanwhile need not wait for the
            # disk (it is marked unsynced again and goes with the next flush).
            fd = os.dup(self._fd)
            self._unsynced = False
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Stop appending; the segment becomes drainable and then deletable."""
        with self._lock:
            self._close()

    def _segment(self) -> int:
        if self._fd is not None and self._pid == _pid:
            return self._fd
        # After a fork the child opens its own segment; the parent's lock stays the parent's.
        self._fd = None
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        self._pid = _pid
        name = f"taps-{socket.gethostname()}-{self._pid}-{self._serial}-{os.urandom(3).hex()}"
        temporary = self.directory / f".{name}.new"
        fd = os.open(temporary, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        self.path = self.directory / f"{name}.jsonl"
        os.rename(temporary, self.path)
        self._fd, self._size = fd, 0
        return fd

    def _close(self) -> None:
        if self._fd is not None and self._pid == _pid:
            if self._unsynced and self.fsync != "never":
                os.fdatasync(self._fd)
            os.close(self._fd)  # releases the shared lock: the segment is now sealed
        self._fd, self.path, self._unsynced = None, None, False


def segments(directory: str | os.PathLike[str]) -> list[Path]:
    """The spool's segments, oldest first by name within a process."""
    return sorted(Path(directory).glob(SEGMENT_GLOB))
