"""Every answered tap is stored, whatever happens to the server: the real gunicorn, its workers
and its supervised drainer, on SQLite and PostgreSQL, under bursts of taps from many clients.

Each tap of a burst carries its own visitor cookie, which becomes the stored tap's visitor id,
so the counts are exact: every tap answered 303 is in the database, and nothing else is.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from server.cli import main
from server.db import database
from server.models import Tap
from tests.server.factories import installed_sticker
from tests.support.gunicorn import Burst, gunicorn, no_process_left, server_env, tap_once
from tests.support.processes import alive, wait_until
from tests.support.tcp_proxy import TcpProxy

STORED_WITHIN = 90  # seconds for the drainer to store what a burst left in the spool
# Taps answered before a blow (a kill, an outage) and again after it: the blow falls mid-burst.
UNDER_WAY = 40
# An outage lasts at least this long: several of the drainer's looks (every 0.25 s) fail in it.
OUTAGE_SECONDS = 2.0


@pytest.fixture
def sticker_path(committed_app) -> str:
    """The path of an installed sticker's tap URL."""
    return installed_sticker(committed_app)["url"].removeprefix("https://t.example.org")


def stored_visitors(app) -> set[str]:
    with database(app).sessions() as session:
        return set(session.scalars(select(Tap.visitor_id)))


def assert_exactly_stored(app, *bursts: Burst) -> None:
    """Every answered tap is stored; what is stored was sent (no tap doubled, none made up)."""
    answered = set().union(*(burst.answered for burst in bursts))
    assert answered, "the burst got no answer at all"
    assert wait_until(lambda: answered <= stored_visitors(app), timeout=STORED_WITHIN), (
        f"{len(answered - stored_visitors(app))} of {len(answered)} answered taps not stored"
    )
    with database(app).sessions() as session:
        rows = list(session.scalars(select(Tap.visitor_id).where(Tap.sticker_id.is_not(None))))
    assert len(rows) == len(set(rows)), "a tap was stored twice"
    sent = {visitor for visitor in rows if any(visitor.startswith(b._prefix) for b in bursts)}
    assert answered <= sent


def test_a_poison_pill_then_n_taps_stores_the_n(committed_app, sticker_path):
    with gunicorn(server_env(committed_app)) as server:
        for poison in ("/AB%00CD", "/p/%00", "/shop/%00", "/api/v1/places/%00"):
            assert tap_once(server.url, poison) < 500, poison
        burst = Burst(server.url, sticker_path, clients=4).run_for(200)
        assert_exactly_stored(committed_app, burst)
        with database(committed_app).sessions() as session:
            assert not [code for code in session.scalars(select(Tap.code)) if "\x00" in code]


def test_a_drainer_killed_during_a_burst_is_started_again_and_loses_nothing(
    committed_app, sticker_path
):
    with gunicorn(server_env(committed_app)) as server:
        assert wait_until(server.draining, timeout=60), server.output()  # booted, not booting
        first = server.drainer()
        burst = Burst(server.url, sticker_path).start().wait_for(UNDER_WAY)
        os.kill(first, signal.SIGKILL)
        burst.wait_for(UNDER_WAY).stop()
        assert wait_until(lambda: server.drainer() not in (None, first), timeout=10), (
            server.output()
        )
        assert_exactly_stored(committed_app, burst)
        assert wait_until(lambda: server.heartbeat()["restarts"] == 1, timeout=10)
        assert server.heartbeat()["pid"] == server.drainer()


def test_a_worker_killed_during_a_burst_loses_no_answered_tap(committed_app, sticker_path):
    with gunicorn(server_env(committed_app)) as server:
        burst = Burst(server.url, sticker_path).start().wait_for(UNDER_WAY)
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)
        burst.wait_for(UNDER_WAY).stop()
        assert wait_until(lambda: victim not in server.workers(), timeout=10)
        assert_exactly_stored(committed_app, burst)


def test_a_master_killed_during_a_burst_leaves_no_orphan_and_loses_no_answered_tap(
    committed_app, sticker_path, runner
):
    env = server_env(committed_app)
    with gunicorn(env) as server:
        burst = Burst(server.url, sticker_path).start().wait_for(UNDER_WAY)
        family = [server.drainer(), *server.workers()]
        os.kill(server.master.pid, signal.SIGKILL)
        server.master.wait()
        burst.wait_for(UNDER_WAY).stop()  # the orphaned workers answer, and spool, taps too
        assert no_process_left(family), (
            f"still alive: {[pid for pid in family if alive(pid)]}\n{server.output()}"
        )
    # What the dead master's workers answered waits in the spool for the next drain: the
    # operator's `taptrail drain`, run here in this process (its own would only add a boot).
    drained = runner.invoke(main, ["drain"], env={**os.environ, **env})
    assert drained.exit_code == 0, drained.output
    assert_exactly_stored(committed_app, burst)


def test_a_database_outage_during_a_burst_loses_nothing(committed_app, sticker_path, database_kind):
    app = committed_app
    if database_kind == "sqlite":
        env = server_env(app)
        holder = create_engine(app.config["DATABASE_URL"])

        def cut() -> None:  # another process holds the write lock: every writer must wait
            connection = holder.raw_connection()
            connection.execute("BEGIN EXCLUSIVE")
            held.append(connection)

        def restore() -> None:
            held.pop().rollback()

        held: list = []
    else:
        target = make_url(app.config["DATABASE_URL"])
        proxy = [TcpProxy(target.host, target.port or 5432)]
        port = proxy[0].port
        env = server_env(
            app,
            TAPTRAIL_DATABASE_URL=target.set(host="127.0.0.1", port=port).render_as_string(
                hide_password=False
            ),
        )

        def cut() -> None:  # the database is unreachable: connections refused and broken
            proxy.pop().stop()

        def restore() -> None:
            proxy.append(TcpProxy(target.host, target.port or 5432, port=port))

    with gunicorn(env) as server:
        warm = Burst(server.url, sticker_path, clients=2).run_for(20)  # the sticker is cached
        assert_exactly_stored(app, warm)
        burst = Burst(server.url, sticker_path).start().wait_for(UNDER_WAY)
        cut()
        away_since = time.monotonic()
        burst.wait_for(UNDER_WAY)  # taps answered while the database is away
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - away_since)))
        restore()
        burst.wait_for(UNDER_WAY).stop()
        assert_exactly_stored(app, warm, burst)
    if database_kind == "sqlite":
        holder.dispose()
    else:
        for remaining in proxy:
            remaining.stop()
