"""Inviting a traders' union's member list from a CSV file: each row is sent or fails with its
reason, through a real local SMTP server (aiosmtpd) that refuses one mailbox."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from server.db import database
from server.models import ShopOwner, User
from tests.server.portal.conftest import EMAILS
from tests.server.portal.test_mail import Inbox
from tests.support.html import page, text

PATH = "/portal/admin/invitations"


class Picky(Inbox):
    """Keeps every message, and refuses the mailbox full@example.org as a full one would."""

    def __init__(self) -> None:
        super().__init__()
        self.connections: set[object] = set()  # the peers (address, port) that sent a RCPT

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        self.connections.add(session.peer)
        if address == "full@example.org":
            return "552 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_smtp() -> Iterator[tuple[Picky, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Picky()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _upload(browser, content: str):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(content.encode("utf-8-sig")), "membres.csv")}
    return browser.post(PATH, data, content_type="multipart/form-data")


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_member_list_is_invited_and_each_row_says_sent_or_why_not(
    app, seed, signed_in, picky_smtp
):
    inbox, port = picky_smtp
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")
    admin = signed_in("administrator")
    members = (
        "Email;Name;Shop\n"
        "boulanger@example.org;Paul;atelier\n"
        "fleuriste@example.org;Anne;\n"
        f"{EMAILS['owner']};Déjà là;\n"
        "pas-une-adresse;X;\n"
        "libraire@example.org;Léa;une-boutique-inconnue\n"
        "full@example.org;Plein;\n"
    )
    response = _upload(admin, members)
    assert response.status_code == 200
    soup = page(response)
    assert "2 sent, 4 failed, of 6 rows" in text(soup.find(role="status"))
    rows = {text(r.find_all("td")[1]): text(r.find_all("td")[2]) for r in soup.select("tbody tr")}
    assert rows["boulanger@example.org"] == rows["fleuriste@example.org"] == "sent"
    assert "already an account" in rows[EMAILS["owner"]]
    assert "email address like" in rows["pas-une-adresse"]
    assert "no shop une-boutique-inconnue" in rows["libraire@example.org"]
    assert "mail server refused" in rows["full@example.org"]
    assert sorted(m["To"] for m in inbox.messages) == [
        "boulanger@example.org",
        "fleuriste@example.org",
    ]
    assert len(inbox.connections) == 1  # one connection for the list, not one per row
    with database(app).sessions() as session:
        emails = set(session.scalars(select(User.email)))
        assert "full@example.org" not in emails  # no account without its mail: send it again
        baker = session.scalars(select(User).where(User.email == "boulanger@example.org")).one()
        assert session.scalars(select(ShopOwner).where(ShopOwner.user_id == baker.id)).one()


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_file_that_is_not_a_member_list_is_refused_with_what_to_do(
    app, seed, signed_in, picky_smtp
):
    _inbox, port = picky_smtp
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")
    admin = signed_in("administrator")
    response = _upload(admin, "nom,prénom\nDupont,Jean\n")
    assert response.status_code == 422 and "must name the columns" in text(page(response))
    latin1 = {"file": (io.BytesIO("email\nrené@exämple.org\n".encode("latin-1")), "x.csv")}
    response = admin.post(PATH, latin1, content_type="multipart/form-data")
    assert response.status_code == 422 and "CSV UTF-8" in text(page(response))


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_file_with_control_characters_is_refused_before_any_account_is_made(
    app, seed, signed_in, picky_smtp
):
    _inbox, port = picky_smtp
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")
    admin = signed_in("administrator")
    # PostgreSQL refuses a NUL in text: the row would fail halfway, after the rows above it.
    response = _upload(admin, "email;name\nfirst@example.org;Paul\nnul@example.org;Pa\x00ul\n")
    assert response.status_code == 422 and "CSV UTF-8" in text(page(response))
    utf16 = {"file": (io.BytesIO("email\nx@example.org\n".encode("utf-16-le")), "x.csv")}
    response = admin.post(PATH, utf16, content_type="multipart/form-data")
    assert response.status_code == 422 and "CSV UTF-8" in text(page(response))
    with database(app).sessions() as session:
        assert (
            session.scalars(select(User).where(User.email == "first@example.org")).first() is None
        )
