"""`tagwriter release`: give up a URL begun on a sticker that never came back to the reader."""

from __future__ import annotations

from pathlib import Path

import click

from tags import codes
from tagwriter.commands.batch import JOURNAL_DIR_OPTION
from tagwriter.journal import Journal, journal_path
from tagwriter.options import edge, make_client, server_options


@click.command("release")
@click.argument("code")
@click.option("--batch", "batch_id", type=int, required=True, help="The batch of the code.")
@server_options
@JOURNAL_DIR_OPTION
@edge
def release(
    code: str,
    batch_id: int,
    server: str | None,
    token: str | None,
    token_file: Path | None,
    journal_dir: Path | None,
) -> None:
    """Give up CODE, begun on a sticker that is lost: the server retires it, the batch goes on.

    Whatever that sticker holds then gets the "retired" page, and CODE is never written on
    another sticker; the batch can finish without it.
    """
    journal = Journal.open(journal_path(batch_id, journal_dir))
    try:
        canonical = codes.canonical(code)
    except codes.CodeError as error:
        raise click.UsageError(f"{code!r} is no code: {error}") from None
    if canonical in journal.done:
        raise click.ClickException(
            f"{canonical} is on a finished sticker ({journal.done[canonical]['uid']}), not a "
            "half-written one: retire that sticker in the portal if it is lost"
        )
    if canonical in journal.released:
        click.echo(f"{canonical} was released already")
        return
    uid = journal.bound.get(canonical)
    if uid is None:
        raise click.ClickException(
            f"{canonical} was not begun on any sticker of batch {batch_id}: the batch will "
            "write it on the next blank sticker, nothing to release"
        )
    client = make_client(server, token, token_file)
    if client is None:
        raise click.UsageError(
            "the server must be told, so that the lost sticker's URL is retired: give --server "
            "URL and --token TOKEN (or set TAGWRITER_SERVER and TAGWRITER_TOKEN)"
        )
    client.release(canonical, uid)  # first the server: the journal says only what it knows
    journal.append({"event": "released", "code": canonical, "uid": uid})
    click.echo(
        f"{canonical} (begun on sticker {uid}) is released: the server retired it, and the "
        "batch goes on without it"
    )
