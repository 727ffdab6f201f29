"""The staff map picker without JavaScript: the map is an <input type="image">, so a click
sends the form with map.x and map.y, and the centre it was drawn around in map_lat, map_lon."""

from __future__ import annotations

from collections.abc import Mapping

from server.maps import projection
from server.web.values import finite


def clicked(form: Mapping[str, str], prefix: str = "map") -> bool:
    """Whether the form was sent by a click on this map."""
    return f"{prefix}.x" in form


def picked(form: Mapping[str, str], prefix: str = "map") -> tuple[float, float]:
    """The position under the click; ValueError when the form does not say where."""
    try:
        center = (finite(form[f"{prefix}_lat"]), finite(form[f"{prefix}_lon"]))
        x, y = finite(form[f"{prefix}.x"]), finite(form[f"{prefix}.y"])
    except KeyError:
        raise ValueError("the map's click came without its position") from None
    return projection.point_at(center, x, y)
