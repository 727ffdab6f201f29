"""The real gunicorn with TapTrail's settings: malformed requests leave no IP address in its
error log or access log, and two instances under one user start side by side (no control
socket to fight over)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.gunicorn_logging import without_addresses

ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b|::1\b|::ffff:", re.IGNORECASE)
MALFORMED = [
    b"GARBAGE\r\n\r\n",  # not a request line
    b"GET / HTTP/9.9\r\n\r\n",  # no such HTTP version
    b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",  # a control character in the target
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",  # a header without a colon
    b"GET / HTTP/1.1\r\nHost: x\r\nBad\x00Name: 1\r\n\r\n",  # a NUL in a header name
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",  # oversized header
    b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # request line too long
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def deployment(tmp_path: Path, sqlite_template: Path, keyring) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The environment of an instance: a migrated SQLite database, keys, its own home."""
    database = tmp_path / "taptrail.db"
    database.write_bytes(sqlite_template.read_bytes())
    (tmp_path / "home").mkdir()
    (tmp_path / "run").mkdir()
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),  # where gunicorn puts its control socket by default
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "TAPTRAIL_DATABASE_URL": f"sqlite:///{database}",
        "TAPTRAIL_SIGNING_KEYS": keyring.to_json(),
        "TAPTRAIL_SECRET_KEY": "test-secret",
        "TAPTRAIL_SPOOL_DIR": str(tmp_path / "spool"),
        "TAPTRAIL_CACHE_DIR": str(tmp_path / "cache"),
        "TAPTRAIL_WORKERS": "1",
        "TAPTRAIL_DRAIN_PROCESS": "0",
    }


@contextlib.contextmanager
def gunicorn(env: dict[str, str], folder: Path, name: str) -> Iterator[tuple[str, Path, Path]]:
    """gunicorn with server/gunicorn_conf.py on a free port; yields (base URL, error log, access
    log), and stops it (its logs are complete once it has)."""
    port = _free_port()
    error_log, access_log = folder / f"{name}-error.log", folder / f"{name}-access.log"
    settings = {**env, "TAPTRAIL_BIND": f"127.0.0.1:{port}", "TAPTRAIL_ACCESS_LOG": str(access_log)}
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf"),
        *("--error-logfile", str(error_log), "server:create_app()"),
    ]
    process = subprocess.Popen(command, env=settings, cwd=folder)
    try:
        deadline = time.monotonic() + 60
        while True:
            # A worker still loading the app on a busy machine may not answer within the
            # timeout: that is still starting, as a refused connection is.
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(f"http://127.0.0.1:{port}/robots.txt", timeout=5).ok:
                    break
            assert process.poll() is None, error_log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", error_log, access_log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _send(base: str, raw: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(raw)
        with contextlib.suppress(OSError):
            return connection.recv(4096)
    return b""


def test_malformed_requests_leave_no_address_in_the_logs(deployment, tmp_path):
    with gunicorn(deployment, tmp_path, "one") as (base, error_log, access_log):
        answers = [_send(base, raw) for raw in MALFORMED]
        assert all(answer.startswith(b"HTTP/1.1 4") for answer in answers), answers
        # A well-formed request naming addresses of its own is logged without them too.
        assert requests.get(f"{base}/robots.txt?from=192.0.2.7&to=2001:db8::1").ok
    errors, accesses = error_log.read_text(), access_log.read_text()
    assert errors.count("Invalid request") >= 4  # still logged, so an operator sees them
    assert "robots.txt" in accesses
    for name, text in (("error log", errors), ("access log", accesses)):
        assert not ADDRESS.findall(text), f"{name}: {ADDRESS.findall(text)}\n{text}"


def test_two_instances_under_one_user_start_side_by_side(deployment, tmp_path):
    with (
        gunicorn(deployment, tmp_path, "first") as (first, first_log, _),
        gunicorn(deployment, tmp_path, "second") as (second, second_log, _),
    ):
        assert requests.get(f"{first}/robots.txt").ok and requests.get(f"{second}/robots.txt").ok
        sockets = [p for p in tmp_path.rglob("*") if p.is_socket() or p.suffix == ".ctl"]
        assert sockets == []  # no control socket anywhere: nothing to take from the other
    for log in (first_log, second_log):
        assert "control socket" not in log.read_text().lower()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Invalid request from ip=127.0.0.1: bad", "Invalid request from ip=[address]: bad"),
        ("Listening at: http://[::1]:8000 (7)", "Listening at: http://[[address]]:8000 (7)"),
        ("proxy ::ffff:10.1.2.3 refused", "proxy [address] refused"),
        (
            "[02/Dec/2026:18:55:04 +0000] gunicorn 27.0.1",
            "[02/Dec/2026:18:55:04 +0000] gunicorn 27.0.1",
        ),
    ],
)
def test_addresses_are_taken_out_and_times_and_versions_kept(line, expected):
    assert without_addresses(line) == expected
