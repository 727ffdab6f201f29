"""`tagwriter write`: one URL (or code) on the sticker on the reader, read back and compared."""

from __future__ import annotations

import os
from pathlib import Path

import click
import nfc
import nfc.clf

from tags import codes
from tags.chips import NTAG216
from tags.mirror import MirrorError, mirror_position
from tags.ndef import CapacityError
from tags.ntag424.layout import CHIP as SUN_CHIP
from tags.ntag424.layout import sun_url
from tags.urls import MIRROR_PARAM, MirrorMode, UrlError, check_base, tap_url
from tagwriter.client import Client
from tagwriter.link import TagLink, wait_for_sticker
from tagwriter.ntag424.card import ISO_DEP, activate
from tagwriter.ntag424.personalise import finish, verify
from tagwriter.options import (
    device_option,
    edge,
    make_client,
    reader,
    secret_option,
    server_options,
)
from tagwriter.password import HOW, load_secret, sticker_password
from tagwriter.plan import Job
from tagwriter.progress import plural
from tagwriter.writer import encode, refuse_other_content

BASE_ENV = "TAGWRITER_BASE_URL"


def resolve(target: str, base_url: str | None, mirror: MirrorMode | None) -> str:
    """The URL to write: `target` itself, or a code under `base_url`; with the placeholder."""
    try:
        if "://" not in target:
            if not base_url:
                raise click.UsageError(f"{target!r} is a code: give --base-url or set {BASE_ENV}")
            return tap_url(base_url, codes.canonical(target), mirror)
        if mirror is not None and "?" not in target:
            target += f"?{MIRROR_PARAM}={mirror.placeholder}"
        if mirror is not None:
            mirror_position(target, NTAG216, mirror)
    except (codes.CodeError, UrlError, MirrorError, CapacityError) as error:
        raise click.UsageError(str(error)) from None
    return target


@click.command("write")
@click.argument("target", metavar="URL|CODE")
@click.option("--base-url", envvar=BASE_ENV, show_envvar=True, help="Base URL for a CODE.")
@click.option("--mirror", type=click.Choice([m.value for m in MirrorMode]), help="NTAG mirror.")
@click.option("--password", "protect", is_flag=True, help="Write-protect with a password.")
@click.option("--lock", is_flag=True, help="Make the sticker read-only for good.")
@click.option("--yes", is_flag=True, help="Do not ask before locking.")
@click.option("--rewrite", is_flag=True, help="Replace what the sticker holds.")
@click.option("--wait", type=float, help="Give up after this many seconds without a sticker.")
@click.option(
    "--chip",
    type=click.Choice(["auto", SUN_CHIP]),
    default="auto",
    show_default=True,
    help="ntag424: personalise an NTAG 424 DNA (auto: when the sticker speaks ISO-DEP).",
)
@device_option
@server_options
@secret_option
@edge
def write(
    target: str,
    base_url: str | None,
    mirror: str | None,
    protect: bool,
    lock: bool,
    yes: bool,
    rewrite: bool,
    wait: float | None,
    chip: str,
    device: str,
    server: str | None,
    token: str | None,
    token_file: Path | None,
    secret_file: Path | None,
) -> None:
    """Write URL (or CODE under --base-url) on the sticker, then read it back and compare.

    An NTAG 424 DNA gets the code's SUN URL and its own keys from the server (--server,
    --token), key 0 last; it is checked by two taps whose SUN messages must verify.
    """
    if chip == SUN_CHIP:
        with reader(device) as clf:
            found = _wait(clf, wait)
            _write_424(clf, bytes(found.sdd_res), target, base_url, server, token, token_file)
        return
    mode = MirrorMode(mirror) if mirror else None
    url = resolve(target, base_url, mode)
    secret = load_secret(secret_file)
    if protect and secret is None:
        raise click.UsageError(f"--password derives each sticker's password from a secret: {HOW}")
    if lock and not yes:
        click.confirm(
            "Locking is permanent: this sticker can never be changed again. Lock it?", abort=True
        )
    with reader(device) as clf:
        found = _wait(clf, wait)
        if found.sel_res and found.sel_res[0] & ISO_DEP:
            _write_424(clf, bytes(found.sdd_res), target, base_url, server, token, token_file)
            return
        link = TagLink(clf, found)
        password = sticker_password(secret, link.uid) if secret else None
        job = Job(url, mode, password if protect else None, lock)
        written = encode(
            link, job, lambda snapshot: refuse_other_content(snapshot, url, rewrite), password
        )
    click.echo(
        f"sticker {written.uid.hex().upper()} ({written.profile.name}): {url} written and "
        f"verified ({plural(written.writes, 'page')} written)"
    )


def _wait(clf: nfc.ContactlessFrontend, wait: float | None) -> nfc.clf.RemoteTarget:
    found = wait_for_sticker(clf, timeout=wait)
    if found is None:
        raise click.ClickException(
            f"no sticker came within {wait:g} s: put one on the reader and run this again"
        )
    return found


def _write_424(
    clf: nfc.ContactlessFrontend,
    uid: bytes,
    target: str,
    base_url: str | None,
    server: str | None,
    token: str | None,
    token_file: Path | None,
) -> None:
    """Personalise the NTAG 424 DNA `uid` for the code `target`, with keys from the server."""
    if "://" in target:
        raise click.UsageError(
            "an NTAG 424 DNA takes a CODE (with --base-url), not a URL: its SUN URL and keys "
            "come from the code"
        )
    if not base_url:
        raise click.UsageError(f"{target!r} is a code: give --base-url or set {BASE_ENV}")
    client: Client | None = make_client(server, token, token_file)
    if client is None:
        raise click.UsageError(
            "an NTAG 424 DNA gets its keys from the server: give --server URL and --token TOKEN"
        )
    try:
        code = codes.canonical(target)
        url = sun_url(check_base(base_url), code)
    except (codes.CodeError, UrlError) as error:
        raise click.UsageError(str(error)) from None
    keys = client.sun_keys(code, uid.hex().upper())
    steps = finish(activate(clf, uid), url, keys)
    counters = verify(clf, uid, url, keys, os.urandom)
    did = ", ".join(steps) if steps else "nothing left to write"
    click.echo(
        f"sticker {uid.hex().upper()} (NTAG 424 DNA): {url} personalised and verified ({did}; "
        f"read counter {counters[0]} then {counters[1]})"
    )
