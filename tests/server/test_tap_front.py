"""The tap redirect answered in front of Flask (server/tap_front.py) is the Flask view's answer,
byte for byte, and records the same tap, once; what it does not answer reaches Flask untouched.

Each case sends the same request twice through the edge: once with the front in place (what
the server runs), once straight to Flask. Only the random parts are pinned: a new visitor's
cookie value; tap ids and times are left out of the comparison of the spooled taps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from server import tap_route
from server.config import keyring
from server.models import StickerStatus
from server.tap_front import TapFront
from server.web import EDGE
from server.web.edge import Edge
from tags import codes
from tests.server.factories import PHONE, installed_sticker, spooled_taps, update_sticker
from tests.server.test_tap_sun import UID as SUN_UID
from tests.server.test_tap_sun import sun_query

NEW_VISITOR = "0123456789abcdef0123456789abcdef"
RETURNING = "fedcba9876543210fedcba9876543210"


@dataclass
class Answer:
    """What a client receives: the status line, the headers in order, the body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Case:
    """A request on a short path, and whether the front answers it without Flask."""

    front_answers: bool
    headers: dict[str, str]
    method: str = "GET"
    query: str = ""
    sticker: dict[str, Any] | None = None  # installed_sticker() options
    code: str = "installed"  # installed | retired | bad signature | unknown sticker
    https: bool = False


CASES = {
    "a person's tap": Case(True, {"User-Agent": PHONE}),
    "in Dutch": Case(True, {"User-Agent": PHONE, "Accept-Language": "nl-BE,nl;q=0.9"}),
    "a language chosen": Case(True, {"User-Agent": PHONE, "Cookie": "tt_lang=en"}),
    "a returning visitor": Case(True, {"User-Agent": PHONE, "Cookie": f"tt_vid={RETURNING}"}),
    "objected by GPC": Case(
        True, {"User-Agent": PHONE, "Sec-GPC": "1", "Cookie": f"tt_vid={RETURNING}; a=b"}
    ),
    "objected by cookie": Case(True, {"User-Agent": PHONE, "Cookie": "tt_object=1"}),
    "HEAD": Case(True, {"User-Agent": PHONE}, method="HEAD"),
    "a crawler": Case(True, {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}),
    "a prefetch": Case(True, {"User-Agent": PHONE, "Sec-Purpose": "prefetch"}),
    "no user agent": Case(True, {}),
    "over HTTPS": Case(True, {"User-Agent": PHONE}, https=True),
    "an NTAG mirror": Case(True, {"User-Agent": PHONE}, query="M=04A1B2C3D4E5F6x000010"),
    "a broken mirror": Case(True, {"User-Agent": PHONE}, query="M=NOT-HEX-AT-ALLx000001"),
    "the sticker's own target": Case(
        True, {"User-Agent": PHONE}, sticker={"target_url": "https://example.org/été?x=1"}
    ),
    "a verified SUN message": Case(
        True, {"User-Agent": PHONE}, query="sun", sticker={"uid": SUN_UID, "chip": "ntag424"}
    ),
    "a SUN message that fails": Case(
        True,
        {"User-Agent": PHONE},
        query="e=" + "1" * 32 + "&c=" + "2" * 16,
        sticker={"uid": SUN_UID, "chip": "ntag424"},
    ),
    "a SUN sticker without its message": Case(
        True, {"User-Agent": PHONE}, sticker={"uid": SUN_UID, "chip": "ntag424"}
    ),
    "a link preview": Case(False, {"User-Agent": "WhatsApp/2.23.20.0 A"}),
    "a retired sticker": Case(False, {"User-Agent": PHONE}, code="retired"),
    "a bad signature": Case(False, {"User-Agent": PHONE}, code="bad signature"),
    "an unknown sticker": Case(False, {"User-Agent": PHONE}, code="unknown sticker"),
    "a POST": Case(False, {"User-Agent": PHONE}, method="POST"),
}


def call(wsgi: Any, path: str, case: Case) -> Answer:
    """One request through a WSGI callable, as a client would receive it."""
    environ = EnvironBuilder(
        path=path,
        method=case.method,
        headers=case.headers,
        query_string=case.query,
        base_url="https://t.example.org" if case.https else "http://t.example.org",
    ).get_environ()
    app_iter, status, headers = run_wsgi_app(wsgi, environ, buffered=True)
    return Answer(status, headers.to_wsgi_list(), b"".join(app_iter))


