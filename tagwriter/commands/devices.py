"""`tagwriter devices`: the readers found, and why one cannot be used."""

from __future__ import annotations

import click

from tagwriter.device import DEVICE_ENV, GUIDE, find_readers, serial_ports


@click.command("devices")
@click.option(
    "--device", envvar=DEVICE_ENV, show_envvar=True, help="Also try this nfcpy reader path."
)
def devices(device: str | None) -> None:
    """List the NFC readers nfcpy can use, and say what stops the others."""
    found = find_readers(device)
    for reader in found:
        click.echo(f"{reader.path}  {reader.name}  {reader.status}")
    ports = serial_ports()
    if ports:
        click.echo(f"serial ports (a PN532 there is e.g. tty:USB0:pn532): {', '.join(ports)}")
    if any(reader.status == "ready" for reader in found):
        return
    if found:
        raise click.ClickException(f"no reader is ready: {found[0].status}")
    raise click.ClickException(
        "no NFC reader found: plug in an ACR122U, PN533 or RC-S380 reader, or give --device "
        f"tty:USB0:pn532 for a PN532 on a serial port ({GUIDE})"
    )
