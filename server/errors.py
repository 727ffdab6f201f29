"""The domain's exceptions. Each message says what went wrong and what to do next.

The CLI turns them into click.ClickException and the API into its JSON error shape; the domain
itself knows nothing of either.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for the translation catalogue; it is translated where it is shown."""
    return message


class TapTrailError(Exception):
    """Base of the domain's refusals; `code` and `status` say how the API reports them."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(TapTrailError):
    """Something named does not exist."""

    code = "not_found"
    status = 404


class Conflict(TapTrailError):
    """The request contradicts what is stored (a sticker registered twice differently)."""

    code = "conflict"
    status = 409


class Invalid(TapTrailError):
    """A value is not acceptable; `field` names it."""

    code = "invalid"
    status = 422


class ImportProblem(Invalid):
    """A file being imported is wrong at a file, line and field; nothing was imported."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str) -> None:
        where = f"{path}, line {line}" if line else path
        where += f", field {field!r}" if field else ""
        super().__init__(f"{where}: {message}; nothing was imported", field=field)
        self.path, self.line, self.reason = path, line, message


class WouldReplace(Conflict):
    """An import would replace what is stored, which nobody asked for; nothing was changed.

    `changes` says what replacing would do, for a person asked whether to go ahead.
    """

    def __init__(self, message: str, changes: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.changes = changes


class Problem(Invalid):
    """A refusal people read in their own language: `msgid` is looked up in the catalogue.

    The portal shows `gettext(msgid) % params`; logs and the command line get the English.
    """

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid, field=field)
        self.msgid, self.params = msgid, params


class Problems(Invalid):
    """Several fields of one form refused at once; nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems
