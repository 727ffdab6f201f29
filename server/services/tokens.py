"""API tokens: random, shown once, stored as SHA-256, each with scopes."""

from __future__ import annotations

import enum
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import Invalid, NotFound
from server.models import ApiToken

PREFIX = "tt_"


class TokenScope(enum.StrEnum):
    """What a token may do."""

    ENCODE = "encode"  # issue batches, register stickers, ask for verdicts (the field tool)
    READ_ANALYTICS = "read-analytics"  # the /api/v1/stats endpoints (analytics)


def digest(token: str) -> str:
    """The stored form of a token (tokens are 256 random bits: a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, scopes: list[str]) -> tuple[str, ApiToken]:
    """Create a token; returns the token itself (shown once, never stored) and its row."""
    known = {scope.value for scope in TokenScope}
    unknown = sorted(set(scopes) - known)
    if unknown or not scopes:
        named, choices = ", ".join(unknown) or "(none)", ", ".join(sorted(known))
        raise Invalid(f"unknown scope {named}; choose from {choices}", field="scope")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name, prefix=token[:10], token_hash=digest(token), scopes=" ".join(sorted(scopes))
    )
    session.add(row)
    session.flush()
    return token, row


def authenticate(session: Session, token: str) -> ApiToken | None:
    """The active token row for a presented token, or None."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or not row.is_active(clock.now()):
        return None
    return row


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Stop a token from working from now on."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"there is no token {token_id}; 'taptrail tokens list' shows them")
    row.revoked_at = row.revoked_at or clock.now()
    return row
