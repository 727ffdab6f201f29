"""Visitor-page fixtures: the app with the demo loaded, looked at on a Saturday afternoon."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.config import passwords
from server.db import database
from server.demo import load_demo
from server.taps.recorder import recorder
from tags.keyring import Keyring
from tests.server.conftest import settings
from tests.support.demo import DEMO_LOADED, SATURDAY, demo_database, next_local


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, keyring: Keyring) -> Path:
    """A SQLite database holding the demo, made once and copied by each test."""
    path = tmp_path_factory.mktemp("demo") / "taptrail.db"
    demo_database(path, keyring)
    return path


@pytest.fixture
def demo_app(
    database_kind: str, request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring
) -> Iterator[Flask]:
    """The app with the demo, its clock pinned to next Saturday at 15:00 in Paris."""
    moment = next_local(SATURDAY, 15)
    if database_kind == "sqlite":
        made = request.getfixturevalue("demo_sqlite")
        shutil.copy(made, tmp_path / "taptrail.db")
        shutil.copytree(made.parent / "media", tmp_path / "media")
        url = f"sqlite:///{tmp_path / 'taptrail.db'}"
        application = create_app(settings(tmp_path, url, keyring, FIXED_NOW=moment))
        yield application
        recorder(application).stop()
        database(application).dispose()
        return
    application = request.getfixturevalue("app")  # PostgreSQL, rolled back after the test
    application.config["FIXED_NOW"] = moment
    with database(application).transaction() as session:
        load_demo(
            session,
            keyring,
            "https://t.example.org",
            DEMO_LOADED,
            passwords=passwords(application),
            media=application.config["MEDIA_DIR"],
        )
    yield application


@pytest.fixture
def visitor(demo_app: Flask) -> FlaskClient:
    """A visitor's browser: it keeps cookies between requests."""
    return demo_app.test_client()
