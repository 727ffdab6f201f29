"""Portal accounts: argon2 passwords, signing in (slowed as signin_limits says), invitations."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import argon2
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.db import rowcount
from server.errors import N_, NotFound, Problem, TapTrailError
from server.models import Invitation, Role, ShopOwner, User
from server.services import signin_limits

INVITATION_DAYS = 7
RESET_MINUTES = 60  # a link asked for from the sign-in page: used at once, or asked again
RESETS_PER_HOUR = 3  # links one account is sent an hour, whoever asks (a mailbox not flooded)
MIN_PASSWORD = 10
MAX_PASSWORD = 200  # argon2 takes any length; a cap keeps a huge POST from costing much

# argon2's costs: "default" (RFC 9106 low-memory), "cheapest" (tests only).
COSTS = {"default": argon2.profiles.RFC_9106_LOW_MEMORY, "cheapest": argon2.profiles.CHEAPEST}


class Passwords:
    """argon2 at one cost (an app's TAPTRAIL_PASSWORD_HASHING): one per app, never shared."""

    def __init__(self, cost: str = "default") -> None:
        self.hasher = argon2.PasswordHasher.from_parameters(COSTS[cost])

    @functools.cached_property
    def dummy_hash(self) -> str:
        """Checked when no account matches, so that a check takes as long as a real one."""
        return self.hasher.hash("not a password of anyone")


def normalize_email(email: str) -> str:
    """An email address as stored: trimmed, lower-case; Problem if it does not look like one."""
    cleaned = email.strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or len(cleaned) > 254 or any(c.isspace() for c in cleaned):
        raise Problem(N_("Enter an email address like name@example.fr."), field="email")
    return cleaned


def check_password(password: str, email: str = "") -> None:
    """Refuse a password too short, too long, or that is the email address."""
    if len(password) < MIN_PASSWORD:
        raise Problem(
            N_("Choose a password of at least %(count)d characters."),
            field="password",
            count=MIN_PASSWORD,
        )
    if len(password) > MAX_PASSWORD:
        raise Problem(
            N_("Choose a password of at most %(count)d characters."),
            field="password",
            count=MAX_PASSWORD,
        )
    if email and password.strip().lower() == email.lower():
        raise Problem(N_("Your password must not be your email address."), field="password")


def set_password(user: User, password: str, now: dt.datetime, *, passwords: Passwords) -> None:
    """Store a new password hash and end every session signed before (forced re-login)."""
    check_password(password, user.email)
    user.password_hash = passwords.hasher.hash(password)
    user.password_changed_at = now
    user.session_epoch += 1


def verify_password(user: User, password: str, *, passwords: Passwords) -> bool:
    """Whether `password` is the account's current password."""
    try:
        return passwords.hasher.verify(
            user.password_hash or passwords.dummy_hash, password[:MAX_PASSWORD]
        ) and bool(user.password_hash)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def create_user(
    session: Session, email: str, role: Role, *, name: str | None = None, demo: bool = False
) -> User:
    """A new account without a password (set through an invitation or set_password)."""
    email = normalize_email(email)
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise Problem(N_("There is already an account for %(email)s."), field="email", email=email)
    user = User(email=email, role=role, name=name or None, demo=demo)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, user_id: int) -> User:
    """The account with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no account {user_id}")
    return user


def give_shop(session: Session, user: User, shop_id: int) -> None:
    """Make `user` a keeper of the shop (nothing happens if already one)."""
    exists = select(ShopOwner.id).where(ShopOwner.user_id == user.id, ShopOwner.shop_id == shop_id)
    if session.scalars(exists).first() is None:
        session.add(ShopOwner(user_id=user.id, shop_id=shop_id))
        session.flush()
    session.expire(user, ["shops"])


def take_shops(session: Session, user: User, shop_ids: set[int]) -> None:
    """The account no longer keeps these shops."""
    session.execute(
        delete(ShopOwner).where(ShopOwner.user_id == user.id, ShopOwner.shop_id.in_(shop_ids))
    )
    session.expire(user, ["shops"])


def owns(session: Session, user: User, shop_id: int) -> bool:
    """Whether the account keeps this shop."""
    query = select(ShopOwner.id).where(ShopOwner.user_id == user.id, ShopOwner.shop_id == shop_id)
    return session.scalars(query).first() is not None


# --- signing in ---------------------------------------------------------------------------


class LoginRefused(TapTrailError):
    """Wrong email or password, or an attempt that must wait (`wait` says until when, and why)."""

    code = "login_refused"
    status = 401

    def __init__(self, wait: signin_limits.Wait | None = None) -> None:
        super().__init__(f"wait ({wait.reason})" if wait else "wrong email or password")
        self.wait = wait
        if wait is not None:
            self.status = 429  # Too Many Requests: the sign-in page says how long to wait


def authenticate(
    session: Session,
    email: str,
    password: str,
    client_key: str,
    now: dt.datetime,
    devices: Mapping[int, str] | None = None,
    *,
    passwords: Passwords,
) -> User:
    """The account for this email and password, or LoginRefused.

    `devices` maps account ids to this browser's device cookie nonces (see signin_limits): a
    known device is limited on its own, not by what strangers try. A refusal records the
    failure in `session`: the caller commits in both cases.
    """
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    device = (devices or {}).get(user.id) if user is not None else None
    attempt = signin_limits.Attempt(email, client_key, device)
    waiting = signin_limits.wait(session, attempt, now)
    if waiting is not None:
        raise LoginRefused(waiting)
    stored = user.password_hash if user is not None and user.active else None
    try:
        passwords.hasher.verify(stored or passwords.dummy_hash, password[:MAX_PASSWORD])
        if stored is None:
            raise argon2.exceptions.VerifyMismatchError
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        signin_limits.failed(session, attempt, now)
        raise LoginRefused() from None
    assert user is not None
    signin_limits.succeeded(session, attempt)
    if passwords.hasher.check_needs_rehash(stored):
        user.password_hash = passwords.hasher.hash(password)
    user.last_login_at = now
    return user


# --- invitations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """An invitation and the token of its link (shown once, only its hash is stored)."""

    token: str
    invitation: Invitation


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, user: User, by: User | None, now: dt.datetime) -> Issued:
    """A one-time link for `user` to set a password; earlier unused links stop working."""
    session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        token_hash=_digest(token),
        created_by_id=by.id if by else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    return Issued(token, invitation)


def reset_link(session: Session, email: str, now: dt.datetime) -> Issued | None:
    """A one-time link to choose a new password, valid RESET_MINUTES, for the active account
    with this email; None for no such account or when it was sent RESETS_PER_HOUR links in the
    last hour (the caller says the same thing either way). Earlier links keep working: a
    stranger asking for a reset cannot void someone's invitation."""
    try:
        normalized = normalize_email(email)
    except Problem:
        return None
    user = session.scalars(select(User).where(User.email == normalized)).first()
    if user is None or not user.active:
        return None
    # Count under the account row's write lock, or requests at once all see a place left (as in
    # services/redemption.py): PostgreSQL holds the row until commit, and SQLite's driver opens
    # the transaction, under its single writer's lock, at this UPDATE.
    session.execute(update(User).where(User.id == user.id).values(session_epoch=User.session_epoch))
    recent = session.scalars(
        select(Invitation.id).where(
            Invitation.user_id == user.id,
            Invitation.created_by_id.is_(None),
            Invitation.created_at > now - dt.timedelta(hours=1),
        )
    ).all()
    if len(recent) >= RESETS_PER_HOUR:
        return None
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        token_hash=_digest(token),
        created_by_id=None,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=RESET_MINUTES),
    )
    session.add(invitation)
    session.flush()
    return Issued(token, invitation)


