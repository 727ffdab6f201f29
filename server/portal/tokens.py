"""API tokens with scopes: shown once, stored as a hash. Staff make field-tool tokens ("encode");
administrators also analytics ones ("read-analytics")."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import TapTrailError
from server.i18n import gettext
from server.models import ApiToken, Role
from server.portal.access import STAFF, allow, user
from server.portal.blueprint import bp
from server.portal.forms import refused, saved
from server.services import audit
from server.services.tokens import TokenScope, create_token, revoke_token
from server.web.problems import said


def allowed_scopes() -> list[str]:
    """The scopes this account may give a token."""
    if user().role is Role.ADMINISTRATOR:
        return [scope.value for scope in TokenScope]
    return [TokenScope.ENCODE.value]


def _render(token: str | None = None, made: ApiToken | None = None) -> str:
    rows = db_session().scalars(select(ApiToken).order_by(ApiToken.id.desc()))
    return render_template(
        "portal/tokens.html", tokens=list(rows), scopes=allowed_scopes(), token=token, made=made
    )


@bp.route("/staff/tokens", methods=["GET", "POST"])
@allow(STAFF)
def tokens() -> Response | str:
    """The tokens (never their value), and a form to make one: its value is shown once."""
    if request.method == "GET":
        return _render()
    scopes = request.form.getlist("scope")
    name = request.form.get("name", "").strip()[:200] or "field tool"
    if not set(scopes) <= set(allowed_scopes()):
        refused(gettext("Your account can give tokens the encode scope only."))
        return redirect(url_for("portal.tokens"), code=303)
    try:
        token, row = create_token(db_session(), name, scopes)
    except TapTrailError as problem:
        db_session().rollback()
        refused(gettext("No token was made: %(problem)s", problem=said(problem)))
        return redirect(url_for("portal.tokens"), code=303)
    audit.record(
        db_session(), user().id, "token.create", ("token", row.id), f"token {name} ({row.scopes})"
    )
    db_session().commit()
    return _render(token, row)


@bp.post("/staff/tokens/<int:token_id>/revoke")
@allow(STAFF)
def revoke_token_view(token_id: int) -> Response:
    """Stop a token from working (analytics tokens: administrators only)."""
    row = db_session().get(ApiToken, token_id)
    if row is not None and not row.scope_set <= set(allowed_scopes()):
        refused(gettext("Only an administrator can revoke an analytics token."))
        return redirect(url_for("portal.tokens"), code=303)
    try:
        row = revoke_token(db_session(), token_id)
    except TapTrailError as problem:
        refused(said(problem))
        return redirect(url_for("portal.tokens"), code=303)
    return saved(
        "token.revoke",
        ("token", row.id),
        f"revoked {row.name}",
        message=gettext("Token %(prefix)s… is revoked.", prefix=row.prefix),
        to=url_for("portal.tokens"),
    )
