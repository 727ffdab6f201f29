"""An operator's logo: an SVG or PNG file checked before use, and app icons drawn from it.

An SVG is only ever shown as an image (an <img> of /brand/logo.svg, served under a sandboxing
Content-Security-Policy), never inlined in a page; it is refused anyway when it holds what an
image has no use for (scripts, event handlers, foreign content, outside references, DTDs), so a
file that would be harmful opened on its own never gets served. A PNG is decoded whole by Pillow.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image, ImageDraw, UnidentifiedImageError

from server.errors import N_

MAX_BYTES = 512 * 1024  # a logo larger than this is refused (a brand mark is a few kilobytes)
MAX_SIDE = 4096  # pixels, for a PNG
SVG_NS = "{http://www.w3.org/2000/svg}"
# Elements an image has no use for, and which could run or fetch something.
REFUSED_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video"}
_OUTSIDE = re.compile(r"url\(\s*['\"]?(?!#)|@import", re.IGNORECASE)


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
    kind = kind_of(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise LogoError(
            N_("The logo %(path)s cannot be read (%(reason)s)."),
            {"path": path, "reason": error.strerror or "unreadable"},
        ) from None
    if len(data) > MAX_BYTES:
        raise LogoError(
            N_("The logo %(path)s is over 512 KB: give a smaller file."), {"path": path}
        )
    if kind == "svg":
        _check_svg(data, path)
    else:
        picture(path)  # decoded whole: a broken PNG is refused now, not on a label later
    return path


def _check_svg(data: bytes, path: str) -> None:
    def refused(what: str) -> LogoError:
        return LogoError(
            N_(
                "The logo %(path)s holds %(what)s, which a logo may not: save it as a plain SVG"
                " (no scripts, event handlers or outside links)."
            ),
            {"path": path, "what": what},
        )

    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise refused("<!DOCTYPE>")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise LogoError(
            N_("The logo %(path)s is not a readable SVG file."), {"path": path}
        ) from None
    if root.tag != f"{SVG_NS}svg":
        raise LogoError(N_("The logo %(path)s is not a readable SVG file."), {"path": path})
    for element in root.iter():
        name = str(element.tag).rsplit("}", 1)[-1].lower()
        if name in REFUSED_ELEMENTS:
            raise refused(f"<{name}>")
        if name == "style" and _OUTSIDE.search(element.text or ""):
            raise refused("url()")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise refused(f"{local}=")
            if local == "href" and not value.strip().startswith("#"):
                raise refused(f"href={value.strip()[:40]}")
            if _OUTSIDE.search(value):
                raise refused("url()")


def picture(path: str) -> Image.Image:
    """A PNG logo decoded whole, in RGBA, or LogoError."""
    try:
        with Image.open(path) as opened:
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
def icon(size: int, colour: str, logo: str | None, stamp: float = 0.0) -> bytes:
    """A square PNG app icon: a PNG logo on white, or a white pin on `colour` (an SVG logo,
    which Pillow cannot draw, or none). Everything stays inside the middle 60 %, the maskable
    icon's safe zone. `stamp` (the logo's modification time) renews the cache."""
    if logo and kind_of(logo) == "png":
        image = Image.new("RGB", (size, size), "white")
        mark = picture(logo)
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
