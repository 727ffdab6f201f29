"""Scheduling for the threads on either side of nfcpy: it gives a READ only 5 ms, busy or not.

The field tool's thread that drives nfcpy and the virtual reader's link thread both use it, so it
lives here rather than in either: it is about the host's scheduler, not about the chip.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# A low real-time priority: ahead of every ordinary process, behind the kernel's own threads.
REALTIME_PRIORITY = 10
NICE_BOOST = -10
# TAPTRAIL_VIRTUAL_REALTIME=0 keeps both threads at normal priority (to measure, or to share).
SWITCH = "TAPTRAIL_VIRTUAL_REALTIME"


def raise_priority() -> str:
    """Best effort: schedule the calling thread ahead of ordinary work; says what it got.

    The thread only ever runs for a few hundred microseconds per frame and then blocks on its
    socket, so a real-time policy cannot starve the machine; without the privilege for it,
    a lower nice value, and failing that, nothing.
    """
    if os.environ.get(SWITCH) == "0":
        return "normal (switched off)"
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(REALTIME_PRIORITY))
        return f"SCHED_FIFO {REALTIME_PRIORITY}"
    except (AttributeError, PermissionError, OSError):
        pass
    try:
        # On Linux, PRIO_PROCESS with the thread id sets the nice value of this thread only.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE_BOOST)
        return f"nice {NICE_BOOST}"
    except (AttributeError, PermissionError, OSError):
        return "normal"


@contextmanager
def priority_raised() -> Iterator[str]:
    """Inside the block, the calling thread runs as raise_priority() says; then as before.

    For the thread that drives nfcpy: its 5 ms READ deadline counts from its own clock, so on a
    busy machine the reader's side must be woken in time as much as the chip's.
    """
    thread = threading.get_native_id()
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    nice = os.getpriority(os.PRIO_PROCESS, thread)
    try:
        yield raise_priority()
    finally:
        # Going back to a normal policy or a higher nice value needs no privilege.
        os.sched_setscheduler(0, policy, param)
        os.setpriority(os.PRIO_PROCESS, thread, nice)
