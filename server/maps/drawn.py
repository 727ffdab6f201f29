"""Street maps as images of our own: the page names what to draw in a signed URL, and the
picture is drawn once and kept on disk, under a bounded number of files.

The URL says everything the drawing needs (territory and map version, frame, markers, the
visitor's place, whether to route between the markers), so any app server can draw it, and the
picture never changes under its URL (a new import changes the version, hence the URL). It is
signed with the app's secret key: nobody can make the server draw, or fill its cache with,
maps that no page of ours shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import orjson
from flask import current_app, url_for

from server.services.geo import METRES_PER_DEGREE

DIGITS = 6  # ~0.1 m for the centre; markers are kept to the decimetre (a tenth of a pixel)
PRUNE_EVERY = 50  # drawings stored between two looks at the cache's size


@dataclass(frozen=True)
class MapSpec:
    """What one map picture shows."""

    territory_id: int
    version: str  # the territory's map version ("" when none was imported)
    center: tuple[float, float]
    span_m: float
    width: int
    height: int
    markers: tuple[tuple[int, float, float], ...] = ()  # number (0: none), latitude, longitude
    here: tuple[float, float] | None = None
    routed: bool = False  # draw the walk between the markers, in their order, over the streets
    from_here: bool = False  # draw the way on foot from `here` to the (first) marker

    def token(self) -> str:
        """The spec as the signed text of its URL."""
        center = (round(self.center[0], DIGITS), round(self.center[1], DIGITS))
        raw = orjson.dumps(
            [
                self.territory_id,
                self.version,
                list(center),
                round(self.span_m, 1),
                self.width,
                self.height,
                [[n, *_offset(center, lat, lon)] for n, lat, lon in self.markers],
                [round(v, DIGITS) for v in self.here] if self.here else None,
                # One number for both, so URLs made before `from_here` still read.
                int(self.routed) | (2 if self.from_here else 0),
            ]
        )
        # Compressed: the markers' numbers and digits repeat (60 markers: ~600 bytes, not 1300).
        body = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode()
        return f"{body}.{_signature(body)}"


def _offset(center: tuple[float, float], latitude: float, longitude: float) -> list[int]:
    """A position as decimetres north and east of the centre: half as long as degrees."""
    per_lon = METRES_PER_DEGREE * math.cos(math.radians(center[0]))
    return [
        round((latitude - center[0]) * METRES_PER_DEGREE * 10),
        round((longitude - center[1]) * per_lon * 10),
    ]


def _position(center: tuple[float, float], north_dm: int, east_dm: int) -> tuple[float, float]:
    per_lon = METRES_PER_DEGREE * math.cos(math.radians(center[0]))
    return center[0] + north_dm / 10 / METRES_PER_DEGREE, center[1] + east_dm / 10 / per_lon


def _signature(body: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, b"map:" + body.encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode()


def url(spec: MapSpec) -> str:
    """Where the picture of `spec` is served (server.visitor.maps)."""
    return url_for("maps.picture", token=spec.token())


def parse(token: str) -> MapSpec | None:
    """The spec a URL's token names, or None when it is not one we signed."""
    body, _, signature = token.partition(".")
    if not body or not hmac.compare_digest(signature.encode(), _signature(body).encode()):
        return None
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        raw = orjson.loads(zlib.decompress(packed))
        tid, version, center, span, width, height, markers, here, routed = raw
        return MapSpec(
            int(tid),
            str(version),
            (float(center[0]), float(center[1])),
            float(span),
            int(width),
            int(height),
            tuple(
                (int(n), *_position((center[0], center[1]), north, east))
                for n, north, east in markers
            ),
            (float(here[0]), float(here[1])) if here else None,
            bool(int(routed) & 1),
            bool(int(routed) & 2),
        )
    except (ValueError, TypeError, zlib.error):  # signed by us: only an older format lands here
        return None


class PictureCache:
    """Drawings kept as files, at most `limit` of them: the oldest go first."""

    def __init__(self, directory: str | os.PathLike[str], limit: int) -> None:
        self.directory, self.limit = Path(directory), limit
        self._stored = 0
        self._lock = threading.Lock()

    def _path(self, token: str) -> Path:
        return self.directory / f"{hashlib.sha256(token.encode()).hexdigest()[:32]}.svg"

    def load(self, token: str) -> bytes | None:
        """The kept drawing, or None; a drawing read is kept longer (pruning goes by age)."""
        path = self._path(token)
        try:
            picture = path.read_bytes()
            os.utime(path)
        except FileNotFoundError:
            return None
        return picture

    def store(self, token: str, picture: bytes) -> None:
        """Keep a drawing; now and then, remove the oldest beyond the limit."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(picture)
            os.replace(temporary, self._path(token))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        with self._lock:
            self._stored += 1
            due = self._stored % PRUNE_EVERY == 1
        if due:
            self.prune()

    def prune(self) -> int:
        """Remove the least recently used drawings beyond the limit; how many went."""
        found = []
        for entry in os.scandir(self.directory):
            if entry.name.endswith(".svg"):
                try:
                    found.append((entry.stat().st_mtime, entry.path))
                except FileNotFoundError:  # another process pruned it
                    continue
        extra = len(found) - self.limit
        if extra <= 0:
            return 0
        # Down to nine tenths of the limit, so that pruning does not run at every drawing.
        extra += self.limit // 10
        for _, path in sorted(found)[:extra]:
            Path(path).unlink(missing_ok=True)
        return extra


def pictures() -> PictureCache:
    """This app's kept drawings."""
    return current_app.extensions["taptrail.maps"]
