"""The portal under /portal: shop owners keep their listing and offers; staff run the service.

One blueprint, one module per area: auth (signing in, invitations, the account), home, listing
(text, hours, position, photos), offers (and partner agreements), till, figures, staff (shops in
help mode, review), field (places, stickers, batches), keys, tokens and users (accounts, audit).
Every form is checked against its CSRF token; every view declares the roles it allows.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge

from server.services import accounts
from server.web import caching, problems

bp = Blueprint("portal", __name__, url_prefix="/portal")
csrf = CSRFProtect()
UPLOAD_LIMIT = 8 * 1024 * 1024  # a request with a photo; photos themselves: services.photos


def init_app(app: Flask) -> None:
    """Register the portal and the CSRF check of its forms."""
    from server.portal.access import current_user
    from server.portal.home import role_name

    csrf.init_app(app)
    accounts.use_hashing(str(app.config["PASSWORD_HASHING"]))
    app.register_blueprint(bp)
    app.jinja_env.globals.update(portal_user=current_user, role_name=role_name)


@bp.before_request
def _before() -> None:
    request.max_content_length = UPLOAD_LIMIT
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # every state-changing request, signed in or not (the sign-in form too)


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
