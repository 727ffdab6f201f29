"""What the commands share: the reader, server and secret options, and errors at the edge."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
import nfc

from tags.realtime import priority_raised
from tagwriter.client import SERVER_ENV, TOKEN_ENV, TOKEN_FILE_ENV, Client, read_token
from tagwriter.device import DEFAULT_DEVICE, DEVICE_ENV, open_reader
from tagwriter.errors import TagwriterError
from tagwriter.password import SECRET_FILE_ENV

Command = TypeVar("Command", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")

device_option = click.option(
    "--device",
    envvar=DEVICE_ENV,
    default=DEFAULT_DEVICE,
    show_default=True,
    show_envvar=True,
    help="nfcpy reader path: usb, usb:072f:2200, tty:USB0:pn532, udp:127.0.0.1:54321.",
)
secret_option = click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=SECRET_FILE_ENV,
    show_envvar=True,
    help="File holding the secret that sticker passwords derive from (or TAGWRITER_SECRET).",
)


def server_options(command: Command) -> Command:
    """--server, --token and --token-file, each also from the environment."""
    for option in reversed(
        [
            click.option("--server", envvar=SERVER_ENV, show_envvar=True, help="Tap server URL."),
            click.option(
                "--token", envvar=TOKEN_ENV, show_envvar=True, help="API token (scope encode)."
            ),
            click.option(
                "--token-file",
                type=click.Path(dir_okay=False, path_type=Path),
                envvar=TOKEN_FILE_ENV,
                show_envvar=True,
                help="File holding the API token.",
            ),
        ]
    ):
        command = option(command)
    return command


def make_client(server: str | None, token: str | None, token_file: Path | None) -> Client | None:
    """A client of the configured server, or None without one."""
    if not server:
        return None
    return Client(server, read_token(token, token_file))


def edge(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the tool's own errors into one-line messages and a non-zero exit."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TagwriterError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


@contextmanager
def reader(path: str) -> Iterator[nfc.ContactlessFrontend]:
    """The reader at `path`, driven from this thread with raised priority, closed afterwards.

    nfcpy gives a READ 5 ms; on a busy laptop the thread that waits for the answer must be
    woken in time.
    """
    with priority_raised():
        clf = open_reader(path)
        try:
            yield clf
        finally:
            clf.close()
