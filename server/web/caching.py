"""How long browsers and proxies may keep each area's pages; registered by the areas as their
after-request step (the security headers are server.web.headers', on every response)."""

from __future__ import annotations

from flask import Response


def personal(response: Response) -> Response:
    """A signed-in person's page (the portal, the dashboard): never stored."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def revalidated(response: Response) -> Response:
    """A visitor's page: asked again at every view, since "open now" changes by the minute."""
    response.headers.setdefault("Cache-Control", "no-cache")
    response.vary.update(("Accept-Language", "Cookie"))
    return response
