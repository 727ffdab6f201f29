"""What an import did: how many records it stored new, updated, left as they were, removed,
and what it left out and why, one sentence each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from server.errors import ImportProblem

# Told how far an import has gone: (done, total), in whatever unit the importer counts.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Skipped:
    """A record left out of an import: where it is in the file and why."""

    line: int | None
    field: str | None
    reason: str

    @classmethod
    def of(cls, problem: ImportProblem) -> Skipped:
        """The refusal of one record, kept to report instead of refusing the file."""
        return cls(problem.line, problem.field, problem.reason)

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"line {self.line}" if self.line else "", self.field or "") if part
        )
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class ImportReport:
    """The counts of one import; `unit` names what is counted ("occurrence", "stop")."""

    unit: str
    skipped_unit: str
    source: str = ""  # what was imported, as the command line names it
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what people should know beyond counts

    @property
    def stored(self) -> int:
        """Records the import leaves in the database."""
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        """ "412 occurrences stored (30 new, 380 updated, 2 unchanged), 5 removed, 2 events
        skipped"."""
        parts = [
            f"{plural(self.stored, self.unit)} stored ({self.new:,} new, {self.updated:,} "
            f"updated, {self.unchanged:,} unchanged)",
            f"{self.removed:,} removed",
        ]
        if self.skipped:
            parts.append(f"{plural(len(self.skipped), self.skipped_unit)} skipped")
        return ", ".join(parts)


def plural(count: int, word: str) -> str:
    """ "1 stop", "2 stops", "1,200 occurrences"."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")
