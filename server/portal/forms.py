"""Forms at the edge: the domain's refusals in the reader's language, per field, and the end
of a change that worked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import Problems, TapTrailError
from server.portal.access import user
from server.services import audit
from server.web.problems import said


def problems_of(error: TapTrailError) -> dict[str, str]:
    """{field: message} for a refusal; problems without a field go under "_form"."""
    found: dict[str, str] = {}
    for problem in error.problems if isinstance(error, Problems) else [error]:
        key = problem.field or "_form"
        found[key] = f"{found[key]} {said(problem)}" if key in found else said(problem)
    return found


def values() -> dict[str, str]:
    """The submitted form, each field stripped (what the form shows again after a refusal)."""
    return {name: value.strip() for name, value in request.form.items() if name != "csrf_token"}


def done(message: str) -> None:
    """Tell the reader, on the next page, that what they did worked."""
    flash(message, "done")


def refused(message: str) -> None:
    """Tell the reader, on the next page, that what they asked was refused and why."""
    flash(message, "problem")


def saved(
    action: str,
    target: tuple[str, int | None],
    summary: str,
    *,
    message: str,
    to: str,
    changes: Mapping[str, Any] | None = None,
) -> Response:
    """The end of a change that worked: in the audit log as the signed-in account's, committed,
    `message` told on the next page, and the browser sent to `to` (303, so a reload sends
    nothing twice)."""
    audit.record(db_session(), user().id, action, target, summary, changes)
    db_session().commit()
    done(message)
    return redirect(to, code=303)


def merged(stored: Mapping[str, object], submitted: Mapping[str, str]) -> dict[str, object]:
    """What a form shows: the stored values, overwritten by what was just submitted."""
    return {**stored, **submitted}