def open_invitation(session: Session, token: str, now: dt.datetime) -> Invitation:
    """The invitation of a link, if it can still be used, or Problem saying what to do."""
    invitation = session.scalars(
        select(Invitation).where(Invitation.token_hash == _digest(token))
    ).first()
    if invitation is None or invitation.used_at is not None:
        raise Problem(N_("This link has already been used or is not valid. Ask for a new one."))
    if invitation.expires_at <= now or not invitation.user.active:
        # The portal names the brand's service (server.web.problems.said); logs say TapTrail.
        raise Problem(
            N_("This link has expired. Ask the %(service)s team for a new one."), service="TapTrail"
        )
    return invitation


def accept(
    session: Session, token: str, password: str, now: dt.datetime, *, passwords: Passwords
) -> User:
    """Set the password through an invitation link; the link cannot be used again."""
    invitation = open_invitation(session, token, now)
    check_password(password, invitation.user.email)
    used = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    if rowcount(used) != 1:  # the same link opened twice at once: the first one wins
        raise Problem(N_("This link has already been used or is not valid. Ask for a new one."))
    set_password(invitation.user, password, now, passwords=passwords)
    # The password is chosen: any other link still out (a reset asked twice) stops working.
    session.execute(
        update(Invitation)
        .where(Invitation.user_id == invitation.user_id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    return invitation.user
