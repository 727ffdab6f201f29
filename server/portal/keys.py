"""Signing keys (administrators only): create, rotate, revoke; secrets are never shown.

The keyring stays in its file (TAPTRAIL_SIGNING_KEYS_FILE) and the portal changes it the way
`taptrail keys` does. Keys given as JSON in TAPTRAIL_SIGNING_KEYS cannot be changed from here:
the page says so. After a change, this worker uses the new keyring at once; other workers and
hosts load it when they restart (gunicorn: send HUP to the master).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from server.config import forget_keyring
from server.i18n import gettext
from server.portal.access import ADMINISTRATORS, allow
from server.portal.blueprint import bp
from server.portal.forms import refused, saved
from tags.keyring import Keyring, KeyringError


def _source() -> tuple[str, Path | None]:
    """Where the keys come from: ("file", path), ("environment", None) or ("none", None)."""
    if current_app.config.get("SIGNING_KEYS"):
        return "environment", None
    path = current_app.config.get("SIGNING_KEYS_FILE")
    return ("file", Path(str(path))) if path else ("none", None)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One change of the keyring file at a time, across workers."""
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@bp.get("/admin/keys")
@allow(ADMINISTRATORS)
def keys() -> str:
    """The keys, their ids and states; never their secrets."""
    source, path = _source()
    ring, problem = None, None
    try:
        if source == "file" and path is not None and path.exists():
            ring = Keyring.load(path)
        elif source == "environment":
            ring = Keyring.from_json(current_app.config["SIGNING_KEYS"], "TAPTRAIL_SIGNING_KEYS")
    except KeyringError as error:
        problem = str(error)
    return render_template("portal/keys.html", source=source, path=path, ring=ring, problem=problem)


def _change(action: str, summary: str, told: str, change: Callable[[Path], Keyring]) -> Response:
    source, path = _source()
    if source != "file" or path is None:
        refused(gettext("The keys do not come from a file the portal can change; see below."))
        return redirect(url_for("portal.keys"), code=303)
    try:
        with _locked(path):
            ring = change(path)
            ring.save(path)
    except (KeyringError, OSError) as error:
        refused(gettext("Nothing was changed: %(error)s", error=str(error)))
        return redirect(url_for("portal.keys"), code=303)
    forget_keyring()
    return saved(
        action,
        ("keyring", None),
        summary,
        message=gettext(
            "%(done)s. Restart or reload the other workers (gunicorn: kill -HUP) to use it.",
            done=told,
        ),
        to=url_for("portal.keys"),
    )


@bp.post("/admin/keys/create")
@allow(ADMINISTRATORS)
def create_keys() -> Response:
    """Create the keyring file with one active key (only when there is none)."""

    def create(path: Path) -> Keyring:
        if path.exists():
            raise KeyringError(f"{path} already exists; rotate to add a key")
        return Keyring.create()

    return _change(
        "keys.create",
        "Created the keyring with active key 1",
        gettext("Created the keyring with active key 1"),
        create,
    )


@bp.post("/admin/keys/rotate")
@allow(ADMINISTRATORS)
def rotate_keys() -> Response:
    """A new active key signs from now on; stickers signed before keep working."""
    return _change(
        "keys.rotate",
        "Rotated the signing key",
        gettext("Rotated the signing key"),
        lambda path: Keyring.load(path).rotate(),
    )


@bp.post("/admin/keys/<kid>/revoke")
@allow(ADMINISTRATORS)
def revoke_key(kid: str) -> Response:
    """Refuse every code signed with this key: its stickers stop working."""
    if request.form.get("confirm", "").strip().upper() != kid.upper():
        refused(
            gettext(
                "Type %(kid)s in the box to confirm: revoking stops its stickers.", kid=kid.upper()
            )
        )
        return redirect(url_for("portal.keys"), code=303)
    return _change(
        "keys.revoke",
        f"Revoked key {kid.upper()}",
        gettext("Revoked key %(kid)s", kid=kid.upper()),
        lambda path: Keyring.load(path).revoke(kid.upper()),
    )
