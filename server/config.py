"""Settings: defaults, TAPTRAIL_* environment variables, and secrets read from files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from tags.keyring import ENV_FILE, ENV_JSON, Keyring, KeyringError

if TYPE_CHECKING:
    from server.services.accounts import Passwords

# Who runs the service: TAPTRAIL_OPERATOR_NAME and so on (server/visitor/privacy.py shows them).
OPERATOR_FACTS = ("NAME", "ADDRESS", "EMAIL", "PHONE", "REGISTRATION", "PUBLISHER", "DPO", "HOST")

DEFAULTS: dict[str, object] = {
    "DATABASE_URL": None,  # SQLite in the instance folder when unset
    "TAP_BASE_URL": "http://127.0.0.1:8000",  # public base of tap URLs written on stickers
    "PUBLIC_BASE_URL": None,  # canonical pages' base (docs/operations.md); TAP_BASE_URL if unset
    "SITEMAP_URLS": 10_000,  # URLs per sitemap file; past it, /sitemap.xml is an index
    "SPOOL_DIR": None,  # instance/spool when unset
    "SPOOL_FSYNC": "interval",  # always | interval | never (see server/taps/spool.py)
    "DRAIN_THREAD": True,  # drain the spool from a thread in each worker
    "DRAIN_INTERVAL": 1.0,  # seconds between drains
    "ROLLUP_INTERVAL": 60.0,  # seconds between analytics rollup refreshes by a drainer; 0: never
    "HEALTH_MAX_TAP_AGE": 120.0,  # /healthz fails when a tap has waited longer (seconds)
    "CACHE_DIR": None,  # instance/cache when unset: pages served while the database is away
    "STICKER_CACHE_SECONDS": 30.0,
    "PROXY_FIX": 0,  # number of trusted proxies in front (X-Forwarded-For/-Proto/-Host)
    "NEARBY_LIMIT": 60,
    "PLACE_PAGE_CACHE": 1000,  # place pages kept rendered per process (visitor/pagecache.py)
    # Bodies larger than this are refused (413) from their Content-Length, before being read; the
    # portal raises it for photo uploads (server/portal/blueprint.py).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAP_CACHE_FILES": 5000,  # street maps drawn and kept under CACHE_DIR/maps (~20 KB each)
    "MEDIA_DIR": None,  # instance/media when unset: uploaded photos (back it up)
    "PASSWORD_HASHING": "default",  # argon2 cost: default, or cheapest (tests only)
    "SMTP_HOST": None,  # invitations are also mailed when set (see server/services/mail.py)
    "SMTP_PORT": None,
    "SMTP_FROM": None,
    "SMTP_USER": None,
    "SMTP_TLS": "starttls",
    **{f"OPERATOR_{fact}": None for fact in OPERATOR_FACTS},  # docs/privacy.md
    "SESSION_COOKIE_NAME": "tt_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # a portal sign-in lasts a working day
    "WTF_CSRF_CHECK_DEFAULT": False,  # the portal checks its own forms (server/portal)
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session: a form left open at the till works
    "MOBILITY_FEEDS": None,  # a YAML file of live mobility feeds (docs/mobility.md)
    "MOBILITY_DIR": None,  # instance/mobility when unset: the poller's snapshots on this host
    "MOBILITY_TIMEOUT": 10.0,  # seconds a feed file may take, all of it
    "MOBILITY_MAX_BYTES": 5_000_000,  # a feed file larger than this is refused
    "MOBILITY_RADIUS_M": 800,  # how far a place page looks for stations, car parks and stops
    "DEMO_FEEDS": False,  # serve the demo's own live feeds under /demo-feeds/ (make run)
}

# Settings that may instead name a file holding the secret: TAPTRAIL_SECRET_KEY_FILE=/run/...
SECRET_SETTINGS = ("SECRET_KEY", "VISITOR_SALT_SECRET", "SMTP_PASSWORD")


class ConfigError(Exception):
    """A setting is missing or unusable; the message says which and how to set it."""


def configure(app: Flask, test_config: dict[str, object] | None) -> None:
    """Fill app.config from defaults, the environment (TAPTRAIL_*), then `test_config`."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("TAPTRAIL")
    if test_config:
        app.config.from_mapping(test_config)
    for name in SECRET_SETTINGS:
        path = app.config.get(f"{name}_FILE")
        if path and not app.config.get(name):
            app.config[name] = _read_secret(Path(str(path)), f"TAPTRAIL_{name}_FILE")
    instance = Path(app.instance_path)
    app.config["SPOOL_DIR"] = str(app.config["SPOOL_DIR"] or instance / "spool")
    app.config["CACHE_DIR"] = str(app.config["CACHE_DIR"] or instance / "cache")
    app.config["MEDIA_DIR"] = str(app.config["MEDIA_DIR"] or instance / "media")
    app.config["MOBILITY_DIR"] = str(app.config["MOBILITY_DIR"] or instance / "mobility")
    if app.config["SPOOL_FSYNC"] not in ("always", "interval", "never"):
        raise ConfigError("TAPTRAIL_SPOOL_FSYNC must be always, interval or never")
    if app.config["PASSWORD_HASHING"] not in ("default", "cheapest"):
        raise ConfigError("TAPTRAIL_PASSWORD_HASHING must be default (or cheapest, for tests)")


