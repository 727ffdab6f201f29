"""The TapTrail server: taps, visitor pages, the API, the portal and analytics."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config: dict[str, Any] | None = None, *, keys_required: bool = True) -> Flask:
    """Build the Flask application (settings from TAPTRAIL_* variables, or `test_config`).

    An unusable setting (an unreadable keyring, a database URL that names no database) raises
    ConfigError saying which. `keys_required=False` lets commands that sign nothing run
    without a keyring configured.
    """
    from server import (
        analytics,
        api,
        config,
        db,
        health,
        i18n,
        portal,
        tap_front,
        tap_route,
        visitor,
        web,
    )
    from server.cache import DiskCache
    from server.demo import served
    from server.maps.drawn import PictureCache
    from server.mobility import live
    from server.services import branding
    from server.services.accounts import Passwords
    from server.sessions import LazySessionInterface
    from server.taps import recorder
    from server.taps.stickers import StickerDirectory
    from server.visitor import (
        branding as brand_pages,
    )
    from server.visitor import (
        details,
        directions,
        findable,
        loyalty,
        maps,
        media,
        offers,
        pages,
        privacy,
        tv,
        webapp,
    )

    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = LazySessionInterface()
    config.configure(app, test_config)
    config.check_keyring(app, required=keys_required)
    app.extensions["taptrail.brand"] = branding.deployment(app.config)  # ConfigError if unusable
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    web.init_app(app)  # inside ProxyFix, and before the blueprints (see server.web)
    proxies = int(app.config["PROXY_FIX"])
    if proxies:
        # Behind N trusted proxies: the visitor's scheme (Secure cookies) and address (hashed).
        # (Flask's documented way to wrap the WSGI app; its type hints see a method replaced.)
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    # Werkzeug's request log prints client addresses; TapTrail never logs one.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    db.init_app(app)
    recorder.init_app(app)
    live.init_app(app)
    app.extensions["taptrail.pages"] = DiskCache(Path(app.config["CACHE_DIR"]) / "pages")
    app.extensions["taptrail.maps"] = PictureCache(
        Path(app.config["CACHE_DIR"]) / "maps", int(app.config["MAP_CACHE_FILES"])
    )
    app.extensions["taptrail.stickers"] = StickerDirectory(
        db.database(app),
        DiskCache(Path(app.config["CACHE_DIR"]) / "stickers"),
        float(app.config["STICKER_CACHE_SECONDS"]),
    )
    app.extensions["taptrail.passwords"] = Passwords(str(app.config["PASSWORD_HASHING"]))
    app.extensions["taptrail.place_urls"] = {}  # the tap path's memo: (root, lang, slug) -> URL
    if not app.config.get("VISITOR_SALT_SECRET"):
        if app.config.get("SECRET_KEY"):  # one secret less to manage: derive it
            app.config["VISITOR_SALT_SECRET"] = f"visitor-salt:{app.config['SECRET_KEY']}"
        else:
            app.logger.warning("TAPTRAIL_SECRET_KEY is not set: using a random one per process")
            app.config["SECRET_KEY"] = app.config["VISITOR_SALT_SECRET"] = secrets.token_hex(32)

    i18n.init_app(app)
    visitor.init_app(app)
    portal.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(details.bp)
    app.register_blueprint(offers.bp)
    app.register_blueprint(loyalty.bp)
    app.register_blueprint(tv.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(webapp.bp)
    app.register_blueprint(brand_pages.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(maps.bp)
    app.register_blueprint(findable.bp)
    app.register_blueprint(directions.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(analytics.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    served.init_app(app)  # the demo's own live feeds, when TAPTRAIL_DEMO_FEEDS is set
    api.register_error_handlers(app)
    app.register_blueprint(tap_route.bp)  # last: its /<code> rule must not shadow the others
    tap_front.init_app(app)  # the tap redirect in front of Flask, once every route is known
    return app


def settings_app(*, keys_required: bool = True) -> Flask:
    """An app holding TapTrail's settings and its database, and nothing else: no page, no route.

    What the processes that serve nothing run with (the drainer and the feed poller beside
    gunicorn's workers: server/background.py), and what check_settings() checks. ConfigError
    if a setting is unusable; `keys_required` as create_app's.
    """
    from server import config, db

    app = Flask(__name__, instance_relative_config=True)
    config.configure(app, None)
    config.check_keyring(app, required=keys_required)
    db.init_app(app)
    return app


def check_settings() -> None:
    """Check the environment's settings as create_app() would, without building the app.

    gunicorn's master calls this before it forks workers (server/gunicorn_conf.py), so that a
    bad setting stops it with one sentence instead of a traceback from every worker.
    """
    from server import db
    from server.mobility import feeds
    from server.services import branding

    app = settings_app()
    try:
        branding.deployment(app.config)  # a brand that cannot be shown stops it too
        feeds.load(app.config.get("MOBILITY_FEEDS"))  # a feeds file that cannot be used stops it
    finally:
        db.database(app).dispose()
