"""The spool: durable before the response, drained once, never doubled, even across crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest

from server.db import database
from server.taps import drain as drain_module
from server.taps import quarantine
from server.taps.drain import drain
from server.taps.drainer import RUSH_LOOK_SECONDS, DrainerLoop
from server.taps.spool import Spool, segments
from tests.server.factories import drained_taps, installed_sticker, spool_record


def record(number: int, tag_id: int | None = None, **fields) -> dict:
    """A spooled tap as the tap path writes it."""
    return spool_record(
        f"{number:032x}",
        f"2026-05-01T10:{number // 60 % 60:02d}:{number % 60:02d}+00:00",
        tag_id,
        outcome="ok" if tag_id else "malformed",
        **fields,
    )


def count_taps(app) -> int:
    return len(drained_taps(app))


def test_draining_twice_stores_each_tap_once(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    for number in range(5):
        spool.append(record(number))
    first = drain(database(app), spool.directory)
    again = drain(database(app), spool.directory)
    assert (first.stored, again.stored) == (5, 0)
    spool.append(record(5))
    assert drain(database(app), spool.directory).stored == 1
    spool.close()


def test_a_crash_between_commit_and_offset_doubles_nothing(app, tmp_path, monkeypatch):
    spool = Spool(tmp_path / "spool")
    for number in range(7):
        spool.append(record(number))
    real = drain_module._write_offset

    def crash(*args):
        raise KeyboardInterrupt("killed after the commit, before the offset")

    monkeypatch.setattr(drain_module, "_write_offset", crash)
    with pytest.raises(KeyboardInterrupt):
        drain(database(app), spool.directory)
    monkeypatch.setattr(drain_module, "_write_offset", real)
    report = drain(database(app), spool.directory)
    assert (report.stored, report.skipped) == (0, 7)
    spool.close()
    app.config["SPOOL_DIR"] = str(spool.directory)
    assert count_taps(app) == 7


def test_the_backlog_counts_the_taps_still_waiting(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    for number in range(3):
        spool.append(record(number))
    assert drain_module.backlog(spool.directory) == 3
    assert drain_module.backlog_bytes(spool.directory) == spool.path.stat().st_size
    drain(database(app), spool.directory)
    assert drain_module.backlog(spool.directory) == drain_module.backlog_bytes(spool.directory) == 0
    spool.append(record(3))
    assert drain_module.backlog(spool.directory) == 1
    spool.close()


def test_the_pacer_lets_a_rush_pass_but_not_for_ever(tmp_path):
    spool = Spool(tmp_path / "spool")
    pacer = drain_module.Pacer(spool.directory, max_defer=30, busy_bytes=1000)
    assert pacer.should_drain(now=0)  # nothing arrived: drain
    for number in range(20):  # about 4 KB of taps since the last look: a rush
        spool.append(record(number))
    assert not pacer.should_drain(now=1)
    spool.append(record(20))  # then a quiet round: drain at once
    assert pacer.should_drain(now=2)
    for second in range(3, 40):  # a rush that goes on is still drained every 30 s
        for number in range(20):
            spool.append(record(second * 100 + number))
        if pacer.should_drain(now=second):
            break
    assert second == 33
    spool.close()


def test_the_pacer_judges_a_rush_per_second_however_often_it_looks(tmp_path):
    spool = Spool(tmp_path / "spool")
    line = len(orjson.dumps(record(0))) + 1
    pacer = drain_module.Pacer(spool.directory, max_defer=30, busy_bytes=6 * line)
    assert pacer.should_drain(now=0)
    for look in range(1, 5):  # a tap every quarter of a second: 4 a second, not a rush
        spool.append(record(look))
        assert pacer.should_drain(now=look / 4)
    for number in range(3):  # 3 taps in a quarter of a second: 12 a second, a rush
        spool.append(record(100 + number))
    assert not pacer.should_drain(now=1.25)
    assert pacer.should_drain(now=1.5)  # the rush is over: drained a quarter second later
    spool.close()


def test_a_sealed_segment_is_removed_once_drained_and_a_live_one_is_kept(app, tmp_path):
    live, sealed = Spool(tmp_path / "spool"), Spool(tmp_path / "spool")
    live.append(record(1))
    sealed.append(record(2))
    sealed.close()
    report = drain(database(app), tmp_path / "spool")
    assert report.stored == 2 and report.segments_removed == 1
    assert segments(tmp_path / "spool") == [live.path]
    live.close()


def test_a_line_longer_than_a_read_is_quarantined_and_the_taps_after_it_stored(
    app, tmp_path, monkeypatch
):
    monkeypatch.setattr(drain_module, "READ_BYTES", 512)
    spool = Spool(tmp_path / "spool")
    spool.append(record(1))
    spool.append(record(2, browser="x" * 2000))  # four reads long
    spool.append(record(3))
    spool.close()
    report = drain(database(app), spool.directory)
    assert (report.stored, report.quarantined, report.segments_removed) == (2, 1, 1)
    assert sorted(tap.id for tap in drained_taps(app)) == [f"{1:032x}", f"{3:032x}"]
    assert quarantine.keys(spool.directory) == {f"{2:032x}"}


def test_one_drainer_at_a_time(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.append(record(1))
    with drain_module.drain_lock(tmp_path / "spool", wait=False) as held:
        assert held
        assert drain(database(app), tmp_path / "spool").busy
    assert drain(database(app), tmp_path / "spool").stored == 1
    spool.close()


WRITER = textwrap.dedent(
    """
    import sys, os
    from server.taps.spool import Spool
    spool = Spool(sys.argv[1], fsync="never")
    for n in range(int(sys.argv[2])):
        spool.append({"id": f"{n:032x}", "at": "2026-05-01T10:00:00+00:00", "code": "X",
                      "tag_id": None, "outcome": "malformed", "visitor_id": "v",
                      "visitor_kind": "hash", "human": True, "method": "GET"})
    print("written", flush=True)
    sys.stdin.read()  # wait to be killed, segment still open
    """
)


def test_a_killed_worker_loses_nothing_it_wrote(app, tmp_path):
    directory = tmp_path / "spool"
    worker = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory), "300"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "written"
        assert drain(database(app), directory).segments_removed == 0  # still alive: kept
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        worker.stdin.close()
        worker.stdout.close()
    report = drain(database(app), directory)
    assert report.segments_removed == 1 and segments(directory) == []
    app.config["SPOOL_DIR"] = str(directory)
    assert count_taps(app) == 300


def test_the_background_drainer_stores_taps_without_help(committed_app):
    committed_app.config["DRAIN_INTERVAL"] = 0.05
    from server.taps.recorder import Recorder

    recorder = Recorder(committed_app)
    recorder.threaded = True
    installed_sticker(committed_app)
    recorder.record(record(1, tag_id=1001))
    deadline = time.monotonic() + 10
    from sqlalchemy import func, select

    from server.models import Tap

    while time.monotonic() < deadline:
        with database(committed_app).sessions() as session:
            if session.scalar(select(func.count(Tap.id))) == 1:
                break
        time.sleep(0.05)
    recorder.stop()
    with database(committed_app).sessions() as session:
        assert session.scalar(select(Tap.sticker_id)) == 1001


def test_a_drainer_beside_the_workers_looks_often_while_a_rush_passes(app, tmp_path):
    spool = Spool(Path(app.config["SPOOL_DIR"]))
    loop = DrainerLoop(database(app), spool.directory, interval=0.25, pace=True)
    assert loop.round(0.0, 0.25) == 0.25  # quiet: drained, the next look a quarter second on
    for number in range(200):  # about 40 KB in a twentieth of a second: a rush
        spool.append(record(number))
    assert loop.round(0.05, 0.25) == RUSH_LOOK_SECONDS < 0.25  # let pass, looked at again soon
    assert drain_module.backlog(spool.directory) == 200
    assert loop.round(0.05 + RUSH_LOOK_SECONDS, RUSH_LOOK_SECONDS) == 0.25  # over: drained
    assert drain_module.backlog(spool.directory) == 0
    spool.close()
