"""The processes gunicorn's master keeps beside its workers, started without the web app.

`python -m server.background drain --follow` is the tap drainer, `python -m server.background
mobility poll --follow` the feed poller (server/gunicorn_conf.py starts both; the master's
supervisor starts them again when they die). They are `taptrail drain` and `taptrail mobility
poll`, the same commands (server/commands), run with an app that holds the settings and the
database only (server.settings_app): they serve no page, and building the web app, its modules
and its routes, was half of a drainer's start (1.21 CPU-seconds with it, 0.63 without), paid
again at every restart.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from flask.cli import ScriptInfo


def _drainer_app() -> Flask:
    """Settings, keyring (for the SUN messages it checks) and database."""
    from server import settings_app
    from server.commands import built_for_command

    return built_for_command(lambda: settings_app(keys_required=False))


def _poller_app() -> Flask:
    """Settings and database, the feeds file read and the feeds' store opened."""
    from server import settings_app
    from server.commands import built_for_command
    from server.mobility import live

    def build() -> Flask:
        app = settings_app(keys_required=False)
        live.init_app(app)
        return app

    return built_for_command(build)


class _Background(click.Group):
    """Each command imported when asked for: the drainer never loads the poller's modules."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The two background processes."""
        return list(APPS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """`drain` or `mobility` (of which only `poll` is meant to run here)."""
        if name == "drain":
            from server.commands.spool import drain_command

            return drain_command
        if name == "mobility":
            from server.commands.mobility import mobility_group

            return mobility_group
        return None


APPS: dict[str, Callable[[], Flask]] = {"drain": _drainer_app, "mobility": _poller_app}


@click.group(cls=_Background)
@click.pass_context
def main(ctx: click.Context) -> None:
    """A process that runs beside gunicorn's workers (not a command for operators: see taptrail)."""
    if ctx.invoked_subcommand in APPS:  # with_appcontext builds the app from this
        ctx.obj = ScriptInfo(
            create_app=APPS[ctx.invoked_subcommand],
            set_debug_flag=False,
            load_dotenv_defaults=False,
        )


if __name__ == "__main__":
    main()
