"""Photos people upload: type and size checked, turned upright, resized, metadata stripped.

Only JPEG, PNG and WebP are read (by their content, not their name). The stored file is a new
JPEG drawn from the pixels alone: no EXIF (camera, GPS position, date), no XMP, no ICC profile.
Files get random names under the media folder; the database row says whose photo it is.
"""

from __future__ import annotations

import io
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import N_, Problem

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 7700 x 5200: more than any phone; refuses decompression bombs
LONGEST_SIDE = 1600
ACCEPTED = ("JPEG", "PNG", "WEBP")
NAME_CHARS = 32


@dataclass(frozen=True)
class Processed:
    """A photo ready to store."""

    data: bytes
    width: int
    height: int


def process(data: bytes) -> Processed:
    """Check and re-encode an uploaded photo, or Problem saying what to send instead."""
    if not data:
        raise Problem(N_("Choose a photo to send."), field="photo")
    if len(data) > MAX_BYTES:
        raise Problem(
            N_("This photo is larger than %(limit)d MB. Choose a smaller one."),
            field="photo",
            limit=MAX_BYTES // (1024 * 1024),
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in ACCEPTED:
                raise _wrong_type()
            if width * height > MAX_PIXELS:
                raise Problem(
                    N_("This photo has too many pixels. Choose a smaller one."), field="photo"
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            picture = _flattened(upright)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _wrong_type() from None
    picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=85, optimize=True, progressive=True)
    return Processed(output.getvalue(), picture.width, picture.height)


def _wrong_type() -> Problem:
    return Problem(
        N_("This file is not a photo we can read. Send a JPEG, PNG or WebP picture."),
        field="photo",
    )


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparent parts become white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def store(directory: str | os.PathLike[str], photo: Processed) -> str:
    """Write the photo under a new random name; returns the name."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(NAME_CHARS // 2)}.jpg"
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(photo.data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def is_name(name: str) -> bool:
    """Whether `name` is one this module makes (nothing else is ever served)."""
    stem, _, ext = name.partition(".")
    return ext == "jpg" and len(stem) == NAME_CHARS and all(c in "0123456789abcdef" for c in stem)


def remove(directory: str | os.PathLike[str], name: str) -> None:
    """Delete a stored photo (gone already is fine)."""
    if is_name(name):
        (Path(directory) / name).unlink(missing_ok=True)
