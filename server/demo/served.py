"""The demo's live feeds, served by the demo server itself under /demo-feeds/ (only when
TAPTRAIL_DEMO_FEEDS is set, as `make run` does): GBFS 2.3 and 3.0, the Lille car parks JSON,
DATEX II and GTFS-RT, made for the moment they are asked (server/demo/mobility.py). The poller
fetches them over HTTP like any other feed, so the demo shows live figures with no network."""

from __future__ import annotations

import orjson
from flask import Blueprint, Flask, Response, abort, request

from server import clock
from server.demo import mobility as demo

bp = Blueprint("demo_feeds", __name__, url_prefix="/demo-feeds")
VERSIONS = {"2.3": "2.3", "3.0": "3.0"}


def init_app(app: Flask) -> None:
    """Serve the demo feeds when the setting asks for them."""
    if app.config.get("DEMO_FEEDS"):
        app.register_blueprint(bp)


def _json(value: object) -> Response:
    return Response(orjson.dumps(value), content_type="application/json")


@bp.get("/gbfs/<version>/<name>.json")
def gbfs(version: str, name: str) -> Response:
    """One file of the demo's GBFS system in version 2.3 or 3.0."""
    if version not in VERSIONS:
        abort(404)
    base = f"{request.host_url.rstrip('/')}{bp.url_prefix}/gbfs/{version}"
    files = demo.gbfs_files(base, version, clock.now())
    if name not in files:
        abort(404)
    return _json(files[name])


@bp.get("/parkings.json")
def parkings() -> Response:
    """The demo car parks, as the disponibilite-parkings JSON export."""
    return _json(demo.lille_parkings(clock.now()))


@bp.get("/datex/<name>.xml")
def datex(name: str) -> Response:
    """The demo's DATEX II ParkingTablePublication (table) and ParkingStatusPublication (status)."""
    now = clock.now()
    if name == "table":
        return Response(demo.datex_table(now), content_type="application/xml")
    if name == "status":
        return Response(demo.datex_status(now), content_type="application/xml")
    abort(404)


@bp.get("/gtfs-rt.pb")
def gtfs_rt() -> Response:
    """The demo's GTFS-RT message: delays on line 25, an alert on line 63."""
    return Response(demo.trip_updates(clock.now()), content_type="application/x-protobuf")
