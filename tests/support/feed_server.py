"""A real HTTP server on loopback serving feed files that a test writes, changes, breaks, slows
and removes while the poller runs. It answers conditional GETs (ETag and Last-Modified) as a
real feed server does, and counts what it was asked."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FeedServer:
    """Serves the files of `root` at http://127.0.0.1:PORT/<name>."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.delay = 0.0  # seconds before each answer
        self.trickle = 0.0  # seconds between chunks of 1 kB
        self.status: dict[str, int] = {}  # a forced status per file
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.answers: list[tuple[str, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                name = self.path.lstrip("/").split("?")[0]
                server.requests.append((name, dict(self.headers)))
                time.sleep(server.delay)
                status = server.status.get(name)
                path = server.root / name
                if status is None and not path.is_file():
                    status = 404
                if status is not None:
                    server.answers.append((name, status))
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = path.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
                if self.headers.get("If-None-Match") == etag:
                    server.answers.append((name, 304))
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                server.answers.append((name, 200))
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    if server.trickle:
                        for start in range(0, len(body), 1024):
                            self.wfile.write(body[start : start + 1024])
                            self.wfile.flush()
                            time.sleep(server.trickle)
                    else:
                        self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def write(self, name: str, body: bytes | str) -> None:
        """Publish (or replace) a file."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body.encode() if isinstance(body, str) else body)

    def remove(self, name: str) -> None:
        """Take a file down (404 from now on)."""
        (self.root / name).unlink()

    def answered(self, name: str) -> list[int]:
        """The statuses answered for one file, in order."""
        return [status for found, status in self.answers if found == name]


@contextlib.contextmanager
def feed_server(root: Path) -> Iterator[FeedServer]:
    """A FeedServer running in a thread for the duration of the block."""
    server = FeedServer(root)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
