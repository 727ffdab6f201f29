"""The batch's progress line: done / total, stickers per minute, and time left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

import click

WIDTH = 20


def status_line(done: int, total: int, per_minute: float | None) -> str:
    """The progress as one line of text."""
    filled = WIDTH * done // total if total else WIDTH
    bar = "#" * filled + "-" * (WIDTH - filled)
    text = f"[{bar}] {done}/{total}"
    if per_minute:
        left = (total - done) / per_minute * 60
        minutes, seconds = divmod(round(left), 60)
        text += f"  {per_minute:.1f} stickers/min  {minutes} min {seconds:02d} s left"
    return text


class Progress:
    """Keeps the rate of this sitting and draws the line (in place on a terminal)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.tty = stream.isatty()
        self._start: tuple[int, float] | None = None
        self._line = ""

    def update(self, done: int, total: int) -> None:
        """A sticker was finished (or the run starts)."""
        if self._start is None:
            self._start = (done, self.clock())
        first, started = self._start
        minutes = (self.clock() - started) / 60
        rate = (done - first) / minutes if done > first and minutes > 0 else None
        self._line = status_line(done, total, rate)
        self._draw()

    def say(self, text: str) -> None:
        """A line of news above the progress line."""
        if self.tty and self._line:
            click.echo("\r\x1b[K", nl=False, file=self.stream)
        click.echo(text, file=self.stream)
        if self.tty:
            self._draw()

    def _draw(self) -> None:
        if self.tty:
            click.echo("\r\x1b[K" + self._line, nl=False, file=self.stream)
        else:
            click.echo(self._line, file=self.stream)

    def close(self) -> None:
        """End the progress line."""
        if self.tty and self._line:
            click.echo(file=self.stream)

    def progress(self, done: int, total: int) -> None:
        """The Reporter's name for update()."""
        self.update(done, total)
