"""Drain the tap spool into the database, in batches, idempotently.

For each segment the drainer keeps the byte offset it has committed in <segment>.offset. A batch
is inserted and committed first, then the offset moves on. A drainer that dies between the two
reads the batch again next time; taps carry unique ids, and ids already stored are skipped, so no
tap is lost and none is doubled. One drainer at a time per spool folder (an exclusive flock on
.drain.lock); other drainers skip the round.

An NTAG 424 DNA tap reaches the spool with its SUN message unchecked (the answer never depends
on it); the drainer checks it as it reads the line (server/taps/sun_verdict.py, `sun`), so the
batch is stored with the verdict, as a tap path that checked it would have spooled it.

No single line can stop the drainer. A line that is not a tap, and a tap the database refuses
for what it holds, go to the quarantine (server/taps/quarantine.py) and the drain goes on. The
error tells the two cases apart (server.db.failure_kind): a database that is away makes the
drain stop and try again later, with the spool untouched; a refusal is narrowed down to its row
by storing the batch in halves, and where the error alone does not say, a database that still
answers a trivial query is taken as refusing that row.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from server.db import Database, answers, failure_kind
from server.taps import quarantine
from server.taps.spool import segments
from server.taps.store import Checked, check, judged, store_checked
from server.taps.sun_verdict import SunJudge

log = logging.getLogger(__name__)

# Each batch costs a transaction, a lookup of ids already stored and the marks of the moments to
# recount, whatever its size: at 1,000 lines that was about a third of the CPU a tap costs the
# drainer and its database after a rush (bench.sizing: 21 -> 17 us drainer, 26 -> 18 us PostgreSQL
# backend per tap, at 5,000). One read holds a batch of everyday lines (a few hundred bytes each);
# longer lines make a batch shorter, never a read larger.
BATCH_LINES = 5000
READ_BYTES = 4 * 1024 * 1024
STALE_TEMPORARY_SECONDS = 60
# A drainer beside the workers holds back while more than this arrives per second (about 100
# taps: far above a pilot's everyday traffic, far below what one host can answer), for at most
# MAX_DEFER_SECONDS in a row.
BUSY_BYTES = 32 * 1024
MAX_DEFER_SECONDS = 30.0


@dataclass
class DrainReport:
    """What one drain did."""

    stored: int = 0  # taps inserted
    skipped: int = 0  # taps already in the database (a drain repeated after a crash)
    quarantined: int = 0  # lines that are not taps, or that the database refused
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
    database: Database,
    directory: str | os.PathLike[str],
    *,
    wait: bool = False,
    sync: bool = True,
    sun: SunJudge | None = None,
) -> DrainReport:
    """Move every complete tap line of every segment into the database.

    `sun` checks the SUN messages the tap path spooled, before their batch is stored; without
    it, a tap that carries one goes to the quarantine (to be replayed where the keys are). With
    `sync` (unless a caller flushes the spool on its own clock) the segments are flushed to
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
            _drain_segment(database, segment, report, sun)
    return report


def backlog(directory: str | os.PathLike[str]) -> int:
    """How many complete tap lines wait in the spool, not drained yet (monitoring, the bench)."""
    waiting = 0
    for segment, offset in undrained(directory):
        with contextlib.suppress(FileNotFoundError), open(segment, "rb") as handle:
            handle.seek(offset)
            waiting += handle.read().count(b"\n")
    return waiting


def backlog_bytes(directory: str | os.PathLike[str]) -> int:
    """How many bytes wait in the spool, without reading them: cheap enough to poll."""
    waiting = 0
    for segment, offset in undrained(directory):
        with contextlib.suppress(FileNotFoundError):
            waiting += max(0, segment.stat().st_size - offset)
    return waiting


def undrained(directory: str | os.PathLike[str]) -> Iterator[tuple[Path, int]]:
    """Each segment and the byte offset its draining has reached."""
    for segment in segments(directory):
        yield segment, _read_offset(segment.with_suffix(".offset"))


