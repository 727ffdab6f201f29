"""What the in-process reader and the reader process share: a with block, and nfcpy's path."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Served:
    """Started on entering a `with` block, stopped on leaving it; nfcpy opens `path`."""

    host = "127.0.0.1"

    @property
    def port(self) -> int:
        """The UDP port nfcpy must use."""
        raise NotImplementedError

    def start(self) -> Self:
        """Start serving."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop serving."""
        raise NotImplementedError

    @property
    def path(self) -> str:
        """What to give nfcpy: nfc.ContactlessFrontend(reader.path)."""
        return f"udp:{self.host}:{self.port}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
