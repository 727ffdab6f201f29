"""Flask's signed-cookie sessions, without building a signer for requests that carry no session.

The cookie (the portal's sign-in) is HttpOnly and SameSite=Lax, and Secure whenever the request
came over HTTPS (directly or through a trusted proxy, see TAPTRAIL_PROXY_FIX).

The tap path never uses the session; skipping the serializer there saves a measurable share of
each tap (see bench/tap.py). Requests with a session cookie are handled exactly as Flask does.
"""

from __future__ import annotations

from flask import Flask, Request, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response


class LazySessionInterface(SecureCookieSessionInterface):
    """Same cookies and signing as Flask's default, cheaper when there is no cookie."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Nothing to do for an empty session nobody read or changed (Flask would do nothing).

        Flask's own save_session first reads six cookie settings, then finds nothing to do.
        """
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session straight away when the request has no session cookie."""
        # The raw header is enough to rule a cookie out (a name absent from it is in no cookie);
        # parsing it would cost every tap, and the tap path reads it only when it is there.
        raw_cookies = request.environ.get("HTTP_COOKIE", "")
        if app.secret_key and self.get_cookie_name(app) not in raw_cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request came over HTTPS."""
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)
