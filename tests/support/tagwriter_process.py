"""`tagwriter` in a subprocess, as a field worker runs it, with its output read line by line."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


class TagwriterProcess:
    """Runs `python -m tagwriter.cli ARGS`; wait_for() reads output until a line matches."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tagwriter.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=environment,
        )
        self.output = ""

    @property
    def pid(self) -> int:
        """The process id, to kill it."""
        return self.process.pid

    def wait_for(self, text: str) -> str:
        """Read output until a line holds `text`; fails if the process ends first."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output += line
            if text in line:
                return line
        raise AssertionError(f"tagwriter ended without saying {text!r}:\n{self.output}")

    def finish(self, timeout: float = 60) -> int:
        """Wait for the end; returns the exit code (negative: killed by that signal)."""
        assert self.process.stdout is not None
        self.output += self.process.stdout.read()
        return self.process.wait(timeout=timeout)

    def __enter__(self) -> TagwriterProcess:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
