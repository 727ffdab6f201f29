"""The files of a GTFS feed (a zip, perhaps with a folder inside, a folder, or a lone file),
each read as CSV while it streams, with line numbers for messages and bytes for progress."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from server.errors import ImportProblem
from server.importers.report import Progress

PROGRESS_ROWS = 20_000  # rows between two progress reports


class FeedFiles:
    """The feed's text files, from a zip (perhaps in a folder inside it), a folder, or stops.txt."""

    def __init__(self, path: Path, archive: zipfile.ZipFile | None) -> None:
        self.path, self.archive = path, archive
        self.members: dict[str, str] = {}
        if archive is not None:
            for member in archive.namelist():
                self.members.setdefault(member.rsplit("/", 1)[-1], member)

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[FeedFiles]:
        """The files of the feed at `path`, or a refusal naming it."""
        try:
            if path.is_file() and zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    yield cls(path, archive)
            else:
                yield cls(path, None)
        except OSError as error:
            raise ImportProblem(
                str(path), None, None, f"cannot read it ({error.strerror})"
            ) from None
        except zipfile.BadZipFile as error:
            raise ImportProblem(str(path), None, None, f"a damaged zip ({error})") from None

    def _file(self, name: str) -> Path | None:
        if self.path.is_dir():
            return self.path / name
        return self.path if self.path.name == name else None

    def has(self, name: str) -> bool:
        """Whether the feed holds this file."""
        if self.archive is not None:
            return name in self.members
        found = self._file(name)
        return found is not None and found.is_file()

    def label(self, name: str) -> str:
        """How messages name one of the feed's files."""
        if self.archive is not None:
            return f"{self.path}:{self.members.get(name, name)}"
        return str(self._file(name) or self.path / name)

    @contextlib.contextmanager
    def rows(self, name: str, progress: Progress | None = None) -> Iterator[CsvRows]:
        """A CSV reader over one file, read as it goes; `progress` hears of its bytes."""
        if self.archive is not None:
            size = self.archive.getinfo(self.members[name]).file_size
            raw: IO[bytes] = self.archive.open(self.members[name])
        else:
            found = self._file(name)
            assert found is not None
            size, raw = found.stat().st_size, found.open("rb")
        with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            try:
                yield CsvRows(self.label(name), csv.reader(text), raw, size, progress)
            except UnicodeDecodeError:
                raise ImportProblem(self.label(name), None, None, "not UTF-8 text") from None
            except csv.Error as error:
                raise ImportProblem(self.label(name), None, None, f"not CSV ({error})") from None


class CsvRows:
    """A CSV file's rows: the values of the columns asked for, and the line of each."""

    def __init__(
        self, label: str, reader: Any, raw: IO[bytes], size: int, progress: Progress | None
    ) -> None:
        self.label, self.reader, self.raw = label, reader, raw
        self.size, self.progress = size, progress
        self.header = [column.strip() for column in next(reader, [])]

    def need(self, *columns: str) -> None:
        """Refuse a file without one of these columns."""
        for column in columns:
            if column not in self.header:
                raise ImportProblem(self.label, 1, column, "this required column is missing")

    def line(self) -> int:
        """The line the last row ended on."""
        return int(self.reader.line_num)

    def columns(self, *names: str) -> Iterator[list[str]]:
        """Each row's values of these columns ("" where a row is short or lacks the column)."""
        where = [self.header.index(name) if name in self.header else None for name in names]
        for count, row in enumerate(self.reader, start=1):
            yield [
                row[index].strip() if index is not None and index < len(row) else ""
                for index in where
            ]
            if self.progress is not None and count % PROGRESS_ROWS == 0:
                self.progress(min(self.raw.tell(), self.size), self.size)
        if self.progress is not None:
            self.progress(self.size, self.size)
