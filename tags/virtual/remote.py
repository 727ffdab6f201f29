"""The virtual reader in a subprocess: its own interpreter, so no lock of the test's is shared."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Any

from tags.virtual.faults import Faults
from tags.virtual.kinds import AnySticker, sticker_from_dict
from tags.virtual.served import Served


class ReaderProcessError(RuntimeError):
    """The reader process did not start or stopped answering."""


class ReaderProcess(Served):
    """Drive `python -m tags.virtual.serve`: same calls as VirtualReader, stickers as copies."""

    def __init__(
        self,
        chip: str = "ntag213",
        count: int | None = None,
        *,
        seed: int | None = None,
        faults: Faults | None = None,
        take_away_after_read_back: bool = False,
    ) -> None:
        self.config: dict[str, Any] = {
            "chip": chip,
            "count": count,
            "seed": seed,
            "faults": dataclasses.asdict(faults or Faults()),
            "take_away_after_read_back": take_away_after_read_back,
        }
        self._process: subprocess.Popen[str] | None = None
        self._port = 0
        self.priority = "not started"

    def start(self) -> ReaderProcess:
        """Start the process and wait until it serves."""
        command = [sys.executable, "-m", "tags.virtual.serve", json.dumps(self.config)]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        hello = self._read()
        self._port, self.priority = hello["port"], hello["priority"]
        return self

    def stop(self) -> None:
        """Ask the process to stop and wait for it."""
        if self._process is None:
            return
        process, self._process = self._process, None
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps({"op": "stop"}) + "\n")
            process.stdin.close()
        except BrokenPipeError:
            pass
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()

    @property
    def port(self) -> int:
        """The UDP port the process serves on."""
        return self._port

    def next_sticker(self) -> AnySticker | None:
        """Take the current sticker away and put the next blank one on."""
        return self._current(self._ask({"op": "next"}))

    def take_away(self) -> None:
        """Lift the sticker off the reader."""
        self._ask({"op": "take_away"})

    def put_back(self) -> AnySticker | None:
        """Put the last sticker taken away back."""
        return self._current(self._ask({"op": "put_back"}))

    def set_faults(self, faults: Faults) -> None:
        """Change the faults from now on."""
        self._ask({"op": "faults", "faults": dataclasses.asdict(faults)})

    @property
    def stickers(self) -> list[AnySticker]:
        """Copies of every sticker so far, with memory and counters as they are now."""
        return [sticker_from_dict(item) for item in self._ask({"op": "snapshot"})["stickers"]]

    @property
    def sticker(self) -> AnySticker | None:
        """A copy of the sticker on the reader, if any."""
        return self._current(self._ask({"op": "snapshot"}))

    def _current(self, snapshot: dict[str, Any]) -> AnySticker | None:
        index = snapshot["current"]
        return None if index is None else sticker_from_dict(snapshot["stickers"][index])

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._process is None or self._process.stdin is None:
            raise ReaderProcessError("the reader process is not running")
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise ReaderProcessError("the reader process ended; see its error output")
        return json.loads(line)
