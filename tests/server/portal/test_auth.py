"""Signing in: argon2 passwords, secure cookies, sessions that end when signed out (a saved
cookie too), a forced re-login after a password change, and one-time invitation links. How
failed attempts are slowed down: test_signin_limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.db import database
from server.models import AuditEntry, Role, User
from server.services import accounts
from tests.server.portal.conftest import EMAILS, NOW, PASSWORD, Browser, user_row
from tests.support.html import page, text


def test_a_password_is_stored_as_an_argon2_hash(app, seed):
    stored = user_row(app, EMAILS["owner"]).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_signing_in_opens_the_portal_with_a_secure_session_cookie(app, seed, browser):
    response = browser.login(EMAILS["owner"])
    assert response.status_code == 303 and response.headers["Location"] == "/portal/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    home = browser.get("/portal/")
    assert "Le Comptoir" in text(page(home).find("main"))
    assert home.headers["Cache-Control"] == "no-store"


def test_the_cookie_is_secure_behind_https(app, seed):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    browser = Browser(app.test_client())
    token = browser.client.get("/portal/login", base_url="https://localhost")
    field = page(token).find("input", attrs={"name": "csrf_token"})["value"]
    response = browser.client.post(
        "/portal/login",
        data={"email": EMAILS["owner"], "password": PASSWORD, "csrf_token": field},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/portal/login"},
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_says_so_and_keeps_the_email(app, seed, browser):
    response = browser.login(EMAILS["owner"], "wrong password")
    assert response.status_code == 401
    soup = page(response)
    assert "Wrong email or password" in text(soup.find(role="alert")) or "Mauvais" in text(
        soup.find(role="alert")
    )
    assert soup.find("input", attrs={"name": "email"})["value"] == EMAILS["owner"]


def test_a_password_change_signs_out_every_session(app, seed, signed_in):
    phone, till = signed_in("owner"), signed_in("owner")
    new = "a much longer new password"
    response = phone.post(
        "/portal/account/password", {"current": PASSWORD, "password": new, "again": new}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/portal/login"
    for browser in (phone, till):  # the other device too
        assert browser.get("/portal/").status_code == 303
    assert Browser(app.test_client()).login(EMAILS["owner"], PASSWORD).status_code == 401
    assert Browser(app.test_client()).login(EMAILS["owner"], new).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "again", "field"),
    [
        ("wrong", "a long new password", "a long new password", "current"),
        (PASSWORD, "short", "short", "password"),
        (PASSWORD, "a long new password", "another one", "again"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app, seed, signed_in, current, new, again, field
):
    owner = signed_in("owner")
    response = owner.post(
        "/portal/account/password", {"current": current, "password": new, "again": again}
    )
    assert response.status_code == 422
    assert page(response).find(id=f"f-{field}")["aria-invalid"] == "true"
    assert owner.get("/portal/").status_code == 200  # still signed in


def test_sign_out_everywhere(app, seed, signed_in):
    phone, till = signed_in("owner"), signed_in("owner")
    assert phone.post("/portal/account/sessions").status_code == 303
    assert till.get("/portal/").status_code == 303


def _replayed(app, browser: Browser) -> Browser:
    """Another browser holding a copy of this browser's session cookie, as a thief would."""
    copy = Browser(app.test_client())
    copy.client.set_cookie("tt_session", browser.client.get_cookie("tt_session").value)
    return copy


def _sent_to_sign_in(browser: Browser) -> bool:
    response = browser.get("/portal/")
    return response.status_code == 303 and response.headers["Location"].startswith("/portal/login")


def test_a_cookie_saved_before_signing_out_no_longer_works(app, seed, signed_in):
    phone, till = signed_in("owner"), signed_in("owner")
    saved = _replayed(app, phone)
    assert saved.get("/portal/").status_code == 200  # the copy works while the session lasts
    assert phone.post("/portal/logout").status_code == 303
    assert _sent_to_sign_in(saved) and _sent_to_sign_in(phone)
    assert till.get("/portal/").status_code == 200  # signing out of the phone kept the till in


def test_a_cookie_saved_before_a_password_change_no_longer_works(app, seed, signed_in):
    phone = signed_in("owner")
    saved = _replayed(app, phone)
    new = "a much longer new password"
    phone.post("/portal/account/password", {"current": PASSWORD, "password": new, "again": new})
    assert _sent_to_sign_in(saved)


