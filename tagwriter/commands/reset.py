"""`tagwriter reset`: an NTAG 424 DNA back to its factory keys, settings and empty NDEF file."""

from __future__ import annotations

from pathlib import Path

import click

from tags import codes
from tagwriter.client import Client, ServerError, ServerUnreachable
from tagwriter.commands.batch import JOURNAL_DIR_OPTION
from tagwriter.errors import StickerGone
from tagwriter.journal import Journal, JournalError
from tagwriter.link import wait_for_sticker
from tagwriter.ntag424.card import ISO_DEP, activate
from tagwriter.ntag424.reset import check_versions, look, reset_card
from tagwriter.options import device_option, edge, make_client, reader, server_options
from tagwriter.resets import ResetJournal

NEEDS_SERVER = (
    "this sticker's keys come from the server: give --server URL and --token TOKEN (or set "
    "TAGWRITER_SERVER and TAGWRITER_TOKEN)"
)


@click.command("reset")
@click.option("--wait", type=float, help="Give up after this many seconds without a sticker.")
@click.option("--yes", is_flag=True, help="Do not ask before retiring the sticker's code.")
@device_option
@server_options
@JOURNAL_DIR_OPTION
@edge
def reset(
    wait: float | None,
    yes: bool,
    device: str,
    server: str | None,
    token: str | None,
    token_file: Path | None,
    journal_dir: Path | None,
) -> None:
    """Take the NTAG 424 DNA on the reader back to its factory state.

    Its keys (from the server, by the code its URL holds) open it; keys 1 to 4, then key 0, go
    back to zero, SDM goes off and the NDEF file is emptied. Pulled mid-way, it carries on at
    the next run. The server then retires the code and unbinds the chip, which can take a new
    code. Resets the server was not told of are told first, at every run.
    """
    journal = ResetJournal.open(journal_dir)
    client = make_client(server, token, token_file)
    _tell_waiting(journal, client)
    with reader(device) as clf:
        target = wait_for_sticker(clf, timeout=wait)
        if target is None:
            raise click.ClickException(
                f"no sticker came within {wait:g} s: put one on the reader and run this again"
            )
        if not target.sel_res or not target.sel_res[0] & ISO_DEP:
            raise click.ClickException(
                "this sticker is no NTAG 424 DNA (it does not speak ISO-DEP): an NTAG21x has "
                "no keys to reset; write it anew with 'tagwriter write URL --rewrite'"
            )
        uid_bytes = bytes(target.sdd_res)
        uid = uid_bytes.hex().upper()
        card = activate(clf, uid_bytes)
        found = look(card)
        under_way = journal.under_way(uid)
        code = _code(found.code()) or (under_way.code if under_way else None)
        if found.factory:
            if under_way is not None:
                _finish(journal, client, uid, code, [])
                return
            click.echo(f"sticker {uid} is in its factory state already: nothing to reset")
            return
        keys = None
        if found.keyed and code is not None:
            if client is None:
                raise click.UsageError(NEEDS_SERVER)
            keys = client.sun_keys(code, uid, reset=True)
        check_versions(found, keys)  # refused before anything is journaled or touched
        if under_way is None:
            if code is not None and not yes:
                click.confirm(
                    f"Reset sticker {uid}? Its code {code} will be retired for good (its labels "
                    "too) and the chip freed for a new code",
                    abort=True,
                )
            journal.append({"event": "reset_begin", "uid": uid, "code": code})

        def done(step: str) -> None:
            journal.append({"event": "reset_step", "uid": uid, "code": code, "step": step})

        try:
            steps = reset_card(card, found, keys, done)
        except StickerGone:
            raise click.ClickException(
                f"sticker {uid} left the reader before the reset was finished: put it back and "
                "run 'tagwriter reset' again; it carries on where it stopped"
            ) from None
    _finish(journal, client, uid, code, steps)


def _code(text: str | None) -> str | None:
    """The canonical code of what the sticker's URL ends with, if that is a code."""
    if text is None:
        return None
    try:
        return codes.canonical(text)
    except codes.CodeError:
        return None


def _finish(
    journal: ResetJournal, client: Client | None, uid: str, code: str | None, steps: list[str]
) -> None:
    journal.append({"event": "reset_done", "uid": uid, "code": code})
    if code is not None:
        _release_in_batches(journal.path.parent, uid, code)
    did = ", ".join(steps) if steps else "only the server was left to tell"
    click.echo(f"sticker {uid} (NTAG 424 DNA) is reset to its factory state ({did})")
    if code is None:
        return
    if client is None:
        click.echo(
            f"the server was not told: run 'tagwriter reset --server URL --token TOKEN' to "
            f"retire code {code} and free the chip"
        )
        return
    refusal = _tell(journal, client, uid, code)
    if refusal is not None:
        raise click.ClickException(refusal)


def _release_in_batches(folder: Path, uid: str, code: str) -> None:
    """A batch that began `code` on this chip gives it up: the batch can finish without it."""
    for path in sorted(folder.glob("batch-*.jsonl")):
        try:
            batch = Journal.open(path)
        except JournalError:
            continue  # not ours to mend here: 'tagwriter batch' says what is wrong with it
        if batch.bound.get(code) == uid and code not in batch.done and code not in batch.released:
            batch.append({"event": "released", "code": code, "uid": uid})
            click.echo(f"batch {batch.manifest.get('batch')} goes on without code {code}")


def _tell_waiting(journal: ResetJournal, client: Client | None) -> None:
    """Tell the server of the resets it missed (the server was away at the time)."""
    if client is None:
        return
    for uid, code in journal.untold():
        refusal = _tell(journal, client, uid, code)
        if refusal is not None:
            click.echo(refusal, err=True)


def _tell(journal: ResetJournal, client: Client, uid: str, code: str) -> str | None:
    """Tell the server of one reset; the server's refusal, if it refused (then never again)."""
    try:
        client.reset(code, uid)
    except ServerUnreachable as error:
        click.echo(
            f"the server will be told of sticker {uid} at the next 'tagwriter reset': {error}"
        )
        return None
    except ServerError as error:
        # The chip is reset whatever the server says; asking again would get the same answer.
        journal.append({"event": "reset_told", "uid": uid, "code": code, "refused": str(error)})
        return (
            f"the server refused to retire code {code} for sticker {uid} ({error}): the chip is "
            "reset all the same; retire the code in the portal if it is still listed"
        )
    journal.append({"event": "reset_told", "uid": uid, "code": code})
    click.echo(f"the server retired code {code} and freed the chip {uid}")
    return None
