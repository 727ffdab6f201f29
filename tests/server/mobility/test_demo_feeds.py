"""The demo serves its own live feeds in the real formats; its poller reads every one of them
over HTTP, and La Piscine's page shows bikes, car parks and live departures with no network."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from flask import Flask

from server import create_app
from server.demo import demo_file
from server.mobility import feeds
from server.mobility.live import Mobility, mobility
from server.mobility.poller import PollerLoop
from tests.server.conftest import demo_copy, settings
from tests.support.demo import SATURDAY, next_local
from tests.support.live_server import serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def demo_feeds(base: str, path):
    """The demo's feeds file, pointed at this server rather than port 8000."""
    document = yaml.safe_load(demo_file("feeds.yaml").read_text())
    for entry in document["feeds"]:
        for key in ("url", "table_url"):
            if key in entry:
                entry[key] = entry[key].replace("http://127.0.0.1:8000", base)
    path.write_text(yaml.safe_dump(document))
    return path


@dataclass
class PolledDemo:
    """The demo app on Saturday at 15:00, its feeds served over HTTP and polled once."""

    app: Flask
    live: Mobility
    loop: PollerLoop

    def poll_all(self) -> None:
        """Poll every feed again; each must be read."""
        configured = self.live.feeds
        assert [self.loop.poll(feed) for feed in configured] == [True] * len(configured), [
            self.live.store.state(feed.name).get("last_error") for feed in configured
        ]


@contextlib.contextmanager
def polled_demo(tmp_path: Path, keyring, request) -> Iterator[PolledDemo]:
    """A copy of the demo whose poller has read every demo feed from a server on loopback."""
    url = demo_copy(request, "sqlite", tmp_path)
    now = next_local(SATURDAY, 15)
    app = create_app(settings(tmp_path, url, keyring, FIXED_NOW=now, DEMO_FEEDS=True))
    with serving(app) as base:
        configured = feeds.load(demo_feeds(base, tmp_path / "feeds.yaml"))
        live = Mobility(configured, mobility(app).store)
        app.extensions["taptrail.mobility"] = live
        demo = PolledDemo(app, live, PollerLoop(configured, live.store))
        demo.poll_all()
        yield demo


def test_the_demo_feeds_are_read_and_shown(tmp_path, keyring, request):
    with polled_demo(tmp_path, keyring, request) as demo:
        live = demo.live
        html = demo.app.test_client().get("/p/la-piscine").get_data(as_text=True)
    section = BeautifulSoup(html, "html.parser").find("section", class_="mobility")
    text = section.get_text(" ", strip=True)
    assert "Roubaix La Piscine" in text and "vélo" in text
    assert "Parking Grand-Place" in text or "Parc relais" in text
    assert "Musée La Piscine" in text
    assert "3 min de retard" in text  # line 25 runs late in the demo's GTFS-RT
    assert "les chiffres sont inventés" in text
    assert dt.datetime.fromisoformat(live.store.state("demo-vlille")["last_success_at"])
