"""Portal fixtures: a territory with two shops, one account per role, and a signed-in browser."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from server import clock
from server.config import passwords
from server.db import database
from server.models import Offer, OfferKind, Role, Shop, User
from server.services import accounts, portal_sessions
from tests.server import factories
from tests.support.html import page

PARIS = ZoneInfo("Europe/Paris")
# The portal's clock in these tests (FIXED_NOW), fixed so that none depends on the day it runs,
# nor on the hour when UTC's day and Paris's differ: a Thursday morning in Paris.
NOW = dt.datetime(2026, 11, 26, 10, tzinfo=PARIS).astimezone(dt.UTC)
TODAY = NOW.astimezone(PARIS).date()
PASSWORD = "correct horse battery"
EMAILS = {
    "administrator": "admin@example.org",
    "staff": "staff@example.org",
    "owner": "owner@example.org",
    "other_owner": "other@example.org",
    "analyst": "analyst@example.org",
}
ROLES = {
    "administrator": Role.ADMINISTRATOR,
    "staff": Role.STAFF,
    "owner": Role.SHOP_OWNER,
    "other_owner": Role.SHOP_OWNER,
    "analyst": Role.ANALYST,
}


@dataclass
class Seed:
    """What the portal tests find in the database."""

    territory_id: int
    shop: str = "comptoir"  # kept by "owner"
    other_shop: str = "atelier"  # kept by "other_owner"
    users: dict[str, int] = field(default_factory=dict)
    offer: str = "comptoir-cafe"
    partner_offer: str = "atelier-pour-comptoir"  # atelier's cross-offer naming comptoir


def add_user(app: Flask, who: str, email: str, role: Role, shops: tuple[str, ...] = ()) -> int:
    """An account with PASSWORD, keeping these shops."""
    with database(app).transaction() as session:
        user = accounts.create_user(session, email, role)
        accounts.set_password(user, PASSWORD, NOW, passwords=passwords(app))
        for slug in shops:
            shop_id = session.scalars(select(Shop.id).where(Shop.slug == slug)).one()
            accounts.give_shop(session, user, shop_id)
        return user.id


def _offer(slug: str, shop_id: int, title: str) -> Offer:
    """A deal of the shop, running from yesterday for a month."""
    today = TODAY
    return Offer(
        slug=slug,
        shop_id=shop_id,
        kind=OfferKind.DEAL,
        title={"fr": title},
        conditions={},
        valid_from=today - dt.timedelta(days=1),
        valid_until=today + dt.timedelta(days=30),
    )


def seed_portal(app: Flask) -> Seed:
    """The portal's test world, its clock pinned at NOW."""
    app.config["FIXED_NOW"] = NOW
    territory = factories.territory(app)
    factories.place(app, territory_id=territory)
    factories.shop(
        app,
        "comptoir",
        territory,
        50.69205,
        3.16850,
        name="Le Comptoir",
        category="cafe",
        opening_hours="Tu-Su 09:00-18:30",
    )
    factories.shop(app, "atelier", territory, 50.69180, 3.17010, name="L'Atelier")
    seed = Seed(territory)
    for who, email in EMAILS.items():
        shops = {"owner": ("comptoir",), "other_owner": ("atelier",)}.get(who, ())
        seed.users[who] = add_user(app, who, email, ROLES[who], shops)
    with database(app).transaction() as session:
        comptoir, atelier = (
            session.scalars(select(Shop.id).where(Shop.slug == slug)).one()
            for slug in ("comptoir", "atelier")
        )
        session.add(_offer(seed.offer, comptoir, "Café offert"))
        cross = _offer(seed.partner_offer, atelier, "-15 % pour les clients du Comptoir")
        cross.kind, cross.partner_shop_id = OfferKind.CROSS, comptoir
        session.add(cross)
    return seed


@pytest.fixture
def seed(app: Flask) -> Seed:
    """The portal's test world in the app's database."""
    return seed_portal(app)


class Browser:
    """A test client that signs in and sends forms with their CSRF token, as a browser does."""

    def __init__(self, client: FlaskClient, language: str = "en") -> None:
        self.client = client
        # Tests read the English text; French is the default (test_a_shop_owner_reads_french).
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language

    def token(self) -> str:
        """The CSRF token of this browser's session (read from a form, as a browser would)."""
        response = self.client.get("/portal/login")
        field_ = page(response).find("input", attrs={"name": "csrf_token"})
        assert field_ is not None, "the page has no form"
        return str(field_["value"])

    def login(self, email: str, password: str = PASSWORD) -> Any:
        """Sign in through the form."""
        return self.post("/portal/login", {"email": email, "password": password})

    def get(self, path: str, **options: Any) -> Any:
        """GET a page."""
        return self.client.get(path, **options)

    def post(self, path: str, data: dict[str, Any] | None = None, **options: Any) -> Any:
        """POST a form with this session's CSRF token."""
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})}, **options)


@pytest.fixture
def browser(app: Flask) -> Browser:
    """An anonymous browser."""
    return Browser(app.test_client())


@pytest.fixture
def signed_in(app: Flask, seed: Seed):  # type: ignore[no-untyped-def]
    """signed_in("owner"): a browser signed in as that account."""

    def sign(who: str) -> Browser:
        user = Browser(app.test_client())
        response = user.login(EMAILS[who])
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return user

    return sign


def jpeg(width: int = 2400, height: int = 1800, exif: bool = True) -> bytes:
    """A JPEG photo, with EXIF data (a GPS position, a camera) when asked."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    output = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x0112] = 6  # Orientation: rotated 90 degrees
        data[0x8825] = {1: "N", 2: (50.0, 41.0, 32.0)}  # GPS latitude
        image.save(output, "JPEG", exif=data)
    else:
        image.save(output, "JPEG")
    return output.getvalue()


def open_session(app: Flask, client: FlaskClient, email: str) -> None:
    """Sign `client` in as this account: the session a sign-in makes, without the form."""
    with app.app_context():
        now = clock.now()  # the app's, pinned or not: the one it checks the session with
    with database(app).transaction() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        token = portal_sessions.start(session, user, now, app.permanent_session_lifetime)
    with client.session_transaction() as cookie:
        cookie["sid"] = token


def user_row(app: Flask, email: str) -> User:
    """An account as stored."""
    with database(app).sessions() as session:
        return session.scalars(select(User).where(User.email == email)).one()
