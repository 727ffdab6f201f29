"""A test client for tests written before pages had language URLs (/p/<slug>, not /fr/p/...).

Such an address now answers a 302 to the same page in the visitor's language (tested in
tests/server/visitor/test_findable.py); this client follows that one redirect, with the same
headers, so older tests still check the page they checked. Any other answer, other redirects
included, is returned as it came.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from server.i18n import LANGUAGES


class LanguageFollowingClient(FlaskClient):
    """FlaskClient following the redirect of an unprefixed page to its language's URL.

    Pass `language_redirect=True` to see that redirect instead.
    """

    def open(self, *args: Any, language_redirect: bool = False, **kwargs: Any) -> Any:
        """As FlaskClient.open; a GET of an old address lands on the page in its language."""
        response = super().open(*args, **kwargs)
        if language_redirect or response.status_code != 302 or not args:
            return response
        if not isinstance(args[0], str) or kwargs.get("method", "GET") not in ("GET", "HEAD"):
            return response
        asked = urlsplit(args[0]).path
        location = urlsplit(response.headers.get("Location", ""))
        prefix, _, rest = location.path.lstrip("/").partition("/")
        if location.scheme or location.netloc or prefix not in LANGUAGES:
            return response  # not this site's own language redirect: the test sees it
        if ("/" + rest).rstrip("/") != asked.rstrip("/"):
            return response
        # Where the redirect says, query included, as a browser goes: a query the redirect
        # dropped stays dropped (re-sending query_string= would hide that).
        kwargs.pop("query_string", None)
        target = location.path + (f"?{location.query}" if location.query else "")
        response.close()
        return super().open(target, *args[1:], **kwargs)
