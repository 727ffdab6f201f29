"""The tap spool's health, as an operator monitors it: backlog, oldest waiting tap, quarantine,
and whether a drainer is alive (its heartbeat file).

Each host has its own spool, so each host answers for its own taps: `taptrail status` on the
host, or `GET /healthz` through any of its workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from server.clock import machine_now
from server.taps import quarantine
from server.taps.drain import backlog, undrained
from server.taps.spool import segments

HEARTBEAT_FILE = ".drainer.json"
# A drainer writes its heartbeat about once a second, draining or not; past this it is gone.
MAX_BEAT_AGE = 15.0
# Beyond the drainer's own pauses (a rush let pass for 30 s, a 30 s back-off while the database
# is away), a tap older than this is not reaching the database.
MAX_TAP_AGE = 120.0


def beat(directory: str | os.PathLike[str], state: dict[str, Any]) -> None:
    """Write the drainer's heartbeat (atomically: a reader never sees half of it)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    record = {**state, "host": socket.gethostname(), "beat_at": machine_now().isoformat()}
    temporary = folder / f".drainer-{os.getpid()}.json-new"
    temporary.write_bytes(orjson.dumps(record))
    os.replace(temporary, folder / HEARTBEAT_FILE)


def heartbeat(directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The last heartbeat a drainer wrote in this spool folder, if any."""
    try:
        return orjson.loads((Path(directory) / HEARTBEAT_FILE).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None


@dataclass
class SpoolHealth:
    """What an operator needs to know about one host's taps; `problems` empty means healthy."""

    backlog: int  # taps answered and waiting in the spool
    oldest_waiting_seconds: float | None  # age of the oldest of them
    quarantined: int  # taps refused, waiting for an operator (taptrail quarantine)
    drainer: dict[str, Any] | None  # its last heartbeat, with its age
    segments: int
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """No problem an operator must act on."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, with the overall status first."""
        return {"status": "ok" if self.healthy else "failing", **asdict(self)}


def spool_health(
    directory: str | os.PathLike[str],
    *,
    max_tap_age: float = MAX_TAP_AGE,
    max_beat_age: float = MAX_BEAT_AGE,
) -> SpoolHealth:
    """Read the spool folder's state and say what is wrong with it, if anything."""
    now = machine_now()
    oldest = oldest_waiting(directory)
    waiting_for = (now - oldest).total_seconds() if oldest else None
    beat_state = heartbeat(directory)
    if beat_state is not None:
        beat_at = dt.datetime.fromisoformat(beat_state["beat_at"])
        beat_state["seconds_since_beat"] = round((now - beat_at).total_seconds(), 1)
    health = SpoolHealth(
        backlog=backlog(directory),
        oldest_waiting_seconds=round(waiting_for, 1) if waiting_for is not None else None,
        quarantined=quarantine.count(directory),
        drainer=beat_state,
        segments=len(segments(directory)),
    )
    if beat_state is None:
        health.problems.append("no drainer has ever run on this spool")
    elif beat_state["seconds_since_beat"] > max_beat_age:
        health.problems.append(
            f"the drainer's last heartbeat is {beat_state['seconds_since_beat']:.0f} s old"
        )
    if waiting_for is not None and waiting_for > max_tap_age:
        health.problems.append(
            f"the oldest waiting tap is {waiting_for:.0f} s old: taps are not reaching the database"
        )
    if health.quarantined:
        health.problems.append(
            f"{health.quarantined} taps are quarantined: see 'taptrail quarantine list'"
        )
    return health


def oldest_waiting(directory: str | os.PathLike[str]) -> dt.datetime | None:
    """When the oldest tap still waiting in the spool was answered (None: nothing waits)."""
    oldest = None
    for segment, offset in undrained(directory):
        line = b""
        with contextlib.suppress(FileNotFoundError), open(segment, "rb") as handle:
            handle.seek(offset)
            line = handle.readline()
        if not line.endswith(b"\n"):
            continue  # nothing complete waits in this segment
        with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
            at = dt.datetime.fromisoformat(orjson.loads(line)["at"])
            if oldest is None or at < oldest:
                oldest = at
    return oldest
