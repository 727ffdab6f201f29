"""Flask's signed-cookie sessions, without any session work for requests that carry no session.

The tap path never uses the session; skipping the cookie parsing, the serializer and the cookie
settings there saves a measurable share of each tap (see bench/tap.py). Requests with a session
cookie, or that touch the session, are handled exactly as Flask does.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class LazySessionInterface(SecureCookieSessionInterface):
    """Same cookies and signing as Flask's default, free when there is no session."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session straight away when the request has no session cookie."""
        # The raw header is enough to rule a cookie out: a name absent from it is in no cookie.
        raw_cookies = request.environ.get("HTTP_COOKIE", "")
        if app.secret_key and self.get_cookie_name(app) not in raw_cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Nothing to do for an empty session nobody read or changed (Flask would do nothing)."""
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)
