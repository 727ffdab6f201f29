"""How long a sign-in attempt must wait: slow password guessing down, never lock the owner out.

The scheme is OWASP's "device cookies" (Slow Down Online Guessing Attacks with Device Cookies)
with growing delays for strangers:

- A browser that signed in to an account before shows it with a signed device cookie (see
  server.portal.devices). Its failures are counted for that browser alone: after DEVICE_LIMIT
  in WINDOW it waits for the window to pass; nothing strangers do makes it wait.
- Any other attempt comes from an unknown device. Its failures count for the account and this
  client together (the day-salted hash of its address): PAIR_FREE are free, then each next
  attempt waits twice as long as the one before (FIRST_DELAY, doubling, at most MAX_DELAY).
  Another account signing in from the same address (a shop's shared Wi-Fi) has its own count.
- Failures from unknown devices also count for the account over every client: after
  ACCOUNT_LIMIT in WINDOW (guesses spread over many addresses) unknown devices wait for the
  window to pass, while known devices still sign in.

Failures are rows of login_failures, so every worker and host sees the same counts. Keys are
hashes: of the email, of the email with the client, of the device cookie's nonce; never an
address or an email in clear. An attempt made while it must wait is refused without checking
the password, and is not counted.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.models import LoginFailure

WINDOW = dt.timedelta(minutes=15)
DEVICE_LIMIT = 5
ACCOUNT_LIMIT = 10
PAIR_FREE = 3
PAIR_WINDOW = dt.timedelta(hours=1)
FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(minutes=15)
KEEP_FAILURES = dt.timedelta(days=1)
_MAX_DOUBLINGS = 4  # FIRST_DELAY * 2**4 already passes MAX_DELAY


class Reason(enum.StrEnum):
    """Which count made an attempt wait."""

    DEVICE = "device"  # this known browser failed too often for this account
    CLIENT = "client"  # this account from this client, as an unknown device
    ACCOUNT = "account"  # this account from unknown devices, every client together


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt: the email typed, the client, and the browser's device nonce for the
    account of that email (None: an unknown device)."""

    email: str
    client_key: str
    device: str | None = None

    @property
    def account_key(self) -> str:
        """The key of the account's failures from unknown devices."""
        return "account:" + _digest(self.email.strip().lower())

    @property
    def pair_key(self) -> str:
        """The key of the account's failures from this client."""
        return "pair:" + _digest(f"{self.account_key}|{self.client_key}")

    @property
    def device_key(self) -> str:
        """The key of this known browser's failures (only with a device nonce)."""
        assert self.device is not None
        return "device:" + _digest(self.device)

    def failure_keys(self) -> tuple[str, ...]:
        """The counts a failure of this attempt goes to."""
        return (self.device_key,) if self.device else (self.account_key, self.pair_key)


@dataclass(frozen=True)
class Wait:
    """An attempt must wait until `until` because of the count `reason` names."""

    until: dt.datetime
    reason: Reason


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def wait(session: Session, attempt: Attempt, now: dt.datetime) -> Wait | None:
    """Until when this attempt must wait, and why; None when it may be tried now."""
    if attempt.device:
        until = _limit_lifts(session, attempt.device_key, DEVICE_LIMIT, now)
        return Wait(until, Reason.DEVICE) if until else None
    waits = []
    if until := _limit_lifts(session, attempt.account_key, ACCOUNT_LIMIT, now):
        waits.append(Wait(until, Reason.ACCOUNT))
    if until := _delay_ends(session, attempt.pair_key, now):
        waits.append(Wait(until, Reason.CLIENT))
    return max(waits, key=lambda found: found.until, default=None)


def _limit_lifts(session: Session, key: str, limit: int, now: dt.datetime) -> dt.datetime | None:
    """When the oldest of the last `limit` failures leaves WINDOW, if there are that many."""
    recent = session.scalars(
        select(LoginFailure.occurred_at)
        .where(LoginFailure.key == key, LoginFailure.occurred_at > now - WINDOW)
        .order_by(LoginFailure.occurred_at.desc())
        .limit(limit)
    ).all()
    return recent[-1] + WINDOW if len(recent) >= limit else None


def delay(failures: int) -> dt.timedelta:
    """How long after the last of so many failures (of one account from one client) to wait."""
    if failures < PAIR_FREE:
        return dt.timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - PAIR_FREE, _MAX_DOUBLINGS))


def _delay_ends(session: Session, key: str, now: dt.datetime) -> dt.datetime | None:
    failures, last = session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.occurred_at)).where(
            LoginFailure.key == key, LoginFailure.occurred_at > now - PAIR_WINDOW
        )
    ).one()
    if last is None:
        return None
    until: dt.datetime = last + delay(failures)
    return until if until > now else None


def failed(session: Session, attempt: Attempt, now: dt.datetime) -> None:
    """Count a failed attempt (and forget failures too old to matter)."""
    session.execute(delete(LoginFailure).where(LoginFailure.occurred_at < now - KEEP_FAILURES))
    session.add_all(LoginFailure(key=key, occurred_at=now) for key in attempt.failure_keys())
    session.flush()


def succeeded(session: Session, attempt: Attempt) -> None:
    """Forget this browser's or this client's failures for the account: its owner is back.

    The account's count over every client stays: guesses from elsewhere are still guesses.
    """
    keys = (attempt.device_key,) if attempt.device else (attempt.pair_key,)
    session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
