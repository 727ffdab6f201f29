"""Live mobility feeds as staff see them: each feed's state (last success, last error, age,
next attempt) and whether this host's poller is alive. Read only: feeds are configured in
TAPTRAIL_MOBILITY_FEEDS (docs/mobility.md)."""

from __future__ import annotations

from flask import render_template

from server.clock import machine_now
from server.mobility.live import health, mobility
from server.portal.access import STAFF, allow
from server.portal.blueprint import bp
from server.visitor.mobility import age


@bp.get("/staff/feeds")
@allow(STAFF)
def feeds() -> str:
    """Each configured feed's state on this host."""
    body, problems = health(mobility(), machine_now())
    beat = body["poller"]
    return render_template(
        "portal/feeds.html",
        feeds=body["feeds"],
        poller_age=age(beat["seconds_since_beat"]) if beat else None,
        problems=problems,
        age=age,
    )
