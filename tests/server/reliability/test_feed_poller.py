"""Under the real gunicorn, the feed poller runs beside the workers, is started again when
killed, and its feeds show in /healthz, with the last good data kept through the outage."""

from __future__ import annotations

import json
import os
import signal
import urllib.request

import orjson
import pytest
import yaml

from server.demo import mobility as demo
from tests.server.mobility.conftest import NOW
from tests.support.feed_server import feed_server
from tests.support.gunicorn import gunicorn, server_env
from tests.support.processes import children, command_line, wait_until

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def database_kind() -> str:
    """The poller keeps its snapshots in files and /healthz reads them there: no database kind
    changes what this test sees (tap storage runs on both), so one is enough: SQLite."""
    return "sqlite"


def poller(served) -> int | None:
    for pid in children(served.master.pid):
        if "mobility poll --follow" in command_line(pid):
            return pid
    return None


def health(served) -> dict:
    try:
        with urllib.request.urlopen(f"{served.url}/healthz", timeout=15) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())
    except OSError:  # a worker too busy to answer in time (a loaded machine): ask again
        return {}


def test_the_poller_is_supervised_and_its_feeds_show_in_health(committed_app, tmp_path):
    with feed_server(tmp_path / "served") as server:
        server.write("parkings.json", orjson.dumps(demo.lille_parkings(NOW)))
        feeds = tmp_path / "feeds.yaml"
        url = f"{server.url}/parkings.json"
        feeds.write_text(
            yaml.safe_dump(
                {"feeds": [{"name": "parkings", "kind": "lille-parkings", "url": url, "every": 5}]}
            )
        )
        env = server_env(
            committed_app,
            TAPTRAIL_MOBILITY_FEEDS=str(feeds),
            TAPTRAIL_MOBILITY_DIR=committed_app.config["MOBILITY_DIR"],
        )
        with gunicorn(env) as served:
            assert wait_until(lambda: poller(served) is not None, timeout=20), served.output()
            first = poller(served)

            def parkings_ok() -> bool:
                feeds = health(served).get("mobility", {}).get("feeds", [])
                return bool(feeds) and feeds[0]["status"] == "ok"

            assert wait_until(parkings_ok, timeout=30), served.output()
            os.kill(first, signal.SIGKILL)
            assert wait_until(lambda: poller(served) not in (None, first), timeout=20)
            assert wait_until(
                lambda: (
                    (health(served).get("mobility", {}).get("poller") or {}).get("restarts") == 1
                ),
                timeout=30,
            ), served.output()
            assert "feed poller" in served.output()
