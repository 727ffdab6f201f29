"""Walking directions on OpenStreetMap, behind a short address of ours.

A place page lists up to 60 entries, each with a link to OpenStreetMap's walking directions
from the place; OpenStreetMap's own address for that is 113 characters, ours
(`/osm/<from>/<to>`, present.osm_short_url) 38, which keeps the page in its 30 KB budget. The
redirect goes to openstreetmap.org only, with the two positions checked as numbers, so it
cannot send anyone elsewhere; nothing is stored.
"""

from __future__ import annotations

import math
import re

from flask import abort, redirect
from werkzeug.wrappers import Response

from server.visitor import present
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("directions", __name__)
# ASCII digits only: \d and float() also read Arabic-Indic and fullwidth digits, so one place
# would answer under many addresses.
POSITION = re.compile(r"(-?\d{1,2}(?:\.\d{1,7})?),(-?\d{1,3}(?:\.\d{1,7})?)", re.ASCII)


def _position(text: str) -> tuple[float, float]:
    found = POSITION.fullmatch(text)
    if found is None:
        abort(404)
    latitude, longitude = float(found[1]), float(found[2])
    if not (abs(latitude) <= 90 and abs(longitude) <= 180) or not math.isfinite(latitude):
        abort(404)
    return latitude, longitude


@bp.get("/osm/<start>/<end>")
def osm(start: str, end: str) -> Response:
    """Off to OpenStreetMap's walking directions between two positions."""
    origin = _position(start)
    response = redirect(present.osm_url(*_position(end), origin), code=302)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
