"""The visitor blueprints and what every visitor page follows: revalidated at each visit (open
now changes by the minute), varying with the language and the cookie, and the site's 404 page."""

from __future__ import annotations

from flask import Blueprint, Response, render_template


def visitor_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of visitor pages, with their caching headers and not-found page."""
    blueprint = Blueprint(name, import_name)
    blueprint.after_request(_headers)
    blueprint.register_error_handler(404, _not_found)
    return blueprint


def _headers(response: Response) -> Response:
    # The security headers come from server.web.headers, for every response.
    response.headers.setdefault("Cache-Control", "no-cache")  # open now changes by the minute
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def _not_found(_error: Exception) -> tuple[str, int]:
    return render_template("not_found.html"), 404
