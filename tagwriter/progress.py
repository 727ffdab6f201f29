"""The batch's progress line: done / total, stickers per minute, and time left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

import click

WIDTH = 20


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, with an s unless there is exactly one ("1 sticker", "2 stickers")."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def status_line(done: int, total: int, per_minute: float | None) -> str:
    """The progress as one line of text."""
    filled = WIDTH * done // total if total else WIDTH
    bar = "#" * filled + "-" * (WIDTH - filled)
    text = f"[{bar}] {done}/{total}"
    if per_minute:
        left = (total - done) / per_minute * 60
        minutes, seconds = divmod(round(left), 60)
        # The simulator writes hundreds a minute: whole numbers there, tenths at a real reader.
        rate = f"{per_minute:.0f}" if per_minute >= 100 else f"{per_minute:.1f}"
        text += f"  {rate} stickers/min  {minutes} min {seconds:02d} s left"
    return text


class Progress:
    """Keeps the rate of this sitting and draws the line (in place on a terminal)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.tty = stream.isatty()
        self._start: tuple[int, float] | None = None
        self._opened: int | None = None
        self._line = ""

    def update(self, done: int, total: int) -> None:
        """A sticker was finished (or the run starts)."""
        if self._start is None and self._opened is None:
            self._opened = done  # the run starts: what was done before does not count
        elif self._start is None and done != self._opened:
            # The rate runs from the first sticker finished in this sitting: the time before it
            # (finding the reader, the first sticker put on) is no sticker's.
            self._start = (done, self.clock())
        rate = None
        if self._start is not None:
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
