"""An operator's logo: an SVG or PNG file checked before use, and app icons drawn from it.

An SVG is only ever shown as an image (an <img> of /brand/logo.svg, served under a sandboxing
Content-Security-Policy), never inlined in a page; it is refused anyway when it holds what an
image has no use for (scripts, event handlers, foreign content, outside references, DTDs), so a
file that would be harmful opened on its own never gets served. A PNG is decoded whole by Pillow.
"""

from __future__ import annotations

import functools
import io
import os
import re
import stat
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from PIL import Image, ImageDraw, UnidentifiedImageError

from server.errors import N_

MAX_BYTES = 512 * 1024  # a logo larger than this is refused (a brand mark is a few kilobytes)
MAX_SIDE = 4096  # pixels, for a PNG
SVG_NS = "{http://www.w3.org/2000/svg}"
# Elements an image has no use for, and which could run or fetch something.
REFUSED_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video"}
# What in CSS could fetch something: url() of anything but an #id of the file, @import,
# image-set() and src() (which take a bare string), and CSS escapes (u\72l() spells url()).
_OUTSIDE = re.compile(r"url\(\s*['\"]?(?!#)|@import|image-set\(|src\(|\\", re.IGNORECASE)


class LogoError(ValueError):
    """A logo file cannot be used; args are (msgid, params), as the form checks expect."""


def kind_of(path: str) -> str:
    """ "svg" or "png", from the file's name."""
    suffix = Path(path).suffix.lower()
    if suffix in (".svg", ".png"):
        return suffix[1:]
    raise LogoError(
        N_("Give an SVG or PNG file as the logo (%(path)s is neither)."), {"path": path}
    )


def check(path: str) -> str:
    """The logo's path when the file is a usable SVG or PNG, else LogoError saying why."""
    kind_of(path)
    try:
        found = os.stat(path)
    except OSError as error:
        raise _unreadable(path, error) from None
    outcome = _checked(path, found.st_mtime_ns, found.st_size)
    if isinstance(outcome, LogoError):
        raise outcome
    return path


def usable(path: str | None) -> bytes | None:
    """The logo's bytes while the file is still a usable logo, else None (pages then show the
    name alone). Read and checked once per change of the file (its time and size), not per
    request: a logo replaced after it was set is checked again before it is served."""
    if not path:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    outcome = _checked(path, found.st_mtime_ns, found.st_size)
    return None if isinstance(outcome, LogoError) else outcome


@functools.lru_cache(maxsize=16)
def _checked(path: str, stamp: int, size: int) -> bytes | LogoError:
    """The file's bytes once checked, or why it was refused (kept too, so a spoilt logo is not
    read again per request); `stamp` and `size` renew the cache when the file changes."""
    try:
        data = _read(path)
        if kind_of(path) == "svg":
            _check_svg(data, path)
        else:
            _decoded(data, path)  # decoded whole: a broken PNG is refused now, not later
    except LogoError as refused:
        return refused
    return data


def _unreadable(path: str, error: OSError) -> LogoError:
    return LogoError(
        N_("The logo %(path)s cannot be read (%(reason)s)."),
        {"path": path, "reason": error.strerror or "unreadable"},
    )


def _read(path: str) -> bytes:
    """At most MAX_BYTES of a regular file (never a FIFO or device that would never end)."""
    try:
        with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NONBLOCK)) as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise LogoError(
                    N_("The logo %(path)s cannot be read (%(reason)s)."),
                    {"path": path, "reason": "not a regular file"},
                )
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise _unreadable(path, error) from None
    if len(data) > MAX_BYTES:
        raise LogoError(
            N_("The logo %(path)s is over 512 KB: give a smaller file."), {"path": path}
        )
    return data


def _check_svg(data: bytes, path: str) -> None:
    def refused(what: str) -> LogoError:
        return LogoError(
            N_(
                "The logo %(path)s holds %(what)s, which a logo may not: save it as a plain SVG"
                " (no scripts, event handlers or outside links)."
            ),
            {"path": path, "what": what},
        )

    unreadable = LogoError(N_("The logo %(path)s is not a readable SVG file."), {"path": path})

    def doctype(*_: object) -> None:
        raise refused("<!DOCTYPE>")  # entities, external or not: an image needs none

    # expat itself reports a DOCTYPE, in whatever encoding the file is (UTF-16 hid one from a
    # search of the bytes), before ElementTree would expand its entities.
    first = expat.ParserCreate()
    first.StartDoctypeDeclHandler = doctype
    try:
        first.Parse(data, True)
        root = ElementTree.fromstring(data)
    except (expat.ExpatError, ElementTree.ParseError):
        raise unreadable from None
    if root.tag != f"{SVG_NS}svg":
        raise unreadable
    for element in root.iter():
        name = str(element.tag).rsplit("}", 1)[-1].lower()
        if name in REFUSED_ELEMENTS:
            raise refused(f"<{name}>")
        if name == "style" and (found := _OUTSIDE.search("".join(element.itertext()))):
            raise refused(_css(found))
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise refused(f"{local}=")
            if local == "href" and not value.strip().startswith("#"):
                raise refused(f"href={value.strip()[:40]}")
            if found := _OUTSIDE.search(value):
                raise refused(_css(found))


def _css(found: re.Match[str]) -> str:
    """What a refused piece of CSS is, as the refusal names it."""
    said = found.group(0)
    if said.lower().startswith("url"):
        return "url()"
    return "\\ (a CSS escape)" if said == "\\" else said


def _decoded(data: bytes, path: str) -> Image.Image:
    """A PNG logo decoded whole, in RGBA, or LogoError."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format != "PNG":
                raise LogoError(N_("The logo %(path)s is not a PNG file."), {"path": path})
            if max(opened.size) > MAX_SIDE:
                raise LogoError(
                    N_("The logo %(path)s is over 4096 pixels wide or high: make it smaller."),
                    {"path": path},
                )
            opened.load()
            return opened.convert("RGBA")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise LogoError(N_("The logo %(path)s is not a PNG file."), {"path": path}) from None


@functools.lru_cache(maxsize=16)
def icon(size: int, colour: str, png: bytes | None) -> bytes:
    """A square PNG app icon: a checked PNG logo (see usable) on white, or a white pin on
    `colour` (an SVG logo, which Pillow cannot draw, or none). Everything stays inside the
    middle 60 %, the maskable icon's safe zone."""
    if png is not None:
        image = Image.new("RGB", (size, size), "white")
        mark = _decoded(png, "")
        mark.thumbnail((round(size * 0.6), round(size * 0.6)), Image.Resampling.LANCZOS)
        image.paste(mark, ((size - mark.width) // 2, (size - mark.height) // 2), mark)
    else:
        image = Image.new("RGB", (size, size), colour)
        draw = ImageDraw.Draw(image)
        unit = size / 10
        draw.ellipse((3.2 * unit, 2.2 * unit, 6.8 * unit, 5.8 * unit), fill="white")
        draw.polygon(
            [(3.45 * unit, 4.7 * unit), (6.55 * unit, 4.7 * unit), (5 * unit, 7.8 * unit)],
            fill="white",
        )
        draw.ellipse((4.3 * unit, 3.3 * unit, 5.7 * unit, 4.7 * unit), fill=colour)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()
