"""The visitor blueprints and what every visitor page follows: revalidated at each visit (open
now changes by the minute), varying with the language and the cookie, and the site's 404 page."""

from __future__ import annotations

from flask import Blueprint

from server.web import caching, problems


def visitor_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of visitor pages, with their caching headers and not-found page."""
    blueprint = Blueprint(name, import_name)
    # The security headers come from server.web.headers, for every response.
    blueprint.after_request(caching.revalidated)
    blueprint.register_error_handler(404, problems.site_not_found)
    return blueprint
