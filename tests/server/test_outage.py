"""With the database unreachable, a tap still lands on the place page and waits in the spool."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from server import create_app
from server.db import Database, database
from server.models import Tap
from server.taps.drain import drain
from server.taps.recorder import recorder
from tests.server.conftest import settings
from tests.server.factories import PHONE, installed_sticker
from tests.support.postgres import create_postgres_database, drop_postgres_database
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def outage(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring
) -> Iterator[tuple[Flask, Callable[[], None], Callable[[], None]]]:
    """An app whose database can be cut off and brought back: (app, cut, restore)."""
    extra = {"STICKER_CACHE_SECONDS": 0}  # every tap asks the database first
    if database_kind == "sqlite":
        folder = tmp_path / "db"
        folder.mkdir()
        shutil.copy(request.getfixturevalue("sqlite_template"), folder / "taptrail.db")
        app = create_app(
            settings(tmp_path, f"sqlite:///{folder / 'taptrail.db'}", keyring, **extra)
        )

        def cut() -> None:
            database(app).dispose()
            folder.rename(tmp_path / "away")  # new connections cannot open the file

        def restore() -> None:
            (tmp_path / "away").rename(folder)

        yield app, cut, restore
        database(app).dispose()
        return
    postgres = request.getfixturevalue("postgres")
    url = create_postgres_database(postgres, request.getfixturevalue("postgres_template"))
    target = make_url(url)
    proxies = [TcpProxy(target.host, target.port or 5432)]

    def via_proxy() -> str:
        return target.set(host="127.0.0.1", port=proxies[-1].port).render_as_string(False)

    app = create_app(settings(tmp_path, via_proxy(), keyring, **extra))

    def cut_postgres() -> None:
        proxies[-1].stop()

    def restore_postgres() -> None:
        # The same address again: a new proxy, then point the engine at it.
        proxies.append(TcpProxy(target.host, target.port or 5432))
        database(app).dispose()
        fresh = Database(via_proxy())
        app.extensions["taptrail.db"] = fresh
        recorder(app).database = fresh
        app.extensions["taptrail.stickers"].database = fresh

    yield app, cut_postgres, restore_postgres
    proxies[-1].stop()
    database(app).dispose()
    drop_postgres_database(postgres, url)


def test_taps_wait_in_the_spool_and_the_place_page_comes_from_its_copy(outage):
    app, cut, restore = outage
    sticker = installed_sticker(app)
    path = sticker["url"].removeprefix("https://t.example.org")
    client = app.test_client()
    assert client.get(path, headers={"User-Agent": PHONE}).status_code == 303
    english = {"Accept-Language": "en"}  # each language has its own copy
    fresh = client.get("/p/la-piscine", headers=english)
    assert fresh.status_code == 200 and "X-TapTrail-Copy" not in fresh.headers

    cut()
    during = client.get(path, headers={"User-Agent": PHONE})
    assert during.status_code == 303 and during.headers["Location"] == "/fr/p/la-piscine"
    page = client.get("/p/la-piscine", headers=english)
    assert page.status_code == 200 and "La Piscine" in page.text, page.text
    assert "X-TapTrail-Copy" in page.headers and "Shown as of" in page.text, page.text
    with pytest.raises(Exception):  # noqa: B017 - whichever driver error: the database is away
        drain(database(app), app.config["SPOOL_DIR"])
    assert client.get("/api/v1/places").status_code == 503

    restore()
    recorder(app).drain_now()
    with database(app).sessions() as session:
        assert session.scalar(select(func.count(Tap.id))) == 2
        assert (
            session.scalar(select(func.count(Tap.id)).where(Tap.sticker_id == sticker["tag_id"]))
            == 2
        )
