"""Mails a merchant receives, through a real local SMTP server (aiosmtpd): the result of a review
(online, or refused with the staff's reason) and a partner shop's request to agree to a
cross-offer, each in its reader's language, sent only once the change is committed; a mail that
cannot go loses nothing."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select, update

from server.db import database
from server.models import (
    AuditEntry,
    ChangeStatus,
    Offer,
    OfferKind,
    PendingChange,
    Shop,
    Territory,
    User,
)
from tests.server.portal.conftest import EMAILS, TODAY, Browser, seed_portal, user_row
from tests.server.portal.test_listing import _form
from tests.server.portal.test_mail import _free_port, smtp  # noqa: F401  (the SMTP server)
from tests.support.html import page, text

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])
LISTING = "/portal/shops/comptoir/listing"
NEW_OFFER = "/portal/shops/comptoir/offers/new"


def _mail_on(app, port: int) -> None:  # type: ignore[no-untyped-def]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")


def _review_on(app) -> None:  # type: ignore[no-untyped-def]
    with database(app).transaction() as session:
        session.execute(update(Territory).values(review_changes=True))


def _speaking(app, who: str, language: str) -> Browser:  # type: ignore[no-untyped-def]
    """A browser signed in as `who` through the form, its portal in `language`."""
    browser = Browser(app.test_client(), language)
    assert browser.login(EMAILS[who]).status_code == 303
    return browser


def _read(message) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A received message's subject and text, decoded."""
    subject = str(make_header(decode_header(message["Subject"])))
    return subject, message.get_payload(decode=True).decode()


def _links(body: str) -> set[str]:
    return {link.removeprefix("http://localhost") for link in re.findall(r"http://\S+", body)}


def _propose_a_name(owner: Browser, name: str) -> None:
    assert owner.post(LISTING, _form(owner.get(LISTING)) | {"name": name}).status_code == 303


def _pending(app) -> PendingChange:  # type: ignore[no-untyped-def]
    with database(app).sessions() as session:
        return session.scalars(
            select(PendingChange).where(PendingChange.status == ChangeStatus.PENDING)
        ).one()


def _cross_offer(**values: str) -> dict[str, str]:
    return {
        "kind": "cross",
        "partner": "shop:atelier",
        "title_fr": "Un café offert aux clients de l'Atelier",
        "title_en": "A free coffee for the Atelier's customers",
        "title_nl": "Een gratis koffie voor de klanten van het Atelier",
        "valid_from": TODAY.isoformat(),
        "valid_until": (TODAY + dt.timedelta(days=10)).isoformat(),
        "hours_mode": "shop",
        **values,
    }


