"""The real server over HTTP on a free loopback port, for browser and field-tool tests."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.serving import make_server

from server.db import database
from server.taps.recorder import recorder

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` in a thread; yields its base URL; stops it and its recorder afterwards."""
    server = make_server("127.0.0.1", 0, closed_before_sent(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        recorder(app).stop()
        database(app).dispose()


def closed_before_sent(app: WSGIApplication) -> WSGIApplication:
    """`app` with each response read whole and closed before werkzeug's server sends it."""

    # When a browser resets a connection (a page left while its images load), werkzeug's
    # server raises from the read that drains the request, before it closes the response
    # (werkzeug/serving.py, run_wsgi's execute): send_file's open file is then left to the
    # garbage collector, whose ResourceWarning fails whichever test is running. No TapTrail
    # response streams, so reading it whole changes nothing a browser sees.
    def buffered(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return buffered
