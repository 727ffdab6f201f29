"""The supervisor keeps its process alive, backs off when it keeps dying, and never orphans it."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap

from server.taps.supervisor import Supervisor
from tests.support.processes import alive, wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_a_killed_process_is_started_again_within_seconds():
    supervisor = Supervisor("sleeper", lambda restarts: SLEEPER, min_pause=0.2)
    supervisor.start()
    try:
        first = supervisor.process.pid
        os.kill(first, signal.SIGKILL)
        started_again = wait_until(
            lambda: supervisor.check() or (supervisor.process and supervisor.process.pid != first),
            timeout=10,
        )
        assert started_again and supervisor.restarts == 1
        assert alive(supervisor.process.pid) and not alive(first)
    finally:
        supervisor.stop(timeout=5)
    assert supervisor.process is None


def test_a_process_that_keeps_dying_young_is_started_ever_more_slowly():
    now = [0.0]
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor = Supervisor(
        "crasher", lambda restarts: command, min_pause=1, max_pause=8, clock=lambda: now[0]
    )
    supervisor.start()
    starts = [0.0]
    while len(starts) < 6:
        supervisor.process.wait()
        before = supervisor.restarts
        while supervisor.restarts == before:
            now[0] += 0.5
            supervisor.check()
        starts.append(now[0])
    pauses = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert pauses == [1.5, 2.5, 4.5, 8.5, 8.5]  # 1, 2, 4, 8 (the cap), each noticed 0.5 s late
    supervisor.stop()


def test_the_command_learns_how_many_restarts_came_before():
    seen = []

    def command(restarts: int) -> list[str]:
        seen.append(restarts)
        return SLEEPER

    supervisor = Supervisor("sleeper", command, min_pause=0)
    supervisor.start()
    os.kill(supervisor.process.pid, signal.SIGKILL)
    assert wait_until(lambda: supervisor.check() or supervisor.restarts == 1, timeout=10)
    supervisor.stop(timeout=5)
    assert seen == [0, 1]


MASTER = textwrap.dedent(
    """
    import sys, time
    from server.taps.supervisor import Supervisor
    child = Supervisor("sleeper", lambda restarts: [sys.executable, "-c",
                       "import time; time.sleep(600)"])
    child.start()
    print(child.process.pid, flush=True)
    time.sleep(600)
    """
)


def test_the_process_dies_with_its_master_even_when_the_master_is_killed():
    master = subprocess.Popen([sys.executable, "-c", MASTER], stdout=subprocess.PIPE, text=True)
    child = int(master.stdout.readline())
    assert alive(child)
    master.kill()
    master.wait()
    master.stdout.close()
    assert wait_until(lambda: not alive(child), timeout=10), "the child outlived its master"
