"""The batch journal: an append-only JSON Lines file, each line on disk before the tool goes on.

It is the truth about a batch on this laptop. The first line holds the manifest, so a batch can
be carried on and its registrations sent without the server. Then, one line per event:

    {"event": "begin", "code": ..., "uid": ...}   before the first write: the URL now belongs
                                                    to this chip and to no other
    {"event": "interrupted", "code", "uid"}        the sticker left before it was finished
    {"event": "done", "code", "tag_id", "uid", "chip", "url", "encoded_at"}   verified
    {"event": "registered", "code", "uid", "status"}        the server has it
    {"event": "registration_refused", "code", "uid", "message"}   the server said no
    {"event": "released", "code", "uid"}           given up (its sticker never came back);
                                                    the server retired it

Every line also has "at" (UTC). A crash can only cut the line being written: such a line is
skipped when reading (nothing was done on its account, since the tool waits for the disk).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagwriter.errors import TagwriterError

FORMAT = "tagwriter-journal/1"
DIR_ENV = "TAGWRITER_JOURNAL_DIR"


class JournalError(TagwriterError):
    """The journal cannot be read, written, or belongs to another batch."""


def default_directory() -> Path:
    """Where journals live: TAGWRITER_JOURNAL_DIR, else the user's data folder."""
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "tagwriter"


def journal_path(batch_id: int, directory: Path | None = None) -> Path:
    """The journal file of a batch."""
    return (directory or default_directory()) / f"batch-{batch_id}.jsonl"


def now() -> str:
    """The time as the journal and the server write it: ISO 8601, UTC."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Journal:
    """A batch's journal, replayed into what it says so far."""

    path: Path
    manifest: dict[str, Any]
    bound: dict[str, str] = field(default_factory=dict)  # code -> UID it was begun on
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> done record
    registered: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # code -> the server's message
    released: set[str] = field(default_factory=set)  # given up: never written, never done
    damaged_lines: int = 0

    @classmethod
    def open(cls, path: Path, manifest: dict[str, Any] | None = None) -> Journal:
        """The journal at `path`; created with `manifest` when there is none yet."""
        if path.exists():
            journal = cls._read(path)
            if manifest is not None and _codes(manifest) != _codes(journal.manifest):
                raise JournalError(
                    f"the journal {path} belongs to another batch (batch "
                    f"{journal.manifest.get('batch')}, other URLs): give --journal with "
                    "another file name"
                )
            return journal
        if manifest is None:
            raise JournalError(f"there is no journal {path}: run 'tagwriter batch' first")
        journal = cls(path, manifest)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            message = f"cannot create {path.parent} ({error.strerror}): give --journal-dir"
            raise JournalError(message) from None
        journal.append({"event": "batch", "format": FORMAT, "manifest": manifest})
        _sync_directory(path.parent)
        return journal

    @classmethod
    def _read(cls, path: Path) -> Journal:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise JournalError(
                f"cannot read the journal {path} ({error}): check the file"
            ) from None
        records, damaged = [], 0
        for line in text.splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                damaged += 1
        if (
            not records
            or records[0].get("format") != FORMAT
            or not isinstance(records[0].get("manifest"), dict)
        ):
            raise JournalError(f"{path} is not a tagwriter journal: move it away or give --journal")
        journal = cls(path, records[0]["manifest"], damaged_lines=damaged)
        for record in records[1:]:
            journal._apply(record)
        return journal

    def _apply(self, record: dict[str, Any]) -> None:
        event = record.get("event")
        code: Any = record.get("code")  # a string in every record this journal writes
        if event == "begin":
            self.bound.setdefault(code, record["uid"])
        elif event == "done":
            self.done[code] = record
        elif event == "registered":
            self.registered.add(code)
        elif event == "registration_refused":
            self.refused[code] = record.get("message", "")
        elif event == "released":
            self.released.add(code)

    def append(self, record: dict[str, Any]) -> None:
        """Write one event and wait until it is on disk."""
        append_record(self.path, record)
        self._apply(record)

    def uid_done(self, uid: str) -> str | None:
        """The code a chip was finished with, if any."""
        return next((code for code, r in self.done.items() if r["uid"] == uid), None)

    def code_bound_to(self, uid: str) -> str | None:
        """The code begun on this chip and not finished yet, if any."""
        return next(
            (code for code, bound in self.bound.items() if bound == uid and code not in self.done),
            None,
        )

    def waiting_registrations(self) -> list[dict[str, Any]]:
        """Done stickers the server has not accepted or refused yet."""
        return [
            record
            for code, record in self.done.items()
            if code not in self.registered and code not in self.refused
        ]


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line (with "at") to `path` and wait until it is on disk."""
    line = json.dumps({"at": now(), **record}, ensure_ascii=False) + "\n"
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if _ends_mid_line(fd):
                line = "\n" + line  # a line cut by a crash keeps to itself
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise JournalError(
            f"cannot write the journal {path} ({error.strerror}): free some disk "
            "space or fix its permissions, then run the same command again"
        ) from None


def _codes(manifest: dict[str, Any]) -> tuple[Any, list[Any]]:
    stickers = manifest.get("stickers") or []
    return manifest.get("batch"), [s.get("code") for s in stickers if isinstance(s, dict)]


def _ends_mid_line(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def _sync_directory(directory: Path) -> None:
    """Make the new file's name durable too."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
