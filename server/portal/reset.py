"""A forgotten password: the sign-in page sends a one-time link (valid an hour) by email.

The page says the same thing whether the address has an account or not, so it cannot be used
to find out who has one. Without a mail server, it says to ask the TapTrail team, who make a
new link from the account's page.
"""

from __future__ import annotations

import logging

from flask import render_template, request, url_for

from server import clock
from server.db import db_session
from server.portal.access import public
from server.portal.blueprint import bp
from server.portal.branded import RESET_SUBJECT, mail_settings, subject
from server.portal.invites import in_every_language
from server.services import accounts, audit
from server.services.mail import MailError, send

log = logging.getLogger(__name__)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password() -> str:
    """Ask for a link to choose a new password; it goes to the account's email only."""
    settings = mail_settings()
    if request.method == "GET" or settings is None:
        return render_template(
            "portal/forgot.html", sent=False, mail=settings is not None, minutes=0
        )
    issued = accounts.reset_link(db_session(), request.form.get("email", ""), clock.now())
    if issued is not None:
        account = issued.invitation.user
        audit.record(
            db_session(),
            account.id,
            "account.reset",
            ("user", account.id),
            "asked for a link to choose a new password",
        )
        db_session().commit()
        link = url_for("portal.invitation", token=issued.token, _external=True)
        body = in_every_language(
            "portal/reset_mail.txt",
            link=link,
            email=account.email,
            minutes=accounts.RESET_MINUTES,
        )
        try:
            send(settings, account.email, subject(RESET_SUBJECT), body)
        except MailError as error:  # said to nobody but the log: the page must not tell
            log.warning("reset mail to account %s not sent: %s", account.id, error)
    return render_template(
        "portal/forgot.html", sent=True, mail=True, minutes=accounts.RESET_MINUTES
    )
