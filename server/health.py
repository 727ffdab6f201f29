"""Health URLs: /healthz for an operator's monitoring, /livez for a load balancer.

`/healthz` answers 200 while this host's taps reach the database, and 503 with the reasons when
they do not (no drainer alive, taps waiting too long, taps quarantined, the database away): the
URL to alert on. `/livez` answers 200 whenever the worker can answer at all, database or not,
because a tap is answered and kept even while the database is away: a load balancer that took
hosts out of service on /healthz would turn an outage of the database into one of the service.

`/healthz` also shows each live mobility feed's state (last success, last error, age) and fails
when feeds are configured but no poller runs on the host; a feed that is down is the outside
party's outage, shown but not failing (docs/mobility.md).
"""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, current_app

from server.clock import machine_now
from server.db import answers, database
from server.mobility import live
from server.taps.health import spool_health

bp = Blueprint("health", __name__)
JSON = "application/json"


@bp.get("/healthz")
def healthz() -> Response:
    """This host's tap storage: 200 when healthy, 503 with the problems when not."""
    health = spool_health(
        current_app.config["SPOOL_DIR"],
        max_tap_age=float(current_app.config["HEALTH_MAX_TAP_AGE"]),
    )
    reachable = answers(database())
    if not reachable:
        health.problems.append("the database does not answer: taps wait in the spool")
    feeds, problems = live.health(live.mobility(), machine_now())
    health.problems.extend(problems)
    body = {**health.as_dict(), "database": "ok" if reachable else "unreachable", "mobility": feeds}
    return _json(body, 200 if health.healthy else 503)


@bp.get("/livez")
def livez() -> Response:
    """The worker answers: a load balancer may send it visitors."""
    return _json({"status": "ok"}, 200)


def _json(body: dict[str, object], status: int) -> Response:
    response = Response(orjson.dumps(body), status=status, content_type=JSON)
    response.headers["Cache-Control"] = "no-store"
    return response
