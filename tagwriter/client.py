"""The tap server's field API (token scope "encode"): batches, registrations, verdicts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from tags.ntag424.keys import StickerKeys
from tagwriter.errors import TagwriterError

SERVER_ENV = "TAGWRITER_SERVER"
TOKEN_ENV = "TAGWRITER_TOKEN"
TOKEN_FILE_ENV = "TAGWRITER_TOKEN_FILE"
TIMEOUT = 5.0  # seconds; a field laptop on a phone's hotspot can be slow, but not slower
NEW_TOKEN = "ask an administrator for one made with 'taptrail tokens create --scope encode'"


class ServerError(TagwriterError):
    """The server refused a request; the message is the server's, with its next step."""


class ServerUnreachable(ServerError):
    """The server does not answer (or fails): worth trying again later."""


class TokenRefused(ServerError):
    """The token is unknown, revoked, or may not encode."""


def read_token(token: str | None, token_file: Path | None) -> str | None:
    """The token given, else the one in `token_file` (or TAGWRITER_TOKEN_FILE)."""
    if token:
        return token.strip()
    path = token_file or (
        Path(os.environ[TOKEN_FILE_ENV]) if os.environ.get(TOKEN_FILE_ENV) else None
    )
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        message = f"cannot read the token file {path} ({error.strerror}): {NEW_TOKEN}"
        raise TokenRefused(message) from None


class Client:
    """Calls to one server with one token."""

    def __init__(self, server: str, token: str | None, timeout: float = TIMEOUT) -> None:
        parts = urlsplit(server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ServerError(
                f"{server!r} is no server address: give one like https://t.example.org"
            )
        if not token:
            raise TokenRefused(f"no API token: give --token or set {TOKEN_ENV}; {NEW_TOKEN}")
        self.server = server.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **options: Any) -> requests.Response:
        url = f"{self.server}/api/v1{path}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **options)
        except requests.RequestException as error:
            reason = type(error).__name__
            raise ServerUnreachable(
                f"the server at {self.server} does not answer ({reason}): check the address "
                "and the network; registrations wait in the journal for 'tagwriter sync'"
            ) from None
        if response.status_code < 400:
            return response
        message = _message(response)
        if response.status_code in (401, 403):
            raise TokenRefused(f"the server refused the token: {message}")
        if response.status_code >= 500:
            raise ServerUnreachable(f"the server failed ({response.status_code}): {message}")
        raise ServerError(f"the server said no ({response.status_code}): {message}")

    def batch(self, batch_id: int) -> dict[str, Any]:
        """The manifest of a batch."""
        return self._call("GET", f"/batches/{batch_id}").json()

    def stickers(self, batch_id: int) -> list[dict[str, Any]]:
        """Each sticker of a batch with its status and UID."""
        return self._call("GET", f"/batches/{batch_id}/stickers").json()["items"]

    def register(self, code: str, uid: str, chip: str, encoded_at: str) -> int:
        """Register a written sticker: 201 new, 200 already so."""
        body = {"code": code, "uid": uid, "chip": chip, "encoded_at": encoded_at}
        return self._call("POST", "/registrations", json=body).status_code

    def release(self, code: str, uid: str | None) -> dict[str, Any]:
        """Give up a code begun on a sticker that never came back; the server retires it."""
        return self._call("POST", "/releases", json={"code": code, "uid": uid}).json()

    def sun_keys(self, code: str, uid: str, reset: bool = False) -> StickerKeys:
        """The application keys of the NTAG 424 DNA `uid` that is to hold `code` (that holds
        it and is to be reset, with `reset`)."""
        body = {"code": code, "uid": uid, **({"reset": True} if reset else {})}
        answer = self._call("POST", "/sun-keys", json=body).json()
        try:
            keys = tuple(bytes.fromhex(key) for key in answer["keys"])
            return StickerKeys(keys, int(answer["version"]))
        except (KeyError, TypeError, ValueError):
            raise ServerError(
                "the server's answer holds no NTAG 424 DNA keys: check the server address"
            ) from None

    def reset(self, code: str, uid: str) -> dict[str, Any]:
        """Say that the NTAG 424 DNA `uid` was reset: its code is retired, the chip unbound."""
        return self._call("POST", "/resets", json={"code": code, "uid": uid}).json()

    def verdict(self, url: str) -> dict[str, Any]:
        """The server's verdict on a URL read from a sticker."""
        return self._call("GET", "/verdict", params={"url": url}).json()


def _message(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}, not the TapTrail API: check the server address"
