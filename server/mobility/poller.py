"""The feed poller: fetches each configured feed on its own schedule and keeps its last good
snapshot; one per host, beside gunicorn's workers, supervised like the tap drainer.

Each feed is fetched every `every` seconds (longer when a GBFS file's ttl asks for it), with a
conditional GET per file. When it fails (the server is down, slow, sends too much, or sends data
its schema refuses) the last good snapshot stays, the error is kept in the feed's state for the
operator, and the next try waits `every`, then twice as long each time, up to MAX_BACKOFF.
Nothing a feed does stops the poller: it only ever fails that feed's round.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.clock import machine_now
from server.mobility import gbfs, parking, places
from server.mobility.feeds import FeedSettings
from server.mobility.fetch import Fetcher, FetchError, Validators
from server.mobility.reading import GetFile, Reading, Refused
from server.mobility.store import Snapshot, Store

log = logging.getLogger(__name__)

MAX_BACKOFF = 1800.0  # a feed down for hours is still tried every half hour
MAX_TTL = 3600.0  # a ttl beyond this is taken as an hour
TICK = 1.0  # how often the poller wakes to see which feed is due, and says it is alive


def read(feed: FeedSettings, get: GetFile) -> Reading:
    """Read one feed of any kind through `get`."""
    if feed.kind == "gbfs":
        return gbfs.read(feed.url, get)
    if feed.kind in ("lille-parkings", "datex2"):
        if feed.kind == "lille-parkings":
            reading = parking.read_lille(feed.url, get)
        else:
            reading = parking.read_datex(feed.url, feed.table_url, get)
        if feed.places_url:  # the static facts: capacity, address, free or paid, PMR spaces
            rows = places.read_places(get(feed.places_url))
            joined = places.join(reading.items, rows)
            reading.notes.append(f"{joined} of {len(reading.items)} car parks have static facts")
        return reading
    from server.mobility import realtime  # protobuf is loaded only where GTFS-RT is read

    return realtime.read(feed.url, get)


@dataclass
class PollerLoop:
    """One poller: `run(stop)` polls every due feed until `stop` is set."""

    feeds: list[FeedSettings]
    store: Store
    fetcher: Fetcher = field(default_factory=Fetcher)
    parent: int | None = None  # stop when this process is no longer our parent
    restarts: int = 0
    following: bool = False  # set by run(): only the running poller writes the heartbeat
    now: Callable[[], dt.datetime] = machine_now

    def __post_init__(self) -> None:
        self.started_at = self.now()

    def run(self, stop: threading.Event) -> None:
        """Poll due feeds until `stop` is set (or the parent process is gone)."""
        self.following = True
        self.round()
        while not stop.wait(TICK):
            if self.parent is not None and os.getppid() != self.parent:
                log.warning("the feed poller's parent is gone; leaving")
                break
            self.round()

    def round(self) -> None:
        """Poll each feed that is due, then write the heartbeat."""
        for feed in self.feeds:
            state = self.store.state(feed.name)
            due = state.get("next_attempt_at")
            if due is None or dt.datetime.fromisoformat(due) <= self.now():
                self.poll(feed, state)
        self.beat()

    def beat(self) -> None:
        """Write the heartbeat: at the end of each round, and before each file fetched.

        A round of slow feeds can last longer than the health URL's MAX_BEAT_AGE (a GBFS feed
        alone is four files, each allowed the whole timeout): beating only once a round would
        make a slow outside server look like a dead poller on this host.
        """
        self.store.beat(
            {
                "pid": os.getpid(),
                "started_at": self.started_at.isoformat(),
                "restarts": self.restarts,
                "beat_at": self.now().isoformat(),
                "feeds": [feed.name for feed in self.feeds],
            }
        )

    def poll(self, feed: FeedSettings, state: dict[str, Any] | None = None) -> bool:
        """Fetch and read one feed now; keep its snapshot if good. Whether it was."""
        state = dict(state if state is not None else self.store.state(feed.name))
        started = self.now()
        known: dict[str, dict[str, str | None]] = state.get("validators") or {}
        fresh: dict[str, tuple[bytes, Validators]] = {}

        def get(url: str) -> bytes:
            kept = self.store.kept_body(feed.name, url) if url in known else None
            asked = Validators(**known[url]) if kept is not None else None
            if self.following:
                self.beat()
            fetched = self.fetcher.get(url, asked)
            if fetched.body is None:
                assert kept is not None
                return kept
            fresh[url] = (fetched.body, fetched.validators)
            return fetched.body

        state.update(kind=feed.kind, url=feed.url, last_attempt_at=started.isoformat())
        try:
            reading = read(feed, get)
        except (FetchError, Refused) as error:
            return self._failed(feed, state, str(error), started)
        except Exception as error:  # a reader's own fault must not stop the other feeds
            log.exception("reading the feed %s failed", feed.name)
            return self._failed(feed, state, f"{type(error).__name__}: {error}"[:300], started)
        if fresh or self.store.snapshot(feed.name) is None:
            for url, (body, _) in fresh.items():
                self.store.keep_body(feed.name, url, body)
            self.store.save_snapshot(
                Snapshot(feed.name, feed.kind, started, reading.items, reading.extra)
            )
            known = {**known}
            for url, (_, validators) in fresh.items():
                known[url] = {"etag": validators.etag, "last_modified": validators.last_modified}
        wait = max(feed.every, min(reading.ttl, MAX_TTL))
        state.update(
            last_success_at=started.isoformat(),
            last_changed_at=started.isoformat() if fresh else state.get("last_changed_at"),
            failures=0,
            items=len(reading.items),
            notes=reading.notes[:10],
            validators=known,
            next_attempt_at=(started + dt.timedelta(seconds=wait)).isoformat(),
        )
        self.store.save_state(feed.name, state)
        return True

    def _failed(
        self, feed: FeedSettings, state: dict[str, Any], reason: str, started: dt.datetime
    ) -> bool:
        failures = int(state.get("failures") or 0) + 1
        wait = min(feed.every * 2 ** (failures - 1), MAX_BACKOFF)
        log.warning(
            "feed %s failed (%d in a row): %s; next try in %.0f s",
            feed.name,
            failures,
            reason,
            wait,
        )
        state.update(
            last_error=reason,
            last_error_at=started.isoformat(),
            failures=failures,
            next_attempt_at=(started + dt.timedelta(seconds=wait)).isoformat(),
        )
        self.store.save_state(feed.name, state)
        return False
