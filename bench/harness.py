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

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from tags.keyring import Keyring

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@contextlib.contextmanager
def deployment() -> Iterator[dict[str, str]]:
    """A temporary instance: SQLite (or TAPTRAIL_BENCH_DATABASE_URL), keys, demo data loaded."""
    given = os.environ.get("TAPTRAIL_BENCH_DATABASE_URL")
    if given:
        _require_empty(given)
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


def _require_empty(url: str) -> None:
    """Stop, saying what to do, when the bench's database holds an earlier run's tables: its
    demo stickers are signed with that run's keys, which this run does not have, so every tap
    would be an unknown sticker."""
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        name = make_url(url).database
        raise SystemExit(
            f"TAPTRAIL_BENCH_DATABASE_URL names a database that holds {len(tables)} tables of an "
            f"earlier run; each run needs an empty one: DROP DATABASE {name} WITH (FORCE); "
            f"CREATE DATABASE {name};"
        )


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int) -> Iterator[str]:
    """Serve `app` with TapTrail's gunicorn settings; yields the base URL."""
    with serving(app, env, workers) as server:
        yield server.url


@dataclass
class Server:
    """A gunicorn serving an app: its base URL and its master's process id."""

    url: str
    master: int

    def drainer(self) -> int | None:
        """The tap drainer beside the workers, if one runs."""
        for pid in children(self.master):
            if "drain" in command_line(pid):
                return pid
        return None

    def workers(self) -> list[int]:
        """The workers (every child of the master but the drainer and the feed poller)."""
        return [
            pid
            for pid in children(self.master)
            if "drain" not in command_line(pid) and "mobility" not in command_line(pid)
        ]


@contextlib.contextmanager
def serving(app: str, env: dict[str, str], workers: int) -> Iterator[Server]:
    """Serve `app` with TapTrail's gunicorn settings, its workers started; yields the Server."""
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
        yield Server(f"http://127.0.0.1:{port}", server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def command_line(pid: int) -> str:
    """A process's command line, words joined by spaces ("" once it is gone)."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """The CPU seconds (user and system) each of these processes has used so far, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two cpu_seconds() readings, by the processes in both."""
    return sum(after[pid] - before[pid] for pid in before if pid in after)


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
    seconds: float  # how long wrk loaded the server
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
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", output)
    requests = int(found.group(1))
    duration = float(found.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[found.group(3)]
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Socket errors:.*|Non-2xx or 3xx responses: \d+", output)
    return WrkResult(requests, duration, per_second, p99, errors.group(0) if errors else "none")
