"""`tagwriter batch`: write a whole batch, from the server or a manifest file, resumably."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from tagwriter.batch import BatchRun
from tagwriter.client import Client, ServerUnreachable
from tagwriter.journal import Journal, journal_path
from tagwriter.manifest import Batch, load_manifest, parse_manifest
from tagwriter.options import (
    device_option,
    edge,
    make_client,
    reader,
    secret_option,
    server_options,
)
from tagwriter.password import HOW, load_secret
from tagwriter.progress import Progress, plural
from tagwriter.registrations import send_waiting

JOURNAL_DIR_OPTION = click.option(
    "--journal-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TAGWRITER_JOURNAL_DIR",
    show_envvar=True,
    help="Folder of the batch journals (default: ~/.local/share/tagwriter).",
)


def _source(
    manifest: Path | None, batch_id: int | None, client: Client | None, journal_dir: Path | None
) -> tuple[Batch, Journal, str | None]:
    """The batch, its journal, and a warning when the server could not be asked."""
    if manifest is not None:
        batch = load_manifest(manifest)
        return batch, Journal.open(_journal(batch.id, journal_dir), batch.manifest), None
    if batch_id is None or client is None:
        raise click.UsageError("give --manifest FILE, or --server URL --token TOKEN --batch ID")
    path = _journal(batch_id, journal_dir)
    try:
        data = client.batch(batch_id)
    except ServerUnreachable as error:
        if not path.exists():
            raise
        journal = Journal.open(path)
        warning = f"{error}; carrying on with the batch as the journal holds it"
        return parse_manifest(journal.manifest, str(path)), journal, warning
    batch = parse_manifest(data, f"batch {batch_id} from {client.server}")
    return batch, Journal.open(path, batch.manifest), None


def _journal(batch_id: int, directory: Path | None) -> Path:
    return journal_path(batch_id, directory)


@click.command("batch")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A manifest exported with 'taptrail batches export'.",
)
@click.option("--batch", "batch_id", type=int, help="The batch to fetch from --server.")
@click.option("--rewrite", is_flag=True, help="Overwrite stickers that hold other URLs.")
@device_option
@server_options
@secret_option
@JOURNAL_DIR_OPTION
@edge
def batch(
    manifest: Path | None,
    batch_id: int | None,
    rewrite: bool,
    device: str,
    server: str | None,
    token: str | None,
    token_file: Path | None,
    secret_file: Path | None,
    journal_dir: Path | None,
) -> None:
    """Write every URL of a batch, each on its own verified sticker, and register them."""
    client = make_client(server, token, token_file)
    the_batch, journal, warning = _source(manifest, batch_id, client, journal_dir)
    secret = load_secret(secret_file)
    if the_batch.sun and client is None:
        raise click.UsageError(
            f"batch {the_batch.id} is of NTAG 424 DNA stickers, whose keys the server gives "
            "for each chip (a manifest holds none): give --server URL and --token TOKEN"
        )
    if the_batch.password and secret is None:
        raise click.UsageError(f"batch {the_batch.id} protects stickers with a password: {HOW}")
    progress = Progress(sys.stderr if sys.stderr.isatty() else sys.stdout)
    if warning:
        progress.say(warning)
    if journal.damaged_lines:
        progress.say(f"{journal.path}: {journal.damaged_lines} line(s) cut by a crash, skipped")
    # A kill (a laptop shutting down) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with reader(device) as clf:
            BatchRun(the_batch, journal, clf, progress, client, secret, rewrite).run()
    except KeyboardInterrupt:
        progress.close()
        raise click.ClickException(
            f"stopped: {len(journal.done)} of {plural(len(the_batch.entries), 'sticker')} "
            f"{'is' if len(journal.done) == 1 else 'are'} done and in "
            f"{journal.path}; run the same command again to carry on"
        ) from None
    progress.close()
    _finish(journal, client)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _finish(journal: Journal, client: Client | None) -> None:
    """Send what still waits, and say where the batch stands."""
    if client is not None:
        for refusal in send_waiting(journal, client).refused:
            click.echo(f"refused by the server: {refusal}")
    waiting = len(journal.waiting_registrations())
    written = plural(len(journal.done), "sticker")
    released = f", {len(journal.released)} released" if journal.released else ""
    click.echo(f"batch done: {written} written and verified{released} ({journal.path})")
    if waiting:
        waits = f"{plural(waiting, 'registration')} wait{'s' if waiting == 1 else ''}"
        click.echo(f"{waits} in the journal: send them with 'tagwriter sync'")
