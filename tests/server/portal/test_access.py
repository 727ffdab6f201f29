"""Authorization, route by route: every portal route (the analytics dashboard's too) is in
TABLE, with the roles it allows; every other role is refused, a shop owner never reaches another
shop's pages, strangers are sent to sign in, and no state-changing request goes through without
its CSRF token.

A new route without an entry here fails test_every_portal_route_is_in_the_table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.db import database
from server.models import (
    ApiToken,
    AuditEntry,
    Batch,
    EventSeries,
    PendingChange,
    Photo,
    PointOfInterest,
    Shop,
    SignupRequest,
    Sticker,
    Walk,
    WalkStop,
)
from tags.keyring import Keyring
from tests.server import factories
from tests.server.conftest import own_app, settings, sqlite_copy
from tests.server.portal.conftest import EMAILS, NOW, Seed, open_session, seed_portal

ADMIN = {"administrator"}
STAFF = {"administrator", "staff"}
KEEPERS = {"administrator", "staff", "owner"}
READERS = KEEPERS | {"analyst"}
ANALYSTS = {"administrator", "analyst"}
EVERYONE = READERS
PUBLIC = None
WHO = ("administrator", "staff", "owner", "analyst")
SHOP = "/portal/shops/comptoir"  # the owner's shop
PARTNER = "atelier-pour-comptoir"  # the other shop's cross-offer to it

# endpoint: (path, roles allowed (None: public), whether it is one shop's page)
TABLE: dict[str, tuple[str, set[str] | None, bool]] = {
    "portal.home": ("/portal/", EVERYONE, False),
    "portal.account": ("/portal/account", EVERYONE, False),
    "portal.change_password": ("/portal/account/password", EVERYONE, False),
    "portal.end_sessions": ("/portal/account/sessions", EVERYONE, False),
    "portal.logout": ("/portal/logout", EVERYONE, False),
    "portal.login": ("/portal/login", PUBLIC, False),
    "portal.invitation": ("/portal/invitation/not-a-token", PUBLIC, False),
    "portal.forgot_password": ("/portal/password/forgot", PUBLIC, False),
    "portal.signup": ("/portal/signup", PUBLIC, False),
    "portal.signup_requests": ("/portal/staff/signups", STAFF, False),
    "portal.signup_request": ("/portal/staff/signups/{signup}", STAFF, False),
    "portal.approve_signup": ("/portal/staff/signups/{signup}/approve", STAFF, False),
    "portal.refuse_signup": ("/portal/staff/signups/{signup}/refuse", STAFF, False),
    "portal.audit_log": ("/portal/admin/audit", ADMIN, False),
    "portal.keys": ("/portal/admin/keys", ADMIN, False),
    "portal.revoke_key": ("/portal/admin/keys/1/revoke", ADMIN, False),
    "portal.create_keys": ("/portal/admin/keys/create", ADMIN, False),
    "portal.rotate_keys": ("/portal/admin/keys/rotate", ADMIN, False),
    "portal.territories": ("/portal/admin/territories", ADMIN, False),
    "portal.edit_territory": ("/portal/admin/territories/roubaix", ADMIN, False),
    "portal.users": ("/portal/admin/users", ADMIN, False),
    "portal.bulk_invitations": ("/portal/admin/invitations", ADMIN, False),
    "portal.account_admin": ("/portal/admin/users/{owner}", ADMIN, False),
    "portal.reinvite": ("/portal/admin/users/{owner}/invite", ADMIN, False),
    "portal.account_data_download": ("/portal/admin/users/{owner}/data.zip", ADMIN, False),
    "portal.erase_account": ("/portal/admin/users/{owner}/erase", ADMIN, False),
    "portal.my_data": ("/portal/account/data.zip", EVERYONE, False),
    "portal.map_image": ("/portal/map.png?lat=50.69&lon=3.17", KEEPERS, False),
    "portal.photo_preview": ("/portal/photos/{photo}.jpg", KEEPERS, True),
    "portal.shop": (f"{SHOP}/", KEEPERS, True),
    "portal.figures": (f"{SHOP}/figures", READERS, True),
    "portal.hand_over": (f"{SHOP}/hand-over", STAFF, False),
    "portal.hours": (f"{SHOP}/hours", KEEPERS, True),
    "portal.listing": (f"{SHOP}/listing", KEEPERS, True),
    "portal.offers": (f"{SHOP}/offers", KEEPERS, True),
    "portal.edit_offer": (f"{SHOP}/offers/comptoir-cafe", KEEPERS, True),
    "portal.end_offer": (f"{SHOP}/offers/comptoir-cafe/end", KEEPERS, True),
    "portal.new_offer": (f"{SHOP}/offers/new", KEEPERS, True),
    "portal.partners": (f"{SHOP}/partners", KEEPERS, True),
    "portal.agree": (f"{SHOP}/partners/{PARTNER}/agree", KEEPERS, True),
    "portal.withdraw": (f"{SHOP}/partners/{PARTNER}/withdraw", KEEPERS, True),
    "portal.refuse_offer": (f"{SHOP}/partners/{PARTNER}/refuse", KEEPERS, True),
    "portal.photos": (f"{SHOP}/photos", KEEPERS, True),
    "portal.delete_photo": (f"{SHOP}/photos/{{photo}}/delete", KEEPERS, True),
    "portal.till": (f"{SHOP}/till", KEEPERS, True),
    "portal.stamp_card": (f"{SHOP}/till/card", KEEPERS, True),
    "portal.passport": (f"{SHOP}/till/passport/{PARTNER}", KEEPERS, True),
    "portal.scanner": ("/portal/till-scanner.js", KEEPERS, False),
    "portal.loyalty_card": (f"{SHOP}/loyalty", KEEPERS, True),
    "portal.funnel_csv": (f"{SHOP}/funnel.csv", READERS, True),
    "portal.batches": ("/portal/staff/batches", STAFF, False),
    "portal.batch": ("/portal/staff/batches/{batch}", STAFF, False),
    "portal.manifest": ("/portal/staff/batches/{batch}/manifest.json", STAFF, False),
    "portal.places": ("/portal/staff/places", STAFF, False),
    "portal.edit_place": ("/portal/staff/places/la-piscine", STAFF, False),
    "portal.staff_photos": ("/portal/staff/place/la-piscine/photos", STAFF, False),
    "portal.staff_delete_photo": (
        "/portal/staff/place/la-piscine/photos/{photo}/delete",
        STAFF,
        False,
    ),
    "portal.stickers": ("/portal/staff/places/la-piscine/stickers", STAFF, False),
    "portal.new_place": ("/portal/staff/places/new?territory=roubaix", STAFF, False),
    "portal.content": ("/portal/staff/content", STAFF, False),
    "portal.new_sight": ("/portal/staff/sights/new?territory=roubaix", STAFF, False),
    "portal.edit_sight": ("/portal/staff/sights/le-beffroi", STAFF, False),
    "portal.new_event": ("/portal/staff/events/new?territory=roubaix", STAFF, False),
    "portal.edit_event": ("/portal/staff/events/{series}", STAFF, False),
    "portal.delete_event": ("/portal/staff/events/{series}/delete", STAFF, False),
    "portal.import_events": ("/portal/staff/events/import?territory=roubaix", STAFF, False),
    "portal.confirm_import": (
        "/portal/staff/events/import/confirm?territory=roubaix",
        STAFF,
        False,
    ),
    "portal.new_walk": ("/portal/staff/walks/new?territory=roubaix", STAFF, False),
    "portal.edit_walk": ("/portal/staff/walks/le-tour", STAFF, False),
    "portal.review_queue": ("/portal/staff/review", STAFF, False),
    "portal.review_change": ("/portal/staff/review/{change}", STAFF, False),
    "portal.approve_change": ("/portal/staff/review/{change}/approve", STAFF, False),
    "portal.reject_change": ("/portal/staff/review/{change}/reject", STAFF, False),
    "portal.staff_shops": ("/portal/staff/shops", STAFF, False),
    "portal.install_sticker": ("/portal/staff/stickers/{sticker}/install", STAFF, False),
    "portal.retire_sticker": ("/portal/staff/stickers/{sticker}/retire", STAFF, False),
    "portal.tokens": ("/portal/staff/tokens", STAFF, False),
    "portal.feeds": ("/portal/staff/feeds", STAFF, False),
    "portal.revoke_token_view": ("/portal/staff/tokens/{token}/revoke", STAFF, False),
    "analytics.overview": ("/portal/analytics/", ANALYSTS, False),
    "analytics.places": ("/portal/analytics/places?place=la-piscine", ANALYSTS, False),
    "analytics.journeys": ("/portal/analytics/journeys", ANALYSTS, False),
    "analytics.offers": ("/portal/analytics/offers", ANALYSTS, False),
    "analytics.health": ("/portal/analytics/health", ANALYSTS, False),
    "analytics.funnel_page": ("/portal/analytics/funnel", ANALYSTS, False),
    "analytics.funnel_download": ("/portal/analytics/funnel/shops.csv", ANALYSTS, False),
    "analytics.download": ("/portal/analytics/taps-by-day.csv?from=2026-05-01", ANALYSTS, False),
}


def _routes(app) -> dict[str, set[str]]:
    return {
        rule.endpoint: set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("portal.", "analytics."))
    }


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_every_portal_route_is_in_the_table_with_the_roles_its_view_declares(app):
    routes = _routes(app)
    assert set(routes) == set(TABLE), "add the new route to TABLE, with the roles it allows"
    for endpoint, (_path, allowed, _scoped) in TABLE.items():
        declared = app.view_functions[endpoint].allowed_roles
        expected = (
            None if allowed is None else {"owner" if r == "shop_owner" else r for r in allowed}
        )
        named = (
            None
            if declared is None
            else {"owner" if r.value == "shop_owner" else r.value for r in declared}
        )
        assert named == expected, endpoint


def _world(app, seed: Seed, tmp_path: Path) -> dict[str, object]:
    """Ids the table's paths name: a photo, a change waiting for review, a batch, a token."""
    factories.stickers(app, "la-piscine", 1)
    factories.token(app, "encode")
    with database(app).transaction() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        photo = Photo(name="0" * 32 + ".jpg", shop_id=shop.id, width=1, height=1, size=1)
        change = PendingChange(kind="listing", shop_id=shop.id, payload={"name": "New name"})
        signup = SignupRequest(
            business_name="Chez Nous",
            siret="73282932000074",
            territory_id=shop.territory_id,
            category="cafe",
            address="1 rue de l'Espérance, Roubaix",
            latitude=50.69,
            longitude=3.17,
            contact_name="Nadia",
            email="nadia@example.org",
            consent_at=NOW,
        )
        sight = PointOfInterest(
            slug="le-beffroi",
            territory_id=shop.territory_id,
            name="Le Beffroi",
            category="monument",
            latitude=50.69,
            longitude=3.17,
        )
        series = EventSeries(
            uid="portal-access",
            territory_id=shop.territory_id,
            title="Visite",
            latitude=50.69,
            longitude=3.17,
            first_day=NOW.date(),
        )
        walk = Walk(
            slug="le-tour",
            territory_id=shop.territory_id,
            name="Le tour",
            start_latitude=50.69,
            start_longitude=3.17,
            stops=[WalkStop(position=1, name="Départ", latitude=50.69, longitude=3.17)],
        )
        session.add_all([photo, change, signup, sight, series, walk])
        session.flush()
        return {
            "photo": photo.id,
            "change": change.id,
            "signup": signup.id,
            "batch": session.scalar(select(func.max(Batch.id))),
            "sticker": session.scalar(select(func.max(Sticker.id))),
            "token": session.scalar(select(func.max(ApiToken.id))),
            "owner": seed.users["owner"],
            "series": series.id,
        }


