"""Staff: shops in help mode (create, fill, hand over to their owner) and the review queue."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from server import clock
from server.db import db_session
from server.errors import N_, Invalid, Problem
from server.i18n import gettext
from server.models import ChangeStatus, Offer, PendingChange, Role, Shop, Territory, User
from server.portal import changes, merchant_mail, offers, words
from server.portal.access import STAFF, allow, shop_for, user
from server.portal.blueprint import bp
from server.portal.forms import done, problems_of, values
from server.portal.forms import refused as flash_refused
from server.portal.invites import issue_and_show
from server.services import accounts, audit, listings, offer_editing, review
from server.services.content_slugs import free_slug
from server.web.problems import said

SHOP_PAGE = 100


@bp.route("/staff/shops", methods=["GET", "POST"])
@allow(STAFF)
def staff_shops() -> Response | str | tuple[str, int]:
    """Every shop (search by name), and a form to create one on its owner's behalf."""
    territories = list(db_session().scalars(select(Territory).order_by(Territory.name)))
    errors: dict[str, str] = {}
    form = values() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            shop = _create_shop(form, territories)
        except Invalid as refused:
            errors = problems_of(refused)
        else:
            done(
                gettext(
                    "%(shop)s created. Fill in its listing, then hand it over to its owner.",
                    shop=shop.name,
                )
            )
            return redirect(url_for("portal.listing", slug=shop.slug), code=303)
    search = request.args.get("q", "").strip()
    query = select(Shop).order_by(Shop.name).limit(SHOP_PAGE)
    if search:
        found = (
            Shop.name.icontains(search, autoescape=True),
            Shop.slug.icontains(search, autoescape=True),
        )
        query = query.where(or_(*found))  # % and _ as typed, not as wildcards
    shops = list(db_session().scalars(query))
    page = render_template(
        "portal/staff_shops.html",
        shops=shops,
        territories=territories,
        search=search,
        form=form,
        errors=errors,
        categories=listings.SHOP_CATEGORIES,
    )
    return (page, 422) if errors else page


def _create_shop(form: dict[str, str], territories: list[Territory]) -> Shop:
    territory = next((t for t in territories if t.slug == form.get("territory")), None)
    if territory is None:
        raise Problem(N_("Choose the shop's territory."), field="territory")
    name = listings.text(200, required=True)
    try:
        shop_name = name(form.get("name", ""))
    except ValueError:
        raise Problem(N_("Give the shop's name."), field="name") from None
    category = form.get("category") if form.get("category") in listings.SHOP_CATEGORIES else "shop"
    shop = Shop(
        slug=free_slug(db_session(), Shop, shop_name),
        territory_id=territory.id,
        name=shop_name,
        category=category,
        latitude=territory.latitude,
        longitude=territory.longitude,
        description={},
    )
    db_session().add(shop)
    db_session().flush()
    audit.record(db_session(), user().id, "shop.create", ("shop", shop.id), f"created {shop.name}")
    db_session().commit()
    return shop


@bp.post("/shops/<slug>/hand-over")
@allow(STAFF)
def hand_over(slug: str) -> Response | str | tuple[str, int]:
    """Invite the shop's owner (a new account, or an existing shop owner's) to keep it."""
    shop = shop_for(slug)
    email = request.form.get("email", "")
    try:
        normalized = accounts.normalize_email(email)
        owner = db_session().scalars(select(User).where(User.email == normalized)).first()
        if owner is None:
            owner = accounts.create_user(db_session(), normalized, Role.SHOP_OWNER)
        elif owner.role is not Role.SHOP_OWNER:
            raise Problem(
                N_("%(email)s has the %(role)s role; use another address."),
                email=normalized,
                role=owner.role.value,
            )
    except Invalid as refused:
        db_session().rollback()
        flash_refused(said(refused))
        return redirect(url_for("portal.shop", slug=shop.slug), code=303)
    accounts.give_shop(db_session(), owner, shop.id)
    changes = {}
    if not shop.published:  # unpublished when its last keeper's account was erased
        shop.published, changes = True, {"published": [False, True]}
    audit.record(
        db_session(),
        user().id,
        "shop.owner",
        ("shop", shop.id),
        f"{owner.email} keeps {shop.name}",
        changes,
    )
    if owner.password_hash:  # already signed in before: the shop simply appears on their page
        db_session().commit()
        done(
            gettext(
                "%(email)s now keeps %(shop)s; it shows on their portal page.",
                email=owner.email,
                shop=shop.name,
            )
        )
        return redirect(url_for("portal.shop", slug=shop.slug), code=303)
    return issue_and_show(
        owner,
        N_("The %(service)s team has prepared the listing of %(shop)s for you."),
        shop=shop.name,
    )