def read_settings_file(path: Path, setting: str) -> str:
    """The text of the file `setting` names; ConfigError in one sentence if it cannot be read or
    is not UTF-8 text (a binary file named by mistake)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{setting}: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{setting}: {path} is not a UTF-8 text file") from None


def _read_secret(path: Path, setting: str) -> str:
    return read_settings_file(path, setting).strip()


def keyring(app: Flask | None = None) -> Keyring:
    """The signing keyring, loaded once from TAPTRAIL_SIGNING_KEYS(_FILE)."""
    app = app or current_app
    ring = app.extensions.get("taptrail.keyring")
    if ring is None:
        keys = app.config.get("SIGNING_KEYS") or ""
        source = {
            # Flask's from_prefixed_env parses TAPTRAIL_SIGNING_KEYS as JSON already.
            ENV_JSON: keys if isinstance(keys, str) else json.dumps(keys),
            ENV_FILE: str(app.config.get("SIGNING_KEYS_FILE") or ""),
        }
        ring = app.extensions["taptrail.keyring"] = Keyring.from_env(source)
    return ring


def check_keyring(app: Flask, required: bool = True) -> None:
    """Load the keyring now, so that a server whose keys are unusable refuses to start.

    Without `required`, a keyring that is not configured at all is left for the commands that
    sign to ask for; one that is configured must still load.
    """
    configured = app.config.get("SIGNING_KEYS") or app.config.get("SIGNING_KEYS_FILE")
    if not configured and not required:
        return
    try:
        keyring(app)
    except KeyringError as error:
        setting = ENV_JSON if app.config.get("SIGNING_KEYS") else ENV_FILE
        said = str(error) if setting in str(error) else f"{setting}: {error}"
        raise ConfigError(f"{said}; TapTrail cannot start without its keyring") from None


def forget_keyring(app: Flask | None = None) -> None:
    """Load the keyring again at its next use in this process (after the portal changed it)."""
    extensions = (app or current_app).extensions
    extensions.pop("taptrail.keyring", None)
    extensions.pop("taptrail.verifier", None)  # the tap path's memo of verified codes


def passwords(app: Flask | None = None) -> Passwords:
    """The app's password hasher, at the cost its TAPTRAIL_PASSWORD_HASHING names."""
    return (app or current_app).extensions["taptrail.passwords"]


def required_secret(name: str, app: Flask | None = None) -> str:
    """A secret setting, or ConfigError saying how to provide it."""
    value = (app or current_app).config.get(name)
    if not value:
        raise ConfigError(
            f"set TAPTRAIL_{name} or TAPTRAIL_{name}_FILE (a file holding a long random string)"
        )
    return str(value)
