"""A refusal in the shape of the area it happened in: the API's JSON error under /api/, the
portal's problem page under /portal (the dashboard's too), the site's page elsewhere.

The areas register these pages as their error handlers; none writes its own. A refusal of the
domain (server.errors) that no view turned into a form error gets the same treatment: JSON for
the API only, the area's page, in the reader's language, everywhere else.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request

from server.errors import Problem, TapTrailError
from server.i18n import gettext
from server.services import branding

API_PREFIX = "/api/"
PORTAL_PREFIX = "/portal"
HTML = "text/html; charset=utf-8"
CODES = {400: "bad_request", 404: "not_found"}
# A page that is gone (an unpublished shop) says what a missing one says: "no longer exists".
SITE_PAGES = {400: "bad_request.html", 404: "not_found.html", 410: "not_found.html"}


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
    """The site's page for a 400, a 404 or a 410, in the visitor's language."""
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


def site_gone(_error: Exception) -> tuple[str, int]:
    """The site's answer to a 410: what was published here is no longer."""
    return site_page(410)


def init_app(app: Flask) -> None:
    """Answer the domain's refusals in the shape of the area they happened in."""
    app.register_error_handler(TapTrailError, domain_refusal)


def said(problem: TapTrailError) -> str:
    """A refusal in the reader's language (staff messages are English already); %(service)s
    in it is the brand's service name, which the domain does not know."""
    if isinstance(problem, Problem):
        brand = branding.of_app(current_app.extensions)
        return gettext(problem.msgid, **(problem.params | {"service": brand.service_name}))
    return problem.message


def domain_refusal(error: TapTrailError) -> Response:
    """A refusal of the domain that reached no form: the API's JSON under /api/, else the area's
    page (its 404 for something that does not exist)."""
    path, status = request.path, error.status
    if path.startswith(API_PREFIX):
        return error_response(status, error.code, error.message, error.field)
    if path.startswith(PORTAL_PREFIX):
        if status == 404:
            page, _ = portal_page("not_found", 404)
        else:
            page, _ = portal_page("refused", status, message=said(error))
    elif status == 404:
        page, _ = site_page(404)
    else:
        # Visitors read only what was written for them: a Problem, in their language.
        message = said(error) if isinstance(error, Problem) else None
        page = render_template("refused.html", message=message)
    return Response(page, status=status, content_type=HTML)


def refusal(status: int, message: str, field: str | None = None) -> Response:
    """The answer to a refused request; `message` (English) is what the API says."""
    path = request.path
    if path.startswith(API_PREFIX):
        return error_response(status, CODES[status], message, field)
    if path.startswith(PORTAL_PREFIX):
        page, _ = portal_page(CODES[status], status)
    else:
        page, _ = site_page(status)
    return Response(page, status=status, content_type=HTML)
