"""A shop's loyalty card: define it ("n visits, then a reward"), see its figures, and stamp
visitors' cards at the till (typed or scanned; once per visit; the reward once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from server import clock
from server.db import db_session
from server.errors import N_, Problems
from server.i18n import LANGUAGES, gettext
from server.models import LoyaltyCard
from server.portal.access import KEEPERS, allow, shop_for, user
from server.portal.blueprint import bp
from server.portal.forms import problems_of, saved, values
from server.portal.till import render_till
from server.services import audit, loyalty

WEEKS = 8  # the figures' weeks


def _form(card: LoyaltyCard | None) -> dict[str, object]:
    if card is None:
        return {
            "stamps_needed": 10,
            "reward_days": 90,
            "min_interval_minutes": 240,
            "active": "yes",
        }
    form: dict[str, object] = {
        "stamps_needed": card.stamps_needed,
        "reward_days": card.reward_days,
        "min_interval_minutes": card.min_interval_minutes,
        "active": "yes" if card.active else "",
    }
    for lang in LANGUAGES:
        form[f"reward_{lang}"] = card.reward.get(lang, "")
    return form


def _weeks(end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(end - dt.timedelta(weeks=k + 1), end - dt.timedelta(weeks=k)) for k in range(WEEKS)]


@bp.route("/shops/<slug>/loyalty", methods=["GET", "POST"])
@allow(KEEPERS)
def loyalty_card(slug: str) -> BaseResponse | tuple[str, int] | str:
    """The shop's card and its figures: cards held, stamps per week, rewards, returning."""
    shop = shop_for(slug)
    session = db_session()
    card = loyalty.card_of(session, shop)
    errors: dict[str, str] = {}
    form: Mapping[str, object] = _form(card)
    if request.method == "POST":
        try:
            cleaned = loyalty.clean_card(request.form)
        except Problems as refused:
            errors, form = problems_of(refused), values()
        else:
            card = loyalty.define(session, shop, cleaned, clock.now())
            return saved(
                "loyalty.define",
                ("loyalty_card", card.id),
                f"{shop.name}: loyalty card",
                message=gettext(N_("Saved.")),
                to=url_for("portal.loyalty_card", slug=shop.slug),
            )
    end = clock.now() + dt.timedelta(seconds=1)  # what happened this very second counts
    weeks = [(since, loyalty.figures(session, shop, since, until)) for since, until in _weeks(end)]
    html = render_template(
        "portal/loyalty.html",
        shop=shop,
        card=card,
        form=form,
        errors=errors,
        weeks=weeks,
        total=loyalty.figures(session, shop, end - dt.timedelta(weeks=WEEKS), end),
        zone=shop.territory.timezone,
    )
    return (html, 422) if errors else html


@bp.post("/shops/<slug>/till/card")
@allow(KEEPERS)
def stamp_card(slug: str) -> str:
    """Give a stamp (or the reward of a full card) to the card whose code was typed or scanned."""
    shop = shop_for(slug)
    typed = request.form.get("card", "")[:40]
    act = loyalty.reward if request.form.get("action") == "reward" else loyalty.stamp
    verdict = act(db_session(), typed, shop, user().id, clock.now())
    if verdict.given and verdict.holding is not None:
        audit.record(
            db_session(),
            user().id,
            f"loyalty.{verdict.answer.value}",
            ("loyalty_card", verdict.holding.card_id),
            f"{shop.name}: card {verdict.holding.code} {verdict.answer.value}",
        )
    db_session().commit()
    return render_till(slug, card_verdict=verdict, card_shown=loyalty.shown(verdict.typed))
