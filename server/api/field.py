"""For the field tool (scope "encode"): issue batches, fetch manifests, register stickers."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from sqlalchemy import select

from server.api.auth import require_scope
from server.api.blueprint import bp
from server.api.params import json_body, parse_moment, whole
from server.config import keyring
from server.db import db_session
from server.errors import Invalid
from server.models import Sticker
from server.services import batches, branding, resets
from server.services.tokens import TokenScope
from server.services.verdict import verdict

BATCH_FIELDS = frozenset({"place", "count", "chip", "mirror", "password", "lock", "note"})
REGISTRATION_FIELDS = frozenset({"code", "uid", "chip", "encoded_at"})
SUN_KEY_FIELDS = frozenset({"code", "uid", "reset"})
RESET_FIELDS = frozenset({"code", "uid"})
RELEASE_FIELDS = frozenset({"code", "uid"})
MAX_NOTE = 200  # the column's size


@bp.post("/batches")
@require_scope(TokenScope.ENCODE)
def issue_batch() -> tuple[Response, int]:
    """Issue N signed URLs for a place; answers with the batch's manifest."""
    body = json_body(BATCH_FIELDS)
    if not isinstance(body.get("place"), str):
        raise Invalid("place is required (the place's slug)", field="place")
    for name in ("password", "lock"):
        if not isinstance(body.get(name, False), bool):
            raise Invalid(f"{name} must be true or false", field=name)
    for name in ("chip", "mirror", "note"):
        if not isinstance(body.get(name), str | None):
            raise Invalid(f"{name} must be a string, or null", field=name)
    note = body.get("note")
    if note is not None and len(note) > MAX_NOTE:
        raise Invalid(f"note must be at most {MAX_NOTE} characters", field="note")
    batch = batches.issue_batch(
        db_session(),
        keyring(),
        place_slug=body["place"],
        count=whole(body, "count"),
        base_url=current_app.config["TAP_BASE_URL"],
        chip=body.get("chip") or "ntag213",
        mirror=body.get("mirror"),
        password=body.get("password", False),
        lock=body.get("lock", False),
        note=note,
    )
    db_session().commit()
    response = jsonify(batches.manifest(batch, branding.of_app(current_app.extensions)))
    response.headers["Location"] = f"{bp.url_prefix}/batches/{batch.id}"
    return response, 201


@bp.get("/batches/<int:batch_id>")
@require_scope(TokenScope.ENCODE)
def batch_manifest(batch_id: int) -> Response:
    """A batch's manifest."""
    return jsonify(
        batches.manifest(
            batches.find_batch(db_session(), batch_id), branding.of_app(current_app.extensions)
        )
    )


@bp.get("/batches/<int:batch_id>/stickers")
@require_scope(TokenScope.ENCODE)
def batch_stickers(batch_id: int) -> Response:
    """The stickers of a batch and how far each has got (planned, encoded, ...)."""
    batch = batches.find_batch(db_session(), batch_id)
    rows = db_session().scalars(
        select(Sticker).where(Sticker.batch_id == batch.id).order_by(Sticker.id)
    )
    return jsonify({"batch": batch.id, "items": [batches.sticker_json(s) for s in rows]})


@bp.post("/registrations")
@require_scope(TokenScope.ENCODE)
def register() -> tuple[Response, int]:
    """Record the chip a code was written on; repeating the same registration is harmless."""
    body = json_body(REGISTRATION_FIELDS)
    for name in ("code", "uid", "chip"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise Invalid(f"{name} is required (a string)", field=name)
    encoded_at = body.get("encoded_at")  # null or left out: now
    sticker, created = batches.register_sticker(
        db_session(),
        keyring(),
        code=body["code"],
        uid=body["uid"],
        chip=body["chip"],
        encoded_at=None if encoded_at is None else parse_moment(encoded_at, "encoded_at"),
    )
    db_session().commit()
    return jsonify({"created": created, "sticker": batches.sticker_json(sticker)}), (
        201 if created else 200
    )


@bp.post("/releases")
@require_scope(TokenScope.ENCODE)
def release() -> Response:
    """Give up a code begun on a sticker that never came back to the reader: it is retired."""
    body = json_body(RELEASE_FIELDS)
    if not isinstance(body.get("code"), str) or not body["code"]:
        raise Invalid("code is required (a string)", field="code")
    sticker = batches.release_sticker(db_session(), keyring(), code=body["code"])
    db_session().commit()
    return jsonify({"sticker": batches.sticker_json(sticker)})


@bp.post("/sun-keys")
@require_scope(TokenScope.ENCODE)
def sun_keys() -> Response:
    """The keys the field tool writes on the NTAG 424 DNA `uid` that is to hold `code`."""
    body = json_body(SUN_KEY_FIELDS)
    _code_and_uid(body)
    if not isinstance(body.get("reset", False), bool):
        raise Invalid("reset must be true or false", field="reset")
    # To reset a sticker, the keys it was personalised with (even if it is retired); else
    # the keys to personalise it with.
    find = resets.reset_keys if body.get("reset") else batches.sun_keys_for
    keys = find(db_session(), keyring(), code=body["code"], uid=body["uid"])
    response = jsonify({"version": keys.version, "keys": [key.hex().upper() for key in keys.keys]})
    response.headers["Cache-Control"] = "no-store"  # secrets: kept by no cache on the way
    return response


@bp.post("/resets")
@require_scope(TokenScope.ENCODE)
def reset() -> Response:
    """An NTAG 424 DNA was reset by the field tool: its code is retired, its chip unbound."""
    body = json_body(RESET_FIELDS)
    _code_and_uid(body)
    sticker = resets.record_reset(db_session(), keyring(), code=body["code"], uid=body["uid"])
    db_session().commit()
    return jsonify({"sticker": batches.sticker_json(sticker)})


def _code_and_uid(body: dict[str, object]) -> None:
    for name in ("code", "uid"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise Invalid(f"{name} is required (a string)", field=name)


@bp.get("/verdict")
@require_scope(TokenScope.ENCODE)
def check() -> Response:
    """Is this URL or code one of ours, for which place, and in what state is its sticker?"""
    text = request.args.get("url") or request.args.get("code")
    if not text:
        raise Invalid("give url=<tap URL> or code=<short code>", field="url")
    return jsonify(verdict(db_session(), keyring(), text))
