"""taptrail init-db and taptrail drain."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.exc import DBAPIError

from server.commands import application, edge
from server.db import database
from server.migrate import current_revision, head_revision, upgrade
from server.services.rollups import Schedule
from server.taps.drain import Pacer, drain, sync_segments


@click.command("init-db")
@edge
def init_db() -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    with application() as app:
        db = database(app)
        before = current_revision(db.engine)
        upgrade(db.engine)
        head = head_revision()
        if before == head:
            click.echo(f"the database is up to date (revision {head})")
        else:
            click.echo(f"migrated the database from {before or 'empty'} to {head}")


@click.command("drain")
@click.option("--wait/--no-wait", default=True, help="Wait for a drainer already at work.")
@click.option("--follow", is_flag=True, help="Keep draining until stopped (a drainer process).")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between drains.")
@edge
def drain_command(wait: bool, follow: bool, interval: float) -> None:
    """Move spooled taps into the database now (also done by each server worker)."""
    with application() as app:
        if follow:
            _follow(app, interval)
            return
        report = drain(database(app), app.config["SPOOL_DIR"], wait=wait)
        if report.busy:
            click.echo("another drainer is at work; nothing done")
            return
        click.echo(
            f"stored {report.stored} taps ({report.skipped} already stored), "
            f"removed {report.segments_removed} drained spool files"
        )
        if report.bad_lines:
            click.echo(
                f"set aside {report.bad_lines} unreadable lines in *.bad files "
                f"under {app.config['SPOOL_DIR']}; look at them, then delete them",
                err=True,
            )


def _follow(app: Flask, interval: float) -> None:
    """Drain every `interval` seconds until SIGTERM or Ctrl-C; a database outage only waits.

    This is the drainer beside the gunicorn workers: it lets a rush of taps pass before draining
    (see Pacer), and flushes the spool to disk on its own clock whatever the draining does.
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    syncing = app.config["SPOOL_FSYNC"] == "interval"
    if syncing:
        # On its own clock: a long drain (a backlog after a busy spell, an outage) must not
        # stretch the "about once a second" that the fsync policy promises. The drains then
        # leave the flushing to it (one journal commit a second rather than two).
        folder = Path(app.config["SPOOL_DIR"])
        syncer = threading.Thread(target=_sync_every, args=(folder, interval, stop), daemon=True)
        syncer.start()
    pacer = Pacer(app.config["SPOOL_DIR"])
    rollups = Schedule(database(app), float(app.config["ROLLUP_INTERVAL"]))
    pause = interval
    try:
        while not stop.wait(pause):
            if not pacer.should_drain(time.monotonic()):
                continue  # a rush: the workers answering it go first, the taps wait in the spool
            try:
                drain(database(app), app.config["SPOOL_DIR"], sync=not syncing)
                rollups.tick(time.monotonic())
                pause = interval
            except DBAPIError:
                pause = min(pause * 2, 30.0)
                click.echo(f"the database does not answer; next try in {pause:.0f} s", err=True)
    except KeyboardInterrupt:
        pass
    drain(database(app), app.config["SPOOL_DIR"], wait=True)  # leave nothing behind if possible


def _sync_every(folder: Path, interval: float, stop: threading.Event) -> None:
    """fdatasync every spool segment every `interval` seconds until `stop` is set."""
    while not stop.wait(interval):
        try:
            sync_segments(folder)
        except OSError as error:
            click.echo(f"cannot flush the tap spool to disk: {error}", err=True)
