"""The edge every request and response crosses, and the plumbing every web area shares: input
refused before any view, URL converters bounded to what the database holds, same-site redirect
targets, the security and caching headers, and the problem pages.

Each module has one job: `edge` (the WSGI layer in front of Flask), `guard` (control
characters refused in paths, query strings and forms; `controls` says which),
`converters` (the bounded <int:...>), `values` (finite numbers and days from text), `targets`
(where a `next` parameter may lead), `headers` (the security headers of every response),
`caching` (how long each area's pages may be kept), `problems` (a refusal in the shape of the
area it happened in: the API's JSON, the portal's or the site's page), `compiling` (URL
builders compiled on first use, templates compiled once per process).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

EDGE = "taptrail.edge"
WsgiApp = Callable[..., Any]


def init_app(app: Flask) -> None:
    """Install the edge. Call it before any blueprint is registered (routes compile with its
    converter) and before ProxyFix wraps the app (the headers need the visitor's scheme)."""
    from server.web import compiling, converters, guard, problems
    from server.web.edge import Edge

    compiling.init_app(app)
    converters.init_app(app)
    guard.init_app(app)
    problems.init_app(app)
    edge = app.extensions[EDGE] = Edge(app, app.wsgi_app)
    # Flask's documented way to wrap the WSGI app, though its type hints see a method replaced.
    app.wsgi_app = edge  # type: ignore[method-assign]


def inside_edge(app: Flask, layer: Callable[[WsgiApp], WsgiApp]) -> None:
    """Put a WSGI layer between the edge and Flask: what it answers still crosses the edge
    (control characters refused, security headers added); it passes the rest to Flask."""
    edge = app.extensions[EDGE]
    edge.wsgi_app = layer(edge.wsgi_app)
