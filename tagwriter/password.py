"""Per-sticker passwords: HMAC-SHA256(secret, UID), so one opened sticker reveals no other.

The 6 bytes are PWD (4) then PACK (2), the format nfcpy's NTAG21x protect() and
authenticate() take, so nfcpy alone can authenticate with a derived password too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from tagwriter.errors import TagwriterError

SECRET_ENV = "TAGWRITER_SECRET"
SECRET_FILE_ENV = "TAGWRITER_SECRET_FILE"
MIN_SECRET_BYTES = 16
_DOMAIN = b"taptrail-ntag21x-password/1"
HOW = f"give --secret-file, or set {SECRET_ENV} or {SECRET_FILE_ENV}"


class SecretError(TagwriterError):
    """The password secret is missing or too short."""


def sticker_password(secret: bytes, uid: bytes) -> bytes:
    """The 6-byte nfcpy password (PWD then PACK) of the sticker with this UID."""
    return hmac.new(secret, _DOMAIN + bytes(uid), hashlib.sha256).digest()[:6]


def load_secret(path: Path | None = None) -> bytes | None:
    """The secret from `path`, else TAGWRITER_SECRET_FILE, else TAGWRITER_SECRET; or None."""
    path = path or (Path(os.environ[SECRET_FILE_ENV]) if os.environ.get(SECRET_FILE_ENV) else None)
    if path is not None:
        try:
            secret = path.read_bytes().strip()
        except OSError as error:
            message = f"cannot read the secret file {path} ({error.strerror}): {HOW}"
            raise SecretError(message) from None
    elif os.environ.get(SECRET_ENV):
        secret = os.environ[SECRET_ENV].strip().encode()
    else:
        return None
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(
            f"the password secret has {len(secret)} bytes, fewer than {MIN_SECRET_BYTES}: "
            "make a longer one, e.g. with 'openssl rand -hex 32'"
        )
    return secret
