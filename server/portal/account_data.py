"""A person's data: their own download (everyone, from the account page), and for
administrators, any account's download and its erasure (server/services/account_data.py)."""

from __future__ import annotations

from flask import Response, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from server import clock
from server.db import db_session
from server.errors import TapTrailError
from server.models import User
from server.portal.access import ADMINISTRATORS, EVERYONE, allow, found, user
from server.portal.blueprint import bp
from server.portal.branded import brand_name
from server.portal.forms import done, refused
from server.services import account_data, audit
from server.web.problems import said


def _download(account: User) -> Response:
    """The zip of `account`'s data, recorded in the audit log as downloaded by the reader."""
    now = clock.now()
    data = account_data.export(
        db_session(), account, current_app.config["MEDIA_DIR"], now, brand_name()
    )
    audit.record(db_session(), user().id, "account.export", ("user", account.id), "data downloaded")
    db_session().commit()
    name = f"taptrail-account-{account.id}-{now.date().isoformat()}.zip"
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/account/data.zip")
@allow(EVERYONE)
def my_data() -> BaseResponse:
    """Everything TapTrail holds about one's account and shops, as a zip of JSON and CSV."""
    return _download(user())


@bp.get("/admin/users/<int:user_id>/data.zip")
@allow(ADMINISTRATORS)
def account_data_download(user_id: int) -> BaseResponse:
    """An account's data, to answer a person's request for it."""
    return _download(found(db_session().get(User, user_id)))


@bp.post("/admin/users/<int:user_id>/erase")
@allow(ADMINISTRATORS)
def erase_account(user_id: int) -> BaseResponse:
    """Erase an account (its email typed again to confirm): the person goes, the record stays."""
    target = found(db_session().get(User, user_id))
    back = url_for("portal.account_admin", user_id=target.id)
    if request.form.get("confirm", "").strip().lower() != target.email:
        refused("Type the account's email address exactly to confirm; nothing was erased.")
        return redirect(back, code=303)
    try:
        name = account_data.erase(db_session(), target, user())
    except TapTrailError as problem:
        db_session().rollback()
        refused(said(problem))
        return redirect(back, code=303)
    db_session().commit()
    done(f"The account was erased; it is now {name} in the audit log.")
    return redirect(back, code=303)
