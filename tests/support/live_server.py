"""The real server over HTTP on a free loopback port, for browser and field-tool tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server

from server.db import database
from server.taps.recorder import recorder


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` in a thread; yields its base URL; stops it and its recorder afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        recorder(app).stop()
        database(app).dispose()
