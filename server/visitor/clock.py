"""The time the visitor pages show, which tests and screenshots can pin."""

from __future__ import annotations

import datetime as dt

from flask import current_app


def now() -> dt.datetime:
    """Now (aware, UTC), or the moment in TAPTRAIL_FIXED_NOW (ISO 8601 with an offset)."""
    fixed = current_app.config.get("FIXED_NOW")
    if not fixed:
        return dt.datetime.now(dt.UTC)
    moment = fixed if isinstance(fixed, dt.datetime) else dt.datetime.fromisoformat(str(fixed))
    if moment.tzinfo is None:
        raise ValueError("TAPTRAIL_FIXED_NOW needs a UTC offset, e.g. 2026-11-28T15:00+01:00")
    return moment.astimezone(dt.UTC)
