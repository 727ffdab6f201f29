"""At the till: type or scan the visitor's code; it is used once, and only once."""

from __future__ import annotations

from flask import render_template, request

from server import clock
from server.db import db_session
from server.portal.access import KEEPERS, allow, shop_for, user
from server.portal.blueprint import bp
from server.services import audit
from server.services import till as till_service
from server.services.redemption import shown


@bp.route("/shops/<slug>/till", methods=["GET", "POST"])
@allow(KEEPERS)
def till(slug: str) -> str:
    """The code field, and the answer about the last code checked."""
    shop = shop_for(slug)
    if request.method == "GET":
        return render_template("portal/till.html", shop=shop, verdict=None)
    typed = request.form.get("code", "")[:40]
    verdict = till_service.redeem(db_session(), typed, shop, user().id, clock.now())
    if verdict.answer is till_service.Answer.VALID and verdict.code is not None:
        audit.record(
            db_session(),
            user().id,
            "code.redeem",
            ("code", verdict.code.id),
            f"{shop.name}: code {verdict.code.code} used",
        )
    db_session().commit()
    zone = shop.territory.timezone
    # Every answer is a page that worked (the till reads it); the answer is in the page.
    return render_template(
        "portal/till.html",
        shop=shop,
        verdict=verdict,
        shown=shown(verdict.typed) if len(verdict.typed) == 8 else verdict.typed,
        zone=zone,
    )
