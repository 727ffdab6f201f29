"""gunicorn settings for TapTrail: `gunicorn -c python:server.gunicorn_conf 'server:create_app()'`.

The access log leaves out the client address (%(h)s) and the user agent, and the logger takes
any other address out of both logs: TapTrail never writes an IP address anywhere, logs included.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable

bind = os.environ.get("TAPTRAIL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TAPTRAIL_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("TAPTRAIL_THREADS", 1))
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("TAPTRAIL_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
# Honour X-Forwarded-* only from these proxies (TAPTRAIL_PROXY_FIX sets how many hops to trust).
forwarded_allow_ips = os.environ.get("TAPTRAIL_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's own messages name the client ("Invalid request from ip=..."): this logger takes
# every address out of the error and access logs.
logger_class = "server.gunicorn_logging.AddressFreeLogger"
# No control socket (gunicorn 25.1+): TapTrail does not use gunicornc, and its default path is
# one per user, which two instances under one user would take from each other.
control_socket_disable = True

# Taps are drained into the database by one drainer process per host, at the lowest CPU
# priority (nice 19), rather than by a thread in every worker: under full load the workers
# answer taps first and the drainer catches up once they idle (the taps wait, durable, in the
# spool; `python -m bench.tap` prints how long the catching up takes). At nice 10 it still
# drained most taps during a load test, with CPU time the workers were waiting for.
# TAPTRAIL_DRAIN_PROCESS=0 keeps the per-worker threads instead.
# The master supervises the drainer (server/taps/supervisor.py): it is started again within
# seconds whenever it dies, and it dies with the master.
_drainer = None
_poller = None
if os.environ.get("TAPTRAIL_DRAIN_PROCESS", "1") != "0":
    os.environ["TAPTRAIL_DRAIN_THREAD"] = "false"  # the workers inherit this

CHECK_SECONDS = 1.0  # how often the master looks at the drainer and the poller


def _drainer_command(master: int) -> Callable[[int], list[str]]:
    def command(restarts: int) -> list[str]:
        return [
            sys.executable,
            *("-m", "server.background", "drain", "--follow"),
            *("--parent", str(master), "--restarts", str(restarts)),
        ]

    return command


def on_starting(server: object) -> None:
    """Refuse to start, in one sentence, when a setting is unusable (say, an unreadable keyring).

    gunicorn prints a RuntimeError raised here as "Error: ..." and exits with status 1; the
    same error raised in each worker would print a traceback per worker instead.
    """
    from server import check_settings
    from server.config import ConfigError

    try:
        check_settings()
    except ConfigError as error:
        raise RuntimeError(str(error)) from None


def _poller_command(master: int) -> Callable[[int], list[str]]:
    def command(restarts: int) -> list[str]:
        return [
            sys.executable,
            *("-m", "server.background", "mobility", "poll", "--follow"),
            *("--parent", str(master), "--restarts", str(restarts)),
        ]

    return command


def _check_all() -> None:
    for supervised in (_drainer, _poller):
        if supervised is not None:
            supervised.check()


def when_ready(server: object) -> None:
    """Start the drainer and the feed poller beside the workers; look at them every second."""
    global _drainer, _poller
    from server.taps.supervisor import Supervisor

    if os.environ.get("TAPTRAIL_DRAIN_PROCESS", "1") != "0":
        _drainer = Supervisor("tap drainer", _drainer_command(os.getpid()), nice=19)
        _drainer.start()
    # The live mobility feeds (docs/mobility.md): one poller per host, supervised the same way.
    if os.environ.get("TAPTRAIL_MOBILITY_FEEDS") and os.environ.get("TAPTRAIL_POLL_PROCESS") != "0":
        _poller = Supervisor("feed poller", _poller_command(os.getpid()), nice=10)
        _poller.start()
    if _drainer is None and _poller is None:
        return
    # A timer signal rather than a thread: the master forks workers, which a thread holding a
    # lock at that moment could deadlock. Children inherit no timer (fork clears it).
    signal.signal(signal.SIGALRM, lambda *_: _check_all())
    signal.setitimer(signal.ITIMER_REAL, CHECK_SECONDS, CHECK_SECONDS)


def post_fork(server: object, worker: object) -> None:
    """A worker takes no part in supervising the drainer."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


def post_worker_init(worker: object) -> None:
    """Take what the worker loaded (modules, models, the app) out of the collector's sight.

    Those objects live as long as the worker. Without this, the first full collection walks all
    of them (about 90,000 for TapTrail): a pause of some 60 ms of CPU a few seconds after each
    worker starts, which a visitor or a benchmark pays. gc.freeze() is what Python's documentation
    advises for pre-fork servers; later collections only look at objects made by requests.
    """
    import gc

    gc.freeze()


def on_exit(server: object) -> None:
    """Stop supervising, then stop the poller and the drainer; it drains once more first."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    if _poller is not None:
        _poller.stop(timeout=15)
    if _drainer is not None:
        _drainer.stop(timeout=30)
