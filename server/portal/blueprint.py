"""The portal's blueprint and what every portal page follows: its forms checked against their
CSRF token, an upload limit, never cached, and the portal's own problem pages."""

from __future__ import annotations

from flask import Blueprint, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge

from server.portal import access
from server.web import caching, problems

bp = Blueprint("portal", __name__, url_prefix="/portal")
csrf = CSRFProtect()
UPLOAD_LIMIT = 8 * 1024 * 1024  # a request with a photo; photos themselves: services.photos


@bp.before_request
def _before() -> None:
    request.max_content_length = UPLOAD_LIMIT
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # every state-changing request, signed in or not (the sign-in form too)
        access.note_language()


# The security headers (the portal's CSP) come from server.web.headers, for every response.
bp.after_request(caching.personal)
bp.register_error_handler(403, problems.portal_forbidden)
bp.register_error_handler(404, problems.portal_not_found)


@bp.errorhandler(CSRFError)
def _csrf_refused(_error: CSRFError) -> tuple[str, int]:
    return problems.portal_page("csrf", 400)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    return problems.portal_page("too_large", 413, limit=UPLOAD_LIMIT // (1024 * 1024))
