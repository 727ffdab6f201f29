"""Every response carries the security headers, set in one place: every route of the URL map,
an unknown path, the tap's 404, 410 and link preview, API JSON, a 405, a 500; HSTS over HTTPS
only."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.server import factories
from tests.server.portal.conftest import EMAILS, Browser, seed_portal

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])  # headers, not storage
FILLING = {
    "filename": "missing.css",
    "lang": "fr",
    "slug": "comptoir",
    "offer_slug": "comptoir-cafe",
    "code": "en",
    "name": "totals",
    "kind": "place",
    "token": "x",
    "kid": "1",
    "shop_slug": "comptoir",
    "start": "50.6942,3.1746",  # /osm/<start>/<end>: two positions
    "end": "50.6907,3.1817",
}
WHATSAPP = "WhatsApp/2.23.20.0 A"


def check(response, path: str) -> None:  # type: ignore[no-untyped-def]
    """The headers a browser needs, once each, with the policy of the path's area."""
    headers = response.headers
    where = f"{path} ({response.status_code})"
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"], where
    assert headers.get_all("Referrer-Policy") == ["same-origin"], where
    policies = headers.get_all("Content-Security-Policy")
    assert len(policies) == 1, where
    policy = policies[0]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, where
    if path.startswith("/api/"):
        assert "script-src" not in policy, where
    else:
        # The till's scanner; the visitor pages' one optional script. Never inline, never eval.
        assert "script-src 'self';" in policy and "unsafe" not in policy.split("script-src")[1]
    if path.startswith("/api/"):
        assert policy == "default-src 'none'; base-uri 'none'; frame-ancestors 'none'", where
    assert "Strict-Transport-Security" not in headers, where  # plain HTTP here


@pytest.fixture
def world(app: Flask) -> dict:
    seed_portal(app)
    entries = factories.stickers(app, count=2)
    factories.update_sticker(app, entries[0]["tag_id"], status="installed")
    factories.update_sticker(app, entries[1]["tag_id"], status="retired")
    admin = Browser(app.test_client())
    assert admin.login(EMAILS["administrator"]).status_code == 303
    token = factories.token(app, "encode", "read-analytics")
    return {
        "admin": admin,
        "token": {"Authorization": f"Bearer {token}"},
        "code": entries[0]["code"],
        "retired": entries[1]["code"],
    }


def test_every_route_of_the_url_map_sends_them(app, world):
    admin, token = world["admin"], world["token"]
    signing_out = ("/portal/logout", "/portal/account/sessions", "/portal/account/password")
    # Those that end the administrator's session go last, so that the others answer pages.
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule in signing_out)
    assert len(rules) > 90
    for rule in rules:
        path = re.sub(r"<int:\w+>", "999999", rule.rule)  # nothing there: nothing changes
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: FILLING[m.group(1)], path)
        if rule.endpoint == "tap.tap":
            path = "/" + world["code"]
        for method in sorted(rule.methods - {"OPTIONS"}):
            if method == "POST" and path.startswith("/portal/"):
                response = admin.post(path)
            else:
                response = admin.client.open(path, method=method, headers=token)
            # /healthz answers 503 by design here: no drainer has run on this test's spool.
            expected_failure = rule.endpoint == "health.healthz" and response.status_code == 503
            assert response.status_code < 500 or expected_failure, f"{method} {path}"
            check(response, path)


def test_unknown_paths_tap_answers_errors_and_api_json_send_them(app, world):
    client = app.test_client()
    answers = {
        "/no/such/page": client.get("/no/such/page"),
        "/portal/no/such/page": world["admin"].get("/portal/no/such/page"),
        "/api/v1/no-such-route": client.get("/api/v1/no-such-route"),
        "/api/v1/places (405)": client.delete("/api/v1/places"),
        "/api/v1/batches (401)": client.post("/api/v1/batches", json={}),
        "/api/v1/territories": client.get("/api/v1/territories"),
        "/ (tap redirect)": client.get("/" + world["code"]),
        "/ (tap HEAD)": client.head("/" + world["code"]),
        "/ (tap 404)": client.get("/1000C1SS9CG22JXH6EK"),
        "/ (tap 410)": client.get("/" + world["retired"]),
        "/ (link preview)": client.get("/" + world["code"], headers={"User-Agent": WHATSAPP}),
        "/ (NUL, refused at the edge)": client.get("/AB%00CD"),
    }
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses["/ (tap redirect)"] == 303 and statuses["/ (tap 410)"] == 410
    assert statuses["/ (link preview)"] == 200 and statuses["/ (tap 404)"] == 404
    for name, response in answers.items():
        check(response, name.split(" ")[0])


def test_a_500_sends_them_as_a_page_and_as_api_json(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production

    def fail() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/test-failure", "test_failure", fail)
    app.add_url_rule("/api/v1/test-failure", "api_test_failure", fail)
    for path in ("/test-failure", "/api/v1/test-failure"):
        response = app.test_client().get(path)
        assert response.status_code == 500
        check(response, path)


def test_hsts_is_sent_over_https_only(app, world):
    client = app.test_client()
    for path in ("/", "/" + world["code"], "/api/v1/territories", "/portal/login", "/nowhere/x"):
        secure = client.get(path, base_url="https://t.example.org")
        assert secure.headers.get_all("Strict-Transport-Security") == ["max-age=31536000"], path
        assert "Strict-Transport-Security" not in client.get(path).headers, path
