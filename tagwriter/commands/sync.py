"""`tagwriter sync`: send the registrations that wait in the journals."""

from __future__ import annotations

from pathlib import Path

import click

from tagwriter.journal import Journal, default_directory
from tagwriter.options import edge, make_client, server_options
from tagwriter.registrations import send_waiting


@click.command("sync")
@click.option(
    "--journal",
    "journals",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A journal (repeatable; default: every journal in the journal folder).",
)
@click.option(
    "--journal-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TAGWRITER_JOURNAL_DIR",
    show_envvar=True,
    help="Folder of the batch journals.",
)
@server_options
@edge
def sync(
    journals: tuple[Path, ...],
    journal_dir: Path | None,
    server: str | None,
    token: str | None,
    token_file: Path | None,
) -> None:
    """Register every written sticker the server has not accepted yet."""
    client = make_client(server, token, token_file)
    if client is None:
        raise click.UsageError("give --server URL (or set TAGWRITER_SERVER) and a token")
    paths = list(journals) or sorted((journal_dir or default_directory()).glob("batch-*.jsonl"))
    registered, refused, waiting = 0, [], 0
    for path in paths:
        sent = send_waiting(Journal.open(path), client)
        registered, waiting = registered + sent.registered, waiting + sent.waiting
        refused += sent.refused
    click.echo(f"{registered} registrations sent from {len(paths)} journal(s)")
    for refusal in refused:
        click.echo(f"refused by the server: {refusal}")
    if waiting:
        raise click.ClickException(
            f"{waiting} registrations still wait: the server does not answer; "
            "run 'tagwriter sync' again later"
        )
    if refused:
        raise click.ClickException(
            f"the server refused {len(refused)} registrations (above): ask an administrator"
        )
