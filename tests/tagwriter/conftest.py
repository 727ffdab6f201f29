"""Fixtures for the field tool: virtual readers, a clean environment, the real server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from server import create_app
from tags.chips import chip_by_name
from tags.keyring import Keyring
from tags.virtual import Faults, Roll, Sticker, VirtualReader
from tests.server.conftest import settings, sqlite_copy, sqlite_template  # noqa: F401
from tests.server.factories import place, token
from tests.support.live_server import serving

SECRET = "field-secret-for-tests-0123456789"


@pytest.fixture(autouse=True)
def field_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the developer's shell; journals go to a folder of the test."""
    for name in (
        "TAGWRITER_DEVICE",
        "TAGWRITER_SERVER",
        "TAGWRITER_TOKEN",
        "TAGWRITER_TOKEN_FILE",
        "TAGWRITER_SECRET",
        "TAGWRITER_SECRET_FILE",
        "TAGWRITER_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    journals = tmp_path / "journals"
    monkeypatch.setenv("TAGWRITER_JOURNAL_DIR", str(journals))
    return journals


@pytest.fixture
def readers() -> Iterator:
    """readers(roll=None, sticker=None, faults=None): a started virtual reader; stopped after."""
    started: list[VirtualReader] = []

    def start(
        count: int | None = None,
        sticker: Sticker | None = None,
        chip: str = "ntag213",
        faults: Faults | None = None,
        **options,
    ) -> VirtualReader:
        roll = Roll(chip_by_name(chip), count=count, seed=len(started)) if count else None
        reader = VirtualReader(roll, faults, take_away_after_read_back=True, **options).start()
        if sticker is not None:
            reader.present(sticker)
        started.append(reader)
        return reader

    yield start
    for reader in started:
        reader.stop()


@dataclass
class Live:
    """The real server on loopback, with a place, an encode token and its keyring."""

    app: Flask
    url: str
    token: str
    keyring: Keyring


@pytest.fixture
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    """A live server on a throwaway SQLite database and keyring."""
    ring = Keyring.create()
    folder = tmp_path / "server"
    folder.mkdir()
    app = create_app(settings(folder, sqlite_copy(request, folder), ring))
    place(app)
    with serving(app) as url:
        yield Live(app, url, token(app, "encode"), ring)
