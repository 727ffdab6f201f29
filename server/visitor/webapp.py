"""The visitor pages as an installable web app: its manifest, icons and service worker.

Every page works without them; a browser that can install a web app gets a home-screen icon,
and the service worker (server/static/sw.js) keeps the last pages seen and any walk the
visitor saved, so they still open without a network.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Response, abort, current_app, jsonify

from server.i18n import gettext, language
from server.services import logos
from server.visitor.blueprint import visitor_blueprint
from server.visitor.branding import deployment

bp = visitor_blueprint("webapp", __name__)
ICON_SIZES = (192, 512)
SHORT_NAME = 12  # characters a home screen shows under an icon before cutting the name


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest, in the visitor's language, under the deployment's brand."""
    brand = deployment()
    response = jsonify(
        {
            "name": brand.service_name,
            "short_name": _short(brand.service_name),
            "description": gettext("What is near you"),
            "lang": language(),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",  # the pages' own background
            "theme_color": brand.primary_color,
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
    """The app's icon: the brand's PNG logo on white, or a white pin on its primary colour."""
    if size not in ICON_SIZES:
        abort(404)
    brand = deployment()
    png = logos.usable(brand.logo) if brand.logo_kind == "png" else None  # gone: the pin
    response = Response(logos.icon(size, brand.primary_color, png), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _short(name: str) -> str:
    """A name short enough for a home screen: the first words that fit, or the name cut."""
    if len(name) <= SHORT_NAME:
        return name
    words, short = name.split(), ""
    for word in words:
        if len(f"{short} {word}".strip()) > SHORT_NAME:
            break
        short = f"{short} {word}".strip()
    return short or name[:SHORT_NAME]


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
