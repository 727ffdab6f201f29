"""Signing in and out, invitation links, and one's own account (password, sessions)."""

from __future__ import annotations

import datetime as dt
import math

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server import clock
from server.config import passwords
from server.db import db_session
from server.errors import N_, Problem
from server.i18n import gettext, ngettext
from server.portal import devices
from server.portal.access import EVERYONE, allow, public, sign_in, sign_out, user
from server.portal.blueprint import bp
from server.portal.forms import done, problems_of
from server.services import accounts, audit, portal_sessions
from server.services.signin_limits import Reason, Wait
from server.taps.visitor import daily_salt, hashed_id
from server.visitor import formats
from server.web.problems import said
from server.web.targets import same_site_path


def _next_page() -> str:
    # Only a page of the portal itself: never an open redirect.
    return same_site_path(request.values.get("next"), url_for("portal.home"), prefix="/portal/")


def _client_key() -> str:
    secret = current_app.config["VISITOR_SALT_SECRET"]
    return hashed_id(daily_salt(secret, clock.now().date()), request.remote_addr or "", "")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | tuple[str, int, dict[str, str]] | str:
    """The sign-in form; failed attempts slow down as server.services.signin_limits says."""
    if request.method == "GET":
        return render_template("portal/login.html", email="", problem=None, next=_next_page())
    email = request.form.get("email", "").strip()
    now = clock.now()
    try:
        found = accounts.authenticate(
            db_session(),
            email,
            request.form.get("password", ""),
            _client_key(),
            now,
            devices.known(),
            passwords=passwords(),
        )
    except accounts.LoginRefused as refused:
        db_session().commit()  # the failure counts, in every worker
        problem, status, headers = _refusal(refused.wait, now)
        page = render_template("portal/login.html", email=email, problem=problem, next=_next_page())
        return page, status, headers
    sign_in(found)
    db_session().commit()
    response = redirect(_next_page(), code=303)
    devices.remember(response, found.id)
    return response


def _refusal(wait: Wait | None, now: dt.datetime) -> tuple[str, int, dict[str, str]]:
    """What the sign-in page says to a refused attempt, its status and headers."""
    if wait is None:
        return gettext(N_("Wrong email or password. Check both and try again.")), 401, {}
    seconds = max(1, math.ceil((wait.until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    if wait.reason is Reason.ACCOUNT:
        problem = ngettext(
            "Too many failed attempts on this account. Wait %(num)d minute, or sign in from a"
            " device you have signed in with before.",
            "Too many failed attempts on this account. Wait %(num)d minutes, or sign in from a"
            " device you have signed in with before.",
            minutes,
        )
    else:
        problem = ngettext(
            "Too many failed attempts. Wait %(num)d minute, then try again.",
            "Too many failed attempts. Wait %(num)d minutes, then try again.",
            minutes,
        )
    return problem, 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
@allow(EVERYONE)
def logout() -> Response:
    """Sign out of this browser (the others, the till tablet say, stay signed in)."""
    sign_out()
    db_session().commit()
    return redirect(url_for("portal.login"), code=303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def invitation(token: str) -> Response | tuple[str, int] | str:
    """Set a password through a one-time link, then go in."""
    now = clock.now()
    try:
        opened = accounts.open_invitation(db_session(), token, now)
    except Problem as problem:
        return render_template("portal/invitation.html", problem=said(problem), errors={}), 410
    if request.method == "GET":
        return render_template("portal/invitation.html", invited=opened.user, errors={})
    password = request.form.get("password", "")
    try:
        if password != request.form.get("again", ""):
            raise Problem(N_("The two passwords differ. Type the same one twice."), field="again")
        account = accounts.accept(db_session(), token, password, now, passwords=passwords())
    except Problem as problem:
        db_session().rollback()
        errors = problems_of(problem)
        return render_template("portal/invitation.html", invited=opened.user, errors=errors), 422
    audit.record(
        db_session(), account.id, "account.password", ("user", account.id), "set a password"
    )
    sign_in(account)
    db_session().commit()
    done(gettext(N_("Your password is set. Welcome!")))
    response = redirect(url_for("portal.home"), code=303)
    devices.remember(response, account.id)  # the link proved it is the owner's browser
    return response


@bp.get("/account")
@allow(EVERYONE)
def account() -> str:
    """One's own account: email, role, shops, change the password."""
    return render_template("portal/account.html", errors={}, changed=_changed())


def _changed() -> str | None:
    when = user().password_changed_at
    return formats.day_and_month(when, "Europe/Paris") if when else None


@bp.post("/account/password")
@allow(EVERYONE)
def change_password() -> Response | tuple[str, int]:
    """Change the password; every session ends, this one too: sign in again with it."""
    account = user()
    current, new = request.form.get("current", ""), request.form.get("password", "")
    try:
        if not accounts.verify_password(account, current, passwords=passwords()):
            raise Problem(N_("Your current password is not right."), field="current")
        if new != request.form.get("again", ""):
            raise Problem(N_("The two passwords differ. Type the same one twice."), field="again")
        accounts.set_password(account, new, clock.now(), passwords=passwords())
    except Problem as problem:
        db_session().rollback()
        page = render_template("portal/account.html", errors=problems_of(problem), changed=None)
        return page, 422
    audit.record(db_session(), account.id, "account.password", ("user", account.id), "new password")
    sign_out()
    db_session().commit()
    done(gettext(N_("Your password was changed. Sign in again with the new one.")))
    return redirect(url_for("portal.login"), code=303)


@bp.post("/account/sessions")
@allow(EVERYONE)
def end_sessions() -> Response:
    """Sign out on every device (a lost phone, a shared till)."""
    account = user()
    portal_sessions.end_all(db_session(), account)
    audit.record(db_session(), account.id, "account.sessions", ("user", account.id), "signed out")
    sign_out()
    db_session().commit()
    done(gettext(N_("You were signed out everywhere. Sign in again.")))
    return redirect(url_for("portal.login"), code=303)
