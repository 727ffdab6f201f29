"""Flask's signed-cookie sessions, without building a signer for requests that carry no session.

The cookie (the portal's sign-in) is HttpOnly and SameSite=Lax, and Secure whenever the request
came over HTTPS (directly or through a trusted proxy, see TAPTRAIL_PROXY_FIX).

The tap path never uses the session; skipping the serializer there saves a measurable share of
each tap (see bench/tap.py). Requests with a session cookie are handled exactly as Flask does.
"""

from __future__ import annotations

from flask import Flask, Request, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazySessionInterface(SecureCookieSessionInterface):
    """Same cookies and signing as Flask's default, cheaper when there is no cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session straight away when the request has no session cookie."""
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request came over HTTPS."""
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)
