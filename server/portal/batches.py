"""Batches: issue N signed URLs for a place, download the manifest, follow their encoding."""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from server.config import keyring
from server.db import db_session
from server.errors import N_, Problem, TapTrailError
from server.i18n import ngettext
from server.models import Batch, Place, Sticker
from server.portal.access import STAFF, allow, found
from server.portal.blueprint import bp
from server.portal.forms import problems_of, saved, values
from server.services import batches as batch_service
from server.services import branding
from server.services.listings import whole_number
from tags.chips import CHIPS
from tags.keyring import KeyringError
from tags.urls import MirrorMode


def _render(form: dict[str, str], errors: dict[str, str]) -> str:
    encoded = func.count(Sticker.uid)
    rows = db_session().execute(
        select(Batch, func.count(Sticker.id), encoded)
        .join(Sticker, Sticker.batch_id == Batch.id)
        .group_by(Batch.id)
        .order_by(Batch.id.desc())
        .limit(100)
    )
    return render_template(
        "portal/batches.html",
        batches=list(rows),
        places=list(db_session().scalars(select(Place).order_by(Place.name))),
        chips=sorted(CHIPS),
        mirrors=[mode.value for mode in MirrorMode],
        form=form,
        errors=errors,
        limit=batch_service.MAX_BATCH,
    )


@bp.route("/staff/batches", methods=["GET", "POST"])
@allow(STAFF)
def batches() -> BaseResponse | str | tuple[str, int]:
    """The batches issued, and a form to issue one."""
    if request.method == "GET":
        return _render({"place": request.args.get("place", ""), "count": "10"}, {})
    form = values()
    count = form.get("count", "")
    try:
        number = whole_number(count, 1, batch_service.MAX_BATCH)
        if number is None:
            raise Problem(
                N_("Give a whole number from 1 to %(limit)d."),
                field="count",
                limit=batch_service.MAX_BATCH,
            )
        batch = batch_service.issue_batch(
            db_session(),
            keyring(),
            place_slug=form.get("place", ""),
            count=number,
            base_url=current_app.config["TAP_BASE_URL"],
            chip=form.get("chip") or "ntag213",
            mirror=form.get("mirror") or None,
            password=form.get("password") == "on",
            lock=form.get("lock") == "on",
            note=form.get("note") or None,
        )
    except (TapTrailError, KeyringError) as refused:
        db_session().rollback()
        errors = (
            problems_of(refused) if isinstance(refused, TapTrailError) else {"_form": str(refused)}
        )
        return _render(form, errors), 422
    return saved(
        "batch.issue",
        ("batch", batch.id),
        f"{len(batch.stickers)} stickers for {batch.place.name}",
        message=ngettext(
            "Batch %(id)s: %(num)d signed URL for %(place)s.",
            "Batch %(id)s: %(num)d signed URLs for %(place)s.",
            len(batch.stickers),
            id=batch.id,
            place=batch.place.name,
        ),
        to=url_for("portal.batch", batch_id=batch.id),
    )


@bp.get("/staff/batches/<int:batch_id>")
@allow(STAFF)
def batch(batch_id: int) -> str:
    """A batch's stickers and how far each has got."""
    batch_ = found(db_session().get(Batch, batch_id))
    return render_template("portal/batch.html", batch=batch_, stickers=batch_.stickers)


@bp.get("/staff/batches/<int:batch_id>/manifest.json")
@allow(STAFF)
def manifest(batch_id: int) -> Response:
    """The manifest for 'tagwriter batch --manifest' (the URLs, no key)."""
    batch_ = found(db_session().get(Batch, batch_id))
    text = (
        json.dumps(
            batch_service.manifest(batch_, branding.of_app(current_app.extensions)),
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    response = Response(text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch_.id}.json"'
    return response
