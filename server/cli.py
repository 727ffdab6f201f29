"""The `taptrail` administration command line."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tags.keyring import ENV_FILE, ENV_JSON, Keyring, KeyringError


@click.group()
@click.version_option(package_name="taptrail")
def main() -> None:
    """Administer a TapTrail server."""


@main.group()
def keys() -> None:
    """Signing keys: create, rotate, revoke, list. Secrets stay in the keyring file."""


def _keyring_file(path: str | None) -> Path:
    if path:
        return Path(path)
    if os.environ.get(ENV_FILE):
        return Path(os.environ[ENV_FILE])
    if os.environ.get(ENV_JSON):
        raise click.ClickException(
            f"the keys come from {ENV_JSON}, which this command cannot change: "
            f"move them to a file and set {ENV_FILE}, or edit the variable yourself"
        )
    raise click.ClickException(f"say which keyring file to use: --file PATH or set {ENV_FILE}")


def _load(path: Path) -> Keyring:
    try:
        return Keyring.load(path)
    except KeyringError as error:
        raise click.ClickException(str(error)) from None


file_option = click.option(
    "--file", "path", type=click.Path(dir_okay=False), help=f"Keyring file (default: ${ENV_FILE})."
)


@keys.command("create")
@file_option
def keys_create(path: str | None) -> None:
    """Create a keyring file with one active key."""
    target = _keyring_file(path)
    if target.exists():
        raise click.ClickException(
            f"{target} already exists; use 'taptrail keys rotate' to add a key"
        )
    Keyring.create().save(target)
    click.echo(f"created {target} with active key 1; set {ENV_FILE}={target} for the server")


@keys.command("rotate")
@file_option
def keys_rotate(path: str | None) -> None:
    """Sign new codes with a fresh key; existing stickers stay valid."""
    target = _keyring_file(path)
    try:
        ring = _load(target).rotate()
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    ring.save(target)
    click.echo(f"key {ring.active.name} is now active; restart the server to use it")


@keys.command("revoke")
@click.argument("kid")
@file_option
def keys_revoke(kid: str, path: str | None) -> None:
    """Refuse every code signed with key KID (its stickers stop working)."""
    target = _keyring_file(path)
    try:
        ring = _load(target).revoke(kid.upper())
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    ring.save(target)
    click.echo(f"key {kid.upper()} revoked; restart the server to refuse its codes")


@keys.command("list")
@file_option
def keys_list(path: str | None) -> None:
    """Show key ids and states (never the secrets)."""
    for key in _load(_keyring_file(path)).keys:
        click.echo(f"{key.name}  {key.state.value}")


def _register_commands() -> None:
    from server.commands.analytics import purge_command, rollups_group
    from server.commands.content import demo, import_group
    from server.commands.database import init_db
    from server.commands.field import batches, tokens
    from server.commands.spool import drain_command, quarantine_group, status_command
    from server.commands.users import users

    for command in (
        init_db,
        drain_command,
        status_command,
        quarantine_group,
        import_group,
        demo,
        tokens,
        batches,
        users,
        rollups_group,
        purge_command,
    ):
        main.add_command(command)


_register_commands()


if __name__ == "__main__":
    main()
