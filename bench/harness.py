"""Shared pieces of the benchmarks: a throwaway demo deployment, gunicorn, wrk."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tags.keyring import Keyring

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@contextlib.contextmanager
def deployment() -> Iterator[dict[str, str]]:
    """A temporary instance: SQLite (or TAPTRAIL_BENCH_DATABASE_URL), keys, demo data loaded."""
    folder = Path(tempfile.mkdtemp(prefix="taptrail-bench-"))
    keys = folder / "keys.json"
    Keyring.create().save(keys)
    env = {
        **os.environ,
        "TAPTRAIL_DATABASE_URL": os.environ.get(
            "TAPTRAIL_BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.db'}"
        ),
        "TAPTRAIL_SIGNING_KEYS_FILE": str(keys),
        "TAPTRAIL_SIGNING_KEYS": "",
        "TAPTRAIL_SECRET_KEY": "bench-secret",
        "TAPTRAIL_SPOOL_DIR": str(folder / "spool"),
        "TAPTRAIL_CACHE_DIR": str(folder / "cache"),
        "TAPTRAIL_TAP_BASE_URL": "http://127.0.0.1:8000",
        "TAPTRAIL_ACCESS_LOG": "",
        "BENCH_FOLDER": str(folder),
    }
    taptrail = [sys.executable, "-m", "server.cli"]
    subprocess.run([*taptrail, "init-db"], env=env, check=True, capture_output=True)
    subprocess.run([*taptrail, "demo"], env=env, check=True, capture_output=True)
    try:
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int) -> Iterator[str]:
    """Serve `app` with TapTrail's gunicorn settings; yields the base URL."""
    port = free_port()
    settings = {**env, "TAPTRAIL_BIND": f"127.0.0.1:{port}", "TAPTRAIL_WORKERS": str(workers)}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf", app]
    server = subprocess.Popen(command, env=settings, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def ensure_wrk() -> str:
    """The wrk load tool, installed from Debian's packages when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get install -y wrk) ...", flush=True)
    if subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True).returncode:
        subprocess.run(["apt-get", "update"], capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


@dataclass
class WrkResult:
    """What wrk measured."""

    requests: int
    per_second: float
    p99_ms: float
    errors: str


def wrk(
    url: str,
    seconds: int = 15,
    connections: int = 64,
    threads: int = 2,
    script: str | None = None,
    env: dict[str, str] | None = None,
) -> WrkResult:
    """Load `url` with wrk (or the requests a Lua `script` makes) and parse its summary."""
    command = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"User-Agent: {PHONE}",
        *(["-s", script] if script else []),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Socket errors:.*|Non-2xx or 3xx responses: \d+", output)
    return WrkResult(requests, per_second, p99, errors.group(0) if errors else "none")
