"""The edge every request and response crosses: the security headers, and where a `next`
parameter may lead.

Each module has one job: `edge` (the WSGI layer in front of Flask), `headers` (the headers of
every response), `targets` (where a `next` parameter may lead).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the edge. Call it before ProxyFix wraps the app (the headers need the visitor's
    scheme)."""
    from server.web.edge import Edge

    app.wsgi_app = Edge(app, app.wsgi_app)  # type: ignore[method-assign]
