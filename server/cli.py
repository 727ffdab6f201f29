"""The `taptrail` administration command line, on Flask's.

The commands that need the app say so with `@with_appcontext`: the app is then built once, from
the TAPTRAIL_* settings, when the command runs (`command_app`). `taptrail keys` edits a keyring
file and needs no app; `taptrail --help` builds none either.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, routes_command

from tags.keyring import ENV_FILE, ENV_JSON, Keyring, KeyringError


def command_app() -> Flask:
    """The app of a command: built from the environment, its connections closed at the end.

    A command that signs nothing runs without a keyring configured (those that sign ask for
    it); a keyring configured but unusable, like any unusable setting, stops it in one sentence.
    """
    from server import create_app
    from server.commands import built_for_command

    return built_for_command(lambda: create_app(keys_required=False))


class TapTrailGroup(FlaskGroup):
    """Flask's command group with TapTrail's commands only.

    Not Flask's --app, --env-file and --debug (the app is TapTrail's, its settings come from
    TAPTRAIL_* variables), its `run` (gunicorn serves) and `shell` (it would bypass the checks
    and audit trail of the commands), nor commands found in the app or in plugins: looking for
    those would build the app to list or refuse a command.
    """

    def __init__(self, **extra: Any) -> None:
        super().__init__(
            create_app=command_app,
            add_default_commands=False,
            add_version_option=False,
            load_dotenv=False,
            set_debug_flag=False,
            context_settings={"auto_envvar_prefix": None},  # options only from the command line
            **extra,
        )
        self.params = [p for p in self.params if p.name not in ("env_file", "app", "debug")]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """One of the commands added here."""
        return click.Group.get_command(self, ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands added here, by name."""
        return click.Group.list_commands(self, ctx)


# The commands that migrate (init-db, backup, restore) import alembic when they run, not here:
# every command would pay for it (~0.35 s of CPU), the drainer beside the workers included.


@click.group(cls=TapTrailGroup)
@click.version_option(package_name="taptrail")
def main() -> None:
    """Administer a TapTrail server."""


@main.group(cls=click.Group)  # a plain group: the keyring file is all these commands need
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


@keys.command("backup")
@click.argument("copy", type=click.Path(dir_okay=False, path_type=Path))
@file_option
def keys_backup(copy: Path, path: str | None) -> None:
    """Copy the keyring to COPY (a new file, owner-only), to keep apart from the backups."""
    source = _keyring_file(path)
    ring = _load(source)
    if copy.exists():
        raise click.ClickException(f"{copy} exists already; copy the keyring to a new file")
    ring.save(copy)  # atomic, and readable by its owner only from the first byte
    click.echo(f"copied the keyring ({len(ring.keys)} keys) to {copy}; keep it offline, apart")


@keys.command("restore")
@click.argument("copy", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a keyring file that exists.")
@file_option
def keys_restore(copy: Path, replace: bool, path: str | None) -> None:
    """Put a keyring copy back as the server's keyring file (a deliberate step of its own)."""
    ring = _load(copy)
    target = _keyring_file(path)
    if target.exists() and not replace:
        raise click.ClickException(
            f"{target} exists; a restore never overwrites a keyring unless told: --replace"
        )
    # Atomic and owner-only from the start: a copy cut short (or a copy readable by others)
    # must never replace the keyring that every sticker depends on.
    ring.save(target)
    click.echo(f"restored {len(ring.keys)} keys into {target}; restart the server to use them")


def _register_commands() -> None:
    from server.commands.analytics import purge_command, rollups_group
    from server.commands.backup import backup_command, restore_command
    from server.commands.brand import brand
    from server.commands.content import demo, import_group
    from server.commands.database import init_db, partitions_command
    from server.commands.field import batches, tokens
    from server.commands.mobility import mobility_group
    from server.commands.pictures import pictures_group
    from server.commands.spool import drain_command, quarantine_group, status_command
    from server.commands.users import users

    for command in (
        init_db,
        partitions_command,
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
        backup_command,
        restore_command,
        mobility_group,
        brand,
        pictures_group,
        routes_command,  # Flask's: every URL rule, its endpoint and methods
    ):
        main.add_command(command)


_register_commands()


if __name__ == "__main__":
    main()
