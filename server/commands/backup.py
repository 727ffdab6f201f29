"""taptrail backup and taptrail restore (server/backups.py); the keyring's: taptrail keys."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from server import clock
from server.commands import edge


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
@edge
def backup_command(folder: Path) -> None:
    """Back up the database, photos and waiting taps into FOLDER (new), while serving."""
    from server import backups  # alembic: see cli.py

    manifest = backups.backup(current_app, folder, clock.now())
    click.echo(f"backed up into {folder}: {backups.summary(manifest)}")
    click.echo("the keyring is not in it: copy it apart with 'taptrail keys backup'")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
@edge
def restore_command(folder: Path) -> None:
    """Restore the backup in FOLDER into an empty database and empty spool and media folders."""
    from server import backups  # alembic: see cli.py

    manifest = backups.restore(current_app, folder)
    click.echo(f"restored from {folder}: {backups.summary(manifest)}")
    click.echo(
        "restore the keyring with 'taptrail keys restore' if it was lost, then start the server:"
        " the waiting taps are drained as it starts"
    )
