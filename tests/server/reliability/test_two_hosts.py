"""Two hosts, one database: two gunicorns, each with its own spool, cache and supervised drainer
(as on two machines behind a reverse proxy), take bursts of taps at once on one PostgreSQL.

Every answered tap is stored exactly once whichever host answered it, and the rollups that both
drainers refresh at the same time (every second here) equal a recount of the raw taps.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.db import database
from server.models import Audience, StickerDay, Tap
from server.services import rollups
from tests.server.factories import installed_sticker
from tests.server.reliability.test_tap_storage import assert_exactly_stored
from tests.support.gunicorn import Burst, gunicorns, server_env

pytestmark = [pytest.mark.postgres, pytest.mark.filterwarnings("ignore::ResourceWarning")]

TAPS_PER_HOST = 200  # answered by each host during the bursts, at least
BURST_SECONDS = 3.0  # and the bursts last this long at least: three rollup intervals


@pytest.fixture
def database_kind() -> str:
    """Several hosts share a database server: PostgreSQL."""
    return "postgresql"


@pytest.fixture
def sticker_path(committed_app) -> str:
    """The path of an installed sticker's tap URL."""
    return installed_sticker(committed_app)["url"].removeprefix("https://t.example.org")


def host_env(app, folder: Path) -> dict[str, str]:
    """One host's settings: the shared database, its own spool and cache."""
    folder.mkdir()
    return server_env(
        app,
        TAPTRAIL_SPOOL_DIR=str(folder / "spool"),
        TAPTRAIL_CACHE_DIR=str(folder / "cache"),
        TAPTRAIL_ROLLUP_INTERVAL="1",  # both drainers refresh the rollups, often, at once
    )


def person_taps_counted(app) -> int:
    with database(app).sessions() as session:
        return session.scalar(
            select(func.coalesce(func.sum(StickerDay.taps), 0)).where(
                StickerDay.audience == Audience.PERSON
            )
        )


def test_two_hosts_on_one_database_store_every_tap_once_and_count_them_right(
    committed_app, sticker_path, tmp_path
):
    app = committed_app
    hosts = [host_env(app, tmp_path / "host-a"), host_env(app, tmp_path / "host-b")]
    # One worker per host: many workers on one spool are tap_storage's; here it is two hosts.
    with gunicorns(hosts, workers=1) as (first, second):
        assert first.spool != second.spool
        started = time.monotonic()
        bursts = [Burst(server.url, sticker_path, clients=6).start() for server in (first, second)]
        for burst in bursts:  # each host under load, at the same time
            burst.wait_for(TAPS_PER_HOST)
        time.sleep(max(0.0, BURST_SECONDS - (time.monotonic() - started)))
        for burst in bursts:
            burst.stop()
        assert all(burst.answered for burst in bursts), "a host answered no tap"
        assert_exactly_stored(app, *bursts)
        answered = sum(len(burst.answered) for burst in bursts)
        with database(app).sessions() as session:
            stored = session.scalar(select(func.count()).select_from(Tap))
        assert stored == answered
    # Both drainers refreshed the rollups while the other stored taps; one more refresh (as the
    # next drainer round would) takes the last marks, then the rollups equal the recount.
    now = dt.datetime.now(dt.UTC)
    rollups.refresh(database(app), now)
    assert rollups.check(database(app), now=now).differences == []
    assert person_taps_counted(app) == answered
