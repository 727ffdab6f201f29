"""The portal under /portal: shop owners keep their listing and offers; staff run the service.

One blueprint, one module per area: auth (signing in, invitations, the account), home, listing
(text, hours, position, photos), offers (and partner agreements), till, figures, staff (shops in
help mode, review), field (places, stickers, batches), keys, tokens and users (accounts, audit).
Every form is checked against its CSRF token; every view declares the roles it allows.
"""

from __future__ import annotations

from flask import Flask

from server.portal import (  # noqa: F401  (views: add their routes to bp)
    account_data,
    auth,
    batches,
    bulk_invites,
    content,
    event_import,
    events,
    feeds,
    figures,
    home,
    hours,
    keys,
    listing,
    loyalty,
    offers,
    partners,
    photos,
    places,
    reset,
    sight_photos,
    sights,
    signups,
    staff,
    stickers,
    territory_editor,
    till,
    tokens,
    users,
    walks,
)
from server.portal.blueprint import bp, csrf

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """The CSRF check of the portal's forms, and what its templates share (create_app registers
    the blueprint)."""
    from server.portal import changes, words
    from server.portal.access import current_user
    from server.portal.home import role_name
    from server.visitor import present
    from server.web import formats

    csrf.init_app(app)
    formats.init_app(app)
    app.jinja_env.globals.update(
        portal_user=current_user,
        role_name=role_name,
        words=words,
        changes=changes,
        category_name=present.category,
    )
