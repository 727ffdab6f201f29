"""Inviting many shop owners at once from a CSV file (a traders' union's member list): each row
gets an account, its shop when named, and a one-time link by email; the page then reports, row
by row, what was sent and what failed, and why."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass

from flask import render_template, request, url_for
from sqlalchemy import select

from server import clock
from server.db import db_session
from server.errors import N_, TapTrailError
from server.i18n import gettext
from server.models import Role, Shop
from server.portal.access import ADMINISTRATORS, allow, user
from server.portal.blueprint import bp
from server.portal.branded import ACCOUNT_SUBJECT, mail_settings, subject
from server.portal.invites import in_every_language
from server.services import accounts, audit
from server.services.mail import Mailer, MailError
from server.web.controls import unwelcome
from server.web.problems import said

log = logging.getLogger(__name__)
MAX_ROWS = 500  # a union's list; more is surely the wrong file
MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class Outcome:
    """What happened to one row of the file."""

    line: int
    email: str
    sent: bool
    why: str = ""


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file (UTF-8, a comma or a semicolon between fields, a header line
    naming `email` and optionally `name` and `shop`), or ValueError saying what is wrong."""
    try:
        text: str | None = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    # A NUL (UTF-16 without its mark, a binary file) decodes but no field may hold it.
    if text is None or unwelcome(text):
        raise ValueError(N_("The file is not UTF-8 text: save it as “CSV UTF-8”."))
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "email" not in fields:
        raise ValueError(
            N_("The first line must name the columns: email, and name or shop if you like.")
        )
    rows = []
    for raw in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k})
    if not rows:
        raise ValueError(N_("The file has no row under its first line."))
    if len(rows) > MAX_ROWS:
        raise ValueError(
            N_("The file has more than %(limit)d rows: split it."), {"limit": MAX_ROWS}
        )
    return rows


@bp.route("/admin/invitations", methods=["GET", "POST"])
@allow(ADMINISTRATORS)
def bulk_invitations() -> str | tuple[str, int]:
    """Upload a CSV of shop owners; each is invited by email; a report says sent or failed."""
    settings = mail_settings()
    if request.method == "GET" or settings is None:
        return render_template("portal/bulk_invitations.html", mail=settings is not None)
    upload = request.files.get("file")
    data = upload.read(MAX_BYTES + 1) if upload else b""
    try:
        if not data or len(data) > MAX_BYTES:
            raise ValueError(N_("Choose a CSV file of at most 512 KB."))
        rows = read_rows(data)
    except ValueError as error:
        message = gettext(error.args[0], **(error.args[1] if len(error.args) > 1 else {}))
        page = render_template("portal/bulk_invitations.html", mail=True, problem=message)
        return page, 422
    shops = {shop.slug: shop for shop in db_session().scalars(select(Shop))}
    with Mailer(settings) as mailer:  # one connection for the whole list
        outcomes = [_invite(row, line, shops, mailer) for line, row in enumerate(rows, start=2)]
    return render_template("portal/bulk_invitations.html", mail=True, outcomes=outcomes)


def _invite(row: dict[str, str], line: int, shops: dict[str, Shop], mailer: Mailer) -> Outcome:
    """One row: the account, its shop, the link by email; committed alone (a sent mail stays
    sent whatever the next rows do)."""
    email, slug = row.get("email", ""), row.get("shop", "")
    shop = shops.get(slug) if slug else None
    if slug and shop is None:
        return Outcome(line, email, False, gettext("there is no shop %(shop)s", shop=slug))
    try:
        invited = accounts.create_user(db_session(), email, Role.SHOP_OWNER, name=row.get("name"))
        if shop is not None:
            accounts.give_shop(db_session(), invited, shop.id)
        issued = accounts.invite(db_session(), invited, user(), clock.now())
        audit.record(
            db_session(),
            user().id,
            "account.invite",
            ("user", invited.id),
            f"invited {invited.email} (CSV)",
        )
        link = url_for("portal.invitation", token=issued.token, _external=True)
        why = N_("A %(service)s account has been created for you.")
        body = in_every_language(
            "portal/invitation_mail.txt",
            link=link,
            invited=invited,
            why=why,
            why_params={},
            days=accounts.INVITATION_DAYS,
        )
        mailer.send(invited.email, subject(ACCOUNT_SUBJECT), body)
    except TapTrailError as problem:
        db_session().rollback()
        return Outcome(line, email, False, said(problem))
    except MailError as error:
        db_session().rollback()  # no account without its mail: the row can be sent again
        log.warning("CSV invitation at line %s not sent: %s", line, error)
        return Outcome(
            line, email, False, gettext("the mail server refused it (%(error)s)", error=str(error))
        )
    db_session().commit()
    return Outcome(line, invited.email, True)
