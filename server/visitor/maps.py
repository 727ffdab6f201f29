"""The street maps of the visitor pages: what each page shows (a signed URL of ours, for an
<img>), and the route that draws and serves those pictures.

A picture is drawn once per URL and kept (server.maps.drawn); it never changes under its URL,
so browsers keep it too. While the database is away, a map this process has read still draws;
otherwise the markers are drawn on a plain background, sent for a minute only and not kept, so
that the streets come back with the database.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Response, abort, current_app

from server.db import UNAVAILABLE, db_session
from server.maps import drawn, projection, streets
from server.services import street_maps, walking
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("maps", __name__)
WIDTH, HEIGHT = 400, 300  # the picture's units; it scales with its box


@dataclass(frozen=True)
class PageMap:
    """A map as a page shows it: an <img> of ours, its size, and what it shows in words."""

    url: str
    width: int
    height: int
    alt: str


def page_map(
    territory_id: int,
    markers: Sequence[tuple[int, float, float]],
    here: tuple[float, float] | None,
    alt: str,
    routed: bool = False,
    route: Sequence[tuple[float, float]] = (),
    from_here: bool = False,
) -> PageMap | None:
    """The map of a page: the markers (number, latitude, longitude) and the visitor's place;
    None when the territory has no street map imported (the page then shows none).

    `routed` draws the way between the markers (a walk), `from_here` the way from the visitor's
    place to the marker (a shop's page); `route` (that way, when known) only widens the frame so
    that all of it shows.
    """
    data = street_maps.load(db_session(), territory_id)
    if data is None or not markers:
        return None
    version = data.version
    points = [(lat, lon) for _, lat, lon in markers] + list(route) + ([here] if here else [])
    frame = projection.framing(points, WIDTH, HEIGHT)
    spec = drawn.MapSpec(
        territory_id,
        version,
        frame.center,
        frame.span_m,
        WIDTH,
        HEIGHT,
        tuple(markers),
        here,
        routed,
        from_here and here is not None,
    )
    return PageMap(drawn.url(spec), WIDTH, HEIGHT, alt)


def draw(spec: drawn.MapSpec) -> tuple[bytes, bool]:
    """The SVG of a spec, drawn now, and whether it may be kept: not when the database is away
    and this process has not read the map the spec names (its streets would be missing)."""
    try:
        data = street_maps.load(db_session(), spec.territory_id)
        current = True  # what the database holds now, even if newer than the spec
    except UNAVAILABLE:
        data = street_maps.kept(spec.territory_id)
        current = data is not None and data.version == spec.version
    frame = projection.Frame(spec.center, spec.span_m, spec.width, spec.height)
    markers = [streets.Marker(n, lat, lon) for n, lat, lon in spec.markers]
    routes: list[Sequence[tuple[float, float]]] = []
    if spec.routed and len(markers) > 1:
        stops = [(m.latitude, m.longitude) for m in markers]
        routes = [way.points for way in walking.legs(data, stops)]
    elif spec.from_here and spec.here and markers:
        # The same way the page measured (same graph, same ends): the map and the text agree.
        routes = [
            walking.way_on_foot(data, spec.here, (markers[0].latitude, markers[0].longitude)).points
        ]
    picture = streets.draw(frame, data, markers, routes, spec.here).encode()
    return picture, current


@bp.get("/map/<token>.svg")
def picture(token: str) -> Response:
    """A map picture named by a page of ours; drawn at the first request, then kept."""
    spec = drawn.parse(token)
    if spec is None:
        abort(404)
    kept = drawn.pictures().load(token)
    complete = True
    if kept is None:
        started = time.perf_counter()
        kept, complete = draw(spec)
        if complete:
            drawn.pictures().store(token, kept)
        current_app.logger.debug(
            "map drawn in %.1f ms, %d bytes", (time.perf_counter() - started) * 1000, len(kept)
        )
    response = Response(kept, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = (
        "public, max-age=2592000, immutable" if complete else "public, max-age=60"
    )
    return response
