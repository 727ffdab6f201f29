"""Things a test run makes once, whichever of its pytest-xdist workers asks first.

Each xdist worker is a process of its own with its own session fixtures: the migrated SQLite
template and the SQLite demo (about 6 CPU-seconds, most of it drawing the demo's photos) were
made by every worker again. Made once into a folder all the run's workers see, behind a lock,
the others wait for it and read it. What is made there must only ever be copied, never opened
for writing: every worker reads it at once.

`make test` runs pytest three times at once or in turn (tests/suite.sh): it names one folder
for all three in TAPTRAIL_TEST_RUN_FOLDER, so that the browser tests' server, the timed browser
test's and the workers' copy the same demo, made once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

RUN_FOLDER = "TAPTRAIL_TEST_RUN_FOLDER"  # set by tests/suite.sh for its pytest runs


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
