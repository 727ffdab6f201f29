"""taptrail pictures draw: every size the visitor pages may ask of the stored photos, drawn now
rather than on a visitor's first request (after a restore, an import, or the demo's load)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image
from sqlalchemy import select

from server.db import database
from server.models import Photo
from server.services import photo_sizes


def draw_all() -> tuple[int, int, list[str]]:
    """Draw the missing sizes of every stored photo: (photos seen, sizes drawn, files missing or
    unreadable)."""
    with database().sessions() as session:
        names = list(session.scalars(select(Photo.name).order_by(Photo.id)))
    media = current_app.config["MEDIA_DIR"]
    drawn, missing = 0, []
    for name in names:
        try:
            made, _ = photo_sizes.draw_ahead(media, name)
        # Gone, cut short or not a picture: named for the operator, and the others still drawn.
        except (OSError, ValueError, Image.DecompressionBombError):
            missing.append(name)
            continue
        drawn += made
    return len(names), drawn, missing


@click.group("pictures")
def pictures_group() -> None:
    """The photos' derived sizes."""


@pictures_group.command("draw")
@with_appcontext
def draw_command() -> None:
    """Draw every size the visitor pages may ask of the stored photos (those missing only)."""
    seen, drawn, missing = draw_all()
    click.echo(f"{seen} photos: {drawn} sizes drawn now, the others were drawn already")
    if missing:
        raise click.ClickException(
            f"{len(missing)} photos have no readable file in {current_app.config['MEDIA_DIR']} "
            f"(first: {missing[0]}): restore the media folder from the backup, then run "
            "`taptrail pictures draw` again"
        )
