"""What an import command shows: a progress bar on large files, the question before replacing
what is stored, and the report of what was stored, updated, removed and skipped."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from server.db import database
from server.errors import WouldReplace
from server.importers.report import ImportReport, Progress

if TYPE_CHECKING:  # what click.progressbar returns; click exports it for type checkers only
    from click._termui_impl import ProgressBar

LARGE = 512 * 1024  # bytes: below this, an import is over before a bar would mean anything
SHOWN = 30  # skipped records listed one by one; the rest are counted

T = TypeVar("T")


@contextlib.contextmanager
def progress_bar(label: str, size: int) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on stderr for a large file watched on a terminal."""
    if size < LARGE or not sys.stderr.isatty():
        yield None
        return
    with contextlib.ExitStack() as stack:
        bars: list[ProgressBar[int]] = []
        shown = 0

        def advance(done: int, total: int) -> None:
            nonlocal shown
            if not bars:  # the total is known once the importer has read the file
                bars.append(
                    stack.enter_context(
                        click.progressbar(length=total, label=label, file=sys.stderr)
                    )
                )
            bars[0].update(done - shown)
            shown = done

        yield advance


def run_import(
    importer: Callable[..., ImportReport], path: Path, label: str, replace: bool, **options: Any
) -> None:
    """Run `importer` on `path` in one transaction, asking before it replaces, and report.

    `label` names what the progress bar counts; `options` go to the importer.
    """
    size = sum(f.stat().st_size for f in path.iterdir()) if path.is_dir() else path.stat().st_size

    def run(replacing: bool) -> ImportReport:
        with database().transaction() as session, progress_bar(label, size) as bar:
            return importer(session, path, replace=replacing, progress=bar, **options)

    show(asking(run, replace), path)


def asking(run: Callable[[bool], T], replace: bool) -> T:
    """Run an import; when it would replace what is stored, ask a person at a terminal first.

    `run(replace)` imports. Without a terminal the refusal stands, saying how to proceed.
    """
    try:
        return run(replace)
    except WouldReplace as refused:
        if replace or not sys.stdin.isatty():
            raise
        click.echo(refused.changes, err=True)
        if not click.confirm("Replace it?", err=True):
            raise click.ClickException("nothing was changed") from None
        return run(True)


def show(report: ImportReport, path: object) -> None:
    """The summary line, then what people should know, then each record left out and why."""
    click.echo(f"imported {report.source} from {path}: {report.summary()}")
    for note in report.notes:
        click.echo(f"  {note}")
    if report.skipped:
        click.echo(f"left out ({len(report.skipped):,}):")
        for skipped in report.skipped[:SHOWN]:
            click.echo(f"  {skipped}")
        if len(report.skipped) > SHOWN:
            click.echo(f"  and {len(report.skipped) - SHOWN:,} more")
