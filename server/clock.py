"""The one clock of the server: what time it is for the pages, the API, the portal, analytics
and everything they call, pinned by the FIXED_NOW setting when tests and screenshots need a
given moment; and the machine's own clock for what must follow real time whatever is pinned.

Use `now()` for every "now" that a person sees or the domain decides with (open now, today's
offers, codes, sign-ins, the figures' default days). Use `machine_now()` for column defaults,
which must work outside an app, and for the tap spool's own bookkeeping (tap times, the
drainer's heartbeat, quarantine entries), which other processes compare with their clock.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context


def machine_now() -> dt.datetime:
    """The machine's clock (aware, UTC), never pinned."""
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """Now (aware, UTC): the moment in the app's FIXED_NOW setting (TAPTRAIL_FIXED_NOW, ISO 8601
    with an offset) when it pins one, else the machine's clock (also outside any app)."""
    if not has_app_context():
        return machine_now()
    fixed = current_app.config.get("FIXED_NOW")
    if not fixed:
        return machine_now()
    moment = fixed if isinstance(fixed, dt.datetime) else dt.datetime.fromisoformat(str(fixed))
    if moment.tzinfo is None:
        raise ValueError("TAPTRAIL_FIXED_NOW needs a UTC offset, e.g. 2026-11-28T15:00+01:00")
    return moment.astimezone(dt.UTC)
