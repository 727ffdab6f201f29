"""Administrators: accounts and roles, invitations, territories' review setting, the audit log."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import N_, TapTrailError
from server.i18n import gettext
from server.models import AuditEntry, Role, Shop, Territory, User
from server.portal.access import ADMINISTRATORS, allow, found, user
from server.portal.blueprint import bp
from server.portal.forms import done, problems_of, refused, saved, values
from server.portal.invites import issue_and_show
from server.services import accounts, audit, portal_sessions
from server.services.listings import whole_number
from server.web.converters import DATABASE_MAX

AUDIT_PAGE = 200


@bp.route("/admin/users", methods=["GET", "POST"])
@allow(ADMINISTRATORS)
def users() -> str | tuple[str, int]:
    """Every account, and a form to invite someone with a role (and shop, for shop owners)."""
    shops = list(db_session().scalars(select(Shop).order_by(Shop.name)))
    form, errors = values() if request.method == "POST" else {}, {}
    if request.method == "POST":
        try:
            role = Role(form.get("role", ""))
            shop = next((s for s in shops if s.slug == form.get("shop")), None)
            invited = accounts.create_user(
                db_session(), form.get("email", ""), role, name=form.get("name")
            )
            if role is Role.SHOP_OWNER and shop is not None:
                accounts.give_shop(db_session(), invited, shop.id)
        except ValueError:
            errors = {"role": gettext("Choose a role.")}
        except TapTrailError as problem:
            db_session().rollback()
            errors = problems_of(problem)
        else:
            return issue_and_show(invited, N_("A %(service)s account has been created for you."))
    accounts_ = list(db_session().scalars(select(User).order_by(User.role, User.email)))
    page = render_template(
        "portal/users.html",
        accounts=accounts_,
        shops=shops,
        roles=list(Role),
        form=form,
        errors=errors,
    )
    return (page, 422) if errors else page


def _account(user_id: int) -> User:
    return found(db_session().get(User, user_id))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@allow(ADMINISTRATORS)
def account_admin(user_id: int) -> Response | str:
    """One account: role, shops, locked or not; a new invitation link (a password reset)."""
    target = _account(user_id)
    shops = list(db_session().scalars(select(Shop).order_by(Shop.name)))
    if request.method == "GET":
        return render_template("portal/user.html", account=target, shops=shops, roles=list(Role))
    before = audit.snapshot(target, ("role", "active"))
    kept = {shop.id for shop in target.shops}
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        refused(gettext("Choose a role."))
        return redirect(url_for("portal.account_admin", user_id=target.id), code=303)
    if target.id == user().id and (
        role is not Role.ADMINISTRATOR or not request.form.get("active")
    ):
        refused(gettext("You cannot take away your own administrator role or lock yourself out."))
        return redirect(url_for("portal.account_admin", user_id=target.id), code=303)
    target.role, target.active = role, bool(request.form.get("active"))
    wanted = {shop.id for shop in shops if request.form.get(f"shop-{shop.slug}")}
    for shop_id in wanted - kept:
        accounts.give_shop(db_session(), target, shop_id)
    if kept - wanted:
        accounts.take_shops(db_session(), target, kept - wanted)
    after = audit.snapshot(target, ("role", "active"))
    changes = audit.diff(before, after) | (
        {"shops": [sorted(kept), sorted(wanted)]} if kept != wanted else {}
    )
    if changes.get("role") or changes.get("active"):
        portal_sessions.end_all(db_session(), target)  # a new role or a lock takes effect at once
    return saved(
        "account.update",
        ("user", target.id),
        target.email,
        message=gettext("%(email)s saved.", email=target.email),
        to=url_for("portal.account_admin", user_id=target.id),
        changes=changes,
    )


@bp.post("/admin/users/<int:user_id>/invite")
@allow(ADMINISTRATORS)
def reinvite(user_id: int) -> str:
    """A new one-time link for the account (earlier links stop working): also a reset."""
    target = _account(user_id)
    return issue_and_show(target, N_("Here is a new link to choose your %(service)s password."))


@bp.route("/admin/territories", methods=["GET", "POST"])
@allow(ADMINISTRATORS)
def territories() -> Response | str:
    """Whether each territory's shop changes go live at once or after review."""
    rows = list(db_session().scalars(select(Territory).order_by(Territory.name)))
    if request.method == "GET":
        return render_template("portal/territories.html", territories=rows)
    for territory in rows:
        wanted = bool(request.form.get(f"review-{territory.slug}"))
        if territory.review_changes != wanted:
            audit.record(
                db_session(),
                user().id,
                "territory.review",
                ("territory", territory.id),
                f"{territory.name}: review {'on' if wanted else 'off'}",
                {"review_changes": [territory.review_changes, wanted]},
            )
            territory.review_changes = wanted
    db_session().commit()
    done(gettext("Saved."))
    return redirect(url_for("portal.territories"), code=303)


@bp.get("/admin/audit")
@allow(ADMINISTRATORS)
def audit_log() -> str:
    """The latest changes: who, what, when, before and after (?target=shop:12 to narrow)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
    kind, _, target = request.args.get("target", "").partition(":")
    target_id = whole_number(target, 1, DATABASE_MAX)
    if kind and target_id is not None:
        query = query.where(AuditEntry.target_type == kind, AuditEntry.target_id == target_id)
    entries = list(db_session().scalars(query))
    return render_template("portal/audit.html", entries=entries, target=kind and target)
