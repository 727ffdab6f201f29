"""A portal account's data: everything held about a person and their shops, as a zip to hand
over (the right of access), and erasure (the right to be forgotten).

Erasure removes the person, not the record of what was done: the account row stays as a
pseudonym ("erased-account-12"), locked, with no email, name or password; its sessions,
invitations and sign-in failures go, and so do its sign-up requests' contact details; shops no
one else keeps are unpublished; audit entries are kept (the audit log is the operator's record)
with the email and name replaced by the pseudonym wherever they appear, and pending changes they
submitted are scrubbed the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from server.errors import N_, Problem
from server.models import (
    AuditEntry,
    Invitation,
    LoginFailure,
    Offer,
    PendingChange,
    Photo,
    PortalSession,
    RedemptionCode,
    Shop,
    ShopOwner,
    SignupRequest,
    User,
)
from server.services import audit, shop_figures
from server.services.signin_limits import Attempt

ERASED_DOMAIN = "erased.invalid"  # .invalid can never be a real address (RFC 2606)
ACCOUNT_FIELDS = (
    *("id", "email", "name", "role", "active", "created_at", "last_login_at"),
    "language",
)
SHOP_FIELDS = (
    *("id", "slug", "name", "category", "description", "address", "phone", "website"),
    *("opening_hours", "latitude", "longitude", "published", "created_at"),
)
OFFER_FIELDS = (
    *("slug", "kind", "title", "conditions", "valid_from", "valid_until", "hours", "quota"),
    *("codes_issued", "partner_agreed_at", "partner_refused_at", "created_at"),
)
PHOTO_FIELDS = ("name", "width", "height", "size", "live", "created_at")
SIGNUP_FIELDS = (
    *("business_name", "siret", "category", "address", "latitude", "longitude"),
    *("contact_name", "email", "phone", "language", "consent_at", "status", "reason"),
    *("created_at", "decided_at"),
)


def pseudonym(user_id: int) -> str:
    """What an erased account is called from then on, in the audit log and elsewhere."""
    return f"erased-account-{user_id}"


def export(
    session: Session,
    user: User,
    media_dir: str | Path,
    now: dt.datetime,
    service: str = "TapTrail",
) -> bytes:
    """A zip of JSON and CSV files (and the photos) holding everything about `user`; its
    README names the `service` (the brand's name) that holds it."""
    shops = list(user.shops)
    shop_ids = [shop.id for shop in shops]
    offers = list(
        session.scalars(select(Offer).where(Offer.shop_id.in_(shop_ids)).order_by(Offer.id))
    )
    photos = list(
        session.scalars(
            select(Photo)
            .where(or_(Photo.shop_id.in_(shop_ids), Photo.uploaded_by_id == user.id))
            .order_by(Photo.id)
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(user, now, service))
        archive.writestr("account.json", _json(audit.snapshot(user, ACCOUNT_FIELDS)))
        archive.writestr("shops.json", _json([_shop(session, shop, now) for shop in shops]))
        archive.writestr("offers.csv", _csv((*OFFER_FIELDS, "shop"), _offers(offers)))
        archive.writestr("codes.csv", _codes(session, user, offers, shop_ids))
        archive.writestr("photos.csv", _csv((*PHOTO_FIELDS, "shop"), _photos(photos)))
        for photo in photos:
            path = Path(media_dir) / photo.name
            if path.is_file():
                archive.write(path, f"photos/{photo.name}")
        archive.writestr("audit.csv", _audit(session, user, shop_ids, offers, photos))
        archive.writestr("pending_changes.json", _json(_pending(session, user, shop_ids)))
        archive.writestr("signups.json", _json(_signups(session, user)))
    return buffer.getvalue()


def _readme(user: User, now: dt.datetime, service: str) -> str:
    return (
        f"Everything {service} holds about the account {user.email} and the shops it keeps,\n"
        f"as of {now.isoformat()}: account.json, shops.json (listings and weekly figures),\n"
        "offers.csv, codes.csv (codes of your offers, and codes used at your tills),\n"
        "photos.csv and photos/, audit.csv (every change by you or to your account, shops,\n"
        "offers and photos), pending_changes.json (changes waiting for review),\n"
        "signups.json (what you gave when you asked to join).\n"
        "Visitors' pseudonymous ids are not included: they are not data about you.\n"
    )


def _json(value: Any) -> str:
    return json.dumps(audit.plain(value), ensure_ascii=False, indent=2)


def _csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: Any) -> Any:
    plain = audit.plain(value)
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, dict | list) else plain


def _shop(session: Session, shop: Shop, now: dt.datetime) -> dict[str, Any]:
    weeks = shop_figures.by_week(session, shop, now)
    return {
        **audit.snapshot(shop, SHOP_FIELDS),
        "territory": shop.territory.slug,
        "weekly_figures": [
            {
                "week_of": w.start,
                "taps": w.taps,
                "offer_views": w.views,
                "codes": w.codes,
                "redemptions": w.redemptions,
            }
            for w in weeks
        ],
    }


def _offers(offers: list[Offer]) -> Iterable[list[Any]]:
    for offer in offers:
        yield [*audit.snapshot(offer, OFFER_FIELDS).values(), offer.shop.slug]


def _photos(photos: list[Photo]) -> Iterable[list[Any]]:
    for photo in photos:
        yield [*audit.snapshot(photo, PHOTO_FIELDS).values(), photo.shop_id]


