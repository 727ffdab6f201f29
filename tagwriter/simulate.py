"""`tagwriter simulate`: a virtual reader with a virtual sticker (or a roll) for nfcpy to use."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

from tags.chips import CHIPS, chip_by_name
from tags.virtual.faults import FaultError, Faults
from tags.virtual.kinds import AnySticker
from tags.virtual.link import LinkError
from tags.virtual.reader import VirtualReader
from tags.virtual.roll import Roll
from tags.virtual.statefile import load_stickers, save_stickers
from tags.virtual.sticker import Sticker, StickerStateError
from tags.virtual.uid import UidError, parse_uid

# nfcpy's udp driver talks to port 54321 when the path gives none ("udp").
DEFAULT_PORT = 54321
KEYS = "Enter: next sticker (or lift / put back)   b: put back   r: take away   q: quit"


def _load(state: Path | None, chip: str) -> list[AnySticker]:
    """The stickers of an earlier run, which must be of the chip asked for."""
    if state is None or not state.exists():
        return []
    saved = load_stickers(state)
    if any(sticker.profile is not chip_by_name(chip) for sticker in saved):
        raise StickerStateError(f"{state} holds other chips than {chip}: give its --chip")
    return saved


def _one_sticker(chip: str, uid: str | None, saved: list[AnySticker]) -> AnySticker:
    """The sticker of a single-sticker run: the saved one (with that UID), or a blank one."""
    wanted = parse_uid(uid) if uid is not None else None
    for sticker in reversed(saved):
        if wanted in (None, sticker.uid):
            return sticker
    return Sticker.blank(chip_by_name(chip), wanted)


class _Session:
    """Prints what happens on the reader and keeps the state file up to date.

    The reader tells its events from the link thread, in the middle of an exchange with nfcpy,
    so the file is written by a thread of its own: the chip's answer is never kept waiting.
    """

    def __init__(self, state: Path | None) -> None:
        self.state = state
        self.reader: VirtualReader | None = None
        self._dirty = threading.Event()
        self._closing = False
        self._saver = threading.Thread(target=self._save_when_dirty, name="state-file")

    def event(self, event: str, sticker: AnySticker | None) -> None:
        """Say what happened on the reader; have the state saved once a sticker was used."""
        if event == "presented" and sticker is not None:
            click.echo(
                f"sticker {sticker.uid.hex().upper()} ({sticker.profile.name}) on the reader"
            )
        elif event in ("taken away", "pulled away") and sticker is not None:
            click.echo(f"sticker {sticker.uid.hex().upper()} {event}")
        elif event == "roll empty":
            click.echo("the roll is empty: press q to quit")
        if event != "presented" and self.state is not None:
            self._dirty.set()

    def start(self, reader: VirtualReader) -> None:
        """Serve `reader` and save its stickers from now on."""
        self.reader = reader
        reader.start()
        self._saver.start()

    def close(self) -> None:
        """Stop the reader and write the state file one last time, with the final memory."""
        if self.reader is not None:
            self.reader.stop()
        if self._saver.is_alive():
            self._closing = True
            self._dirty.set()
            self._saver.join()
        # Here rather than in the saver: a save it began earlier may hold an older snapshot.
        self._save()

    def _save_when_dirty(self) -> None:
        while True:
            self._dirty.wait()
            if self._closing:
                return
            self._dirty.clear()
            self._save()

    def _save(self) -> None:
        if self.state is not None and self.reader is not None:
            save_stickers(self.state, self.reader.stickers)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _keys(reader: VirtualReader) -> None:
    for line in sys.stdin:
        key = line.strip().lower()
        if key == "q":
            return
        if key == "b":
            reader.put_back()
        elif key == "r":
            reader.take_away()
        elif reader.roll is not None:
            reader.next_sticker()
        elif reader.sticker is not None:
            reader.take_away()
        else:
            reader.put_back()
    threading.Event().wait()  # no keyboard (stdin closed): serve until interrupted


@click.command("simulate")
@click.option("--chip", type=click.Choice(sorted(CHIPS)), default="ntag213", show_default=True)
@click.option("--uid", help="UID of the sticker, 14 hex digits (default: a random NXP UID).")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the stickers' memory in this file across runs.",
)
@click.option(
    "--roll",
    "count",
    type=click.IntRange(min=1),
    help="A roll of N blank stickers; the next comes on after write and read-back.",
)
@click.option("--pull-after-writes", type=int, help="Fault: pull the sticker off after K writes.")
@click.option("--drop-rate", type=float, default=0.0, help="Fault: share of frames lost.")
@click.option(
    "--write-error-rate", type=float, default=0.0, help="Fault: share of writes that fail (NAK 5h)."
)
@click.option("--delay-ms", type=float, default=0.0, help="Fault: the chip answers this late.")
@click.option("--seed", type=int, help="Make UIDs and lost frames reproducible.")
def simulate(
    chip: str,
    uid: str | None,
    port: int,
    state: Path | None,
    count: int | None,
    pull_after_writes: int | None,
    drop_rate: float,
    write_error_rate: float,
    delay_ms: float,
    seed: int | None,
) -> None:
    """Serve a virtual NTAG21x sticker to nfcpy at udp:127.0.0.1:PORT until q."""
    try:
        faults = Faults(
            pull_after_writes=pull_after_writes,
            drop_rate=drop_rate,
            write_error_rate=write_error_rate,
            delay=delay_ms / 1000,
            seed=seed,
        )
        saved = _load(state, chip)
        sticker = None if count else _one_sticker(chip, uid, saved)
    except (FaultError, UidError, StickerStateError) as error:
        raise click.ClickException(f"{error}; see tagwriter simulate --help") from None
    session = _Session(state)
    # A roll continues after the stickers the state file already holds.
    roll = Roll(chip_by_name(chip), count=count, seed=seed, used=saved) if count else None
    reader = VirtualReader(
        roll, faults, take_away_after_read_back=True, listener=session.event, port=port
    )
    if sticker is not None:
        reader.present(sticker)
    try:
        session.start(reader)
    except LinkError as error:
        raise click.ClickException(f"{error}: stop the other simulator or choose --port") from None
    click.echo(f"virtual reader at {reader.path} (nfcpy path), scheduling: {reader.priority}")
    click.echo(KEYS)
    # A `kill` must save the stickers too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        _keys(reader)
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
