"""Importing a 2 MB iCalendar file with `taptrail import ical`: wall time of the whole command.

    python -m bench.ical [--megabytes 2] [--runs 3]

The calendar is tests.support.calendars': about 3,500 events, 120 of them weekly series with
exceptions, moved instances and all-day markets, around today. Each run imports it three times
into the demo's Roubaix: first into an empty calendar (everything new), then the same file again
(everything unchanged), then a version with every tenth event's title changed (updates). The
time is the command's, from start to exit, as the staff wait for it, with the CPU time it used (a
busy machine disturbs it less); target: seconds, not minutes. TAPTRAIL_BENCH_DATABASE_URL runs it
on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import deployment
from tests.support.calendars import big_calendar


def main() -> None:
    """Generate the calendar, then time its imports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    chosen = parser.parse_args()
    text = big_calendar(int(chosen.megabytes * 1024 * 1024), dt.date.today())
    # Every tenth dated event gets a new title.
    tenth = r"(UID:event-\d*0@agenda\.example\r\n(?:[^\r\n]*\r\n)*?SUMMARY:)"
    changed = re.sub(tenth, r"\1Nouveau : ", text)
    timings: dict[str, list[float]] = {"new": [], "unchanged": [], "changed": []}
    cpu: dict[str, list[float]] = {label: [] for label in timings}
    for _ in range(chosen.runs):
        with deployment() as env:
            folder = Path(env["BENCH_FOLDER"])
            for label, content in (("new", text), ("unchanged", text), ("changed", changed)):
                path = folder / "agenda.ics"
                path.write_text(content, encoding="utf-8")
                command = [sys.executable, "-m", "server.cli", "import", "ical", str(path)]
                command += ["--territory", "roubaix", "--latitude", "50.69", "--longitude", "3.17"]
                started, used = time.perf_counter(), _children_cpu()
                done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
                timings[label].append(time.perf_counter() - started)
                cpu[label].append(_children_cpu() - used)
                print(
                    f"{label:>9}: {timings[label][-1]:5.1f} s (CPU {cpu[label][-1]:.1f} s)  "
                    f"{done.stdout.splitlines()[0]}"
                )
    size = len(text.encode())
    print(f"{size:,} bytes, {text.count('BEGIN:VEVENT'):,} VEVENTs, {chosen.runs} runs:")
    for label, seconds in timings.items():
        print(
            f"  {label:>9}: median {statistics.median(seconds):.1f} s (min {min(seconds):.1f}), "
            f"CPU {statistics.median(cpu[label]):.1f} s"
        )


def _children_cpu() -> float:
    """CPU seconds used so far by the commands this process ran and waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    main()
