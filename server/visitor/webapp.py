"""The visitor pages as an installable web app: its manifest, icons and service worker.

Every page works without them; a browser that can install a web app gets a home-screen icon,
and the service worker (server/static/sw.js) keeps the last pages seen and any walk the
visitor saved, so they still open without a network.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from flask import Response, abort, current_app, jsonify
from PIL import Image, ImageDraw

from server.i18n import gettext, language
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("webapp", __name__)
ICON_SIZES = (192, 512)
BLUE = (11, 87, 208)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest, in the visitor's language."""
    response = jsonify(
        {
            "name": "TapTrail",
            "short_name": "TapTrail",
            "description": gettext("What is near you"),
            "lang": language(),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b57d0",
            "icons": [
                {"src": f"/icons/{size}.png", "sizes": f"{size}x{size}", "type": "image/png"}
                for size in ICON_SIZES
            ]
            + [
                {
                    "src": "/icons/512.png",
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                }
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/icons/<int:size>.png")
def icon(size: int) -> Response:
    """The app's icon: a white pin on blue, drawn here (inside the maskable safe zone)."""
    if size not in ICON_SIZES:
        abort(404)
    response = Response(_icon(size), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@functools.lru_cache(maxsize=len(ICON_SIZES))
def _icon(size: int) -> bytes:
    image = Image.new("RGB", (size, size), BLUE)
    draw = ImageDraw.Draw(image)
    unit = size / 10  # the pin stays within the middle 60 %, the maskable safe zone
    draw.ellipse((3.2 * unit, 2.2 * unit, 6.8 * unit, 5.8 * unit), fill="white")
    draw.polygon(
        [(3.45 * unit, 4.7 * unit), (6.55 * unit, 4.7 * unit), (5 * unit, 7.8 * unit)], fill="white"
    )
    draw.ellipse((4.3 * unit, 3.3 * unit, 5.7 * unit, 4.7 * unit), fill=BLUE)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so that it may keep every visitor page."""
    return _script("sw.js")


@bp.get("/visitor.js")
def script() -> Response:
    """The pages' optional script: sharing, the service worker, saving a walk, the TV board."""
    return _script("visitor.js")


def _script(name: str) -> Response:
    response = Response(_read(current_app.static_folder or "static", name))
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up at once
    return response


@functools.lru_cache(maxsize=4)
def _read(folder: str, name: str) -> bytes:
    """A small file of ours, read once (two files of a few kilobytes)."""
    return (Path(folder) / name).read_bytes()
