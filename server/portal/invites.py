"""Invitation links: shown on screen once, and mailed when SMTP is configured."""

from __future__ import annotations

import logging
from typing import Any

from flask import render_template, url_for

from server import clock
from server.db import db_session
from server.i18n import speaking
from server.models import User
from server.portal.access import user
from server.portal.branded import ACCOUNT_SUBJECT, mail_settings, subject
from server.services import accounts, audit
from server.services.mail import MailError, send

log = logging.getLogger(__name__)


# The person's language is not known before they sign in: French first (the pilot's towns), then
# Dutch and English, each complete.
MAIL_LANGUAGES = ("fr", "nl", "en")


def in_every_language(template: str, **values: Any) -> str:
    """A mail's text written once per language, French first."""
    parts = []
    for lang in MAIL_LANGUAGES:
        with speaking(lang):
            parts.append(render_template(template, **values).strip())
    return "\n\n-- \n\n".join(parts) + "\n"


def issue_and_show(invited: User, why: str, **params: str) -> str:
    """Make a new link for `invited`, commit, mail it if possible, and render the page that
    shows it (the only time it is shown). `why` is a message of the catalogue (N_), with its
    `params`, said in each language of the mail."""
    issued = accounts.invite(db_session(), invited, user(), clock.now())
    audit.record(
        db_session(), user().id, "account.invite", ("user", invited.id), f"invited {invited.email}"
    )
    db_session().commit()
    link = url_for("portal.invitation", token=issued.token, _external=True)
    mailed, problem = False, None
    try:
        settings = mail_settings()
        if settings is not None:
            body = in_every_language(
                "portal/invitation_mail.txt",
                link=link,
                invited=invited,
                why=why,
                why_params=params,
                days=accounts.INVITATION_DAYS,
            )
            send(settings, invited.email, subject(ACCOUNT_SUBJECT), body)
            mailed = True
    except MailError as error:
        log.warning("invitation mail to account %s not sent: %s", invited.id, error)
        problem = str(error)
    return render_template(
        "portal/invited.html",
        invited=invited,
        link=link,
        mailed=mailed,
        problem=problem,
        days=accounts.INVITATION_DAYS,
    )
