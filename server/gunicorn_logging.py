"""gunicorn's logger for TapTrail: no IP address reaches its error log or its access log.

gunicorn writes the client's address in some messages of its own ("Invalid request from
ip=..." for a malformed request, the proxy's address when it refuses one). TapTrail never logs
an address, so every line these logs write is stripped of IPv4 and IPv6 addresses, after
formatting (tracebacks and the request line included). Used with `logger_class` in
server/gunicorn_conf.py.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any

from gunicorn.glogging import Logger

HIDDEN = "[address]"
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?![\w:])"
)


def _hidden(match: re.Match[str]) -> str:
    try:
        ipaddress.ip_address(match.group())
    except ValueError:
        return match.group()  # a time (12:30:05) or a version number, not an address
    return HIDDEN


def without_addresses(text: str) -> str:
    """`text` with every IP address replaced by HIDDEN."""
    return _IPV4.sub(_hidden, _IPV6.sub(_hidden, text))


class AddressFreeFormatter(logging.Formatter):
    """Another formatter's lines, with the addresses taken out."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line, without addresses."""
        return without_addresses(self.inner.format(record))


class AddressFreeLogger(Logger):
    """gunicorn's Logger whose error and access logs never write an IP address."""

    def setup(self, cfg: Any) -> None:
        """Set up gunicorn's handlers (again at each reload), then wrap their formatters."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not isinstance(handler.formatter, AddressFreeFormatter):
                    handler.setFormatter(AddressFreeFormatter(handler.formatter))