def test_an_approved_change_is_told_in_the_owner_s_french(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    _review_on(app)
    owner = _speaking(app, "owner", "fr")
    _propose_a_name(owner, "Le Comptoir (nouveau)")
    assert not inbox.messages  # sent for review: nothing decided yet
    staff = _speaking(app, "staff", "en")
    change = _pending(app)
    answer = staff.post(f"/portal/staff/review/{change.id}/approve", follow_redirects=True)
    assert "is online" in text(page(answer).find("main"))
    [message] = inbox.messages
    subject, body = _read(message)
    assert message["To"] == EMAILS["owner"]
    assert subject == "Votre modification du Comptoir (nouveau) est en ligne"
    assert "a approuvé votre modification" in body and "Hello" not in body  # French only
    assert _links(body) == {"/portal/shops/comptoir/"}


def test_a_refused_change_is_told_in_dutch_with_the_staff_s_reason(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    _review_on(app)
    owner = _speaking(app, "owner", "nl")
    _propose_a_name(owner, "GRATIS KOFFIE!!!")
    change = _pending(app)
    staff = _speaking(app, "staff", "fr")
    reason = "Le nom de la boutique ne peut pas être une publicité."
    staff.post(f"/portal/staff/review/{change.id}/reject", {"note": reason})
    [message] = inbox.messages
    subject, body = _read(message)
    assert "niet online gezet" in subject
    assert reason in body and "om deze reden" in body and "Bonjour" not in body  # Dutch only
    assert _links(body) == {"/portal/shops/comptoir/"}
    shown = text(page(owner.get("/portal/shops/comptoir/")).find(class_="problem"))
    assert shown.endswith(reason)  # also on the shop's page, mail or not


def test_a_refusal_needs_a_reason_and_nothing_is_sent_without_one(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    _review_on(app)
    _propose_a_name(_speaking(app, "owner", "fr"), "Spam")
    change = _pending(app)
    staff = _speaking(app, "staff", "en")
    answer = staff.post(
        f"/portal/staff/review/{change.id}/reject", {"note": "   "}, follow_redirects=True
    )
    assert "Say why it is refused" in text(page(answer).find(class_="problem"))
    assert _pending(app).id == change.id and not inbox.messages  # still waiting, nobody told


def test_when_the_mail_server_is_down_the_decision_stands_and_staff_are_told(app, seed):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_TLS="none")
    _review_on(app)
    _propose_a_name(_speaking(app, "owner", "fr"), "Le Comptoir (nouveau)")
    change = _pending(app)
    staff = _speaking(app, "staff", "en")
    answer = staff.post(f"/portal/staff/review/{change.id}/approve", follow_redirects=True)
    said = text(page(answer).find("main"))
    assert "is online" in said and f"No mail could be sent to {EMAILS['owner']}" in said
    with database(app).sessions() as session:
        assert session.get(PendingChange, change.id).status is ChangeStatus.APPROVED
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        assert shop.name == "Le Comptoir (nouveau)"


def test_a_partner_shop_is_asked_in_its_language_and_agrees_through_the_link(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    partner = _speaking(app, "other_owner", "nl")  # L'Atelier's keeper reads Dutch
    owner = _speaking(app, "owner", "fr")
    answer = owner.post(NEW_OFFER, _cross_offer(), follow_redirects=True)
    assert "L'Atelier a reçu un mail lui demandant son accord." in text(page(answer).find("main"))
    [message] = inbox.messages
    subject, body = _read(message)
    assert message["To"] == EMAILS["other_owner"]
    assert subject == "Le Comptoir stelt een aanbieding voor met L'Atelier"
    assert "Een gratis koffie voor de klanten van het Atelier" in body  # its title, in Dutch
    [link] = _links(body)
    assert link == "/portal/shops/atelier/partners"
    shown = page(partner.get(link))
    assert "Een gratis koffie" in text(shown.find("main"))
    [agree] = [f["action"] for f in shown.select("form[action$='/agree']")]
    assert partner.post(agree).status_code == 303
    with database(app).sessions() as session:
        offer = session.scalars(select(Offer).where(Offer.partner_shop.has(slug="atelier"))).one()
        assert offer.partner_agreed_at is not None


def test_a_reviewed_cross_offer_asks_the_partner_only_once_approved(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    _review_on(app)
    owner = _speaking(app, "owner", "en")
    assert owner.post(NEW_OFFER, _cross_offer()).status_code == 303
    assert not inbox.messages  # not online, not asked: staff have not looked yet
    change = _pending(app)
    _speaking(app, "staff", "en").post(f"/portal/staff/review/{change.id}/approve")
    told = {message["To"]: _read(message) for message in inbox.messages}
    assert set(told) == {EMAILS["owner"], EMAILS["other_owner"]}
    assert _links(told[EMAILS["owner"]][1]) == {"/portal/shops/comptoir/offers"}
    assert _links(told[EMAILS["other_owner"]][1]) == {"/portal/shops/atelier/partners"}


def test_a_reader_whose_language_is_not_known_reads_every_language(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    with database(app).transaction() as session:
        session.execute(update(User).values(language=None))  # never signed in since
    _speaking(app, "owner", "fr").post(NEW_OFFER, _cross_offer())
    [message] = inbox.messages
    subject, body = _read(message)
    assert subject.count(" / ") == 2
    assert "Bonjour" in body and "Hallo" in body and "Hello" in body


def test_a_partner_without_an_account_is_said_to_the_proposer(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    with database(app).transaction() as session:
        session.execute(
            update(User).where(User.email == EMAILS["other_owner"]).values(active=False)
        )
    answer = _speaking(app, "owner", "en").post(NEW_OFFER, _cross_offer(), follow_redirects=True)
    assert "has no account on TapTrail yet" in text(page(answer).find("main"))
    assert not inbox.messages


def test_the_mails_follow_a_language_switched_after_signing_in(app, seed):
    owner = _speaking(app, "owner", "fr")
    assert user_row(app, EMAILS["owner"]).language == "fr"
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    _propose_a_name(owner, "Le Comptoir")
    assert user_row(app, EMAILS["owner"]).language == "nl"


def test_a_partner_may_refuse_and_the_proposer_sees_it(app, seed, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    partner = _speaking(app, "other_owner", "en")
    owner = _speaking(app, "owner", "en")
    owner.post(NEW_OFFER, _cross_offer())
    [link] = _links(_read(inbox.messages[0])[1])
    [refuse] = [f["action"] for f in page(partner.get(link)).select("form[action$='/refuse']")]
    answer = partner.post(refuse, follow_redirects=True)
    assert "Refused: the offer stays offline" in text(page(answer).find("main"))
    assert "You refused on" in text(page(answer).find("main"))
    assert "Partner offers waiting" not in text(page(partner.get("/portal/")).find("main"))
    listed = text(page(owner.get("/portal/shops/comptoir/offers")).find("main"))
    assert "the partner shop did not agree: not online" in listed
    with database(app).sessions() as session:
        offer = session.scalars(select(Offer).where(Offer.partner_shop.has(slug="atelier"))).one()
        assert offer.partner_refused_at is not None and not offer.agreed
    edited = _cross_offer(title_en="A free coffee and a biscuit for the Atelier's customers")
    owner.post(f"/portal/shops/comptoir/offers/{offer.slug}", edited)  # amended: asked again
    assert len(inbox.messages) == 2 and "biscuit" in _read(inbox.messages[1])[1]
    assert "Waiting for your agreement" in text(page(partner.get(link)).find("main"))


def test_one_decision_clicked_at_the_same_moment_mails_once(committed_app, smtp):  # noqa: F811
    """Staff approving the same new offer from several tabs at once: one offer is made and one
    decision mailed (before, each click applied it: a 500 on the offer's slug, or a second
    offer and a second mail)."""
    inbox, port = smtp
    seed_portal(committed_app)
    _mail_on(committed_app, port)
    _review_on(committed_app)
    assert (
        _speaking(committed_app, "owner", "en").post(NEW_OFFER, _cross_offer()).status_code == 303
    )
    change = _pending(committed_app)
    clicks = 6
    tabs = [_speaking(committed_app, "staff", "en") for _ in range(clicks)]
    tokens = [tab.token() for tab in tabs]
    start = threading.Barrier(clicks)

    def approve(index: int) -> int:
        start.wait(timeout=30)
        path = f"/portal/staff/review/{change.id}/approve"
        return tabs[index].client.post(path, data={"csrf_token": tokens[index]}).status_code

    with ThreadPoolExecutor(max_workers=clicks) as pool:
        assert list(pool.map(approve, range(clicks))) == [303] * clicks
    with database(committed_app).sessions() as session:
        made = session.scalars(
            select(Offer).where(Offer.kind == OfferKind.CROSS).order_by(Offer.id)
        )
        assert [offer.shop.slug for offer in made] == ["atelier", "comptoir"]
        approvals = select(func.count(AuditEntry.id)).where(AuditEntry.action == "offer.approve")
        assert session.scalar(approvals) == 1
    subjects = sorted(_read(message)[0] for message in inbox.messages)
    assert len(subjects) == 2 and subjects[-1] == "Your change of Le Comptoir is online", subjects