@bp.get("/staff/review")
@allow(STAFF)
def review_queue() -> str:
    """Changes waiting for review, oldest first, and the last ones decided."""
    pending = db_session().scalars(
        select(PendingChange)
        .where(PendingChange.status == ChangeStatus.PENDING)
        .order_by(PendingChange.submitted_at)
    )
    decided = db_session().scalars(
        select(PendingChange)
        .where(PendingChange.status != ChangeStatus.PENDING)
        .order_by(PendingChange.reviewed_at.desc())
        .limit(20)
    )
    return render_template("portal/review_queue.html", pending=list(pending), decided=list(decided))


@bp.get("/staff/review/<int:change_id>")
@allow(STAFF)
def review_change(change_id: int) -> str:
    """One change: what is online now and what the owner asks for, field by field."""
    change = review.find(db_session(), change_id)
    before: dict = {}
    if change.kind == "listing":
        before = audit.plain(
            listings.listing_values(change.shop) | {"opening_hours": change.shop.opening_hours}
        )
    elif change.kind == "offer" and change.target_id is not None:
        offer = db_session().get(Offer, change.target_id)
        before = offer_editing.to_payload(offer_editing.offer_values(offer)) if offer else {}
    asked = {name: value for name, value in change.payload.items() if change.kind != "photo"}
    lines = changes.lines(audit.plain(before), asked)
    return render_template("portal/review_change.html", change=change, lines=lines)


@bp.post("/staff/review/<int:change_id>/approve")
@allow(STAFF)
def approve_change(change_id: int) -> Response:
    """Put a change online; its sender is told by mail (and a partner shop asked to agree)."""
    change = review.find(db_session(), change_id)
    went_live = review.approve(db_session(), change, user(), clock.now())
    db_session().commit()  # the mails go only once the change is kept
    if went_live is None:  # decided already (a second click): nothing new to tell
        return redirect(url_for("portal.review_queue"), code=303)
    done(
        gettext(
            "Approved: the change of %(shop)s (%(kind)s) is online.",
            shop=change.shop.name,
            kind=words.change_kind(change.kind),
        )
    )
    _tell(merchant_mail.review_result(change))
    kind, target = went_live
    offer = db_session().get(Offer, target) if kind == "offer" and target else None
    if offer is not None:
        offers.tell_partner(offer)
    return redirect(url_for("portal.review_queue"), code=303)


@bp.post("/staff/review/<int:change_id>/reject")
@allow(STAFF)
def reject_change(change_id: int) -> Response:
    """Refuse a change, with a reason the owner reads on their page and by mail."""
    change = review.find(db_session(), change_id)
    try:
        refused_now = review.reject(
            db_session(), change, user(), request.form.get("note", ""), clock.now()
        )
    except Problem as problem:
        db_session().rollback()
        flash_refused(said(problem))
        return redirect(url_for("portal.review_change", change_id=change_id), code=303)
    db_session().commit()  # the mail goes only once the refusal is kept
    if not refused_now:
        return redirect(url_for("portal.review_queue"), code=303)
    done(
        gettext(
            "Refused: the change of %(shop)s (%(kind)s) stays offline.",
            shop=change.shop.name,
            kind=words.change_kind(change.kind),
        )
    )
    _tell(merchant_mail.review_result(change))
    return redirect(url_for("portal.review_queue"), code=303)


def _tell(outcome: merchant_mail.Outcome) -> None:
    """Say on the next page whom the review's mail did not reach (they see it in the portal)."""
    if outcome.unsent:
        flash_refused(
            gettext(
                "No mail could be sent to %(emails)s: they see the decision on their shop's"
                " page; tell them yourself if it is urgent.",
                emails=", ".join(outcome.unsent),
            )
        )
