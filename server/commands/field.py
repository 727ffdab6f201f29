"""taptrail tokens and taptrail batches: what the field tool needs from an administrator."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from server.commands import edge
from server.config import keyring
from server.db import database
from server.models import ApiToken, Batch, Sticker
from server.services import batches as batch_service
from server.services import branding
from server.services.tokens import TokenScope, create_token, revoke_token
from tags.chips import CHIPS
from tags.ntag424.layout import CHIP as SUN_CHIP
from tags.urls import MirrorMode


@click.group()
def tokens() -> None:
    """API tokens: create (shown once), list, revoke."""


@tokens.command("create")
@click.option("--name", default="field tool", show_default=True, help="Who or what uses it.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([s.value for s in TokenScope]),
    help="What it may do (repeatable).",
)
@with_appcontext
@edge
def tokens_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a token and print it once; only its hash is stored."""
    with database().transaction() as session:
        token, row = create_token(session, name, list(scopes))
        token_id = row.id
    click.echo(token)
    click.echo(
        f"token {token_id} ({', '.join(scopes)}): keep it now, it is not shown again", err=True
    )


@tokens.command("list")
@with_appcontext
@edge
def tokens_list() -> None:
    """Show tokens: id, prefix, scopes, state (never the tokens)."""
    with database().transaction() as session:
        for row in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            state = "revoked" if row.revoked_at else "active"
            used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
            click.echo(
                f"{row.id}  {row.prefix}…  {row.scopes}  {state}  last used {used}  {row.name}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
@edge
def tokens_revoke(token_id: int) -> None:
    """Stop token TOKEN_ID from working."""
    with database().transaction() as session:
        revoke_token(session, token_id)
    click.echo(f"token {token_id} revoked")


@click.group()
def batches() -> None:
    """Batches of signed URLs: issue, export a manifest, list."""


def _write_manifest(manifest: dict, out: str | None) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    Path(out).write_text(text, encoding="utf-8")
    count = len(manifest["stickers"])
    click.echo(f"batch {manifest['batch']}: {count} URLs written to {out}", err=True)


@batches.command("issue")
@click.option("--place", required=True, help="The place's slug.")
@click.option("--count", required=True, type=click.IntRange(1, batch_service.MAX_BATCH))
@click.option(
    "--chip",
    type=click.Choice([*sorted(CHIPS), SUN_CHIP]),
    default="ntag213",
    show_default=True,
    help="ntag424: NTAG 424 DNA stickers with SUN (no mirror, password or lock).",
)
@click.option("--mirror", type=click.Choice([m.value for m in MirrorMode]), default=None)
@click.option("--password/--no-password", default=False, help="Write-protect with a password.")
@click.option("--lock/--no-lock", default=False, help="Lock the stickers permanently.")
@click.option("--note", default=None)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the manifest to this file.")
@with_appcontext
@edge
def batches_issue(
    place: str,
    count: int,
    chip: str,
    mirror: str | None,
    password: bool,
    lock: bool,
    note: str | None,
    out: str | None,
) -> None:
    """Issue COUNT signed URLs for a place and print (or --out) the manifest."""
    with database().transaction() as session:
        batch = batch_service.issue_batch(
            session,
            keyring(),
            place_slug=place,
            count=count,
            base_url=current_app.config["TAP_BASE_URL"],
            chip=chip,
            mirror=mirror,
            password=password,
            lock=lock,
            note=note,
        )
        manifest = batch_service.manifest(batch, branding.of_app(current_app.extensions))
    _write_manifest(manifest, out)


@batches.command("export")
@click.argument("batch_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the manifest to this file.")
@with_appcontext
@edge
def batches_export(batch_id: int, out: str | None) -> None:
    """Print (or --out) the manifest of batch BATCH_ID, for 'tagwriter batch --manifest'."""
    with database().transaction() as session:
        manifest = batch_service.manifest(
            batch_service.find_batch(session, batch_id), branding.of_app(current_app.extensions)
        )
    _write_manifest(manifest, out)


@batches.command("list")
@with_appcontext
@edge
def batches_list() -> None:
    """Batches with their place and how many stickers are encoded."""
    with database().transaction() as session:
        encoded = func.count(Sticker.uid)
        rows = session.execute(
            select(Batch, func.count(Sticker.id), encoded)
            .join(Sticker, Sticker.batch_id == Batch.id)
            .group_by(Batch.id)
            .order_by(Batch.id)
        )
        for batch, total, done in rows:
            click.echo(
                f"{batch.id}  {batch.place.slug}  {batch.chip}  {done}/{total} encoded  "
                f"{batch.created_at:%Y-%m-%d}"
            )
