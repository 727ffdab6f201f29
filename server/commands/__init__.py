"""The `taptrail` sub-commands that need the application, one module per area.

Each is marked `@with_appcontext` (Flask's command line builds the app, see server.cli) and
`@edge`, which turns the domain's refusals into one-line errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click
from flask import Flask
from sqlalchemy.exc import DBAPIError

from server.config import ConfigError
from server.errors import TapTrailError
from tags.keyring import KeyringError

P = ParamSpec("P")
R = TypeVar("R")


def edge(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the domain's refusals into click errors: one line, with what to do next."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (TapTrailError, KeyringError, ConfigError) as error:
            raise click.ClickException(str(error)) from None
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise click.ClickException(
                f"the database refused or did not answer ({reason}); check TAPTRAIL_DATABASE_URL "
                "and run 'taptrail init-db' if the schema is missing"
            ) from None

    return wrapper


def built_for_command(build: Callable[[], Flask]) -> Flask:
    """The app a command runs with, made by `build`: a setting it cannot use stops the command in
    one sentence, and the app's database connections close when the command ends."""
    from server.db import database

    try:
        app = build()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    click.get_current_context().call_on_close(database(app).dispose)
    return app
