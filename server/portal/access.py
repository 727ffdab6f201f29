"""Who is signed in, and what each role may open: every portal view says which roles it allows.

Views are declared with @allow(Role...) (or @public for the sign-in pages); the tests read
`allowed_roles` from every view of the URL map, so a route without a declaration fails them.
Shop pages also check that a shop owner keeps that shop (others get a 404: a shop owner does
not even learn whether another shop's page exists).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server import clock
from server.db import db_session
from server.i18n import language
from server.models import Role, Shop, User
from server.models.types import Slugged
from server.services import accounts, portal_sessions

View = TypeVar("View", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")
Row = TypeVar("Row")
SluggedRow = TypeVar("SluggedRow", bound=Slugged)
EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ADMINISTRATOR, Role.STAFF})
KEEPERS = frozenset({Role.ADMINISTRATOR, Role.STAFF, Role.SHOP_OWNER})  # may edit shops
READERS = KEEPERS | {Role.ANALYST}  # may read a shop's figures
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


def allow(roles: frozenset[Role]) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Open the view to signed-in accounts of these roles: others get 403, strangers sign in."""

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            user = current_user()
            if user is None:
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("portal.login", next=target), code=303)
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.__dict__["allowed_roles"] = roles  # a function attribute, see above
        return wrapper

    return decorate


def public(view: View) -> View:
    """A view anyone may open (signing in, invitation links)."""
    view.__dict__["allowed_roles"] = None
    return view


def sign_in(user: User) -> None:
    """Start a session for `user` (a new session: a new CSRF token too); the caller commits."""
    _end_this_session()
    user.language = language()  # the language of the mails they will receive
    session.permanent = True
    lifetime = current_app.permanent_session_lifetime
    session["sid"] = portal_sessions.start(db_session(), user, clock.now(), lifetime)
    g.portal_user = user


def note_language() -> None:
    """Keep the signed-in account's language as the portal's now (the caller commits with its
    change), so that its mails follow a language switched after signing in."""
    found = current_user()
    if found is not None and found.language != language():
        found.language = language()


def sign_out() -> None:
    """End this browser's session, here and in the database; the caller commits."""
    _end_this_session()
    g.portal_user = None


def _end_this_session() -> None:
    """Forget this browser's session and delete its row, so no copy of the cookie works."""
    token = session.get("sid")
    if isinstance(token, str):
        portal_sessions.end(db_session(), token)
    session.clear()


def current_user() -> User | None:
    """The signed-in account, if its session has not ended (signed out, locked, new password)."""
    if "portal_user" in g:
        return g.portal_user
    user = None
    token = session.get("sid")
    if isinstance(token, str):
        user = portal_sessions.signed_in(db_session(), token, clock.now())
        if user is None:
            session.clear()  # ended elsewhere: the browser drops the cookie too
    g.portal_user = user
    return user


def user() -> User:
    """The signed-in account (in views behind @allow)."""
    found = current_user()
    assert found is not None, "only views behind @allow ask for the user"
    return found


def is_staff() -> bool:
    """Staff or administrator: may act on any shop (help mode)."""
    return user().role in STAFF


def found(row: Row | None, check: Callable[[Row], bool] | None = None) -> Row:
    """The row, or a 404 page when there is none (or it fails `check`: not where the URL says)."""
    if row is None or (check is not None and not check(row)):
        abort(404)
    return row


def by_slug(model: type[SluggedRow], slug: str) -> SluggedRow:
    """The row of `model` with this slug, or a 404 page."""
    column = model.slug
    return found(db_session().scalars(select(model).where(column == slug)).first())


def shop_for(slug: str, roles: frozenset[Role] = KEEPERS) -> Shop:
    """The shop, if this account may act on it with one of `roles`; 404 otherwise."""
    found = db_session().scalars(select(Shop).where(Shop.slug == slug)).first()
    account = user()
    if found is None or account.role not in roles:
        abort(404)
    if account.role is Role.SHOP_OWNER and not accounts.owns(db_session(), account, found.id):
        abort(404)
    return found
