"""Device cookies: proof that this browser signed in to an account before (OWASP's scheme).

Each successful sign-in gives the browser a fresh random nonce for that account, kept in one
signed cookie (the server's secret key; at most KEEP accounts, for a till tablet several people
share). A sign-in attempt showing a nonce for the account it names is limited on its own (see
server.services.signin_limits), so strangers guessing that account's password never lock its
owner out of the browsers they use. The cookie holds account ids and nonces only, is HttpOnly,
only sent to the portal, and is needed for security alone.
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE_NAME = "tt_device"
MAX_AGE = 365 * 24 * 3600  # a year without signing in, and the browser is a stranger again
KEEP = 5


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="taptrail-device")


def known() -> dict[int, str]:
    """The accounts this browser signed in to before, each with its nonce (empty if none)."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return {}
    try:
        pairs = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:  # forged, altered, signed under an old key, or too old
        return {}
    return {int(account): str(nonce) for account, nonce in pairs}


def remember(response: Response, account_id: int) -> None:
    """Give this browser a new nonce for the account (the latest KEEP accounts are kept)."""
    others = [(account, nonce) for account, nonce in known().items() if account != account_id]
    pairs = [(account_id, secrets.token_urlsafe(16)), *others][:KEEP]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(pairs),
        max_age=MAX_AGE,
        path="/portal/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
