"""A tap: verified, recorded with what analytics need, and the visitor sent on."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from server.models import Outcome, StickerStatus, VisitorKind
from tags import codes
from tests.server.factories import (
    PHONE,
    drained_taps,
    installed_sticker,
    place,
    update_sticker,
)


def tap(client, url: str, agent: str = PHONE, **headers):
    """Request a tap URL (given whole or as a path) like a phone would."""
    path = url.removeprefix("https://t.example.org")
    return client.get(path, headers={"User-Agent": agent, **headers})


def test_a_tap_redirects_to_the_place_page_and_is_recorded(app, client):
    sticker = installed_sticker(app)
    response = tap(client, sticker["url"], **{"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert response.status_code == 303
    # Straight to the page in the browser's language: no second redirect on the way.
    assert response.headers["Location"] == "/nl/p/la-piscine"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Cache-Control"] == "no-store"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "La Piscine" in page.text

    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.OK and recorded.human and recorded.reason is None
    assert recorded.sticker_id == sticker["tag_id"] and recorded.place_id is not None
    assert recorded.browser == "Mobile Safari" and recorded.language == "nl-BE"
    assert recorded.occurred_at.tzinfo is not None and recorded.method == "GET"


def test_the_visitor_cookie_is_random_first_party_and_kept(app, client):
    sticker = installed_sticker(app)
    first = tap(client, sticker["url"])
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))
    assert 365 * 86400 < max_age <= 395 * 86400  # about a year, never beyond 13 months
    second = tap(client, sticker["url"])
    assert "Set-Cookie" not in second.headers  # never extended on later visits

    one, two = drained_taps(app)
    assert (one.visitor_kind, two.visitor_kind) == (VisitorKind.NEW, VisitorKind.COOKIE)
    assert one.visitor_id == two.visitor_id  # the first tap already counts as this visitor


def test_the_cookie_is_secure_behind_an_https_proxy(app, keyring, tmp_path):
    from server import create_app
    from tests.server.conftest import settings

    proxied = create_app(settings(tmp_path, app.config["DATABASE_URL"], keyring, PROXY_FIX=1))
    proxied.extensions["taptrail.db"] = app.extensions["taptrail.db"]  # same test transaction
    proxied.extensions["taptrail.stickers"] = app.extensions["taptrail.stickers"]
    sticker = installed_sticker(app)
    response = proxied.test_client().get(
        sticker["url"].removeprefix("https://t.example.org"),
        headers={
            "User-Agent": PHONE,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.9",
        },
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("mutate", "outcome", "status"),
    [
        (lambda code: code[:-1] + ("0" if code[-1] != "0" else "1"), Outcome.BAD_SIGNATURE, 404),
        (lambda code: code[:10], Outcome.MALFORMED, 404),
        (lambda code: "Z" + code[1:], Outcome.UNKNOWN_KEY, 404),
    ],
    ids=["forged", "malformed", "unknown-key"],
)
def test_refused_codes_get_a_friendly_page_and_an_orphan_visit(
    app, client, mutate, outcome, status
):
    sticker = installed_sticker(app)
    response = tap(client, "/" + mutate(sticker["code"]))
    assert response.status_code == status
    assert 'href="/fr/"' in response.text and "<h1>" in response.text
    [recorded] = drained_taps(app)
    assert recorded.outcome is outcome
    assert recorded.sticker_id is None and recorded.place_id is None


def test_a_retired_sticker_is_gone_with_a_link_to_its_territory(app, client):
    sticker = installed_sticker(app)
    update_sticker(app, sticker["tag_id"], status=StickerStatus.RETIRED)
    response = tap(client, sticker["url"])
    assert response.status_code == 410
    assert 'href="/fr/t/roubaix"' in response.text
    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.RETIRED_STICKER and recorded.sticker_id == sticker["tag_id"]


def test_a_revoked_key_makes_its_stickers_gone(app, client, keyring):
    place(app)
    code_by_old_key = codes.issue(_only_key_1(keyring), 5)
    app.extensions["taptrail.keyring"] = keyring.rotate().revoke("1")
    response = tap(client, "/" + code_by_old_key)
    assert response.status_code == 410
    assert drained_taps(app)[0].outcome is Outcome.REVOKED_KEY


def _only_key_1(keyring):
    from dataclasses import replace

    from tags.keyring import Keyring, KeyState

    return Keyring((replace(keyring.get(1), state=KeyState.ACTIVE),))


def test_a_valid_code_without_a_sticker_is_an_unknown_sticker(app, client, keyring):
    place(app)
    response = tap(client, "/" + codes.issue(keyring, 999_999))
    assert response.status_code == 404
    assert drained_taps(app)[0].outcome is Outcome.UNKNOWN_STICKER


def test_a_sticker_with_its_own_target_sends_there(app, client):
    sticker = installed_sticker(app, target_url="https://example.org/expo")
    assert tap(client, sticker["url"]).headers["Location"] == "https://example.org/expo"


def test_lower_case_and_lookalike_spellings_reach_the_same_sticker(app, client):
    sticker = installed_sticker(app)
    response = tap(client, "/" + sticker["code"].lower())
    assert response.status_code == 303
    assert drained_taps(app)[0].code == sticker["code"]


def test_tap_ids_are_unique_time_ordered_and_renewed_in_a_forked_child():
    from server.clock import machine_now
    from server.tap_route import _ids, new_tap_id

    now = machine_now()
    later = now + dt.timedelta(microseconds=1)
    ids = [new_tap_id(now) for _ in range(1000)] + [new_tap_id(later)]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    assert all(len(tap_id) == 32 for tap_id in ids)  # the column holds 32 characters
    tag = _ids.tag
    _ids.renew()  # what a fork does in the child
    assert _ids.tag != tag and new_tap_id(now) not in ids
