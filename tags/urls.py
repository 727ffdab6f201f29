"""Tap URLs: base + "/" + code, optionally followed by the NTAG mirror placeholder.

With the mirror on, the chip overwrites the placeholder at every tap with its UID (14 hex
characters), its read counter (6 hex characters), or both joined by "x" (21 characters):

    https://t.example.org/1000001ABCDEFGHJKMN?M=04E141124C2880x003F31
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tags.chipconfig import MirrorConf

MIRROR_PARAM = "M"
UID_CHARS = 14
COUNTER_CHARS = 6
SEPARATOR = "x"
# Written on the sticker and overwritten by the chip. A real UID never reads as zeros, so a
# value that is still all zeros means "this reader or label did not mirror".
PLACEHOLDER_CHAR = "0"


class MirrorMode(enum.StrEnum):
    """What the chip mirrors into the URL."""

    UID = "uid"
    COUNTER = "counter"
    BOTH = "both"

    @property
    def length(self) -> int:
        """Characters the chip writes."""
        return {
            MirrorMode.UID: UID_CHARS,
            MirrorMode.COUNTER: COUNTER_CHARS,
            MirrorMode.BOTH: UID_CHARS + 1 + COUNTER_CHARS,
        }[self]

    @property
    def conf(self) -> MirrorConf:
        """The matching MIRROR_CONF value."""
        return MirrorConf[self.name]

    @property
    def placeholder(self) -> str:
        """The characters written on the sticker for the chip to overwrite."""
        if self is MirrorMode.BOTH:
            return PLACEHOLDER_CHAR * UID_CHARS + SEPARATOR + PLACEHOLDER_CHAR * COUNTER_CHARS
        return PLACEHOLDER_CHAR * self.length


class UrlError(ValueError):
    """A base URL or a mirrored value is not usable."""


@dataclass(frozen=True)
class MirrorValue:
    """What a chip mirrored: its 7-byte UID and/or its 24-bit read counter."""

    uid: bytes | None = None
    counter: int | None = None

    @property
    def uid_hex(self) -> str | None:
        """The UID as upper-case hex, as the chip writes it."""
        return None if self.uid is None else self.uid.hex().upper()


def check_base(base: str) -> str:
    """Return the base URL without a trailing slash, or raise UrlError."""
    parts = urlsplit(base)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise UrlError(f"the base URL {base!r} must look like https://t.example.org")
    if parts.query or parts.fragment:
        raise UrlError(f"the base URL {base!r} must not have a query or fragment")
    return base.rstrip("/")


def check_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL with a host and no spaces, or raise UrlError.

    A phone opens only such a URL from a sticker; anything else would be written all the same.
    """
    try:
        host = urlsplit(url).hostname
        scheme = urlsplit(url).scheme
    except ValueError:  # a bracketed host that is not an IPv6 address
        host = scheme = None
    if scheme not in ("https", "http") or not host or any(c.isspace() for c in url):
        raise UrlError(
            f"{url!r} is not a web address: give a whole URL with its host and no spaces, "
            "like https://t.example.org/1000C1SS9CG22JXH6EK"
        )
    return url


def tap_url(base: str, code: str, mirror: MirrorMode | None = None) -> str:
    """Build the URL written on a sticker (with the mirror placeholder when `mirror` is set)."""
    url = f"{check_base(base)}/{code}"
    if mirror is not None:
        url += f"?{MIRROR_PARAM}={mirror.placeholder}"
    return url


_HEX = re.compile(r"[0-9A-Fa-f]+")


def _hex_field(text: str, name: str) -> bytes:
    if not _HEX.fullmatch(text):
        raise UrlError(f"the mirrored {name} {text!r} is not hexadecimal")
    return bytes.fromhex(text)


def parse_mirror(value: str) -> MirrorValue | None:
    """Decode a mirrored value; None if it is still the placeholder; UrlError if malformed."""
    if value in {mode.placeholder for mode in MirrorMode}:
        return None
    if len(value) == UID_CHARS + 1 + COUNTER_CHARS:
        uid_text, sep, counter_text = (
            value[:UID_CHARS],
            value[UID_CHARS],
            value[UID_CHARS + 1 :],
        )
        if sep.lower() != SEPARATOR:
            raise UrlError(f"the mirrored value {value!r} lacks the 'x' between UID and counter")
        uid = _hex_field(uid_text, "UID")
        counter = int.from_bytes(_hex_field(counter_text, "counter"), "big")
        return MirrorValue(uid=uid, counter=counter)
    if len(value) == UID_CHARS:
        return MirrorValue(uid=_hex_field(value, "UID"))
    if len(value) == COUNTER_CHARS:
        return MirrorValue(counter=int.from_bytes(_hex_field(value, "counter"), "big"))
    raise UrlError(
        f"a mirrored value has {UID_CHARS}, {COUNTER_CHARS} or {UID_CHARS + 1 + COUNTER_CHARS} "
        f"characters, not {len(value)}"
    )
