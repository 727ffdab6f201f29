"""Server fixtures: an app on a throwaway database, SQLite and PostgreSQL alike.

SQLite: the migrated schema is built once per session and copied for each test. PostgreSQL: one
throwaway database per session, migrated once; each test runs inside a transaction that is
rolled back, its sessions in savepoints (as pypi/warehouse does). Tests that need real commits
seen by other connections or processes use `committed_app`, on a database of their own.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from server import create_app
from server.db import database, make_engine
from server.migrate import upgrade
from server.taps.recorder import recorder
from tags.keyring import Keyring
from tests.support.languages import LanguageFollowingClient

# Tests written against the unprefixed addresses follow their redirect to a language's page.
Flask.test_client_class = LanguageFollowingClient
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    """A signing keyring for the whole session (two keys: 1 verifies, 2 signs)."""
    return Keyring.create().rotate()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database to copy."""
    path = tmp_path_factory.mktemp("template") / "taptrail.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _admin(url: str) -> psycopg.Connection:
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.database,
        autocommit=True,
    )


def create_postgres_database(base_url: str, template: str | None = None) -> str:
    """Create an empty (or copied) throwaway database next to `base_url`; return its URL."""
    name = f"taptrail_test_{secrets.token_hex(4)}"
    with _admin(base_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, url: str) -> None:
    """Drop a throwaway database, closing whatever still holds it."""
    with _admin(base_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database(postgres: str) -> Iterator[str]:
    """A migrated throwaway PostgreSQL database for the session."""
    url = create_postgres_database(postgres)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
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


@pytest.fixture
def app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app on a throwaway database."""
    if database_kind == "sqlite":
        application = create_app(settings(tmp_path, sqlite_copy(request, tmp_path), keyring))
        yield application
        recorder(application).stop()
        database(application).dispose()
        return
    url = request.getfixturevalue("postgres_database")
    application = create_app(settings(tmp_path, url, keyring))
    db = database(application)
    connection = db.engine.connect()
    outer = connection.begin()
    db.bind_to(connection)
    yield application
    recorder(application).stop()
    outer.rollback()
    connection.close()
    db.dispose()


@pytest.fixture
def committed_app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app on a database of its own, where commits are real (threads, processes)."""
    if database_kind == "sqlite":
        url = sqlite_copy(request, tmp_path)
    else:
        postgres = request.getfixturevalue("postgres")
        template = make_url(request.getfixturevalue("postgres_database")).database
        url = create_postgres_database(postgres, template)
    application = create_app(settings(tmp_path, url, keyring))
    yield application
    recorder(application).stop()
    database(application).dispose()
    if database_kind != "sqlite":
        drop_postgres_database(request.getfixturevalue("postgres"), url)


@pytest.fixture
def client(app: Flask):
    """A test client of `app`."""
    return app.test_client()