def _as(app, who: str):  # type: ignore[no-untyped-def]
    """A client signed in as `who` (the session a sign-in makes, without the form)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    open_session(app, client, EMAILS[who])
    return client


def _audit_count(app) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count(AuditEntry.id))) or 0


@pytest.fixture(scope="module")
def refusing(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, keyring: Keyring
) -> Iterator[tuple[Flask, dict[str, object]]]:
    """The app (SQLite), its portal seeded and the table's world made, shared by the refusal
    tests: a refused request changes nothing (each of them checks it), so one world serves all
    instead of one per route."""
    folder = tmp_path_factory.mktemp("access")
    with own_app(settings(folder, sqlite_copy(request, folder), keyring)) as application:
        yield application, _world(application, seed_portal(application), folder)


@pytest.mark.parametrize("endpoint", [e for e, (_, roles, _) in TABLE.items() if roles])
def test_each_route_refuses_the_roles_it_does_not_allow(refusing, endpoint):
    app, world = refusing
    path, allowed, scoped = TABLE[endpoint]
    assert allowed is not None
    path = path.format(**world)
    methods = _routes(app)[endpoint]
    before = _audit_count(app)
    for method in methods:
        stranger = app.test_client().open(path, method=method, data={})
        if method == "POST":  # no session, no token: the CSRF check refuses it first
            assert stranger.status_code == 400, (endpoint, method)
        else:
            assert stranger.status_code == 303, (endpoint, method)
            assert stranger.headers["Location"].startswith("/portal/login")
        for who in WHO:
            if who in allowed:
                continue
            client = _as(app, who)
            response = _send(client, method, path)
            assert response.status_code == 403, (endpoint, method, who, response.status_code)
        if scoped:  # the other shop's owner: as if the page did not exist
            response = _send(_as(app, "other_owner"), method, path)
            assert response.status_code == 404, (endpoint, method, response.status_code)
    assert _audit_count(app) == before, "a refused request changed something"


def _send(client, method: str, path: str):  # type: ignore[no-untyped-def]
    """The request with a valid CSRF token, so only authorization can refuse it."""
    if method == "GET":
        return client.get(path)
    token = _token(client)
    return client.post(path, data={"csrf_token": token})


def _token(client) -> str:  # type: ignore[no-untyped-def]
    from tests.support.html import page

    field = page(client.get("/portal/login")).find("input", attrs={"name": "csrf_token"})
    return str(field["value"])


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_an_allowed_role_gets_each_page(app, seed, tmp_path):
    world = _world(app, seed, tmp_path)
    for endpoint, (path, allowed, _scoped) in TABLE.items():
        if "GET" not in _routes(app)[endpoint] or allowed is None:
            continue
        for who in sorted(allowed):
            response = _as(app, who).get(path.format(**world))
            expected = 404 if endpoint == "portal.photo_preview" else 200  # no file on disk
            assert response.status_code == expected, (endpoint, who, response.status_code)


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_every_state_changing_request_needs_its_csrf_token(app, seed, tmp_path):
    world = _world(app, seed, tmp_path)
    admin = _as(app, "administrator")
    before = _audit_count(app)
    posts = [e for e, methods in _routes(app).items() if "POST" in methods]
    assert len(posts) > 30
    for endpoint in posts:
        path = TABLE[endpoint][0].format(**world)
        for token in (None, "forged-token"):
            data = {"email": EMAILS["owner"], "password": "x"} | (
                {"csrf_token": token} if token else {}
            )
            response = admin.post(path, data=data)
            assert response.status_code == 400, (endpoint, token, response.status_code)
            assert "This form has expired" in response.get_data(as_text=True)
    assert _audit_count(app) == before
    with database(app).sessions() as session:
        assert (
            session.scalars(select(Shop.name).where(Shop.slug == "comptoir")).one() == "Le Comptoir"
        )
