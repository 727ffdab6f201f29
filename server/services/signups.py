"""Shops signing themselves up: the request is checked field by field (a SIRET of 14 digits that
passes the Luhn check, a position on the territory, an email with no account yet, consent to
the terms), then waits for the TapTrail team, who approve it (the shop and its owner's account
are made) or refuse it with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import N_, NotFound, Problem, Problems
from server.models import Role, Shop, SignupRequest, SignupStatus, Territory, User
from server.services import accounts, audit
from server.services.content_slugs import free_slug
from server.services.geo import distance_m
from server.services.listings import (
    FAR_KM,
    category,
    clean_fields,
    coordinate,
    phone,
    text,
)

LA_POSTE_SIREN = "356000000"  # La Poste's establishments: digits add up to a multiple of 5


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (SIREN and SIRET use it)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def siret(value: str) -> str:
    """A SIRET as typed ("123 456 789 00012"): 14 digits passing the Luhn check."""
    digits = "".join(value.split())
    if not digits:
        raise ValueError(N_("This field is required."))
    if not (digits.isascii() and digits.isdigit() and len(digits) == 14):
        raise ValueError(N_("A SIRET has 14 digits: the 9 of the SIREN, then 5 more."))
    if digits.startswith(LA_POSTE_SIREN):
        valid = sum(int(char) for char in digits) % 5 == 0
    else:
        valid = luhn_valid(digits)
    if not valid:
        raise ValueError(
            N_("This SIRET does not exist (its check digit is wrong): copy it again from a Kbis.")
        )
    return digits


def _email(value: str) -> str:
    try:
        return accounts.normalize_email(value)
    except Problem as problem:
        raise ValueError(problem.msgid, problem.params) from None


def clean_request(
    session: Session, form: Mapping[str, str], territories: list[Territory]
) -> dict[str, Any]:
    """The request's values from the sign-up form, or Problems naming each wrong field."""
    checks = {
        "business_name": text(200, required=True),
        "siret": siret,
        "category": category,
        "address": text(200, required=True),
        "latitude": coordinate(-90, 90, "50.69229"),
        "longitude": coordinate(-180, 180, "3.16782"),
        "contact_name": text(200, required=True),
        "email": _email,
        "phone": phone,
    }
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name, check in checks.items():  # one by one: every field is checked, and said
        try:
            values.update(clean_fields(form, {name: check}))
        except Problems as refused:
            problems += refused.problems
    territory = next((t for t in territories if t.slug == form.get("territory")), None)
    if territory is None:
        problems.append(Problem(N_("Choose the town of your shop."), field="territory"))
    elif "latitude" in values and "longitude" in values:
        away = distance_m(
            values["latitude"], values["longitude"], territory.latitude, territory.longitude
        )
        if away > FAR_KM * 1000:
            problems.append(
                Problem(
                    N_(
                        "This position is %(km)d km from %(territory)s: %(service)s only covers"
                        " %(territory)s for now. Check the numbers (latitude first)."
                    ),
                    field="latitude",
                    service="TapTrail",  # the portal names the brand's (server.web.problems)
                    km=round(away / 1000),
                    territory=territory.name,
                )
            )
    if "email" in values and _taken(session, values["email"]):
        problems.append(
            Problem(
                N_("%(email)s already has an account or a request: sign in, or ask the team."),
                field="email",
                email=values["email"],
            )
        )
    if not form.get("consent"):
        problems.append(
            Problem(
                N_("Tick the box to accept the terms: we cannot list you without it."),
                field="consent",
            )
        )
    if problems:
        raise Problems(problems)
    values["territory_id"] = territory.id  # type: ignore[union-attr]
    return values


def _taken(session: Session, email: str) -> bool:
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        return True
    waiting = select(SignupRequest.id).where(
        SignupRequest.email == email, SignupRequest.status == SignupStatus.PENDING
    )
    return session.scalars(waiting).first() is not None


def submit(
    session: Session, values: Mapping[str, Any], language: str, now: dt.datetime
) -> SignupRequest:
    """Store a checked request; it waits for the TapTrail team."""
    request = SignupRequest(**values, language=language, consent_at=now, created_at=now)
    session.add(request)
    session.flush()
    audit.record(
        session,
        None,
        "signup.request",
        ("signup", request.id),
        f"{request.business_name} asked to join",
    )
    return request


def find(session: Session, request_id: int) -> SignupRequest:
    """A sign-up request, or NotFound."""
    found = session.get(SignupRequest, request_id)
    if found is None:
        raise NotFound(f"there is no sign-up request {request_id}")
    return found


def _pending(request: SignupRequest) -> None:
    if request.status is not SignupStatus.PENDING:
        raise Problem(N_("This request was already decided."))


def approve(
    session: Session, request: SignupRequest, reviewer: User, now: dt.datetime
) -> tuple[Shop, User]:
    """Make the shop and its owner's account (no password yet: the caller sends the link)."""
    _pending(request)
    owner = accounts.create_user(session, request.email, Role.SHOP_OWNER, name=request.contact_name)
    owner.language = request.language  # the language they signed up in, until they sign in
    shop = Shop(
        slug=free_slug(session, Shop, request.business_name),
        territory_id=request.territory_id,
        name=request.business_name,
        category=request.category,
        address=request.address,
        latitude=request.latitude,
        longitude=request.longitude,
        phone=request.phone,
        description={},
    )
    session.add(shop)
    session.flush()
    accounts.give_shop(session, owner, shop.id)
    request.status, request.decided_at, request.decided_by_id = (
        SignupStatus.APPROVED,
        now,
        reviewer.id,
    )
    request.shop_id = shop.id
    audit.record(
        session,
        reviewer.id,
        "signup.approve",
        ("shop", shop.id),
        f"approved the sign-up of {shop.name} ({request.siret})",
        {"status": ["pending", "approved"]},
    )
    return shop, owner


def refuse(
    session: Session, request: SignupRequest, reviewer: User, reason: str, now: dt.datetime
) -> None:
    """Refuse the request; `reason` goes to the applicant."""
    _pending(request)
    reason = " ".join(reason.split())
    if not reason:
        raise Problem(N_("Say why it is refused: the applicant reads it."), field="reason")
    request.status, request.decided_at, request.decided_by_id = (
        SignupStatus.REFUSED,
        now,
        reviewer.id,
    )
    request.reason = reason[:200]
    audit.record(
        session,
        reviewer.id,
        "signup.refuse",
        ("signup", request.id),
        f"refused the sign-up of {request.business_name}",
        {"status": ["pending", "refused"], "reason": [None, request.reason]},
    )
