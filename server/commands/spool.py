"""taptrail drain, taptrail status and taptrail quarantine: the tap spool, seen by an operator."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click
import orjson
from flask import current_app
from flask.cli import with_appcontext

from server.commands import edge
from server.config import keyring
from server.db import database
from server.taps import quarantine
from server.taps.drain import drain, drain_lock, store_each
from server.taps.drainer import FOLLOW_SECONDS, DrainerLoop
from server.taps.health import spool_health
from server.taps.sun_verdict import SunJudge


@click.command("drain")
@click.option("--wait/--no-wait", default=True, help="Wait for a drainer already at work.")
@click.option("--follow", is_flag=True, help="Keep draining until stopped (a drainer process).")
@click.option(
    "--interval",
    default=FOLLOW_SECONDS,
    show_default=True,
    help="With --follow: seconds between looks at the spool (a drain, unless a rush is passing).",
)
@click.option("--parent", type=int, hidden=True, help="Stop when this process is gone.")
@click.option("--restarts", type=int, default=0, hidden=True, help="Set by the supervisor.")
@with_appcontext
@edge
def drain_command(
    wait: bool, follow: bool, interval: float, parent: int | None, restarts: int
) -> None:
    """Move spooled taps into the database now (also done by each server worker)."""
    folder = Path(current_app.config["SPOOL_DIR"])
    if follow:
        _follow(current_app.config, folder, interval, parent, restarts)
        return
    report = drain(database(), folder, wait=wait, sun=_sun_judge())
    if report.busy:
        click.echo("another drainer is at work; nothing done")
        return
    click.echo(
        f"stored {report.stored} taps ({report.skipped} already stored), "
        f"removed {report.segments_removed} drained spool files"
    )
    if report.quarantined:
        click.echo(
            f"quarantined {report.quarantined} taps that cannot be stored; "
            "see 'taptrail quarantine list'",
            err=True,
        )


def _follow(config: Any, folder: Path, interval: float, parent: int | None, restarts: int) -> None:
    """Look at the spool every `interval` seconds until SIGTERM, Ctrl-C or the parent's end,
    draining unless a rush is passing; then drain once more.

    This is the drainer beside the gunicorn workers: it lets a rush of taps pass before
    draining (see Pacer) and writes its heartbeat from a thread of its own, so a long drain
    never looks like a dead drainer. The workers flush the spool to disk themselves.
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    loop = DrainerLoop(
        database(current_app),
        folder,
        interval=interval,
        rollup_interval=float(config["ROLLUP_INTERVAL"]),
        pace=True,
        parent=parent,
        restarts=restarts,
        sun=_sun_judge(),
    )
    with contextlib.suppress(KeyboardInterrupt):
        loop.run(stop, heartbeat_thread=True)
    stop.set()
    try:
        # Leave nothing behind.
        drain(database(current_app), folder, wait=True, sync=False, sun=loop.sun)
    except Exception as error:  # the database is away: the taps wait for the next drainer
        click.echo(f"left taps in the spool: {error}", err=True)


def _sun_judge() -> SunJudge:
    """Checks spooled SUN messages with this app's keyring (the workers' keys: same settings)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return SunJudge(lambda: keyring(app))


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as GET /healthz answers.")
@with_appcontext
@edge
def status_command(as_json: bool) -> None:
    """This host's tap spool: waiting taps, quarantine, drainer; exits with 1 when failing."""
    spool = current_app.config["SPOOL_DIR"]
    health = spool_health(spool)
    if as_json:
        click.echo(orjson.dumps(health.as_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        drainer = health.drainer
        oldest = health.oldest_waiting_seconds
        click.echo(f"spool       {spool} ({health.segments} files)")
        click.echo(
            f"waiting     {health.backlog} taps" + (f", oldest {oldest:.0f} s" if oldest else "")
        )
        click.echo(f"quarantine  {health.quarantined} taps")
        if drainer is None:
            click.echo("drainer     never seen")
        else:
            click.echo(
                f"drainer     pid {drainer['pid']} on {drainer['host']}, heartbeat "
                f"{drainer['seconds_since_beat']:.0f} s ago, restarted {drainer['restarts']} times"
                + (f", last error: {drainer['last_error']}" if drainer.get("last_error") else "")
            )
        click.echo("status      " + ("ok" if health.healthy else "FAILING"))
        for problem in health.problems:
            click.echo(f"  - {problem}")
    if not health.healthy:
        sys.exit(1)


@click.group("quarantine")
def quarantine_group() -> None:
    """Taps that could not be stored: list them, replay them once the cause is fixed."""


@quarantine_group.command("list")
@with_appcontext
@edge
def quarantine_list() -> None:
    """Show each quarantined tap: its key, when, why, and the record as spooled."""
    folder = current_app.config["SPOOL_DIR"]
    held = quarantine.entries(folder)
    for entry in held:
        content = entry.get("tap", entry.get("raw"))
        click.echo(f"{entry['key']}  {entry['at']}  {entry['reason']}")
        click.echo(f"    {orjson.dumps(content).decode()}")
    click.echo(f"{len(held)} quarantined taps in {quarantine.path(folder)}")


@quarantine_group.command("replay")
@with_appcontext
@edge
def quarantine_replay() -> None:
    """Try to store every quarantined tap again; keep those still refused."""
    db = database()
    folder = current_app.config["SPOOL_DIR"]
    sun = _sun_judge()

    def store_one(record: dict[str, Any]) -> str | None:
        reasons: list[str] = []
        store_each(db, [record], lambda _record, reason: reasons.append(reason), sun)
        return reasons[0] if reasons else None

    with drain_lock(Path(folder), wait=True):
        report = quarantine.replay(folder, store_one)
    click.echo(f"stored {report.stored} taps; {report.kept} still in the quarantine")
    if report.kept:
        click.echo(
            f"fix or delete the lines left in {quarantine.path(folder)}, then replay again",
            err=True,
        )
