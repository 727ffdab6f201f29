"""Things a test run makes once, whichever of its pytest-xdist workers asks first.

Each xdist worker is a process of its own with its own session fixtures: the migrated SQLite
template and the SQLite demo (about 6 CPU-seconds, most of it drawing the demo's photos) were
made by every worker again. Made once into a folder all the run's workers see, behind a lock,
the others wait for it and read it. What is made there must only ever be copied, never opened
for writing: every worker reads it at once.

`make test` runs pytest three times at once or in turn (tests/suite.sh): it names one folder
for all three in TAPTRAIL_TEST_RUN_FOLDER, so that the browser tests' server, the timed browser
test's and the workers' copy the same demo, made once.

PostgreSQL databases are made once the same way (the migrated schema, the demo): each worker
copies them (CREATE DATABASE ... TEMPLATE). Their names carry the process id of the pytest run
that made them (the workers' parent), which drops them when it ends (drop_made_once_postgres):
another pytest run sharing the folder must not count on them.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.support.postgres import (
    create_postgres_database,
    drop_postgres_database,
    drop_postgres_databases_like,
    postgres_url,
)

RUN_FOLDER = "TAPTRAIL_TEST_RUN_FOLDER"  # set by tests/suite.sh for its pytest runs
MADE_ONCE = "taptrail_once_"  # the names of the PostgreSQL databases a run makes once


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run that every xdist worker of the run sees."""
    shared = os.environ.get(RUN_FOLDER)
    if shared:
        return Path(shared)
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is <run>/popen-gwN; the run's own folder is its parent.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """The folder `name` of this run, made by `make(folder)` by the first worker that asks."""
    root = run_folder(tmp_path_factory)
    folder = root / name
    with open(root / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait here while the first makes it
        if not folder.exists():
            # Made aside and renamed: a worker that dies halfway leaves no half-made folder.
            partial = root / f".{name}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            make(partial)
            partial.rename(folder)
    return folder


def made_once_postgres(
    tmp_path_factory: pytest.TempPathFactory,
    admin_url: str,
    name: str,
    fill: Callable[[str, Path], None],
    template: str | None = None,
    owner: int | None = None,
) -> tuple[str, Path]:
    """The name of this run's PostgreSQL database `name` (copied from `template`, then given
    to `fill(url, folder)` by the first worker that asks), and the folder made with it.

    It is only ever copied: CREATE DATABASE ... TEMPLATE refuses a database anyone is connected
    to, so `fill` must leave no connection open. `owner` is the process id of the pytest run
    that drops it (by default this one's)."""
    prefix = f"{MADE_ONCE}{_run_pid() if owner is None else owner}_"

    def make(folder: Path) -> None:
        url = create_postgres_database(admin_url, template, prefix=prefix)
        try:
            fill(url, folder)
        except BaseException:
            drop_postgres_database(admin_url, url)
            raise
        (folder / "database").write_text(make_url(url).database or "")

    folder = made_once(tmp_path_factory, name, make)
    return (folder / "database").read_text(), folder


def _run_pid() -> int:
    """The process id of this pytest run: the xdist workers' parent, else this process."""
    return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()


def drop_made_once_postgres(admin_url: str | None = None, owner: int | None = None) -> None:
    """Drop the PostgreSQL databases this pytest run (or `owner`) made once (none without
    PostgreSQL)."""
    pattern = f"{MADE_ONCE}{_run_pid() if owner is None else owner}\\_%"
    try:
        drop_postgres_databases_like(admin_url or postgres_url(), pattern)
    except psycopg.OperationalError:
        return  # no PostgreSQL here: this run made none
