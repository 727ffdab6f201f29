"""Staff see each mobility feed's state: last success, last error, failures, and the poller."""

from __future__ import annotations

import orjson

from server.demo import mobility as demo
from server.mobility.feeds import FeedSettings
from server.mobility.live import Mobility
from server.mobility.poller import PollerLoop
from server.mobility.store import Store
from tests.server.mobility.conftest import NOW
from tests.support.feed_server import feed_server
from tests.support.html import page, text


def test_staff_see_each_feed_state_and_its_last_error(app, seed, signed_in, tmp_path):
    staff = signed_in("staff")
    assert "No feed is configured" in text(page(staff.get("/portal/staff/feeds")).find("main"))
    with feed_server(tmp_path / "served") as server:
        server.write("parkings.json", orjson.dumps(demo.lille_parkings(NOW)))
        feeds = [
            FeedSettings("parkings", "lille-parkings", f"{server.url}/parkings.json", 60, 900),
            FeedSettings("down", "lille-parkings", f"{server.url}/gone.json", 60, 900),
        ]
        live = Mobility(feeds, Store(app.config["MOBILITY_DIR"]))
        app.extensions["taptrail.mobility"] = live
        PollerLoop(feeds, live.store).round()
    main = page(staff.get("/portal/staff/feeds")).find("main")
    rows = [text(row) for row in main.find_all("tr")[1:]]
    assert rows[0].startswith("parkings lille-parkings ok 2")
    assert rows[1].startswith("down lille-parkings failing · 1 failures in a row 0")
    assert "HTTP 404" in rows[1]
    assert "last heartbeat" in text(main)
