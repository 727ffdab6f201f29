"""What an operator monitors: /healthz, /livez and taptrail status, for one host's taps."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from server.cli import main
from server.db import database
from server.taps import quarantine
from server.taps.drainer import DrainerLoop
from server.taps.health import beat
from server.taps.spool import Spool
from tests.server.test_quarantine import cli_env
from tests.server.test_spool import record


def a_drainer_beat(app, **state) -> None:
    beat(app.config["SPOOL_DIR"], {"pid": 1, "restarts": 0, "last_error": None, **state})


def test_livez_answers_whatever_the_spool_or_database(client):
    response = client.get("/livez")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_fails_until_a_drainer_has_run(app, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "failing"
    assert response.json["problems"] == ["no drainer has ever run on this spool"]
    assert response.headers["Cache-Control"] == "no-store"

    a_drainer_beat(app)
    healthy = client.get("/healthz")
    assert healthy.status_code == 200, healthy.json
    body = healthy.json
    assert (body["status"], body["backlog"], body["quarantined"], body["database"]) == (
        "ok",
        0,
        0,
        "ok",
    )
    assert body["drainer"]["seconds_since_beat"] < 5


def test_healthz_says_when_taps_wait_too_long_or_are_quarantined(app, client):
    a_drainer_beat(app)
    spool = Spool(app.config["SPOOL_DIR"])
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    spool.append({**record(1), "at": old.isoformat()})
    spool.append(record(2))
    spool.close()
    quarantine.add(app.config["SPOOL_DIR"], key="k", reason="a test", segment="s", tap=record(3))

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json
    assert body["backlog"] == 2 and 590 < body["oldest_waiting_seconds"] < 700
    assert body["quarantined"] == 1
    assert any("oldest waiting tap" in problem for problem in body["problems"])
    assert any("1 taps are quarantined" in problem for problem in body["problems"])


def test_healthz_says_when_the_drainer_stopped_beating(app, client):
    a_drainer_beat(app)
    heartbeat = Path(app.config["SPOOL_DIR"]) / ".drainer.json"
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    heartbeat.write_text(
        heartbeat.read_text().replace('"beat_at":"', f'"beat_at":"{stale}", "x":"')
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "the drainer's last heartbeat is 60 s old" in response.json["problems"]


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_running_drainer_keeps_healthz_green_and_reports_its_restarts(committed_app):
    app = committed_app
    stop = threading.Event()
    loop = DrainerLoop(database(app), Path(app.config["SPOOL_DIR"]), interval=0.05, restarts=3)
    thread = threading.Thread(target=loop.run, args=(stop,), kwargs={"heartbeat_thread": True})
    thread.start()
    try:
        Spool(app.config["SPOOL_DIR"]).append(record(1))
        client = app.test_client()
        for _ in range(100):
            body = client.get("/healthz").json
            if body["backlog"] == 0 and body["drainer"]["last_drain_at"]:
                break
            stop.wait(0.05)
        assert body["status"] == "ok" and body["backlog"] == 0, body
        assert body["drainer"]["restarts"] == 3 and body["drainer"]["last_drain_at"]
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_taptrail_status_prints_the_same_and_exits_1_when_failing(committed_app, runner):
    env = cli_env(committed_app)
    failing = runner.invoke(main, ["status"], env=env)
    assert failing.exit_code == 1
    assert "status      FAILING" in failing.output
    assert "no drainer has ever run on this spool" in failing.output

    a_drainer_beat(committed_app, restarts=2)
    healthy = runner.invoke(main, ["status"], env=env)
    assert healthy.exit_code == 0, healthy.output
    assert "waiting     0 taps" in healthy.output and "restarted 2 times" in healthy.output
    as_json = runner.invoke(main, ["status", "--json"], env=env)
    assert '"status": "ok"' in as_json.output
