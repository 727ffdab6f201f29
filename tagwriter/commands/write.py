"""`tagwriter write`: one URL (or code) on the sticker on the reader, read back and compared."""

from __future__ import annotations

from pathlib import Path

import click

from tags import codes
from tags.chips import NTAG216
from tags.mirror import MirrorError, mirror_position
from tags.ndef import CapacityError
from tags.urls import MIRROR_PARAM, MirrorMode, UrlError, tap_url
from tagwriter.link import TagLink, wait_for_sticker
from tagwriter.options import device_option, edge, reader, secret_option
from tagwriter.password import HOW, load_secret, sticker_password
from tagwriter.plan import Job
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
@device_option
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
    device: str,
    secret_file: Path | None,
) -> None:
    """Write URL (or CODE under --base-url) on the sticker, then read it back and compare."""
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
        found = wait_for_sticker(clf, timeout=wait)
        if found is None:
            raise click.ClickException(
                f"no sticker came within {wait:g} s: put one on the reader and run this again"
            )
        link = TagLink(clf, found)
        password = sticker_password(secret, link.uid) if secret else None
        job = Job(url, mode, password if protect else None, lock)
        written = encode(
            link, job, lambda snapshot: refuse_other_content(snapshot, url, rewrite), password
        )
    click.echo(
        f"sticker {written.uid.hex().upper()} ({written.profile.name}): {url} written and "
        f"verified ({written.writes} pages written)"
    )
