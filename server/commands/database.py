"""taptrail init-db."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from server.commands import edge
from server.db import database
from server.migrate import current_revision, head_revision, upgrade


@click.command("init-db")
@with_appcontext
@edge
def init_db() -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    engine = database().engine
    before = current_revision(engine)
    upgrade(engine)
    head = head_revision()
    if before == head:
        click.echo(f"the database is up to date (revision {head})")
    else:
        click.echo(f"migrated the database from {before or 'empty'} to {head}")
