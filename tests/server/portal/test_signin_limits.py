"""Failed sign-ins slow guessing down without locking the owner out: the owner's known browsers
sign in while the account is attacked, a new one is told how long to wait (French, English,
Dutch) and gets in after it, a colleague on the same shop Wi-Fi is not held up, and one
client's guesses wait longer and longer, in every worker."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from server import create_app
from server.config import passwords
from server.db import database
from server.errors import TapTrailError
from server.models import LoginFailure, User
from server.services import accounts
from server.services.signin_limits import (
    ACCOUNT_LIMIT,
    DEVICE_LIMIT,
    PAIR_FREE,
    WINDOW,
    Reason,
    delay,
)
from tests.server.conftest import settings
from tests.server.portal.conftest import EMAILS, NOW, PASSWORD, Browser
from tests.support.html import page, text

OWNER = EMAILS["owner"]


def _from(app, address: str, language: str = "en") -> Browser:
    """A browser at this address (a new device: no cookie yet)."""
    browser = Browser(app.test_client(), language)
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def _attack(app, email: str, guesses: int) -> None:
    """Wrong passwords for the account from as many addresses as it takes (a botnet)."""
    for n in range(guesses):
        attacker = _from(app, f"203.0.113.{n // PAIR_FREE + 1}")
        assert attacker.login(email, "password123").status_code == 401


def _time_passes(app, span: dt.timedelta) -> None:
    """Move every stored failure back by `span`, as if that much time had gone by."""
    with database(app).transaction() as session:
        for failure in session.scalars(select(LoginFailure)):
            failure.occurred_at -= span


def _said(response) -> str:
    return text(page(response).find(role="alert"))


def test_the_owner_signs_in_from_a_known_device_while_the_account_is_attacked(app, seed):
    phone = _from(app, "198.51.100.7")
    assert phone.login(OWNER).status_code == 303
    assert phone.post("/portal/logout").status_code == 303
    colleague = _from(app, "198.51.100.7")
    assert colleague.login(EMAILS["other_owner"]).status_code == 303  # known for another account
    _attack(app, OWNER, ACCOUNT_LIMIT)
    stranger = _from(app, "198.51.100.7")  # the same address, without the phone's cookie
    assert stranger.login(OWNER).status_code == 429
    assert colleague.login(OWNER).status_code == 429
    forged = _from(app, "198.51.100.7")
    cookie = phone.client.get_cookie("tt_device", path="/portal/").value
    forged.client.set_cookie("tt_device", cookie[:-2] + "xx", path="/portal/")
    assert forged.login(OWNER).status_code == 429
    response = phone.login(OWNER)
    assert response.status_code == 303 and response.headers["Location"] == "/portal/"
    assert "Le Comptoir" in text(page(phone.get("/portal/")).find("main"))


def test_the_owner_on_a_new_device_is_told_how_long_to_wait_and_let_in_after(app, seed):
    _attack(app, OWNER, ACCOUNT_LIMIT)
    expected = {
        "fr": "Attendez 15 minutes, ou connectez-vous depuis un appareil",
        "en": "Wait 15 minutes, or sign in from a device",
        "nl": "Wacht 15 minuten, of meld u aan vanaf een apparaat",
    }
    for language, said in expected.items():
        laptop = _from(app, "198.51.100.8", language)
        response = laptop.login(OWNER)
        assert response.status_code == 429
        assert said in _said(response), (language, _said(response))
        assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    _time_passes(app, WINDOW)
    assert laptop.login(OWNER).status_code == 303


def test_a_colleague_on_the_same_shop_wifi_signs_in_while_an_account_is_attacked(app, seed):
    wifi = "192.0.2.10"
    for n in range(40):  # a guesser on the shop's Wi-Fi tries many accounts...
        assert _from(app, wifi).login(f"guess{n}@example.org", "password123").status_code == 401
    for _ in range(ACCOUNT_LIMIT):  # ...and the owner's more than any limit allows
        _from(app, wifi).login(OWNER, "password123")
    assert _from(app, wifi).login(OWNER).status_code == 429
    response = _from(app, wifi).login(EMAILS["other_owner"])  # a new device, the same address
    assert response.status_code == 303


def test_one_clients_guesses_wait_longer_and_longer_in_every_worker(app, seed, tmp_path, keyring):
    attacker = _from(app, "203.0.113.50")
    for _ in range(PAIR_FREE):
        assert attacker.login(OWNER, "password123").status_code == 401
    # Another worker (another app on the same database) sees the same count.
    other = create_app(  # with the same settings, and so the same clock
        settings(tmp_path / "other", app.config["DATABASE_URL"], keyring, FIXED_NOW=NOW)
    )
    if app.config["DATABASE_URL"].startswith("postgresql"):
        other = app  # the PostgreSQL test database lives in this test's transaction
    worker = Browser(other.test_client())
    worker.client.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    waits = []
    for failures in range(PAIR_FREE, PAIR_FREE + 6):
        response = worker.login(OWNER)  # even the right password waits
        assert response.status_code == 429
        minutes = int(re.search(r"Wait (\d+) minute", _said(response)).group(1))
        waits.append(minutes)
        assert int(response.headers["Retry-After"]) <= delay(failures).total_seconds()
        _time_passes(app, delay(failures))
        assert attacker.login(OWNER, "password123").status_code == 401
    assert waits == [1, 2, 4, 8, 15, 15]
    # Nine guesses in 45 minutes, and the owner elsewhere was never held up.
    assert _from(app, "198.51.100.9").login(OWNER).status_code == 303


def _user_id(app, email: str) -> int:
    with database(app).sessions() as session:
        return session.scalars(select(User.id).where(User.email == email)).one()


def test_a_known_device_that_keeps_failing_waits_on_its_own(app, seed):
    now = NOW
    phone = {_user_id(app, OWNER): "nonce-of-the-phone"}
    with database(app).transaction() as session:
        for _ in range(DEVICE_LIMIT):
            with pytest.raises(accounts.LoginRefused):
                accounts.authenticate(
                    session, OWNER, "password123", "shop", now, phone, passwords=passwords(app)
                )
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.authenticate(
                session, OWNER, PASSWORD, "shop", now, phone, passwords=passwords(app)
            )
        assert refused.value.wait.reason is Reason.DEVICE
        assert refused.value.wait.until == now + WINDOW
        # Its failures are its own: the owner's other browsers, known or not, still sign in.
        assert accounts.authenticate(
            session, OWNER, PASSWORD, "shop", now, {}, passwords=passwords(app)
        )
        later = now + WINDOW + dt.timedelta(seconds=1)
        assert accounts.authenticate(
            session, OWNER, PASSWORD, "shop", later, phone, passwords=passwords(app)
        )


def test_the_account_limit_ends_with_its_window(app, seed):
    now = NOW
    with database(app).transaction() as session:
        for n in range(ACCOUNT_LIMIT):
            with pytest.raises(accounts.LoginRefused):
                accounts.authenticate(
                    session, OWNER, "password123", f"client-{n}", now, passwords=passwords(app)
                )
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.authenticate(
                session, OWNER, PASSWORD, "a-new-client", now, passwords=passwords(app)
            )
        assert refused.value.wait.reason is Reason.ACCOUNT
        # A domain refusal like the others: the edges report it as 429, code login_refused.
        assert isinstance(refused.value, TapTrailError)
        assert (refused.value.status, refused.value.code) == (429, "login_refused")
        assert refused.value.wait.until == now + WINDOW
        later = now + WINDOW + dt.timedelta(seconds=1)
        assert accounts.authenticate(
            session, OWNER, PASSWORD, "a-new-client", later, passwords=passwords(app)
        )


def test_no_address_or_email_is_stored_with_a_failure(app, seed):
    _from(app, "198.51.100.77").login(OWNER, "password123")
    with database(app).sessions() as session:
        keys = session.scalars(select(LoginFailure.key)).all()
    assert len(keys) == 2 and all(re.fullmatch(r"(account|pair):[0-9a-f]{64}", k) for k in keys)
    assert not any("198.51.100.77" in key or "owner" in key for key in keys)
