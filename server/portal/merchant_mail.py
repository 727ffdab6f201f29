"""Mails to the people who keep a shop: the result of a review, and another shop's request to
agree to a cross-offer naming theirs.

Each mail is written in its reader's language (the portal's language at their last sign-in or
form; every language, French first, while it is not known) and sent only once the change it
tells of is committed, never from inside a transaction that could still fail. A mail that cannot
be sent loses nothing: the change stays committed, the portal shows it (the shop's page says a
refusal and its reason, the partner page lists the offer waiting for agreement), the log says
why the mail failed, and the page tells whoever acted that the mail did not go.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, url_for
from sqlalchemy import select

from server.db import db_session
from server.errors import N_
from server.i18n import LANGUAGES, gettext, speaking
from server.models import ChangeStatus, Offer, PendingChange, Shop, ShopOwner, User
from server.portal.invites import MAIL_LANGUAGES, in_every_language
from server.services.mail import Mailer, MailError, SmtpSettings

log = logging.getLogger(__name__)
APPROVED_SUBJECT = N_("Your change of %(shop)s is online")
REFUSED_SUBJECT = N_("Your change of %(shop)s was not put online")
CONSENT_SUBJECT = N_("%(shop)s proposes an offer with %(partner)s")
# Where the reader sees what a review decided, by kind of change.
REVIEWED_PAGES = {"listing": "portal.shop", "offer": "portal.offers", "photo": "portal.photos"}


@dataclass
class Outcome:
    """Who was mailed, and who could not be (no mail server, or it refused)."""

    sent: list[str] = field(default_factory=list)
    unsent: list[str] = field(default_factory=list)


def keepers(shop_id: int) -> list[User]:
    """The active accounts that keep this shop."""
    query = (
        select(User)
        .join(ShopOwner, ShopOwner.user_id == User.id)
        .where(ShopOwner.shop_id == shop_id, User.active.is_(True))
        .order_by(User.id)
    )
    return list(db_session().scalars(query))


def written_for(reader: User, template: str, subject: str, **values: Any) -> tuple[str, str]:
    """A mail's subject (a catalogue message, filled with `values`) and text for `reader`: in
    their language, or in every language when it is not known."""
    if reader.language in LANGUAGES:
        with speaking(reader.language):
            body = render_template(template, reader=reader, **values).strip() + "\n"
            return gettext(subject, **values), body
    subjects = []
    for lang in MAIL_LANGUAGES:
        with speaking(lang):
            subjects.append(gettext(subject, **values))
    return " / ".join(subjects), in_every_language(template, reader=reader, **values)


def _send(letters: list[tuple[User, str, str]], what: str) -> Outcome:
    """Send each (reader, subject, body) over one connection; what failed is logged."""
    outcome = Outcome()
    settings = SmtpSettings.from_config(current_app.config)
    if settings is None:
        outcome.unsent = [reader.email for reader, _subject, _body in letters]
        return outcome
    with Mailer(settings) as mailer:
        for reader, subject, body in letters:
            try:
                mailer.send(reader.email, subject, body)
            except MailError as error:
                log.warning("%s mail to account %s not sent: %s", what, reader.id, error)
                outcome.unsent.append(reader.email)
            else:
                outcome.sent.append(reader.email)
    return outcome


def review_result(change: PendingChange) -> Outcome:
    """Tell whoever sent a change (or, once they are gone, the shop's keepers) what the review
    decided: online, or refused with the staff's reason. Call after the commit."""
    sender = change.submitted_by
    readers = [sender] if sender is not None and sender.active else keepers(change.shop_id)
    approved = change.status is ChangeStatus.APPROVED
    page = REVIEWED_PAGES.get(change.kind, "portal.shop")
    link = url_for(page, slug=change.shop.slug, _external=True)
    subject = APPROVED_SUBJECT if approved else REFUSED_SUBJECT
    letters = [
        (
            reader,
            *written_for(
                reader,
                "portal/review_result_mail.txt",
                subject,
                shop=change.shop.name,
                change=change,
                approved=approved,
                link=link,
            ),
        )
        for reader in readers
    ]
    return _send(letters, "review result")


def consent_request(offer: Offer) -> Outcome:
    """Ask the keepers of the partner shop a cross-offer names to agree to it (or not), with a
    link to their partner page. Call after the commit; nothing to ask once it is agreed."""
    partner: Shop | None = offer.partner_shop
    if partner is None or offer.partner_agreed_at is not None:
        return Outcome()
    link = url_for("portal.partners", slug=partner.slug, _external=True)
    letters = [
        (
            reader,
            *written_for(
                reader,
                "portal/consent_request_mail.txt",
                CONSENT_SUBJECT,
                shop=offer.shop.name,
                partner=partner.name,
                offer=offer,
                link=link,
            ),
        )
        for reader in keepers(partner.id)
    ]
    return _send(letters, "partner consent request")
