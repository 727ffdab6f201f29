"""The WSGI layer in front of Flask that every request and response crosses.

It refuses a path or query string holding a control character (server.web.guard) before
routing, sessions, views or the tap spool see it, answering in the shape of the request's area
(server.web.problems), and appends the security headers (server.web.headers) to every response
Flask makes, errors included. Being plain WSGI, it costs the tap path two regular-expression
searches and one list extend, none of Flask's per-hook overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from server.web import guard, headers
from server.web.problems import refusal

StartResponse = Callable[..., Any]


class Edge:
    """WSGI middleware: refusals at the edge, security headers on the way out."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        extra = headers.for_environ(environ)

        def start(status: str, response_headers: list, exc_info: Any = None) -> Any:
            response_headers.extend(extra)
            return start_response(status, response_headers, exc_info)

        refused = guard.refused(environ)
        if refused is None:
            return self.wsgi_app(environ, start)
        with self.app.request_context(environ):  # templates and translations, no view
            response = refusal(refused.status, refused.message, refused.field)
        return response(environ, start)
