"""Review of public content: per territory, shop owners' changes go live at once or wait here.

A change waiting for review is kept whole (the listing's fields, an offer's values, a photo);
the live content stays as it was until a member of staff approves it. A second change of the
same thing before review replaces the first, so the queue holds what the owner wants now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db import rowcount
from server.errors import N_, NotFound, Problem
from server.models import ChangeStatus, Offer, PendingChange, Photo, Role, Shop, User
from server.services import audit, listings, offer_editing

KINDS = ("listing", "offer", "photo")


def needs_review(shop: Shop, user: User) -> bool:
    """Whether this person's changes to this shop wait for review (staff's never do)."""
    return shop.territory.review_changes and user.role is Role.SHOP_OWNER


def propose(
    session: Session,
    shop: Shop,
    user: User,
    kind: str,
    payload: dict[str, Any],
    target_id: int | None = None,
) -> PendingChange:
    """Hold a change for review (replacing a pending one of the same thing)."""
    assert kind in KINDS
    same = (
        select(PendingChange)
        .where(PendingChange.shop_id == shop.id, PendingChange.kind == kind)
        .where(PendingChange.status == ChangeStatus.PENDING)
    )
    same = same.where(
        PendingChange.target_id == target_id
        if target_id is not None
        else PendingChange.target_id.is_(None)
    )
    change = session.scalars(same).first() if kind != "photo" else None
    if change is None or (kind == "offer" and target_id is None):
        change = PendingChange(shop_id=shop.id, kind=kind, target_id=target_id)
        session.add(change)
    change.payload, change.submitted_by_id = payload, user.id
    session.flush()
    audit.record(
        session, user.id, f"{kind}.propose", ("shop", shop.id), f"{kind} change sent for review"
    )
    return change


def find(session: Session, change_id: int) -> PendingChange:
    """A change in the queue, or NotFound."""
    change = session.get(PendingChange, change_id)
    if change is None:
        raise NotFound(f"there is no change {change_id} in the review queue")
    return change


def _apply_listing(session: Session, change: PendingChange) -> tuple[str, int | None, dict]:
    return "shop", change.shop_id, listings.apply(change.shop, change.payload)


def _apply_offer(session: Session, change: PendingChange) -> tuple[str, int | None, dict]:
    values = offer_editing.from_payload(change.payload)
    if change.target_id is None:
        created = offer_editing.create(session, change.shop, values, None)
        return "offer", created.id, audit.plain({"slug": [None, created.slug]})
    offer = session.get(Offer, change.target_id)
    if offer is None:
        raise NotFound("the offer of this change was deleted")
    return "offer", offer.id, offer_editing.update(offer, values)


def _apply_photo(session: Session, change: PendingChange) -> tuple[str, int | None, dict]:
    photo = session.get(Photo, change.target_id)
    if photo is None:
        raise NotFound("the photo of this change was deleted")
    photo.live = True
    return "photo", photo.id, {"live": [False, True]}


APPLY: dict[str, Callable[[Session, PendingChange], tuple[str, int | None, dict]]] = {
    "listing": _apply_listing,
    "offer": _apply_offer,
    "photo": _apply_photo,
}


def _decide(
    session: Session, change: PendingChange, status: ChangeStatus, reviewer: User, now: dt.datetime
) -> bool:
    """Mark the change decided, unless another request decided it first: the update names the
    pending status, so of two clicks at the same moment one decides (and mails) and the other
    finds nothing left to do, instead of applying the change twice."""
    decided = session.execute(
        update(PendingChange)
        .where(PendingChange.id == change.id, PendingChange.status == ChangeStatus.PENDING)
        .values(status=status, reviewed_by_id=reviewer.id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(change)  # what was decided, by this request or the other
    return rowcount(decided) == 1


def approve(
    session: Session, change: PendingChange, reviewer: User, now: dt.datetime
) -> tuple[str, int | None] | None:
    """Put the change live and log it under both names; what went live (("offer", 12)), or
    None when the change was decided already."""
    if not _decide(session, change, ChangeStatus.APPROVED, reviewer, now):
        return None
    kind, target, changes = APPLY[change.kind](session, change)
    who = change.submitted_by.email if change.submitted_by else "someone"
    audit.record(
        session,
        reviewer.id,
        f"{change.kind}.approve",
        (kind, target),
        f"approved {who}'s {change.kind} change of {change.shop.name}",
        changes,
    )
    return kind, target


def reject(
    session: Session, change: PendingChange, reviewer: User, note: str, now: dt.datetime
) -> bool:
    """Refuse the change with a note for the owner; the live content stays as it was. Whether
    it was refused now (False: decided already)."""
    if change.status is not ChangeStatus.PENDING:
        return False
    note = " ".join(note.split())
    if not note:
        raise Problem(N_("Say why it is refused: the owner reads it, by mail too."), field="note")
    if not _decide(session, change, ChangeStatus.REJECTED, reviewer, now):
        return False
    change.note = note[:200]
    audit.record(
        session,
        reviewer.id,
        f"{change.kind}.reject",
        ("shop", change.shop_id),
        f"refused a {change.kind} change of {change.shop.name}: {note}"[:200],
    )
    return True
