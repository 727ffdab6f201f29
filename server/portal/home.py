"""The portal's home per role, and a shop's own page with what can be done for it."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from server.db import db_session
from server.errors import N_
from server.i18n import gettext
from server.models import (
    ChangeStatus,
    Offer,
    PendingChange,
    Role,
    Shop,
    ShopOwner,
    SignupRequest,
    SignupStatus,
    User,
)
from server.portal.access import EVERYONE, KEEPERS, STAFF, allow, shop_for, user
from server.portal.blueprint import bp
from server.portal.branded import brand_name

ROLE_NAMES = {
    Role.ADMINISTRATOR: N_("Administrator"),
    Role.STAFF: N_("%(service)s team"),
    Role.SHOP_OWNER: N_("Shop owner"),
    Role.ANALYST: N_("Analyst"),
}


def role_name(role: Role | str) -> str:
    """A role, as the reader calls it."""
    return gettext(ROLE_NAMES[Role(role)], service=brand_name())


def awaiting_agreement(shop_ids: list[int]) -> list[Offer]:
    """Cross-offers naming one of these shops as partner that wait for its agreement."""
    if not shop_ids:
        return []
    return list(
        db_session().scalars(
            select(Offer)
            .where(Offer.partner_shop_id.in_(shop_ids), Offer.partner_agreed_at.is_(None))
            .where(Offer.partner_refused_at.is_(None))
            .order_by(Offer.created_at)
        )
    )


@bp.get("/")
@allow(EVERYONE)
def home() -> str:
    """What this account can do, most used first."""
    account = user()
    shops = list(account.shops) if account.role is Role.SHOP_OWNER else []
    pending = signups = 0
    if account.role in STAFF:
        waiting = select(func.count(SignupRequest.id))
        signups = (
            db_session().scalar(waiting.where(SignupRequest.status == SignupStatus.PENDING)) or 0
        )
        query = select(func.count(PendingChange.id))
        pending = (
            db_session().scalar(query.where(PendingChange.status == ChangeStatus.PENDING)) or 0
        )
    readable: list[Shop] = []
    if account.role is Role.ANALYST:
        readable = list(db_session().scalars(select(Shop).order_by(Shop.name)))
    return render_template(
        "portal/home.html",
        shops=shops,
        readable=readable,
        waiting=awaiting_agreement([shop.id for shop in shops]),
        pending=pending,
        signups=signups,
    )


@bp.get("/shops/<slug>/")
@allow(KEEPERS)
def shop(slug: str) -> str:
    """A shop's page: its listing, offers, till and figures; for staff, who keeps it."""
    found = shop_for(slug)
    owners: list[User] = []
    if user().role in STAFF:
        owners = list(
            db_session().scalars(
                select(User)
                .join(ShopOwner, ShopOwner.user_id == User.id)
                .where(ShopOwner.shop_id == found.id)
                .order_by(User.email)
            )
        )
    changes = db_session().scalars(
        select(PendingChange)
        .where(PendingChange.shop_id == found.id, PendingChange.status == ChangeStatus.PENDING)
        .order_by(PendingChange.submitted_at)
    )
    refused = db_session().scalars(
        select(PendingChange)
        .where(PendingChange.shop_id == found.id, PendingChange.status == ChangeStatus.REJECTED)
        .order_by(PendingChange.reviewed_at.desc())
        .limit(3)
    )
    return render_template(
        "portal/shop.html",
        shop=found,
        owners=owners,
        changes=list(changes),
        refused=list(refused),
        waiting=awaiting_agreement([found.id]),
    )
