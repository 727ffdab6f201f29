"""taptrail init-db and taptrail drain."""

from __future__ import annotations

import click

from server.commands import application, edge
from server.db import database
from server.migrate import current_revision, head_revision, upgrade
from server.taps.drain import drain


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
@edge
def drain_command(wait: bool) -> None:
    """Move spooled taps into the database now (also done by each server worker)."""
    with application() as app:
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
