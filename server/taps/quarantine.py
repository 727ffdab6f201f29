"""Spooled taps that cannot be stored: kept beside the spool for an operator, never in the way.

A record the database refuses for what it holds (a NUL character, a value longer than its
column), or a line that is not a tap at all (torn by a crash, written by something else), must
not stop the drainer: it is moved here with the reason, counted, logged once, and every other
tap is stored. `taptrail quarantine list` shows them; once the cause is fixed (the line edited
in the file, or the code that refused it), `taptrail quarantine replay` stores what the database
now takes and keeps the rest.

The file is `<spool>/quarantine.jsonl`, one JSON object a line: `key` (the tap id, or the spool
segment and byte offset of a line without one), `at` (when it was quarantined, UTC), `reason`,
`segment`, and `tap` (the record as spooled) or `raw` (the line as text, when it was not JSON).
It is written only by a drainer holding the spool's drain lock, so lines never interleave.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from server.clock import machine_now

log = logging.getLogger(__name__)

FILE_NAME = "quarantine.jsonl"


def path(directory: str | os.PathLike[str]) -> Path:
    """The quarantine file of a spool folder."""
    return Path(directory) / FILE_NAME


def entries(directory: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every quarantined record, oldest first."""
    try:
        lines = path(directory).read_bytes().splitlines()
    except FileNotFoundError:
        return []
    return [orjson.loads(line) for line in lines if line.strip()]


def count(directory: str | os.PathLike[str]) -> int:
    """How many records wait in the quarantine (cheap: counts lines)."""
    try:
        with open(path(directory), "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0


def keys(directory: str | os.PathLike[str]) -> set[str]:
    """The keys already quarantined: a batch drained again after a crash adds nothing twice."""
    return {entry["key"] for entry in entries(directory)}


def add(
    directory: str | os.PathLike[str],
    *,
    key: str,
    reason: str,
    segment: str,
    tap: dict[str, Any] | None = None,
    raw: bytes | None = None,
) -> None:
    """Append one refused record (the caller holds the drain lock and checked `keys`)."""
    entry: dict[str, Any] = {
        "key": key,
        "at": machine_now().isoformat(timespec="seconds"),
        "reason": reason,
        "segment": segment,
    }
    if tap is not None:
        entry["tap"] = tap
    else:
        entry["raw"] = (raw or b"").decode("utf-8", "backslashreplace")
    line = orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE)
    fd = os.open(path(directory), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fdatasync(fd)  # rare, and the spool line it replaces is about to be passed over
    finally:
        os.close(fd)
    log.error("quarantined tap %s from %s: %s", key, segment, reason)


@dataclass
class ReplayReport:
    """What a replay did."""

    stored: int = 0  # stored now, or found already stored
    kept: int = 0  # still refused, or not a tap at all: left in the quarantine


def replay(
    directory: str | os.PathLike[str],
    store_one: Callable[[dict[str, Any]], str | None],
) -> ReplayReport:
    """Offer each quarantined tap to `store_one` again; keep only those still refused.

    `store_one` stores a record and returns None, or returns why it was refused; it raises when
    the database is away, and then the quarantine is left exactly as it was. The caller holds
    the drain lock.
    """
    report = ReplayReport()
    kept: list[dict[str, Any]] = []
    for entry in entries(directory):
        if "tap" not in entry:
            kept.append(entry)
            continue
        reason = store_one(entry["tap"])
        if reason is None:
            report.stored += 1
        else:
            kept.append({**entry, "reason": reason})
    report.kept = len(kept)
    target = path(directory)
    if not kept:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return report
    temporary = target.with_suffix(".jsonl-new")
    temporary.write_bytes(
        b"".join(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE) for entry in kept)
    )
    os.replace(temporary, target)
    return report
