"""Server fixtures: an app on a throwaway database, SQLite and PostgreSQL alike.

SQLite: the migrated schema is built once per run and copied for each test. PostgreSQL: a
migrated database made once per run, copied into one throwaway database per session; each test
runs inside a transaction that is rolled back, its sessions in savepoints (as pypi/warehouse
does), on a connection of the session's one engine for that database (`postgres_engines`): one
PostgreSQL backend serves test after test. Tests that need real commits seen by other
connections or processes use `committed_app`, on a database of their own.

The demo is loaded once per run too (loading it takes seconds): `demo_loaded_app` runs on a
copy of that SQLite file, or in a rolled-back transaction on the session's copy of that
PostgreSQL database; `committed_demo_app` on a database of its own copied from it (CREATE
DATABASE ... TEMPLATE).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from psycopg import sql
from sqlalchemy.engine import Engine, make_url

from server import create_app
from server.db import Database, database, make_engine
from server.demo import load_demo
from server.migrate import upgrade
from server.services.accounts import Passwords
from server.taps.recorder import recorder
from tags.keyring import Keyring
from tests.support.demo import DEMO_LOADED, Demo
from tests.support.languages import LanguageFollowingClient
from tests.support.once import made_once, made_once_postgres
from tests.support.postgres import (
    admin_connection,
    create_postgres_database,
    drop_postgres_database,
)

# Tests written against the unprefixed addresses follow their redirect to a language's page.
Flask.test_client_class = LanguageFollowingClient
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database to copy (made once per run: see tests/support/once.py)."""

    def make(folder: Path) -> None:
        engine = make_engine(f"sqlite:///{folder / 'taptrail.db'}")
        upgrade(engine)
        engine.dispose()

    return made_once(tmp_path_factory, "template", make) / "taptrail.db"


