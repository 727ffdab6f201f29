"""taptrail init-db."""

from __future__ import annotations

import click

from server.commands import application, edge
from server.db import database
from server.migrate import current_revision, head_revision, upgrade


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
