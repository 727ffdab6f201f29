"""The security headers of every response, in this one place: pages, tap answers (the
redirect, 404/410, link previews), API JSON, unknown paths, refusals and errors alike.

The header lists are built once; the WSGI layer (server.web.edge) picks the list of the
request's area and appends it to whatever Flask answers, so the tap redirect pays one list
extend. Views never set these headers; caching headers are server.web.caching's.
"""

from __future__ import annotations

from typing import Any

# The visitor's pages: HTML and inline CSS, images from here, one optional script from here
# (sharing, the service worker, the TV board's refresh; no inline script runs), the web app's
# manifest; nothing comes from elsewhere. Tap answers, unknown paths and static files get the same.
SITE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "script-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The portal: scripts only from here (the till's camera scanner), images from here, data: and
# blob: URIs (photo previews), the camera's stream.
PORTAL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: blob:; "
    "script-src 'self'; media-src 'self' blob:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# JSON is data, never a document: nothing may load or frame it.
API_POLICY = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
# A year; browsers keep to HTTPS for this host once they have seen it over HTTPS.
HSTS = ("Strict-Transport-Security", "max-age=31536000")

_COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),  # links to maps and shops carry no path of ours
)
SITE = (*_COMMON, ("Content-Security-Policy", SITE_POLICY))
PORTAL = (*_COMMON, ("Content-Security-Policy", PORTAL_POLICY))
API = (*_COMMON, ("Content-Security-Policy", API_POLICY))


def for_environ(environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The headers of the response to this request (after ProxyFix: its scheme)."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/portal/") or path == "/portal":
        found = PORTAL
    elif path.startswith("/api/"):
        found = API
    else:
        found = SITE
    return (*found, HSTS) if environ.get("wsgi.url_scheme") == "https" else found