@pytest.fixture(scope="session")
def postgres_template(postgres: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The name of a migrated PostgreSQL database made once per run, only ever copied."""

    def migrate(url: str, _folder: Path) -> None:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()

    return made_once_postgres(tmp_path_factory, postgres, "postgres-template", migrate)[0]


@pytest.fixture(scope="session")
def postgres_database(postgres: str, postgres_template: str) -> Iterator[str]:
    """A migrated throwaway PostgreSQL database for the session (the run's template, copied)."""
    url = create_postgres_database(postgres, postgres_template)
    yield url
    drop_postgres_database(postgres, url)


def settings(tmp_path: Path, url: str, ring: Keyring, **extra: Any) -> dict[str, Any]:
    """Test settings: this database, these keys, a spool and cache of its own, no thread."""
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SIGNING_KEYS": ring.to_json(),
        "SECRET_KEY": "test-secret",
        "SPOOL_DIR": str(tmp_path / "spool"),
        "CACHE_DIR": str(tmp_path / "cache"),
        "DRAIN_THREAD": False,
        "TAP_BASE_URL": "https://t.example.org",
        "PASSWORD_HASHING": "cheapest",  # argon2 at full cost would make sign-ins slow
        "MEDIA_DIR": str(tmp_path / "media"),
        "MOBILITY_DIR": str(tmp_path / "mobility"),
        **extra,
    }


def sqlite_copy(request: pytest.FixtureRequest, folder: Path) -> str:
    """The URL of a fresh copy of the migrated SQLite template in `folder`."""
    path = folder / "taptrail.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture(params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """Which database this test runs on."""
    return request.param


@pytest.fixture(scope="session")
def postgres_engines() -> Iterator[dict[str, Engine]]:
    """One engine per shared PostgreSQL database of the session, made on first use: its pooled
    connection serves one rolled-back test after another. An engine of each test's own app
    started a backend per test, and its first queries filled that backend's catalogue cache."""
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@contextlib.contextmanager
def rolled_back_app(config: dict[str, Any], engines: dict[str, Engine]) -> Iterator[Flask]:
    """The app on a PostgreSQL database it shares: all it does is rolled back afterwards. Its
    database runs on the session's engine for that database (postgres_engines), not its own."""
    application = create_app(config)
    db = database(application)
    own = db.engine  # never connected: disposed at the end all the same
    url = config["DATABASE_URL"]
    if url not in engines:
        engines[url] = make_engine(url)
    connection = engines[url].connect()
    outer = connection.begin()
    # The content version's triggers are deferred to a COMMIT that never comes here: run them
    # at each statement instead, so pages see the changes the test makes (server/visitor/pagecache).
    connection.exec_driver_sql("SET CONSTRAINTS content_changed, offer_edited IMMEDIATE")
    db.bind_to(connection)
    try:
        yield application
    finally:
        recorder(application).stop()
        outer.rollback()
        connection.close()  # back to the session's pool, its transaction rolled back
        own.dispose()


def release_postgres(request: pytest.FixtureRequest, url: str) -> None:
    """Close the session's pooled connections to the database at `url`: CREATE DATABASE ...
    TEMPLATE refuses a source database anyone is connected to."""
    engine = request.getfixturevalue("postgres_engines").pop(url, None)
    if engine is not None:
        engine.dispose()


@contextlib.contextmanager
def own_app(config: dict[str, Any]) -> Iterator[Flask]:
    """The app on a database of its own, closed afterwards."""
    application = create_app(config)
    try:
        yield application
    finally:
        recorder(application).stop()
        database(application).dispose()


@pytest.fixture
def app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app on a throwaway database."""
    if database_kind == "sqlite":
        with own_app(settings(tmp_path, sqlite_copy(request, tmp_path), keyring)) as application:
            yield application
        return
    url = request.getfixturevalue("postgres_database")
    engines = request.getfixturevalue("postgres_engines")
    with rolled_back_app(settings(tmp_path, url, keyring), engines) as application:
        yield application


@pytest.fixture
def committed_app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app on a database of its own, where commits are real (threads, processes)."""
    if database_kind == "sqlite":
        with own_app(settings(tmp_path, sqlite_copy(request, tmp_path), keyring)) as application:
            yield application
        return
    postgres = request.getfixturevalue("postgres")
    url = create_postgres_database(postgres, request.getfixturevalue("postgres_template"))
    try:
        with own_app(settings(tmp_path, url, keyring)) as application:
            yield application
    finally:
        drop_postgres_database(postgres, url)


def demo_traffic_copy(request: pytest.FixtureRequest, folder: Path) -> str:
    """The URL of a SQLite database of its own in `folder` holding the demo and its traffic,
    its photos copied there too."""
    return request.getfixturevalue("demo_traffic_sqlite").copy_sqlite(folder)


@pytest.fixture(scope="session")
def demo_postgres(
    postgres: str,
    postgres_template: str,
    keyring: Keyring,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:
    """A PostgreSQL database holding the demo: the run's (loaded once, by the first worker that
    asks), copied for this session; tests roll back on it or copy it."""

    def load(url: str, folder: Path) -> None:
        loaded = Database(url)
        with loaded.transaction() as session:
            # Its accounts' passwords are made up, never signed in with: cheapest, as settings().
            load_demo(
                session,
                keyring,
                "https://t.example.org",
                DEMO_LOADED,
                passwords=Passwords("cheapest"),
                media=folder / "media",
            )
        loaded.dispose()

    template, folder = made_once_postgres(
        tmp_path_factory, postgres, "postgres-demo", load, postgres_template
    )
    url = create_postgres_database(postgres, template)
    yield Demo(url, folder / "media", table_rows(url))
    drop_postgres_database(postgres, url)


def table_rows(url: str) -> dict[str, int]:
    """How many rows each table of the PostgreSQL database at `url` holds (one query: every
    test on the shared demo asks, after it is done)."""
    with admin_connection(url) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        counts = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {}, count(*) FROM {}").format(n, sql.Identifier(name))
            for n, name in enumerate(tables)
        )
        return {tables[n]: rows for n, rows in connection.execute(counts)}


def demo_copy(request: pytest.FixtureRequest, database_kind: str, folder: Path) -> str:
    """The URL of a database of its own holding the demo, its photos copied into `folder`."""
    if database_kind == "sqlite":
        return request.getfixturevalue("demo_sqlite").copy_sqlite(folder)
    demo = request.getfixturevalue("demo_postgres")
    demo.copy_media(folder)
    release_postgres(request, demo.url)
    return create_postgres_database(
        request.getfixturevalue("postgres"), make_url(demo.url).database
    )


@pytest.fixture
def demo_loaded_app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app with the demo as loaded at DEMO_LOADED: on SQLite a copy of the session's demo
    database, on PostgreSQL the session's demo database in a transaction rolled back after."""
    if database_kind == "sqlite":
        url = demo_copy(request, database_kind, tmp_path)
        with own_app(settings(tmp_path, url, keyring)) as application:
            yield application
        return
    demo = request.getfixturevalue("demo_postgres")
    demo.copy_media(tmp_path)
    engines = request.getfixturevalue("postgres_engines")
    with rolled_back_app(settings(tmp_path, demo.url, keyring), engines) as application:
        yield application
    # Shared by every test after this one: what it wrote outside the rolled-back transaction
    # (a connection of its own) would show in theirs, and pass or fail them by order.
    assert table_rows(demo.url) == demo.rows, "this test wrote to the shared demo database"


@pytest.fixture
def committed_demo_app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app with the demo, on a database of its own where commits are real."""
    url = demo_copy(request, database_kind, tmp_path)
    try:
        with own_app(settings(tmp_path, url, keyring)) as application:
            yield application
    finally:
        if database_kind != "sqlite":
            drop_postgres_database(request.getfixturevalue("postgres"), url)


@pytest.fixture
def client(app: Flask):
    """A test client of `app`."""
    return app.test_client()