def _codes(session: Session, user: User, offers: list[Offer], shop_ids: list[int]) -> str:
    slugs = {offer.id: offer.slug for offer in offers}
    rows = session.scalars(
        select(RedemptionCode)
        .where(
            or_(
                RedemptionCode.offer_id.in_(list(slugs)),
                RedemptionCode.redeemed_shop_id.in_(shop_ids),
                RedemptionCode.redeemed_by_id == user.id,
            )
        )
        .order_by(RedemptionCode.id)
    )
    header = ("code", "offer", "issued_at", "expires_at", "redeemed_at", "redeemed_by_you")
    return _csv(
        header,
        (
            [
                c.code,
                slugs.get(c.offer_id, c.offer_id),
                c.issued_at,
                c.expires_at,
                c.redeemed_at,
                c.redeemed_by_id == user.id,
            ]
            for c in rows
        ),
    )


def _audit(
    session: Session, user: User, shop_ids: list[int], offers: list[Offer], photos: list[Photo]
) -> str:
    targets = [
        (AuditEntry.target_type == "user") & (AuditEntry.target_id == user.id),
        (AuditEntry.target_type == "shop") & AuditEntry.target_id.in_(shop_ids),
        (AuditEntry.target_type == "offer") & AuditEntry.target_id.in_([o.id for o in offers]),
        (AuditEntry.target_type == "photo") & AuditEntry.target_id.in_([p.id for p in photos]),
    ]
    entries = session.scalars(
        select(AuditEntry)
        .where(or_(AuditEntry.user_id == user.id, *targets))
        .order_by(AuditEntry.id)
    )
    header = ("at", "by_you", "action", "target_type", "target_id", "summary", "changes")
    return _csv(
        header,
        (
            [
                e.at,
                e.user_id == user.id,
                e.action,
                e.target_type,
                e.target_id,
                e.summary,
                e.changes,
            ]
            for e in entries
        ),
    )


def _pending(session: Session, user: User, shop_ids: list[int]) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PendingChange)
        .where(or_(PendingChange.shop_id.in_(shop_ids), PendingChange.submitted_by_id == user.id))
        .order_by(PendingChange.id)
    )
    fields = ("kind", "shop_id", "target_id", "payload", "status", "submitted_at", "note")
    return [audit.snapshot(change, fields) for change in rows]


def _signups(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SignupRequest).where(SignupRequest.email == user.email).order_by(SignupRequest.id)
    )
    return [audit.snapshot(request, SIGNUP_FIELDS) for request in rows]


def erase(session: Session, user: User, by: User | None) -> str:
    """Erase `user` as the module says; returns the pseudonym. `by` None: the command line."""
    if by is not None and by.id == user.id:
        raise Problem(N_("You cannot erase your own account; ask another administrator."))
    if user.email.endswith("@" + ERASED_DOMAIN):
        raise Problem(N_("This account was erased already."))
    name = pseudonym(user.id)
    said = [text for text in (user.email, user.name) if text]
    failure_key = Attempt(user.email, "", "").account_key
    session.execute(delete(PortalSession).where(PortalSession.user_id == user.id))
    session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    session.execute(
        update(Invitation).where(Invitation.created_by_id == user.id).values(created_by_id=None)
    )
    session.execute(delete(LoginFailure).where(LoginFailure.key == failure_key))
    # The sign-up form asked for the person's email, name and phone: the request stays (the
    # business, its SIRET, the decision), the person goes.
    session.execute(
        update(SignupRequest)
        .where(SignupRequest.email == user.email)
        .values(email=f"{name}@{ERASED_DOMAIN}", contact_name=name, phone=None)
    )
    kept = [shop.id for shop in user.shops]
    session.execute(delete(ShopOwner).where(ShopOwner.user_id == user.id))
    others = set(session.scalars(select(ShopOwner.shop_id).where(ShopOwner.shop_id.in_(kept))))
    orphans = [shop_id for shop_id in kept if shop_id not in others]
    if orphans:
        session.execute(update(Shop).where(Shop.id.in_(orphans)).values(published=False))
    user.email, user.name, user.password_hash = f"{name}@{ERASED_DOMAIN}", None, None
    user.active, user.session_epoch = False, user.session_epoch + 1
    # The email is distinctive enough to replace anywhere; a name (perhaps "Jo") only in the
    # entries about this account or made by it, where it is this person's.
    for entry in session.scalars(select(AuditEntry)):
        own = entry.user_id == user.id or (entry.target_type, entry.target_id) == ("user", user.id)
        texts = said if own else said[:1]
        summary, changes = _scrub(entry.summary, texts, name), _scrub(entry.changes, texts, name)
        if summary != entry.summary or changes != entry.changes:
            entry.summary, entry.changes = summary, changes
    for change in session.scalars(select(PendingChange)):
        own = change.submitted_by_id == user.id
        payload = _scrub(change.payload, said if own else said[:1], name)
        if payload != change.payload:
            change.payload = payload
    session.expire(user, ["shops"])
    audit.record(
        session,
        by.id if by else None,
        "account.erase",
        ("user", user.id),
        f"{name} erased",
        {"unpublished_shops": orphans},
    )
    return name


def _scrub(value: Any, said: list[str], name: str) -> Any:
    """`value` with every text in `said` replaced by `name` (case-insensitively), at any depth."""
    if isinstance(value, str):
        for text in said:
            value = _replace(value, text, name)
        return value
    if isinstance(value, dict):
        return {_scrub(key, said, name): _scrub(item, said, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, said, name) for item in value]
    return value


def _replace(value: str, text: str, name: str) -> str:
    lowered, wanted = value.lower(), text.lower()
    start = lowered.find(wanted)
    while start != -1:
        value = value[:start] + name + value[start + len(text) :]
        lowered = value.lower()
        start = lowered.find(wanted, start + len(name))
    return value
