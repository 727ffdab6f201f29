"""A refusal in the shape of the area it happened in: the API's JSON error under /api/, the
portal's problem page under /portal (the dashboard's too), the site's page elsewhere.

The areas register these pages as their error handlers; none writes its own.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request

API_PREFIX = "/api/"
PORTAL_PREFIX = "/portal"
CODES = {400: "bad_request", 404: "not_found"}
SITE_PAGES = {400: "bad_request.html", 404: "not_found.html"}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    """The API's one error shape (see server.api.errors):
    {"error": {"status": 404, "code": "not_found", "message": "...", "field": null}}."""
    body = {"error": {"status": status, "code": code, "message": message, "field": field}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="taptrail"'
    return response


def portal_page(problem: str, status: int, **params: Any) -> tuple[str, int]:
    """The portal's problem page saying `problem` (a case of portal/problem.html)."""
    return render_template("portal/problem.html", problem=problem, **params), status


def site_page(status: int) -> tuple[str, int]:
    """The site's page for a 400 or a 404, in the visitor's language."""
    return render_template(SITE_PAGES[status]), status


def portal_forbidden(_error: Exception) -> tuple[str, int]:
    """The portal's answer to a 403: not for this account."""
    return portal_page("forbidden", 403)


def portal_not_found(_error: Exception) -> tuple[str, int]:
    """The portal's answer to a 404."""
    return portal_page("not_found", 404)


def site_not_found(_error: Exception) -> tuple[str, int]:
    """The site's answer to a 404."""
    return site_page(404)


def refusal(status: int, message: str, field: str | None = None) -> Response:
    """The answer to a refused request; `message` (English) is what the API says."""
    path = request.path
    if path.startswith(API_PREFIX):
        return error_response(status, CODES[status], message, field)
    if path.startswith(PORTAL_PREFIX):
        page, _ = portal_page(CODES[status], status)
    else:
        page, _ = site_page(status)
    return Response(page, status=status, content_type="text/html; charset=utf-8")
