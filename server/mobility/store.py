"""Where the poller keeps each feed's last good snapshot and its state, and where pages read
them: small JSON files in one folder per host, replaced atomically, so a reader never sees half
of one and a failed fetch never touches the last good data.

Readers keep each file parsed in memory until it changes on disk (its size and modification
time): a page pays one stat() per feed, and the feeds' states (the API, /healthz, the staff
portal) one more per feed. The poller reads its own states from disk every time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

SNAPSHOT = "{}.snapshot.json"
STATE = "{}.state.json"
HEARTBEAT = ".poller.json"


def replace_file(path: Path, data: bytes) -> None:
    """Replace the file at `path` with `data`, atomically (a reader sees the old or the new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}-{os.getpid()}-{threading.get_ident()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_json(path: Path, value: Any) -> None:
    """Replace the file at `path` with `value` as JSON, atomically."""
    replace_file(path, orjson.dumps(value))


def read_json(path: Path) -> Any:
    """The JSON in the file at `path`, or None when there is none (or it is unreadable)."""
    try:
        return orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None


@dataclass
class Snapshot:
    """A feed's last good data: what the poller read, when, and the items (JSON-ready)."""

    feed: str
    kind: str
    fetched_at: dt.datetime
    items: list[dict[str, Any]]
    extra: dict[str, Any]
    # What readers derive from the items (an index by trip), kept as long as the snapshot is.
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        """The form kept on disk."""
        return {
            "feed": self.feed,
            "kind": self.kind,
            "fetched_at": self.fetched_at.isoformat(),
            "items": self.items,
            **self.extra,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Snapshot:
        """Back from the form kept on disk."""
        rest = {k: v for k, v in value.items() if k not in ("feed", "kind", "fetched_at", "items")}
        return cls(
            value["feed"],
            value["kind"],
            dt.datetime.fromisoformat(value["fetched_at"]),
            value["items"],
            rest,
        )


class Store:
    """The folder of one host's snapshots and feed states."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._memo: dict[Path, tuple[tuple[int, int], Any]] = {}
        self._paths: dict[str, Path] = {}
        self._lock = threading.Lock()

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep `snapshot` as the feed's last good data."""
        write_json(self.directory / SNAPSHOT.format(snapshot.feed), snapshot.as_json())

    def snapshot(self, feed: str) -> Snapshot | None:
        """The feed's last good snapshot (parsed once per change on disk), if any."""
        path = self._paths.get(feed)
        if path is None:
            path = self._paths[feed] = self.directory / SNAPSHOT.format(feed)
        return self._cached(path, Snapshot.from_json)

    def save_state(self, feed: str, state: dict[str, Any]) -> None:
        """Keep the feed's state (attempts, errors, validators)."""
        write_json(self.directory / STATE.format(feed), state)

    def state(self, feed: str, *, cached: bool = False) -> dict[str, Any]:
        """The feed's state as the poller last wrote it ({} before its first attempt).

        `cached` is for readers (shared: not to be changed): parsed once per change on disk.
        """
        path = self.directory / STATE.format(feed)
        if cached:
            return self._cached(path, lambda value: value) or {}
        return read_json(path) or {}

    def body_path(self, feed: str, url: str) -> Path:
        """Where the last good body of one of the feed's files is kept (for a 304 answer)."""
        digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        return self.directory / "bodies" / feed / digest

    def keep_body(self, feed: str, url: str, body: bytes) -> None:
        """Keep the body of a file that was part of a good snapshot."""
        replace_file(self.body_path(feed, url), body)

    def kept_body(self, feed: str, url: str) -> bytes | None:
        """The body kept for this file, if any."""
        with contextlib.suppress(FileNotFoundError):
            return self.body_path(feed, url).read_bytes()
        return None

    def beat(self, state: dict[str, Any]) -> None:
        """Write the poller's heartbeat."""
        write_json(self.directory / HEARTBEAT, state)

    def heartbeat(self) -> dict[str, Any] | None:
        """The poller's last heartbeat, if one ever ran here."""
        found = read_json(self.directory / HEARTBEAT)
        return found if isinstance(found, dict) else None

    def _cached(self, path: Path, parse: Any) -> Any:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        memo = self._memo.get(path)
        if memo is not None and memo[0] == key:
            return memo[1]
        value = read_json(path)
        parsed = parse(value) if isinstance(value, dict) else None
        with self._lock:
            self._memo[path] = (key, parsed)
        return parsed
