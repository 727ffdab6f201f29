"""Feeds on a real loopback HTTP server, and a poller writing snapshots to a temporary folder."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from server.demo import mobility as demo
from server.mobility.feeds import FeedSettings
from server.mobility.fetch import Fetcher
from server.mobility.poller import PollerLoop
from server.mobility.store import Store
from tests.support.feed_server import feed_server

NOW = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def server(tmp_path):
    with feed_server(tmp_path / "served") as running:
        yield running


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "mobility")


def publish_gbfs(server, version: str, now: dt.datetime = NOW, folder: str = "gbfs") -> str:
    """Write the demo system's GBFS files in `version`; the URL of its gbfs.json."""
    base = f"{server.url}/{folder}"
    for name, document in demo.gbfs_files(base, version, now).items():
        server.write(f"{folder}/{name}.json", orjson.dumps(document))
    return f"{base}/gbfs.json"


def poller(store, *feeds: FeedSettings, timeout: float = 2.0, max_bytes: int = 1_000_000):
    return PollerLoop(list(feeds), store, Fetcher(timeout=timeout, max_bytes=max_bytes))


def feed(name: str, kind: str, url: str, **options) -> FeedSettings:
    return FeedSettings(
        name, kind, url, options.pop("every", 60), options.pop("stale_after", 600), **options
    )
