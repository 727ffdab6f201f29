"""Pages kept on disk so that visitors still get them while the database is away.

A page is rendered from the database when it answers, and its copy replaced; when the database
is away, the last copy is served with a notice saying when it was made. Only canonical URLs are
kept (their number is bounded by the content), and never a page meant for one visitor.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask import Response, current_app, render_template
from markupsafe import Markup

from server.cache import DiskCache
from server.db import UNAVAILABLE
from server.i18n import gettext, locale
from server.visitor import formats

# Templates put this where the notice goes, with the time zone its time is told in.
STALE_MARK = re.compile(r"<!--stale-notice ([A-Za-z0-9_+/-]+)-->")


def stale_mark(timezone: str) -> Markup:
    """Where a kept copy says how old it is."""
    return (
        Markup(f"<!--stale-notice {timezone}-->")
        if re.fullmatch(r"[\w+/-]+", timezone)
        else Markup("")
    )


def pages() -> DiskCache:
    """The kept copies of pages."""
    return current_app.extensions["taptrail.pages"]


def serve(key: str, render: Callable[[], str]) -> Response:
    """The page rendered now and kept, or its kept copy if the database is away (else 503)."""
    key = localized_key(key)
    try:
        html = render()
    except UNAVAILABLE:
        return kept_copy(key)
    pages().store(key, html)
    return Response(html)


def localized_key(key: str) -> str:
    """The key of a page's kept copy in this request's locale."""
    return f"{key}@{locale()}"


def unavailable() -> Response:
    """The page saying that the database is away and the visitor should try again."""
    return Response(render_template("unavailable.html"), status=503)


def kept_copy(key: str) -> Response:
    """The kept copy of the page (localized_key), saying how old it is; 503 without one."""
    kept = pages().load(key)
    if kept is None:
        return unavailable()
    html, written = kept
    when = dt.datetime.fromtimestamp(written, dt.UTC)

    def notice(found: re.Match[str]) -> str:
        zone = found.group(1)
        stamp = f"{formats.day_and_month(when, zone)} {formats.clock(when, zone)}"
        text = Markup.escape(
            gettext("Shown as of %(when)s; it may have changed since.", when=stamp)
        )
        return f'<p class="notice" role="status">{text}</p>'

    response = Response(STALE_MARK.sub(notice, html, count=1))
    response.headers["X-TapTrail-Copy"] = when.strftime("%Y-%m-%d %H:%M UTC")
    return response
