"""The real server as production runs it: gunicorn with TapTrail's settings, its workers and its
supervised drainer, on a free loopback port; and bursts of taps against it from many clients."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from flask import Flask

from tests.support.processes import alive, children, command_line, wait_until

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(app: Flask, **extra: str) -> dict[str, str]:
    """TAPTRAIL_* settings that make gunicorn serve `app`'s database, keys, spool and cache."""
    config = app.config
    return {
        "TAPTRAIL_DATABASE_URL": config["DATABASE_URL"],
        "TAPTRAIL_SIGNING_KEYS": config["SIGNING_KEYS"],
        "TAPTRAIL_SIGNING_KEYS_FILE": "",
        "TAPTRAIL_SECRET_KEY": "reliability-secret",
        "TAPTRAIL_SPOOL_DIR": config["SPOOL_DIR"],
        "TAPTRAIL_CACHE_DIR": config["CACHE_DIR"],
        "TAPTRAIL_MEDIA_DIR": config["MEDIA_DIR"],
        "TAPTRAIL_ACCESS_LOG": "",
        **extra,
    }


@dataclass
class Served:
    """A running gunicorn: its URL, master process, log, and its children as seen in /proc."""

    url: str
    port: int
    master: subprocess.Popen[bytes]
    log: Path
    spool: Path

    def drainer(self) -> int | None:
        """The drainer's pid, if one runs under the master."""
        for pid in children(self.master.pid):
            if "drain --follow" in command_line(pid):
                return pid
        return None

    def draining(self) -> bool:
        """The drainer under the master has started its loop: its heartbeat names it."""
        drainer = self.drainer()
        with contextlib.suppress(OSError, ValueError):
            return drainer is not None and self.heartbeat()["pid"] == drainer
        return False

    def workers(self) -> list[int]:
        """The workers' pids."""
        return [
            pid
            for pid in children(self.master.pid)
            if pid != self.drainer() and "mobility poll" not in command_line(pid)
        ]

    def heartbeat(self) -> dict[str, Any]:
        """The drainer's last heartbeat."""
        return orjson.loads((self.spool / ".drainer.json").read_bytes())

    def output(self) -> str:
        """What gunicorn and its processes wrote to stderr."""
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 2) -> Iterator[Served]:
    """Start gunicorn with TapTrail's settings; stop it, and anything left of it, afterwards."""
    with gunicorns([env], workers) as (served,):
        yield served


@contextlib.contextmanager
def gunicorns(envs: list[dict[str, str]], workers: int = 2) -> Iterator[list[Served]]:
    """Start one gunicorn per environment, booting side by side; stop them all afterwards."""
    launched: list[Served] = []
    try:
        for env in envs:
            launched.append(_launch(env, workers))
        for served in launched:
            started = wait_until(
                lambda served=served: (
                    len(served.workers()) >= workers and served.drainer() and _serves(served.port)
                ),
                timeout=60,
            )
            assert started, f"gunicorn did not start:\n{served.output()}"
        yield launched
    finally:
        for served in launched:  # all asked at once: they stop side by side too
            with contextlib.suppress(ProcessLookupError):
                os.killpg(served.master.pid, signal.SIGTERM)
        for served in launched:
            try:
                served.master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                served.master.kill()
                served.master.wait()
            with contextlib.suppress(ProcessLookupError):  # whatever outlived it: none should
                os.killpg(served.master.pid, signal.SIGKILL)


def _launch(env: dict[str, str], workers: int) -> Served:
    port = free_port()
    settings = {
        **os.environ,
        **env,
        "TAPTRAIL_BIND": f"127.0.0.1:{port}",
        "TAPTRAIL_WORKERS": str(workers),
    }
    command = [
        sys.executable,
        *("-m", "gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"),
    ]
    log = Path(env["TAPTRAIL_SPOOL_DIR"]).parent / f"gunicorn-{port}.log"
    with open(log, "wb") as output:
        master = subprocess.Popen(
            command, env=settings, stdout=output, stderr=output, start_new_session=True
        )
    return Served(f"http://127.0.0.1:{port}", port, master, log, Path(env["TAPTRAIL_SPOOL_DIR"]))


def _serves(port: int) -> bool:
    """A worker has loaded the app and answers a request (not only the master's socket)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    with contextlib.suppress(OSError, http.client.HTTPException), contextlib.closing(connection):
        connection.request("GET", "/robots.txt")
        return connection.getresponse().status == 200
    return False


@dataclass
class Burst:
    """Taps sent from many clients at once; each carries its own visitor cookie."""

    url: str
    path: str
    clients: int = 8
    answered: set[str] = field(default_factory=set)  # cookies of taps answered 303
    failed: int = 0  # requests that got no answer (a worker killed under them, say)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _serial: Iterator[int] = field(default_factory=itertools.count)
    _prefix: str = field(default_factory=lambda: secrets.token_hex(4))

    def start(self) -> Burst:
        """Start sending taps from every client until stop()."""
        for _ in range(self.clients):
            thread = threading.Thread(target=self._client, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> Burst:
        """Stop sending and wait for the requests under way."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return self

    def wait_for(self, more: int, timeout: float = 60) -> Burst:
        """Wait until `more` taps more than now have been answered: the burst is under way."""
        target = len(self.answered) + more
        assert wait_until(lambda: len(self.answered) >= target, timeout=timeout), (
            f"{len(self.answered)} taps answered, waited for {target} ({self.failed} failed)"
        )
        return self

    def run_for(self, taps: int) -> Burst:
        """Send taps until `taps` of them have been answered (a few more arrive meanwhile)."""
        return self.start().wait_for(taps).stop()

    def _client(self) -> None:
        host, port = self.url.removeprefix("http://").split(":")
        while not self._stop.is_set():
            cookie = f"{self._prefix}{next(self._serial):024x}"
            try:
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                connection.request(
                    "GET", self.path, headers={"User-Agent": PHONE, "Cookie": f"tt_vid={cookie}"}
                )
                status = connection.getresponse().status
                connection.close()
            except OSError:
                status = None
            with self._lock:
                if status == 303:
                    self.answered.add(cookie)
                else:
                    self.failed += 1
            if status != 303:
                time.sleep(0.01)  # a refused connection must not spin the client


def tap_once(url: str, path: str) -> int:
    """One GET on a path as a phone would send it; the status."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", path, headers={"User-Agent": PHONE})
    status = connection.getresponse().status
    connection.close()
    return status


def no_process_left(pids: list[int], timeout: float = 15) -> bool:
    """All of these processes end within `timeout` seconds."""
    return wait_until(lambda: not any(alive(pid) for pid in pids), timeout=timeout)
