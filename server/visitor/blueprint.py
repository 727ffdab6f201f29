"""The visitor blueprints and what every visitor page follows: revalidated at each visit (open
now changes by the minute), varying with the language and the cookie, remembering the language a
visitor switched to, and the site's 404 and 410 pages."""

from __future__ import annotations

from flask import Blueprint

from server.visitor.localized import remember_choice
from server.web import caching, problems


def visitor_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of visitor pages, with their caching headers and not-found page."""
    blueprint = Blueprint(name, import_name)
    # The security headers come from server.web.headers, for every response.
    blueprint.after_request(caching.revalidated)
    blueprint.after_request(remember_choice)  # the language switch, now a link (see localized)
    blueprint.register_error_handler(404, problems.site_not_found)
    blueprint.register_error_handler(410, problems.site_gone)
    return blueprint
