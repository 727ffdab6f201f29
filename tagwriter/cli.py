"""The `tagwriter` command line: one click group, one function per command."""

from __future__ import annotations

import click

from tags import ndef, urls
from tags.chips import CHIPS, chip_by_name
from tags.mirror import mirror_position
from tags.urls import MirrorMode
from tagwriter.commands.batch import batch
from tagwriter.commands.devices import devices
from tagwriter.commands.labels import labels
from tagwriter.commands.read import read
from tagwriter.commands.release import release
from tagwriter.commands.reset import reset
from tagwriter.commands.sync import sync
from tagwriter.commands.write import write
from tagwriter.simulate import simulate

CHIP_CHOICE = click.Choice(sorted(CHIPS), case_sensitive=False)


@click.group()
@click.version_option(package_name="taptrail")
def main() -> None:
    """Write, check and register TapTrail NFC stickers."""


@main.command("check-url")
@click.argument("url")
@click.option("--chip", type=CHIP_CHOICE, default="ntag213", show_default=True)
@click.option(
    "--mirror",
    type=click.Choice([m.value for m in MirrorMode]),
    help="The URL ends with this mirror placeholder; show where the chip will write.",
)
def check_url(url: str, chip: str, mirror: str | None) -> None:
    """Say whether URL fits the chip, with how many bytes to spare."""
    profile = chip_by_name(chip)
    try:
        spare = ndef.check_capacity(urls.check_url(url), profile)
        position = mirror_position(url, profile, MirrorMode(mirror)) if mirror else None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"fits an {profile.name}: {spare} bytes to spare of {profile.ndef_area_bytes}")
    if position is not None:
        click.echo(f"mirror: MIRROR_PAGE {position.page:02X}h, MIRROR_BYTE {position.byte}")


for command in (devices, read, write, batch, release, reset, sync, labels, simulate):
    main.add_command(command)
if __name__ == "__main__":
    main()
