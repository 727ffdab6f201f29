"""Invitation links: shown on screen once, and mailed when SMTP is configured."""

from __future__ import annotations

import logging

from flask import current_app, render_template, url_for

from server import clock
from server.db import db_session
from server.models import User
from server.portal.access import user
from server.services import accounts, audit
from server.services.mail import MailError, SmtpSettings, send

log = logging.getLogger(__name__)


def issue_and_show(invited: User, why: str) -> str:
    """Make a new link for `invited`, commit, mail it if possible, and render the page that
    shows it (the only time it is shown)."""
    issued = accounts.invite(db_session(), invited, user(), clock.now())
    audit.record(
        db_session(), user().id, "account.invite", ("user", invited.id), f"invited {invited.email}"
    )
    db_session().commit()
    link = url_for("portal.invitation", token=issued.token, _external=True)
    mailed, problem = False, None
    try:
        settings = SmtpSettings.from_config(current_app.config)
        if settings is not None:
            body = render_template(
                "portal/invitation_mail.txt",
                link=link,
                invited=invited,
                why=why,
                days=accounts.INVITATION_DAYS,
            )
            send(settings, invited.email, "Your TapTrail account", body)
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
