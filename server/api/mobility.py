"""GET /api/v1/places/{slug}/mobility: the nearest bike stations, car parks and stops of a place,
each figure with its age, as the place page shows them (from the poller's last good snapshots)."""

from __future__ import annotations

from flask import Response, current_app, jsonify
from sqlalchemy import select

from server import clock
from server.api.blueprint import bp
from server.db import db_session
from server.errors import NotFound
from server.mobility.live import feed_states, mobility
from server.models import Place
from server.services import mobility as moving
from server.services import nearby


@bp.get("/places/<slug>/mobility")
def place_mobility(slug: str) -> Response:
    """What moves near a place now: stations, car parks, stops and departures, with ages."""
    found = db_session().scalars(select(Place).where(Place.slug == slug)).first()
    if found is None:
        raise NotFound(f"there is no place {slug!r}; list places with GET /api/v1/places")
    now = clock.now()
    radius = float(current_app.config["MOBILITY_RADIUS_M"])
    query = nearby.Query(
        found.latitude, found.longitude, radius, now, found, frozenset({nearby.Kind.TRANSIT_STOP})
    )
    live = mobility()
    stops = moving.stops(db_session(), live, nearby.nearby(db_session(), query), now)
    near = moving.near(live, found.latitude, found.longitude, now, radius, stops)
    response = jsonify(
        {
            "place": found.slug,
            "at": now.isoformat(),
            "radius_m": radius,
            "bikes": [spot.to_json() for spot in near.bikes],
            "car_parks": [spot.to_json() for spot in near.parking],
            "stops": [spot.to_json() for spot in near.stops],
            "feeds": [
                {key: state[key] for key in ("name", "kind", "status", "seconds_since_success")}
                for state in feed_states(live, now)
            ],
        }
    )
    response.headers["Cache-Control"] = "no-store"  # the figures move by the minute
    return response
