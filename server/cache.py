"""Copies kept on the local disk so visitors are served while the database is away."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class DiskCache:
    """Text values under string keys, one file each, replaced atomically."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._written: dict[str, str] = {}  # key -> digest of what this process last wrote

    def _path(self, key: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in key)[:80]
        return self.directory / f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"

    def store(self, key: str, value: str) -> None:
        """Keep `value` for `key`; skips the write when it has not changed."""
        digest = hashlib.sha256(value.encode()).hexdigest()
        if self._written.get(key) == digest:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(value)
            os.replace(temporary, self._path(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._written[key] = digest

    def load(self, key: str) -> tuple[str, float] | None:
        """The kept value and when it was written (a Unix time), or None."""
        path = self._path(key)
        try:
            return path.read_text(encoding="utf-8"), path.stat().st_mtime
        except FileNotFoundError:
            return None
