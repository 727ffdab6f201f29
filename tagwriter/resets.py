"""The reset journal: `resets.jsonl` beside the batch journals, one JSON line per event.

    {"event": "reset_begin", "uid", "code"}          before the first write to the chip
    {"event": "reset_step", "uid", "code", "step"}   the chip acknowledged a step
    {"event": "reset_done", "uid", "code"}           the chip holds factory keys and no URL
    {"event": "reset_told", "uid", "code"}           the server retired the code, unbound the chip

The chip itself says which keys are left (their versions) and, until the last step, which code
they come from; the journal keeps the code once the chip no longer holds it, so that the server
is told even if it did not answer at the time. Lines are written as the batch journal's are
(fsynced, a line cut by a crash skipped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagwriter.journal import JournalError, append_record, default_directory

FILE_NAME = "resets.jsonl"


@dataclass
class ResetState:
    """One chip's reset as the journal has it."""

    code: str | None
    steps: list[str] = field(default_factory=list)
    done: bool = False
    told: bool = False


@dataclass
class ResetJournal:
    """The resets done on this laptop, replayed."""

    path: Path
    chips: dict[str, ResetState] = field(default_factory=dict)  # by UID, the latest reset

    @classmethod
    def open(cls, directory: Path | None = None) -> ResetJournal:
        """The reset journal in `directory` (default: the batch journals' folder)."""
        folder = directory or default_directory()
        journal = cls(folder / FILE_NAME)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lines = journal.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        except (OSError, UnicodeDecodeError) as error:
            raise JournalError(
                f"cannot read the reset journal {journal.path} ({error}): check the file, or "
                "give --journal-dir"
            ) from None
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # cut by a crash: nothing was done on its account
            if isinstance(record, dict):
                journal._apply(record)
        return journal

    def _apply(self, record: dict[str, Any]) -> None:
        event, uid = record.get("event"), record.get("uid")
        if not isinstance(uid, str):
            return
        if event == "reset_begin":
            self.chips[uid] = ResetState(record.get("code"))
            return
        state = self.chips.get(uid)
        if state is None:
            return
        if event == "reset_step":
            state.steps.append(str(record.get("step")))
        elif event == "reset_done":
            state.done = True
        elif event == "reset_told":
            state.told = True

    def append(self, record: dict[str, Any]) -> None:
        """Write one event and wait until it is on disk."""
        append_record(self.path, record)
        self._apply(record)

    def under_way(self, uid: str) -> ResetState | None:
        """The reset of this chip begun and not finished on the chip, if any."""
        state = self.chips.get(uid)
        return state if state is not None and not state.done else None

    def untold(self) -> list[tuple[str, str]]:
        """(UID, code) of chips reset whose server has not been told yet."""
        return [
            (uid, state.code)
            for uid, state in self.chips.items()
            if state.done and not state.told and state.code is not None
        ]
