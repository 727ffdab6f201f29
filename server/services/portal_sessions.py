"""Portal sessions kept in the database: a row per sign-in, so that signing out really ends it.

The session cookie (Flask's, signed) carries only a random id; the row holds its SHA-256, the
account, the account's session epoch at sign-in and when it ends. Every portal request needs
the row, so a copy of the cookie made before signing out stops working with it. Signing out
deletes this browser's row only (the till tablet stays signed in); signing out everywhere, a
new role or a lock delete every row of the account, and a password change (from the portal,
an invitation link or the command line) bumps the account's epoch, which ends them all too.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.models import PortalSession, User
from server.services.tokens import digest


def start(session: Session, user: User, now: dt.datetime, lifetime: dt.timedelta) -> str:
    """A new session for `user`; returns the id for its cookie (only its hash is stored)."""
    session.execute(delete(PortalSession).where(PortalSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(
        PortalSession(
            token_hash=digest(token),
            user_id=user.id,
            epoch=user.session_epoch,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def signed_in(session: Session, token: str, now: dt.datetime) -> User | None:
    """The account of a session cookie's id, if that session has not ended."""
    return session.scalars(
        select(User)
        .join(PortalSession, PortalSession.user_id == User.id)
        .where(PortalSession.token_hash == digest(token), PortalSession.expires_at > now)
        .where(PortalSession.epoch == User.session_epoch, User.active)
    ).first()


def end(session: Session, token: str) -> None:
    """End one session (signing out of this browser)."""
    session.execute(delete(PortalSession).where(PortalSession.token_hash == digest(token)))


def end_all(session: Session, user: User) -> None:
    """End every session of the account (sign out everywhere, a new role, a lock)."""
    session.execute(delete(PortalSession).where(PortalSession.user_id == user.id))
