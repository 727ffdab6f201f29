"""The signing keyring: one active key signs, older keys still verify, revoked keys are refused.

A keyring is JSON, kept in a file (TAPTRAIL_SIGNING_KEYS_FILE) or an environment variable
(TAPTRAIL_SIGNING_KEYS), never in the repository:

    {"keys": [{"kid": "1", "state": "verify", "secret": "<base64url, 32 bytes>"},
              {"kid": "2", "state": "active", "secret": "..."}]}
"""

from __future__ import annotations

import base64
import enum
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from tags import crockford

ENV_JSON = "TAPTRAIL_SIGNING_KEYS"
ENV_FILE = "TAPTRAIL_SIGNING_KEYS_FILE"
MAX_KEYS = 32  # one base32 symbol of key id
SECRET_BYTES = 32
MIN_SECRET_BYTES = 16


class KeyringError(Exception):
    """The keyring is missing, unreadable or would become invalid."""


class KeyState(enum.StrEnum):
    """Life cycle of a signing key."""

    ACTIVE = "active"
    VERIFY = "verify"
    REVOKED = "revoked"


@dataclass(frozen=True)
class SigningKey:
    """One HMAC key of the keyring."""

    kid: int
    secret: bytes
    state: KeyState

    @property
    def name(self) -> str:
        """The key id as written in codes and in the keyring file."""
        return crockford.encode(self.kid, 1)

    def __repr__(self) -> str:  # never print a secret, even by accident
        return f"SigningKey(kid={self.name!r}, state={self.state.value!r})"


@dataclass(frozen=True)
class Keyring:
    """An immutable set of signing keys with exactly one active key."""

    keys: tuple[SigningKey, ...]

    def __post_init__(self) -> None:
        active = [key for key in self.keys if key.state is KeyState.ACTIVE]
        if len(active) != 1:
            raise KeyringError(
                f"a keyring needs exactly one active key, this one has {len(active)}"
            )
        kids = [key.kid for key in self.keys]
        if len(set(kids)) != len(kids):
            raise KeyringError("two keys share a key id")

    @property
    def active(self) -> SigningKey:
        """The key that signs new codes."""
        return next(key for key in self.keys if key.state is KeyState.ACTIVE)

    def get(self, kid: int) -> SigningKey | None:
        """The key with this id, or None."""
        return next((key for key in self.keys if key.kid == kid), None)

    def by_name(self, name: str) -> SigningKey:
        """The key named by its base32 symbol, or KeyringError."""
        try:
            kid = crockford.decode(name)
        except crockford.DecodeError:
            kid = -1
        key = self.get(kid) if len(name) == 1 else None
        if key is None:
            known = ", ".join(k.name for k in self.keys)
            raise KeyringError(f"there is no key {name!r}; the keyring holds {known}")
        return key

    # --- life cycle -------------------------------------------------------------------------

    @classmethod
    def create(cls) -> Keyring:
        """A new keyring with one fresh active key."""
        return cls((SigningKey(1, secrets.token_bytes(SECRET_BYTES), KeyState.ACTIVE),))

    def rotate(self) -> Keyring:
        """A new active key signs from now on; the old one keeps verifying existing stickers."""
        used = {key.kid for key in self.keys}
        # Key ids are never reused, so a revoked key can never come back to life.
        free = [kid for kid in range(1, MAX_KEYS) if kid not in used]
        if not free:
            raise KeyringError(f"all {MAX_KEYS - 1} key ids are used; start a new keyring")
        demoted = tuple(
            replace(key, state=KeyState.VERIFY) if key.state is KeyState.ACTIVE else key
            for key in self.keys
        )
        fresh = SigningKey(free[0], secrets.token_bytes(SECRET_BYTES), KeyState.ACTIVE)
        return Keyring((*demoted, fresh))

    def revoke(self, name: str) -> Keyring:
        """Refuse every code signed with this key from now on."""
        key = self.by_name(name)
        if key.state is KeyState.ACTIVE:
            raise KeyringError(f"key {name} is the active key; rotate first, then revoke it")
        return Keyring(
            tuple(replace(k, state=KeyState.REVOKED) if k is key else k for k in self.keys)
        )

    # --- storage ----------------------------------------------------------------------------

    def to_json(self) -> str:
        """Serialize, secrets included: write only to a protected file."""
        keys = [
            {
                "kid": key.name,
                "state": key.state.value,
                "secret": base64.urlsafe_b64encode(key.secret).decode(),
            }
            for key in self.keys
        ]
        return json.dumps({"keys": keys}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "keyring") -> Keyring:
        """Parse the JSON form, with errors that name the source and the bad entry."""
        try:
            data = json.loads(text)
            entries = data["keys"]
            keys = []
            for index, entry in enumerate(entries):
                where = f"{source}: key #{index + 1}"
                name = entry["kid"]
                if not isinstance(name, str) or len(name) != 1:
                    raise KeyringError(f"{where}: kid must be one base32 symbol, not {name!r}")
                secret = base64.urlsafe_b64decode(entry["secret"])
                if len(secret) < MIN_SECRET_BYTES:
                    raise KeyringError(f"{where}: the secret must be at least 16 bytes")
                keys.append(SigningKey(crockford.decode(name), secret, KeyState(entry["state"])))
        except KeyringError:
            raise
        except (ValueError, KeyError, TypeError, crockford.DecodeError) as error:
            raise KeyringError(f"{source} is not a valid keyring ({error})") from None
        return cls(tuple(keys))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Keyring:
        """Read a keyring file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise KeyringError(f"cannot read the keyring {path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise KeyringError(f"{path} is not a keyring (not UTF-8 text)") from None
        return cls.from_json(text, source=str(path))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the keyring atomically, readable by its owner only."""
        target = Path(path)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(self.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Keyring:
        """Load from TAPTRAIL_SIGNING_KEYS (JSON) or TAPTRAIL_SIGNING_KEYS_FILE (a path)."""
        environ = os.environ if environ is None else environ
        if environ.get(ENV_JSON):
            return cls.from_json(environ[ENV_JSON], source=ENV_JSON)
        if environ.get(ENV_FILE):
            return cls.load(environ[ENV_FILE])
        raise KeyringError(
            f"no signing keys: set {ENV_FILE} to a keyring file "
            f"(create one with 'taptrail keys create --file PATH') or {ENV_JSON} to its JSON"
        )