class Pacer:
    """Tells a drainer that runs beside the workers when to drain and when to let a rush pass.

    While taps pour in (more than `busy_bytes` of new lines a second since the last look, about
    a hundred taps with the default), draining would take CPU from the workers answering them.
    The taps are durable in the spool meanwhile, so the drainer waits for a quieter look, but
    never for longer than `max_defer` seconds in a row: a rush that goes on is drained every so
    often. The drainer looks often (every 0.05 s while a rush passes), so a rush that ends is
    drained at once.
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
        self._looked: float | None = None  # when the last look was
        self._deferring_since: float | None = None

    def should_drain(self, now: float) -> bool:
        """Drain now (True), or let this look pass because taps are still pouring in."""
        sizes = self._measure()
        arrived = sum(max(0, size - self._sizes.get(path, 0)) for path, size in sizes.items())
        # Since the last look; the first look counts as a second after the drainer started.
        elapsed = 1.0 if self._looked is None else max(now - self._looked, 0.05)
        self._sizes, self._looked = sizes, now
        if arrived <= self.busy_bytes * elapsed:
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


def _drain_segment(
    database: Database, segment: Path, report: DrainReport, sun: SunJudge | None
) -> None:
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
            if len(chunk) == READ_BYTES and b"\n" not in chunk:
                # One line longer than a read: read on to its end, or the drain would stop
                # there and, once the segment is sealed, quarantine every tap after it as torn.
                chunk += handle.readline()
            end = chunk.rfind(b"\n") + 1
            if end == 0:
                break
            lines = chunk[:end].splitlines()
            for start in range(0, len(lines), BATCH_LINES):
                batch = lines[start : start + BATCH_LINES]
                refused = _Refused(segment, report)
                taps = _parse(batch, offset, refused, sun)
                stored, skipped = store_checked_each(database, taps, refused.tap)
                report.stored += stored
                report.skipped += skipped
                offset += sum(len(line) + 1 for line in batch)
                _write_offset(offset_file, offset)
        if sealed:
            handle.seek(offset)
            rest = handle.read()
            if rest:  # a torn last line from a crash mid-write: keep it for a human to look at
                _Refused(segment, report).line(f"{segment.name}:{offset}", rest, "a torn line")
            segment.unlink()
            offset_file.unlink(missing_ok=True)
            report.segments_removed += 1


class _Refused:
    """Sends what cannot be stored from one segment to the quarantine, once per line."""

    def __init__(self, segment: Path, report: DrainReport) -> None:
        self.segment = segment
        self.report = report
        self._known: set[str] | None = None

    def tap(self, record: dict[str, Any], reason: str) -> None:
        """Quarantine a record the database (or our own check) refused."""
        self._add(str(record["id"]), reason, tap=record)

    def line(self, key: str, raw: bytes, reason: str) -> None:
        """Quarantine a line that is not a tap record at all."""
        self._add(key, reason, raw=raw)

    def _add(self, key: str, reason: str, **content: Any) -> None:
        if self._known is None:  # read once, and only when something is refused
            self._known = quarantine.keys(self.segment.parent)
        if key not in self._known:  # a batch drained again after a crash adds nothing twice
            quarantine.add(
                self.segment.parent, key=key, reason=reason, segment=self.segment.name, **content
            )
            self._known.add(key)
        self.report.quarantined += 1


def _parse(
    lines: list[bytes], offset: int, refused: _Refused, sun: SunJudge | None
) -> list[Checked]:
    """The batch's taps, each checked once, SUN messages included; lines that are not storable
    taps go to the quarantine."""
    taps = []
    for line in lines:
        try:
            record = orjson.loads(line)
        except ValueError:  # orjson's JSONDecodeError is one
            record = None
        record = judged(record, sun)
        checked = check(record) if record is not None else "not JSON"
        if not isinstance(checked, str):
            taps.append(checked)
        elif isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"]:
            refused.tap(record, checked)
        else:
            refused.line(f"{refused.segment.name}:{offset}", line, checked)
        offset += len(line) + 1
    return taps


def store_each(
    database: Database,
    records: list[dict[str, Any]],
    refuse: Callable[[dict[str, Any], str], None],
    sun: SunJudge | None = None,
) -> tuple[int, int]:
    """Store `records`, their SUN messages checked by `sun`; hand each one that is no tap, or
    that the database refuses for its content, to `refuse`. Returns (stored, already stored);
    see store_checked_each."""
    taps = []
    for record in records:
        record = judged(record, sun)
        checked = check(record)
        if isinstance(checked, str):
            refuse(record, checked)
        else:
            taps.append(checked)
    return store_checked_each(database, taps, refuse)


def store_checked_each(
    database: Database,
    taps: list[Checked],
    refuse: Callable[[dict[str, Any], str], None],
) -> tuple[int, int]:
    """Store checked `taps`; hand each one the database refuses for its content to `refuse`.

    Returns (stored, already stored). A database that is away raises, and then nothing of
    this call counts as done. A refusal splits the batch in halves until the refused row is
    alone: about 2 log2(n) more transactions for one bad row in n, which only a bad row costs.
    """
    if not taps:
        return 0, 0
    try:
        return store_checked(database, taps)
    except Exception as error:
        kind = failure_kind(error)
        if kind == "away":
            raise
        if len(taps) > 1:
            middle = len(taps) // 2
            first = store_checked_each(database, taps[:middle], refuse)
            second = store_checked_each(database, taps[middle:], refuse)
            return first[0] + second[0], first[1] + second[1]
        if kind == "unknown" and not answers(database):
            raise  # the database went away meanwhile: this row may well be fine
        refuse(taps[0][1], _reason(error))
        return 0, 0


def _reason(error: BaseException) -> str:
    """One line saying why a row was refused, for the quarantine and the log."""
    origin = getattr(error, "orig", None) or error
    text = str(origin).strip().splitlines()[0] if str(origin).strip() else ""
    return f"{type(origin).__name__}: {text}"[:300].replace("\x00", "\\0")


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
