"""taptrail init-db and taptrail partitions."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from server.clock import machine_now
from server.commands import edge
from server.db import database
from server.services import tap_partitions


@click.command("init-db")
@with_appcontext
@edge
def init_db() -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    from server.migrate import current_revision, head_revision, upgrade  # alembic: see cli.py

    engine = database().engine
    before = current_revision(engine)
    upgrade(engine)
    head = head_revision()
    if before == head:
        click.echo(f"the database is up to date (revision {head})")
    else:
        click.echo(f"migrated the database from {before or 'empty'} to {head}")


@click.command("partitions")
@click.option(
    "--ahead",
    default=tap_partitions.AHEAD_MONTHS,
    show_default=True,
    type=click.IntRange(0, 24),
    help="Months to make ahead of the current one.",
)
@with_appcontext
@edge
def partitions_command(ahead: int) -> None:
    """Make the taps' coming monthly partitions (PostgreSQL; the drainer does it hourly)."""
    db = database()
    if db.engine.dialect.name != "postgresql":
        click.echo("SQLite keeps the taps in one table: there are no partitions to make")
        return
    # The machine's clock, as taps and the drainer have it: a pinned FIXED_NOW is for pages.
    made = tap_partitions.prepare(db, machine_now(), ahead)
    with db.engine.connect() as connection:
        months = [part.name for part in tap_partitions.existing(connection)]
    click.echo(f"made {len(made)} partitions{': ' + ', '.join(made) if made else ''}")
    click.echo(
        f"the taps have {len(months)} monthly partitions, {months[0]} to {months[-1]}"
        if months
        else "the taps have no monthly partitions: run taptrail init-db"
    )
