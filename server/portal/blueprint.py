"""The portal's blueprint and what every portal page follows: its forms checked against their
CSRF token, an upload limit, never cached, and the portal's own problem pages."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge

bp = Blueprint("portal", __name__, url_prefix="/portal")
csrf = CSRFProtect()
UPLOAD_LIMIT = 8 * 1024 * 1024  # a request with a photo; photos themselves: services.photos


@bp.before_request
def _before() -> None:
    request.max_content_length = UPLOAD_LIMIT
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # every state-changing request, signed in or not (the sign-in form too)


@bp.after_request
def _headers(response: Response) -> Response:
    # The security headers (the portal's CSP) come from server.web.headers, for every response.
    response.headers.setdefault("Cache-Control", "no-store")  # personal pages, never cached
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.errorhandler(CSRFError)
def _csrf_refused(_error: CSRFError) -> tuple[str, int]:
    return render_template("portal/problem.html", problem="csrf"), 400


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    limit = UPLOAD_LIMIT // (1024 * 1024)
    return render_template("portal/problem.html", problem="too_large", limit=limit), 413


@bp.errorhandler(403)
def _forbidden(_error: Exception) -> tuple[str, int]:
    return render_template("portal/problem.html", problem="forbidden"), 403


@bp.errorhandler(404)
def _not_found(_error: Exception) -> tuple[str, int]:
    return render_template("portal/problem.html", problem="not_found"), 404
