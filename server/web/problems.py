"""A request refused at the edge, answered in the shape of the area it was sent to: the API's
JSON error under /api/, the portal's problem page under /portal, the site's page elsewhere."""

from __future__ import annotations

from flask import Response, render_template, request

from server.api.errors import PREFIX as API_PREFIX
from server.api.errors import error_response

PORTAL_PREFIX = "/portal"
CODES = {400: "bad_request", 404: "not_found"}
SITE_PAGES = {400: "bad_request.html", 404: "not_found.html"}


def refusal(status: int, message: str, field: str | None = None) -> Response:
    """The answer to a refused request; `message` (English) is what the API says."""
    path = request.path
    if path.startswith(API_PREFIX):
        return error_response(status, CODES[status], message, field)
    if path.startswith(PORTAL_PREFIX):
        page = render_template("portal/problem.html", problem=CODES[status])
    else:
        page = render_template(SITE_PAGES[status])
    return Response(page, status=status, content_type="text/html; charset=utf-8")
