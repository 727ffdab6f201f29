"""Two apps built in one process (as the tests build them) keep their own settings and caches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import argon2
import pytest
from flask import Flask

from server import create_app
from server.db import database
from server.models import Role
from server.taps.recorder import recorder
from tags.keyring import Keyring
from tests.server.conftest import settings, sqlite_copy
from tests.server.factories import PHONE, installed_sticker
from tests.server.portal.conftest import Browser, add_user, user_row

EMAIL = "staff@example.org"


@pytest.fixture
def build(request: pytest.FixtureRequest, tmp_path: Path, keyring: Keyring) -> Iterator[Any]:
    """build("name", SETTING=value): an app on a SQLite database of its own."""
    built: list[Flask] = []

    def make(name: str, **extra: Any) -> Flask:
        folder = tmp_path / name
        folder.mkdir()
        app = create_app(settings(folder, sqlite_copy(request, folder), keyring, **extra))
        built.append(app)
        return app

    yield make
    for app in built:
        recorder(app).stop()
        database(app).dispose()


def memory_cost(app: Flask) -> int:
    """The argon2 memory cost (KiB) of the account's stored password hash."""
    return argon2.extract_parameters(user_row(app, EMAIL).password_hash).memory_cost


def test_each_app_hashes_passwords_at_its_own_cost(build):
    cheap = build("cheap", PASSWORD_HASHING="cheapest")
    add_user(cheap, "staff", EMAIL, Role.STAFF)
    full = build("full", PASSWORD_HASHING="default")  # built after: must not change `cheap`
    add_user(full, "staff", EMAIL, Role.STAFF)
    cheapest = argon2.profiles.CHEAPEST.memory_cost
    default = argon2.profiles.RFC_9106_LOW_MEMORY.memory_cost
    assert (memory_cost(cheap), memory_cost(full)) == (cheapest, default)

    # A sign-in rehashes a password whose cost is not the app's: each keeps its own.
    for app in (cheap, full):
        assert Browser(app.test_client()).login(EMAIL).status_code == 303
    assert (memory_cost(cheap), memory_cost(full)) == (cheapest, default)


def test_apps_under_different_script_roots_send_taps_to_their_own_place_pages(build):
    root, mounted = build("root"), build("mounted")
    paths = {}
    for app in (root, mounted):
        paths[app] = installed_sticker(app)["url"].removeprefix("https://t.example.org")
    for _ in range(2):  # the second round is answered from each app's place-URL cache
        here = root.test_client().get(paths[root], headers={"User-Agent": PHONE})
        there = mounted.test_client().get(
            paths[mounted], headers={"User-Agent": PHONE}, base_url="http://localhost/trail"
        )
        assert here.headers["Location"] == "/fr/p/la-piscine"
        assert there.headers["Location"] == "/trail/fr/p/la-piscine"
