"""The poller against a real loopback server that changes, breaks, slows and removes its files."""

from __future__ import annotations

import datetime as dt
import threading
import time

import orjson

from server.demo import mobility as demo
from server.mobility.poller import MAX_BACKOFF, PollerLoop
from tests.server.mobility.conftest import NOW, feed, poller, publish_gbfs


def parkings(server, now=NOW, **change):
    records = demo.lille_parkings(now)
    records[0] |= change
    server.write("parkings.json", orjson.dumps(records))
    return f"{server.url}/parkings.json"


def test_conditional_get_asks_with_the_validators_and_reuses_the_kept_files(server, store):
    url = publish_gbfs(server, "2.3")
    loop = poller(store)
    settings = feed("vlille", "gbfs", url)
    assert loop.poll(settings)
    written = (store.directory / "vlille.snapshot.json").stat().st_mtime_ns
    assert loop.poll(settings)
    assert server.answered("gbfs/station_status.json") == [200, 304]
    asked = [headers for name, headers in server.requests if name == "gbfs/gbfs.json"][-1]
    assert asked["If-None-Match"].startswith('"')
    assert "If-Modified-Since" in asked
    assert (store.directory / "vlille.snapshot.json").stat().st_mtime_ns == written
    # One file changes: it alone is sent again, and the others come from the kept copies.
    later = NOW + dt.timedelta(minutes=7)
    status = demo.gbfs_files(f"{server.url}/gbfs", "2.3", later)["station_status"]
    server.write("gbfs/station_status.json", orjson.dumps(status))
    assert loop.poll(settings)
    assert server.answered("gbfs/station_status.json") == [200, 304, 200]
    assert server.answered("gbfs/station_information.json") == [200, 304, 304]
    piscine = next(s for s in store.snapshot("vlille").items if s["id"] == "10")
    assert piscine["bikes"] == demo._wave("10", later, 20)
    assert dt.datetime.fromisoformat(piscine["updated_at"]) == later


def test_failures_back_off_exponentially_and_the_last_good_data_stays(server, store):
    url = parkings(server, dispo=99)
    clock = [NOW]
    loop = PollerLoop([], store, poller(store).fetcher, now=lambda: clock[0])
    settings = feed("parkings", "lille-parkings", url, every=60)
    assert loop.poll(settings)
    server.status["parkings.json"] = 503
    waits = []
    for _ in range(7):
        assert not loop.poll(settings)
        state = store.state("parkings")
        waits.append(
            (dt.datetime.fromisoformat(state["next_attempt_at"]) - clock[0]).total_seconds()
        )
        clock[0] += dt.timedelta(seconds=waits[-1])
    assert waits == [60, 120, 240, 480, 960, MAX_BACKOFF, MAX_BACKOFF]
    state = store.state("parkings")
    assert state["failures"] == 7
    assert state["last_error"] == f"HTTP 503 from {url}"
    assert dt.datetime.fromisoformat(state["last_success_at"]) == NOW
    assert store.snapshot("parkings").items[0]["free"] == 99
    del server.status["parkings.json"]
    assert loop.poll(settings)
    assert store.state("parkings")["failures"] == 0


def test_a_removed_a_slow_and_a_trickling_feed_fail_within_the_timeout(server, store):
    url = parkings(server, dispo=7)
    loop = poller(store, timeout=0.5)
    settings = feed("parkings", "lille-parkings", url)
    assert loop.poll(settings)
    server.remove("parkings.json")
    assert not loop.poll(settings)
    assert "HTTP 404" in store.state("parkings")["last_error"]
    parkings(server, dispo=8)
    server.delay = 2.0
    started = time.monotonic()
    assert not loop.poll(settings)
    assert time.monotonic() - started < 1.9
    assert "did not answer within 0.5 s" in store.state("parkings")["last_error"]
    server.delay, server.trickle = 0.0, 0.2  # bytes keep coming, slowly: the deadline holds
    big = demo.lille_parkings(NOW) * 20
    server.write("parkings.json", orjson.dumps(big))
    started = time.monotonic()
    assert not loop.poll(settings)
    assert time.monotonic() - started < 1.5
    assert "took more than 0.5 s" in store.state("parkings")["last_error"]
    assert store.snapshot("parkings").items[0]["free"] == 7


def test_an_enormous_feed_is_dropped_at_the_size_limit(server, store):
    url = parkings(server, dispo=7)
    loop = poller(store, max_bytes=50_000)
    settings = feed("parkings", "lille-parkings", url)
    assert loop.poll(settings)
    server.write("parkings.json", b"[" + b" " * 5_000_000 + b"]")  # 5 MB of nothing
    assert not loop.poll(settings)
    assert "over 50,000" in store.state("parkings")["last_error"]
    assert store.snapshot("parkings").items[0]["free"] == 7


def test_a_feed_that_is_not_json_is_refused(server, store):
    url = parkings(server, dispo=7)
    loop = poller(store)
    settings = feed("parkings", "lille-parkings", url)
    assert loop.poll(settings)
    server.write("parkings.json", "<html>maintenance</html>")
    assert not loop.poll(settings)
    assert "is not JSON" in store.state("parkings")["last_error"]
    assert store.snapshot("parkings").items[0]["free"] == 7


def test_the_running_poller_follows_changes_and_one_bad_feed_stops_no_other(server, store):
    gbfs_url = publish_gbfs(server, "3.0")
    park_url = parkings(server, dispo=1)
    feeds = [
        feed("down", "lille-parkings", f"{server.url}/nothing.json", every=0.2),
        feed("vlille", "gbfs", gbfs_url, every=0.2),
        feed("parkings", "lille-parkings", park_url, every=0.2),
    ]
    loop = poller(store, *feeds)
    stop = threading.Event()
    import server.mobility.poller as module

    module.TICK = 0.05
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while store.snapshot("parkings") is None and time.monotonic() < deadline:
            time.sleep(0.05)
        parkings(server, dispo=2)
        while time.monotonic() < deadline:
            snapshot = store.snapshot("parkings")
            if snapshot is not None and snapshot.items[0]["free"] == 2:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
        module.TICK = 1.0
    assert store.snapshot("parkings").items[0]["free"] == 2
    assert len(store.snapshot("vlille").items) == len(demo.STATIONS)
    assert store.state("down")["failures"] >= 1
    assert store.snapshot("down") is None
    beat = store.heartbeat()
    assert beat["feeds"] == ["down", "vlille", "parkings"]


def test_the_heartbeat_goes_on_while_a_slow_feed_is_fetched(server, store):
    """Four GBFS files each slow to answer: the running poller writes its heartbeat before
    each, not only when the round is over, so a slow outside server does not look like a dead
    poller; a one-off poll writes none."""
    url = publish_gbfs(server, "2.3")
    server.delay = 0.3
    assert poller(store).poll(feed("vlille", "gbfs", url))
    assert store.heartbeat() is None
    loop = poller(store, feed("slow", "gbfs", url))
    stop = threading.Event()
    stop.set()  # one round, then leave
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    seen_during_round = set()
    while thread.is_alive():
        beat = store.heartbeat()
        if beat is not None:
            seen_during_round.add(beat["beat_at"])
        time.sleep(0.02)
    # One beat before each of the four files, 0.3 s apart, and the round's own at the end.
    assert len(seen_during_round) >= 3
