"""The portal under /portal: shop owners keep their listing and offers; staff run the service.

One blueprint, one module per area: auth (signing in, invitations, the account), home, listing
(text, hours, position, photos), offers (and partner agreements), till, figures, staff (shops in
help mode, review), field (places, stickers, batches), keys, tokens and users (accounts, audit).
Every form is checked against its CSRF token; every view declares the roles it allows.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge

bp = Blueprint("portal", __name__, url_prefix="/portal")
csrf = CSRFProtect()
UPLOAD_LIMIT = 8 * 1024 * 1024  # a request with a photo; photos themselves: services.photos


def init_app(app: Flask) -> None:
    """Register the portal and the CSRF check of its forms."""
    from server.portal.access import current_user
    from server.portal.home import role_name

    csrf.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(portal_user=current_user, role_name=role_name)


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


from server.portal import (  # noqa: E402, F401  (routes register on import)
    auth,
    batches,
    figures,
    home,
    hours,
    keys,
    listing,
    offers,
    partners,
    photos,
    places,
    staff,
    stickers,
    till,
    tokens,
    users,
)
