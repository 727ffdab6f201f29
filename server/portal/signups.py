"""Shops sign themselves up on a public page; staff approve (the shop and its owner's account
are made, and the owner is sent a link to choose a password) or refuse with a reason, which is
mailed to the applicant in the language they signed up in."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server import clock
from server.db import db_session
from server.errors import N_, Invalid, Problem
from server.i18n import gettext, language, speaking
from server.models import SignupRequest, SignupStatus, Territory
from server.portal.access import STAFF, allow, public, user
from server.portal.blueprint import bp
from server.portal.branded import brand_name, mail_settings
from server.portal.forms import done, problems_of, refused, values
from server.portal.invites import issue_and_show
from server.services import listings, signups
from server.services.mail import MailError, send
from server.web.problems import said

log = logging.getLogger(__name__)


def _territories() -> list[Territory]:
    return list(db_session().scalars(select(Territory).order_by(Territory.name)))


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup() -> str | tuple[str, int]:
    """The public sign-up form of a shop; a checked request waits for the TapTrail team."""
    territories = _territories()
    form = values() if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            checked = signups.clean_request(db_session(), form, territories)
        except Invalid as problem:
            errors = problems_of(problem)
        else:
            signups.submit(db_session(), checked, language(), clock.now())
            db_session().commit()
            return render_template("portal/signup_sent.html", email=checked["email"])
    page = render_template(
        "portal/signup.html",
        form=form,
        errors=errors,
        territories=territories,
        categories=listings.SHOP_CATEGORIES,
    )
    return (page, 422) if errors else page


@bp.get("/staff/signups")
@allow(STAFF)
def signup_requests() -> str:
    """Requests waiting, oldest first, and the last ones decided."""
    query = select(SignupRequest).order_by(SignupRequest.created_at)
    waiting = db_session().scalars(query.where(SignupRequest.status == SignupStatus.PENDING))
    decided = db_session().scalars(
        select(SignupRequest)
        .where(SignupRequest.status != SignupStatus.PENDING)
        .order_by(SignupRequest.decided_at.desc())
        .limit(20)
    )
    return render_template("portal/signups.html", waiting=list(waiting), decided=list(decided))


@bp.get("/staff/signups/<int:request_id>")
@allow(STAFF)
def signup_request(request_id: int) -> str:
    """One request, with what to check before approving it."""
    found = signups.find(db_session(), request_id)
    return render_template("portal/signup_request.html", signup=found, errors={})


@bp.post("/staff/signups/<int:request_id>/approve")
@allow(STAFF)
def approve_signup(request_id: int) -> Response | str:
    """Make the shop and its owner's account, and send the owner a link to choose a password."""
    found = signups.find(db_session(), request_id)
    try:
        shop, owner = signups.approve(db_session(), found, user(), clock.now())
    except Problem as problem:
        db_session().rollback()
        refused(said(problem))
        return redirect(url_for("portal.signup_request", request_id=request_id), code=303)
    return issue_and_show(
        owner,
        N_(
            "Welcome to %(service)s: %(shop)s is accepted. Choose your password, then fill in"
            " your listing."
        ),
        shop=shop.name,
    )


@bp.post("/staff/signups/<int:request_id>/refuse")
@allow(STAFF)
def refuse_signup(request_id: int) -> Response | tuple[str, int]:
    """Refuse with a reason, mailed to the applicant in their language."""
    found = signups.find(db_session(), request_id)
    try:
        signups.refuse(db_session(), found, user(), request.form.get("reason", ""), clock.now())
    except Problem as problem:
        db_session().rollback()
        page = render_template(
            "portal/signup_request.html", signup=found, errors=problems_of(problem)
        )
        return page, 422
    db_session().commit()
    if _mail_refusal(found):
        done(gettext("Refused; %(email)s was told why by email.", email=found.email))
    else:
        done(gettext("Refused. No mail could be sent: tell %(email)s yourself.", email=found.email))
    return redirect(url_for("portal.signup_requests"), code=303)


def _mail_refusal(found: SignupRequest) -> bool:
    """Mail the refusal and its reason in the applicant's language; whether it went."""
    try:
        settings = mail_settings()
        if settings is None:
            return False
        with speaking(found.language):
            subject = gettext("Your %(service)s sign-up", service=brand_name())
            body = render_template("portal/signup_refused_mail.txt", signup=found)
        send(settings, found.email, subject, body)
    except MailError as error:
        log.warning("refusal mail of sign-up %s not sent: %s", found.id, error)
        return False
    return True