def prepared(app: Flask, case: Case) -> tuple[str, Case]:
    """The short path the case requests, and the case with its SUN message made."""
    sticker = installed_sticker(app, **(case.sticker or {}))
    code = sticker["code"]
    if case.code == "retired":
        update_sticker(app, sticker["tag_id"], status=StickerStatus.RETIRED)
    elif case.code == "bad signature":
        code = code[:-1] + ("0" if code[-1] != "0" else "1")
    elif case.code == "unknown sticker":
        code = codes.issue(keyring(app), sticker["tag_id"] + 1000)
    if case.query == "sun":
        case = replace(case, query=sun_query(app, sticker["code"], SUN_UID, 7))
    return "/" + code, case


@pytest.mark.parametrize("name", CASES)
def test_the_front_answers_as_the_flask_view_does(app, monkeypatch, name):
    path, case = prepared(app, CASES[name])
    monkeypatch.setattr("server.taps.visitor.new_cookie_value", lambda: NEW_VISITOR)
    edge = app.extensions[EDGE]
    front = edge.wsgi_app
    assert isinstance(front, TapFront)
    flask_only = Edge(app, front.wsgi_app)
    passed: list[str] = []

    def to_flask(environ: dict[str, Any], start_response: Any) -> Any:
        passed.append(environ["PATH_INFO"])
        return flask_only.wsgi_app(environ, start_response)

    monkeypatch.setattr(front, "wsgi_app", to_flask)

    # Flask first: the first tap to a place page in a language builds its URL there.
    by_flask = call(flask_only, path, case)
    passed.clear()
    by_front = call(edge, path, case)

    assert by_front == by_flask
    assert passed == ([] if case.front_answers else [path])
    # The same tap, recorded once by each: the front never records what it passes on.
    taps = spooled_taps(app)
    expected = 0 if case.method == "POST" else 2
    assert len(taps) == expected
    if expected:
        one, two = ({k: v for k, v in tap.items() if k not in ("id", "at")} for tap in taps)
        assert one == two


def test_the_front_passes_other_paths_to_flask(app, monkeypatch):
    front = app.extensions[EDGE].wsgi_app
    passed: list[str] = []
    to_flask = front.wsgi_app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        passed.append(environ["PATH_INFO"])
        return to_flask(environ, start_response)

    monkeypatch.setattr(front, "wsgi_app", counting)
    client = app.test_client()
    paths = {"/robots.txt", "/healthz", "/fr/", "/", "/sitemap.xml", "/fr", "/privacy"}
    for path in paths:
        client.get(path, headers={"User-Agent": PHONE})
    assert paths <= set(passed)  # (and the pages some of them redirect to)
    assert spooled_taps(app) == []


def test_the_front_still_crosses_the_edge(app):
    sticker = installed_sticker(app)
    client = app.test_client()
    path = "/" + sticker["code"]
    client.get(path, headers={"User-Agent": PHONE})  # the place page's URL built by Flask
    answer = client.get(path, headers={"User-Agent": PHONE})
    assert answer.status_code == 303
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    refused = client.get(path + "%01", headers={"User-Agent": PHONE})
    assert refused.status_code == 404
    assert len(spooled_taps(app)) == 2  # the refused request recorded nothing


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if not case.front_answers])
def test_a_tap_the_front_passes_on_is_decided_once(app, monkeypatch, name):
    path, case = prepared(app, CASES[name])
    decided: list[str] = []
    real = tap_route.decide

    def counted(*args: Any) -> Any:
        decided.append(path)
        return real(*args)

    # The front and the view each call their own reference to decide: count both.
    monkeypatch.setattr("server.tap_route.decide", counted)
    monkeypatch.setattr("server.tap_front.decide", counted)
    answer = call(app.extensions[EDGE], path, case)
    assert answer.status.split()[0] in {"200", "404", "405", "410"}
    assert len(decided) == (0 if case.method == "POST" else 1)
    assert len(spooled_taps(app)) == (0 if case.method == "POST" else 1)
