"""One HTTP GET of a feed file: conditional (ETag, Last-Modified), bounded in time and in size.

A feed is an outside party's server: it may be slow, trickle bytes, send 50 MB or lie about its
length. A request ends at its deadline whatever the server does, a body past the size limit is
dropped as soon as the limit is crossed, and nothing about the visitors is sent (no cookie, a
plain User-Agent naming TapTrail).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

USER_AGENT = "TapTrail feed poller (+https://taptrail.invalid/feeds)"
CHUNK = 64 * 1024


class FetchError(Exception):
    """The file could not be had: the message says why, for the operator."""


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the version of a file, to ask it again conditionally."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The request headers that make a GET conditional."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Fetched:
    """A file's body (None: not modified since the validators given) and its new validators."""

    body: bytes | None
    validators: Validators


class Fetcher:
    """Fetches feed files with one connection pool, a deadline and a size limit per file."""

    def __init__(self, *, timeout: float = 10.0, max_bytes: int = 5_000_000) -> None:
        self.timeout, self.max_bytes = timeout, max_bytes
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.trust_env = False  # no proxy or .netrc credentials taken from the host

    def get(self, url: str, validators: Validators | None = None) -> Fetched:
        """GET `url`, conditionally when `validators` are given; raise FetchError on failure."""
        deadline = time.monotonic() + self.timeout
        headers = {"Accept-Encoding": "gzip, deflate", **(validators or Validators()).headers()}
        try:
            with self.session.get(
                url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=True
            ) as response:
                if response.status_code == 304 and validators is not None:
                    return Fetched(None, validators)
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code} from {url}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"{url} is {int(declared):,} bytes, over {self.max_bytes:,}")
                body = self._read(response, url, deadline)
                found = Validators(
                    response.headers.get("ETag"), response.headers.get("Last-Modified")
                )
                return Fetched(body, found)
        except requests.Timeout:
            raise FetchError(f"{url} did not answer within {self.timeout:g} s") from None
        except requests.RequestException as error:
            raise FetchError(f"cannot fetch {url}: {type(error).__name__}") from None

    def _read(self, response: requests.Response, url: str, deadline: float) -> bytes:
        """The body, decompressed, refused past the size limit or the deadline.

        read1 returns whatever has arrived, so a server trickling a byte at a time is cut off
        at the deadline rather than after it has filled a whole chunk.
        """
        parts, size = [], 0
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} sent more than {self.max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took more than {self.timeout:g} s to send")
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()
