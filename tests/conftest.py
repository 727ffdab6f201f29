"""Fixtures shared by every test package."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.db import Database
from server.demo.traffic import load_traffic
from tags.keyring import Keyring
from tests.support.compiled import forget_orm_compilations
from tests.support.demo import DEMO_LOADED, Demo, demo_database
from tests.support.once import drop_made_once_postgres, made_once
from tests.support.postgres import missing_postgres_is_fatal, postgres_problem, postgres_url


@pytest.fixture
def runner() -> CliRunner:
    """A click runner for the command lines."""
    return CliRunner()


@pytest.fixture(scope="session")
def postgres() -> str:
    """The PostgreSQL URL for storage tests; skip without it, but fail in CI."""
    url = postgres_url()
    problem = postgres_problem(url)
    if problem:
        if missing_postgres_is_fatal():
            pytest.fail(f"CI needs PostgreSQL for the storage tests: {problem}", pytrace=False)
        pytest.skip(f"no PostgreSQL: {problem}")
    return url


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> Keyring:
    """A signing keyring for the whole run, every worker's the same since the shared demo is
    signed with it (two keys: 1 verifies, 2 signs)."""

    def make(folder: Path) -> None:
        Keyring.create().rotate().save(folder / "keyring.json")

    return Keyring.load(made_once(tmp_path_factory, "keyring", make) / "keyring.json")


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, keyring: Keyring) -> Demo:
    """A SQLite database holding the demo, made once per run and copied by each test."""
    folder = made_once(
        tmp_path_factory, "demo", lambda folder: demo_database(folder / "taptrail.db", keyring)
    )
    # The URL names the file where it now lies, not where it was made.
    return Demo(f"sqlite:///{folder / 'taptrail.db'}", folder / "media")


@pytest.fixture(scope="session")
def demo_traffic_sqlite(tmp_path_factory: pytest.TempPathFactory, demo_sqlite: Demo) -> Demo:
    """The SQLite demo with its taps stored and rolled up as `taptrail demo` does, made once
    per run and copied by each test (see demo_traffic_copy)."""

    def make(folder: Path) -> None:
        traffic = Database(demo_sqlite.copy_sqlite(folder))
        load_traffic(traffic, DEMO_LOADED)
        traffic.dispose()

    folder = made_once(tmp_path_factory, "demo-traffic", make)
    return Demo(f"sqlite:///{folder / 'taptrail.db'}", folder / "media")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """After a test's fixtures are torn down, drop what its engine compiled (see compiled.py);
    after a process's first test, freeze what it left behind (see below)."""
    yield
    forget_orm_compilations()
    if not item.config.stash.get(FROZEN_AFTER_FIRST_TEST, False):
        item.config.stash[FROZEN_AFTER_FIRST_TEST] = True
        freeze_what_lives()


FROZEN_AFTER_FIRST_TEST = pytest.StashKey[bool]()


def freeze_what_lives() -> None:
    """Keep every object alive now out of the garbage collector's later walks.

    Modules, classes, collected tests and what the first test imported live until the process
    ends, yet each full collection walked them all again: a third of a million objects, about
    0.2 s a walk, every three tests or so. Frozen objects are never freed: only done when
    what lives is meant to last (after collection, and after the first test's teardown)."""
    gc.collect()
    gc.freeze()


def pytest_sessionfinish() -> None:
    """The run's own process (pytest-xdist's controller, after its workers) drops the PostgreSQL
    databases its workers made once (tests/support/once.py)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        drop_made_once_postgres()


def pytest_collection_finish() -> None:
    """Freeze what collecting the tests made (see freeze_what_lives)."""
    freeze_what_lives()


# Modules that keep a worker busy for ten seconds or more, longest first (durations of a
# `make test` run). pytest-xdist hands whole modules to its workers in collection order
# (tests/suite.sh turns off its reordering by test count, which put these few-test modules
# last): handed out first, they run beside the many short modules instead of after them, and
# the workers end together.
HEAVY_FIRST = [
    "tests/server/rollups/test_bulk.py",
    "tests/server/test_api_conformance.py",
    "tests/server/visitor/test_findable.py",
    "tests/server/reliability/test_tap_storage.py",
    "tests/server/test_cli.py",
    "tests/server/test_ical_large.py",
    "tests/server/reliability/test_two_hosts.py",
    "tests/server/test_backup.py",
    "tests/server/reliability/test_feed_poller.py",
    "tests/server/rollups/test_funnel.py",
    "tests/server/test_cli_imports.py",
    "tests/server/test_gunicorn_logs.py",
    "tests/server/visitor/test_page_cache.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the heavy modules first, in HEAVY_FIRST's order; the rest keep theirs."""
    rank = {path: n for n, path in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))
