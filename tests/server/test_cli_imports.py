"""`taptrail import ical` and `taptrail import gtfs` as the staff run them: what they print, the
question before replacing a feed, and the progress bar on a large file at a terminal (issue 20)."""

from __future__ import annotations

import datetime as dt
import os
import pty
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from server.cli import main
from tests.server import test_cli
from tests.server.test_cli import ok
from tests.server.test_gtfs_feeds import METRO, write_zip

env = test_cli.env  # the same settings as the other commands' tests: a fixture, used by name
migrated_env = test_cli.migrated_env  # a copy of the session's migrated database
demo_env = test_cli.demo_env  # a copy of the session's demo database


def _ics(tmp_path: Path, *events: str) -> Path:
    path = tmp_path / "agenda.ics"
    body = "".join(f"BEGIN:VEVENT\n{event}\nEND:VEVENT\n" for event in events)
    path.write_text(
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nX-WR-CALNAME:Agenda\n{body}END:VCALENDAR\n"
    )
    return path


def test_an_ical_import_says_what_it_stored_updated_removed_and_left_out(
    runner, demo_env, tmp_path
):
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    day = f"{soon:%Y%m%d}"
    concert = f"UID:c@x\nSUMMARY:Concert\nDTSTART;TZID=Europe/Paris:{day}T200000"
    fair = f"UID:f@x\nSUMMARY:Foire\nDTSTART;VALUE=DATE:{day}"
    broken = f"UID:b@x\nSUMMARY:Atelier\nDTSTART;TZID=Europe/Paris:{day}T100000\nDURATION:P1X"
    path = _ics(tmp_path, concert, fair, broken)
    args = ["import", "ical", str(path), "--territory", "roubaix", "--latitude", "50.6"]
    args += ["--longitude", "3.1"]
    first = ok(runner, demo_env, *args)
    assert first.output == (
        f"imported the calendar 'Agenda' into roubaix from {path}: 2 occurrences stored (2 new, "
        "0 updated, 0 unchanged), 0 removed, 1 event skipped\n"
        "left out (1):\n"
        "  line 19, DURATION: the event 'Atelier' (UID b@x) has DURATION 'P1X', not a duration "
        "(PT1H30M)\n"
    )
    _ics(tmp_path, concert.replace("T200000", "T203000"))
    second = ok(runner, demo_env, *args)
    assert second.output == (
        f"imported the calendar 'Agenda' into roubaix from {path}: 1 occurrence stored (0 new, "
        "1 updated, 0 unchanged), 1 removed\n"
    )
    _ics(tmp_path, concert, broken)
    refused = runner.invoke(main, [*args, "--all-or-nothing"], env=demo_env)
    assert refused.exit_code == 1
    assert refused.output == (
        f"Error: {path}, line 14, field 'DURATION': the event 'Atelier' (UID b@x) has DURATION "
        "'P1X', not a duration (PT1H30M); nothing was imported\n"
    )


def test_replacing_a_feed_without_a_terminal_says_how_and_changes_nothing(
    runner, migrated_env, tmp_path
):
    path = write_zip(tmp_path / "gtfs.zip", METRO)
    first = ok(runner, migrated_env, "import", "gtfs", str(path)).output
    assert first.splitlines() == [
        f"imported the feed 'ilevia' (Ilévia) from {path}: 8 stops stored (8 new, 0 updated, 0 "
        "unchanged), 0 removed",
        "  2 stations listed once each, with 4 platforms and 1 entrance under them",
    ]
    smaller = dict(METRO, **{"stops.txt": METRO["stops.txt"].replace("BUS-PIS", "BUS-PIS2")})
    write_zip(path, smaller)
    refused = runner.invoke(main, ["import", "gtfs", str(path)], env=migrated_env)
    assert refused.exit_code == 1
    assert "would add 1 stop, change 0 and remove 1 (7 unchanged): import it with --replace" in (
        refused.output
    )
    assert (
        "1 new, 0 updated, 7 unchanged), 1 removed"
        in ok(runner, migrated_env, "import", "gtfs", str(path), "--replace").output
    )


def _terminal(args: list[str], settings: dict[str, str], answer: bytes) -> str:
    """Run a taptrail command on a pseudo-terminal, answer its question, return what it wrote."""
    leader, follower = pty.openpty()
    command = [str(Path(sys.executable).parent / "taptrail"), *args]
    child = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, **settings, "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 120
    answered = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"Replace it? [y/N]" in seen:
            os.write(leader, answer)
            answered = True
    child.wait(timeout=60)
    os.close(leader)
    return seen.decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")
def test_at_a_terminal_a_large_feed_shows_progress_and_replacing_it_asks(
    runner, migrated_env, tmp_path
):
    big = dict(METRO)
    trips = "".join(f"M2,WK,T{n}\n" for n in range(6000))
    big["trips.txt"] = METRO["trips.txt"] + trips
    big["stop_times.txt"] = METRO["stop_times.txt"] + "".join(
        f"T{n},08:{n % 60:02d}:00,08:{n % 60:02d}:00,{stop},{k}\n"
        for n in range(6000)
        for k, stop in enumerate(("P-GARE-1", "P-GP-1", "BUS-PIS"), start=1)
    )
    path = write_zip(tmp_path / "gtfs.zip", big)
    assert zipfile.ZipFile(path).getinfo("stop_times.txt").file_size > 512 * 1024
    ok(runner, migrated_env, "import", "gtfs", str(path))
    moved = dict(big, **{"stops.txt": big["stops.txt"].replace("50.69260", "50.69290")})
    write_zip(path, moved)
    said = _terminal(["import", "gtfs", str(path)], migrated_env, b"n\n")
    assert "The feed 'ilevia' (Ilévia, version 2026-03-01, imported on " in said
    assert "this file would add 0 stops, change 1 and remove 0 (7 unchanged)." in said
    assert "Error: nothing was changed" in said
    said = _terminal(["import", "gtfs", str(path)], migrated_env, b"y\n")
    assert "stop_times.txt" in said and "100%" in said  # the bar, drawn to its end
    assert "8 stops stored (0 new, 1 updated, 7 unchanged), 0 removed" in said