def test_a_cookie_saved_before_signing_out_everywhere_no_longer_works(app, seed, signed_in):
    phone = signed_in("owner")
    saved = _replayed(app, phone)
    assert phone.post("/portal/account/sessions").status_code == 303
    assert _sent_to_sign_in(saved)


def test_a_cookie_of_an_account_an_administrator_locked_no_longer_works(app, seed, signed_in):
    owner, admin = signed_in("owner"), signed_in("administrator")
    saved = _replayed(app, owner)
    response = admin.post(
        f"/portal/admin/users/{seed.users['owner']}", {"role": "shop_owner", "shop-comptoir": "on"}
    )
    assert response.status_code == 303 and not user_row(app, EMAILS["owner"]).active
    assert _sent_to_sign_in(saved) and _sent_to_sign_in(owner)


def test_a_locked_account_cannot_sign_in(app, seed, signed_in):
    owner = signed_in("owner")
    with database(app).transaction() as session:
        session.get(User, seed.users["owner"]).active = False
    assert owner.get("/portal/").status_code == 303
    assert Browser(app.test_client()).login(EMAILS["owner"]).status_code == 401


def test_signing_in_goes_back_to_the_page_asked_for_and_never_elsewhere(app, seed, browser):
    asked = browser.get("/portal/shops/comptoir/till")
    assert asked.headers["Location"] == "/portal/login?next=/portal/shops/comptoir/till"
    response = browser.post(
        "/portal/login",
        {"email": EMAILS["owner"], "password": PASSWORD, "next": "/portal/shops/comptoir/till"},
    )
    assert response.headers["Location"] == "/portal/shops/comptoir/till"
    for target in ("https://evil.example", "//evil.example", "/p/la-piscine"):
        other = Browser(app.test_client())
        response = other.post(
            "/portal/login", {"email": EMAILS["owner"], "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/portal/"


def test_an_invitation_link_works_once(app, seed, signed_in):
    admin = signed_in("administrator")
    response = admin.post(
        "/portal/admin/users", {"email": "new@example.org", "role": "shop_owner", "shop": "atelier"}
    )
    assert response.status_code == 200
    link = text(page(response).find(id="invitation-link"))
    path = link.split("localhost", 1)[1]
    newcomer = Browser(app.test_client())
    form = newcomer.get(path)
    assert form.status_code == 200 and "new@example.org" in text(page(form).find("main"))
    short = newcomer.post(path, {"password": "short", "again": "short"})
    assert short.status_code == 422  # the link still works after a refused password
    chosen = "my shop is the best one"
    done = newcomer.post(path, {"password": chosen, "again": chosen})
    assert done.status_code == 303 and done.headers["Location"] == "/portal/"
    assert "L'Atelier" in text(page(newcomer.get("/portal/")).find("main"))
    again = Browser(app.test_client()).get(path)
    assert again.status_code == 410
    with database(app).sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "account.invite" in actions and "account.password" in actions


def test_an_expired_invitation_link_says_to_ask_for_a_new_one(app, seed):
    with database(app).transaction() as session:
        user = accounts.create_user(session, "late@example.org", Role.ANALYST)
        issued = accounts.invite(session, user, None, NOW - dt.timedelta(days=8))
    response = Browser(app.test_client()).get(f"/portal/invitation/{issued.token}")
    assert response.status_code == 410
    assert "expired" in text(page(response).find("main")) or "expiré" in text(
        page(response).find("main")
    )


def test_a_new_link_replaces_the_earlier_one(app, seed):
    with database(app).transaction() as session:
        user = accounts.create_user(session, "twice@example.org", Role.ANALYST)
        first = accounts.invite(session, user, None, NOW)
        accounts.invite(session, user, None, NOW)
    assert Browser(app.test_client()).get(f"/portal/invitation/{first.token}").status_code == 410


def test_a_shop_owner_reads_french_by_default_and_dutch_when_asked(app, seed):
    french = Browser(app.test_client(), language="")
    french.login(EMAILS["owner"])
    soup = page(french.get("/portal/shops/comptoir/hours"))
    assert (
        soup.html["lang"] == "fr"
        and soup.find("h1").get_text() == "Horaires d\N{RIGHT SINGLE QUOTATION MARK}ouverture"
    )
    dutch = Browser(app.test_client(), language="nl-BE,nl;q=0.9")
    dutch.login(EMAILS["owner"])
    soup = page(dutch.get("/portal/shops/comptoir/hours"))
    assert soup.find("h1").get_text() == "Openingsuren"
    assert "Maandag" in text(soup.find("tbody"))
