"""A forgotten password: a one-time link, valid an hour, mailed through a real local SMTP server
(aiosmtpd); the page never says whether an address has an account."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.db import database
from server.models import AuditEntry
from tests.server.portal.conftest import EMAILS, NOW, PASSWORD, Browser, seed_portal
from tests.server.portal.test_mail import smtp  # noqa: F401  (the local SMTP server fixture)
from tests.support.html import page, text

NEW_PASSWORD = "a brand new sentence"
FORGOT = "/portal/password/forgot"


def _mail_on(app, port: int) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")


def _link(message) -> str:  # type: ignore[no-untyped-def]
    body = message.get_payload(decode=True).decode()
    [link] = set(re.findall(r"http://\S+/portal/invitation/\S+", body))
    return link.removeprefix("http://localhost")


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_forgotten_password_is_reset_through_a_mailed_link_once(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    browser = Browser(app.test_client())
    login = page(browser.get("/portal/login"))
    assert login.find("a", href=FORGOT)
    answer = browser.post(FORGOT, {"email": EMAILS["owner"].upper()})
    assert answer.status_code == 200 and "is on its way" in text(page(answer).find("main"))
    [message] = inbox.messages
    assert message["To"] == EMAILS["owner"]
    body = message.get_payload(decode=True).decode()
    assert "Choisissez-le avec ce lien" in body and "Choose it with this link" in body
    assert "Kies het met deze link" in body  # French, Dutch and English, each complete
    link = _link(message)
    assert browser.get(link).status_code == 200
    chosen = browser.post(link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert chosen.status_code == 303
    again = Browser(app.test_client())
    assert again.login(EMAILS["owner"], PASSWORD).status_code == 401  # the old one is gone
    assert again.login(EMAILS["owner"], NEW_PASSWORD).status_code == 303
    assert browser.get(link).status_code == 410  # once only
    with database(app).sessions() as session:
        actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["account.reset", "account.password"]


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_reset_link_expires_after_an_hour(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    browser = Browser(app.test_client())
    browser.post(FORGOT, {"email": EMAILS["staff"]})
    link = _link(inbox.messages[0])
    app.config["FIXED_NOW"] = NOW + dt.timedelta(minutes=61)
    response = browser.get(link)
    assert response.status_code == 410 and "expired" in text(page(response).find("main"))


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_the_page_says_the_same_for_an_unknown_address_and_sends_nothing(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    browser = Browser(app.test_client())
    known = text(page(browser.post(FORGOT, {"email": EMAILS["analyst"]})).find("main"))
    unknown = text(page(browser.post(FORGOT, {"email": "nobody@example.org"})).find("main"))
    garbage = text(page(browser.post(FORGOT, {"email": "not an address"})).find("main"))
    assert known == unknown == garbage
    assert [m["To"] for m in inbox.messages] == [EMAILS["analyst"]]


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_an_account_gets_three_links_an_hour_at_most(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    browser = Browser(app.test_client())
    for _ in range(5):
        assert browser.post(FORGOT, {"email": EMAILS["owner"]}).status_code == 200
    assert len(inbox.messages) == 3
    first = _link(inbox.messages[0])
    browser.post(_link(inbox.messages[2]), {"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert browser.get(first).status_code == 410  # a password chosen: the other links stop


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_without_a_mail_server_the_page_says_to_ask_the_team(app, seed):
    browser = Browser(app.test_client())
    shown = text(page(browser.get(FORGOT)).find("main"))
    assert "Ask the TapTrail team" in shown
    assert browser.post(FORGOT, {"email": EMAILS["owner"]}).status_code == 200


def test_twenty_requests_at_once_send_three_links_at_most(committed_app, smtp):  # noqa: F811
    inbox, port = smtp
    seed_portal(committed_app)
    _mail_on(committed_app, port)
    browsers = [Browser(committed_app.test_client()) for _ in range(20)]
    tokens = [browser.token() for browser in browsers]
    start = threading.Barrier(len(browsers))

    def ask(index: int) -> int:
        start.wait(timeout=30)
        data = {"email": EMAILS["owner"], "csrf_token": tokens[index]}
        return int(browsers[index].client.post(FORGOT, data=data).status_code)

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        answers = list(pool.map(ask, range(len(browsers))))
    assert answers == [200] * len(browsers)
    assert len(inbox.messages) <= 3
