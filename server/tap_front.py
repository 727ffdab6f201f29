"""The tap route's redirect answered in front of Flask, the hottest path of the service.

A request on a short path (`/<code>`, GET or HEAD) whose answer is the redirect to the sticker's
destination, nearly every tap, needs none of Flask's routing, request context, hooks or response
object. This WSGI layer sits inside the edge (server.web.edge still refuses control characters
and adds the security headers) and answers it with the same decision (server.tap_route.decide),
the same recording (`keep`) and the same bytes (`redirect`) as the Flask view, which it never
duplicates: anything else (a refused code, a link preview's page, a destination not built yet,
another method or path) goes to Flask before anything is recorded, with the decision (if one was
reached) for the Flask view to record and answer. tests/server/test_tap_front.py compares both
answers byte for byte.

Which paths are the tap route's is Flask's URL map's answer, asked once per path and memoised.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from server import web
from server.tap_route import (
    DECIDED,
    VERIFIED_CODES,
    decide,
    keep,
    known_destination,
    redirect,
)

ENDPOINT = "tap.tap"  # the Flask view this layer answers for
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class TapFront:
    """WSGI layer: the tap redirect answered directly, everything else passed to Flask."""

    def __init__(self, app: Flask, wsgi_app: WsgiApp) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        # Routes depend on the path alone unless the app matches hosts or subdomains, or
        # checks the Host header (TRUSTED_HOSTS): then Flask answers every request itself.
        self.enabled = not (
            app.url_map.host_matching or app.subdomain_matching or app.config.get("TRUSTED_HOSTS")
        )
        self._code = functools.lru_cache(maxsize=VERIFIED_CODES)(self._route)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request, or pass it to Flask."""
        method = environ["REQUEST_METHOD"]
        if self.enabled and (method == "GET" or method == "HEAD"):
            code = self._code(environ.get("PATH_INFO", ""))
            if code is not None:
                answered = self._answer(environ, code, start_response)
                if answered is not None:
                    return () if method == "HEAD" else answered
        return self.wsgi_app(environ, start_response)

    def _answer(
        self, environ: dict[str, Any], code: str, start_response: StartResponse
    ) -> list[bytes] | None:
        """The redirect's body once started, or None (nothing recorded) for Flask to answer."""
        root = environ.get("SCRIPT_NAME") or ""
        if not root.isascii():  # werkzeug decodes a non-ASCII root its own way: let it
            return None
        app = self.app
        try:
            decision = decide(app, environ, code)
        except Exception:  # Flask decides again, and answers and logs whatever went wrong
            return None
        destination = (
            known_destination(app, decision, root.rstrip("/")) if decision.redirects else None
        )
        if destination is None:
            # A page to render (Flask's templates and translations), or the first tap to this
            # page in this language (Flask builds its URL): the view takes this decision.
            environ[DECIDED] = decision
            return None
        keep(app, decision)
        answer = redirect(decision, destination)
        start_response(answer.status, answer.headers)
        return [answer.body]

    def _route(self, path: str) -> str | None:
        """The code, if Flask routes this path to the tap view (None: another route, or none)."""
        if not path.isascii() or path.count("/") != 1:  # werkzeug decodes non-ASCII its own way
            return None
        try:
            endpoint, arguments = self.app.url_map.bind("").match(path, "GET")
        except (HTTPException, RequestRedirect):  # no such route, or a redirect to another
            return None
        if endpoint != ENDPOINT:
            return None
        code = arguments.get("code")
        return code if isinstance(code, str) else None


def init_app(app: Flask) -> None:
    """Answer the tap redirect inside the edge, in front of Flask (every blueprint registered)."""
    web.inside_edge(app, lambda wsgi_app: TapFront(app, wsgi_app))
