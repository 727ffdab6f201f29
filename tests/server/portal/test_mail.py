"""Invitations are mailed when SMTP is configured (a local aiosmtpd server stands in here)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from server.services.mail import MailError, SmtpSettings, send
from tests.support.html import page, text


class Inbox(Message):
    """Keeps every message received."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server on a free port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_an_invitation_is_mailed_when_smtp_is_configured(app, seed, signed_in, smtp):
    inbox, port = smtp
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_TLS="none",
        SMTP_FROM="TapTrail <portal@example.org>",
    )
    response = signed_in("administrator").post(
        "/portal/admin/users", {"email": "mailed@example.org", "role": "analyst"}
    )
    link = text(page(response).find(id="invitation-link"))
    assert "sent by email" in text(page(response).find("main"))
    [message] = inbox.messages
    assert (
        message["To"] == "mailed@example.org" and message["From"] == "TapTrail <portal@example.org>"
    )
    assert link in message.get_payload(decode=True).decode()


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_when_the_mail_fails_the_link_is_still_shown(app, seed, signed_in):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_TLS="none")
    response = signed_in("administrator").post(
        "/portal/admin/users", {"email": "unmailed@example.org", "role": "analyst"}
    )
    assert "could not be sent" in text(page(response).find("main"))
    assert text(page(response).find(id="invitation-link")).startswith("http")


def test_the_mail_settings_say_what_is_wrong():
    assert SmtpSettings.from_config({}) is None
    with pytest.raises(MailError, match="starttls, ssl or none"):
        SmtpSettings.from_config({"SMTP_HOST": "x", "SMTP_TLS": "tls1.2"})
    with pytest.raises(MailError, match=r"127\.0\.0\.1"):
        send(SmtpSettings("127.0.0.1", _free_port(), tls="none", timeout=2), "a@b.c", "s", "b")
