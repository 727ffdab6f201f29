"""Drain the tap spool into the database, in batches, idempotently.

For each segment the drainer keeps the byte offset it has committed in <segment>.offset. A batch
is inserted and committed first, then the offset moves on. A drainer that dies between the two
reads the batch again next time; taps carry unique ids, and ids already stored are skipped, so no
tap is lost and none is doubled. One drainer at a time per spool folder (an exclusive flock on
.drain.lock); other drainers skip the round.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from server.db import Database
from server.taps.spool import segments
from server.taps.store import store_taps

log = logging.getLogger(__name__)

BATCH_LINES = 1000
READ_BYTES = 1024 * 1024
STALE_TEMPORARY_SECONDS = 60
# A drainer beside the workers holds back while more than this arrives between two looks (about
# 100 taps a second: far above a pilot's everyday traffic, far below what one host can answer),
# for at most MAX_DEFER_SECONDS in a row.
BUSY_BYTES = 32 * 1024
MAX_DEFER_SECONDS = 30.0


@dataclass
class DrainReport:
    """What one drain did."""

    stored: int = 0  # taps inserted
    skipped: int = 0  # taps already in the database (a drain repeated after a crash)
    bad_lines: int = 0  # lines that were not taps, set aside in <segment>.bad
    segments_removed: int = 0
    busy: bool = False  # another drainer held the lock


@contextlib.contextmanager
def drain_lock(directory: Path, wait: bool) -> Iterator[bool]:
    """Hold the spool folder's drain lock; yields False when busy and not waiting."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".drain.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # also releases the lock


def drain(
    database: Database, directory: str | os.PathLike[str], *, wait: bool = False, sync: bool = True
) -> DrainReport:
    """Move every complete tap line of every segment into the database.

    With `sync` (unless a caller flushes the spool on its own clock) the segments are flushed to
    disk first: a drainer called about once a second keeps the "interval" fsync policy.
    """
    folder = Path(directory)
    report = DrainReport()
    with drain_lock(folder, wait) as locked:
        if not locked:
            report.busy = True
            return report
        _remove_stale_temporaries(folder)
        if sync:
            sync_segments(folder)
        for segment in segments(folder):
            _drain_segment(database, segment, report)
    return report


def backlog(directory: str | os.PathLike[str]) -> int:
    """How many complete tap lines wait in the spool, not drained yet (monitoring, the bench)."""
    waiting = 0
    for segment, offset in _undrained(directory):
        with contextlib.suppress(FileNotFoundError), open(segment, "rb") as handle:
            handle.seek(offset)
            waiting += handle.read().count(b"\n")
    return waiting


def backlog_bytes(directory: str | os.PathLike[str]) -> int:
    """How many bytes wait in the spool, without reading them: cheap enough to poll."""
    waiting = 0
    for segment, offset in _undrained(directory):
        with contextlib.suppress(FileNotFoundError):
            waiting += max(0, segment.stat().st_size - offset)
    return waiting


def _undrained(directory: str | os.PathLike[str]) -> Iterator[tuple[Path, int]]:
    """Each segment and the byte offset its draining has reached."""
    for segment in segments(directory):
        yield segment, _read_offset(segment.with_suffix(".offset"))


class Pacer:
    """Tells a drainer that runs beside the workers when to drain and when to let a rush pass.

    While taps pour in (more than `busy_bytes` of new lines since the last look, about a hundred
    taps with the default), draining would take CPU from the workers answering them. The taps
    are durable in the spool meanwhile, so the drainer waits for a quieter round, but never for
    longer than `max_defer` seconds in a row: a rush that goes on is drained every so often.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        max_defer: float = MAX_DEFER_SECONDS,
        busy_bytes: int = BUSY_BYTES,
    ) -> None:
        self.directory = Path(directory)
        self.max_defer = max_defer
        self.busy_bytes = busy_bytes
        self._sizes = self._measure()
        self._deferring_since: float | None = None

    def should_drain(self, now: float) -> bool:
        """Drain now (True), or let this round pass because taps are still pouring in."""
        sizes = self._measure()
        arrived = sum(max(0, size - self._sizes.get(path, 0)) for path, size in sizes.items())
        self._sizes = sizes
        if arrived <= self.busy_bytes:
            self._deferring_since = None
            return True
        if self._deferring_since is None:
            self._deferring_since = now
        if now - self._deferring_since >= self.max_defer:
            self._deferring_since = None
            return True
        return False

    def _measure(self) -> dict[Path, int]:
        sizes = {}
        for segment in segments(self.directory):
            with contextlib.suppress(FileNotFoundError):
                sizes[segment] = segment.stat().st_size
        return sizes


def sync_segments(folder: Path) -> None:
    """Flush every segment to the disk: fsync works on the file, whichever process wrote it."""
    for segment in segments(folder):
        with contextlib.suppress(FileNotFoundError), open(segment, "rb") as handle:
            os.fdatasync(handle.fileno())


def _drain_segment(database: Database, segment: Path, report: DrainReport) -> None:
    offset_file = segment.with_suffix(".offset")
    offset = _read_offset(offset_file)
    with open(segment, "rb") as handle:
        # Take the exclusive lock before reading: if we get it, no writer will ever append again.
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            sealed = True
        except BlockingIOError:
            sealed = False
        while True:
            handle.seek(offset)
            chunk = handle.read(READ_BYTES)
            end = chunk.rfind(b"\n") + 1
            if end == 0:
                break
            lines = chunk[:end].splitlines()
            for start in range(0, len(lines), BATCH_LINES):
                batch = lines[start : start + BATCH_LINES]
                records = _parse(batch, segment, report)
                stored, skipped = store_taps(database, records)
                report.stored += stored
                report.skipped += skipped
                offset += sum(len(line) + 1 for line in batch)
                _write_offset(offset_file, offset)
        if sealed:
            handle.seek(offset)
            rest = handle.read()
            if rest:  # a torn last line from a crash mid-write: keep it for a human to look at
                _set_aside(segment, rest)
                report.bad_lines += 1
            segment.unlink()
            offset_file.unlink(missing_ok=True)
            report.segments_removed += 1


def _parse(lines: list[bytes], segment: Path, report: DrainReport) -> list[dict[str, Any]]:
    records = []
    for line in lines:
        try:
            record = orjson.loads(line)
            if not isinstance(record, dict) or "id" not in record:
                raise ValueError("not a tap")
            records.append(record)
        except ValueError:  # orjson's JSONDecodeError is one
            _set_aside(segment, line + b"\n")
            report.bad_lines += 1
            log.warning("set aside a line of %s that is not a tap", segment.name)
    return records


def _set_aside(segment: Path, data: bytes) -> None:
    with open(segment.with_suffix(".bad"), "ab") as bad:
        bad.write(data)


def _read_offset(path: Path) -> int:
    try:
        return int(path.read_text())
    except FileNotFoundError:
        return 0


def _write_offset(path: Path, offset: int) -> None:
    temporary = path.with_suffix(".offset-new")
    temporary.write_text(str(offset))
    os.replace(temporary, path)


def _remove_stale_temporaries(folder: Path) -> None:
    # A process killed between creating and naming a segment leaves an empty temporary file.
    for temporary in folder.glob(".taps-*.new"):
        with contextlib.suppress(FileNotFoundError):
            if time.time() - temporary.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                temporary.unlink()
