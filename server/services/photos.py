"""Photos people upload: type and size checked, turned upright, resized, metadata stripped.

Only JPEG, PNG and WebP are read (by their content, not their name). The stored file is a new
JPEG drawn from the pixels alone: no EXIF (camera, GPS position, date), no XMP, no ICC profile.
Files get random names under the media folder; the database row says whose photo it is.

A few hundred kilobytes of PNG can say 6300 x 6300 pixels: 160 MB once decoded, several times
that while it is converted. So the size the file declares is checked before any pixel is
decoded, a JPEG is decoded at the reduced scale the thumbnail needs (Image.draft), and what is
decoded in full (PNG, WebP) must fit DECODED_PIXELS. Of an animation, only the first frame.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from server.errors import N_, Problem

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # what a file may declare: a 24-megapixel phone photo (5712 x 4284)
DECODED_PIXELS = 12_000_000  # what may be decoded in full: a 4000 x 3000 PNG or WebP
LONGEST_SIDE = 1600
READERS = ("JPEG", "PNG", "WEBP")  # Pillow reads MPO (a JPEG with more pictures) as JPEG
ACCEPTED = (*READERS, "MPO")
NAME_CHARS = 32

# Pillow's own guard, for every image this process opens (its default is 89 million).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


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
        with _opened(data) as probe:
            probe.verify()
        with _opened(data) as image:
            if image.format in ("JPEG", "MPO"):  # decode at 1/2, 1/4 or 1/8 scale if that will do
                image.draft("RGB", _thumbnail_size(image.size))
            if image.width * image.height > DECODED_PIXELS:
                raise _too_many_pixels(DECODED_PIXELS)
            image.load()  # the first frame only
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
            picture = _flattened(ImageOps.exif_transpose(image))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _wrong_type() from None
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=85, optimize=True, progressive=True)
    return Processed(output.getvalue(), picture.width, picture.height)


@contextlib.contextmanager
def _opened(data: bytes) -> Iterator[Image.Image]:
    """The image with only its header read, or Problem if it declares too many pixels.

    Pillow itself refuses twice MAX_IMAGE_PIXELS, and warns past it (logged; an error where
    warnings are errors, as in the tests): the size is checked here either way.
    """
    try:
        image = Image.open(io.BytesIO(data), formats=READERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(MAX_PIXELS) from None
    with image:
        if image.format not in ACCEPTED:
            raise _wrong_type()
        if image.width * image.height > MAX_PIXELS:
            raise _too_many_pixels(MAX_PIXELS)
        yield image


def _thumbnail_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size the thumbnail will have (the draft may not go below it)."""
    scale = min(1.0, LONGEST_SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _too_many_pixels(limit: int) -> Problem:
    return Problem(
        N_("This photo has more than %(limit)d million pixels. Send a smaller one."),
        field="photo",
        limit=limit // 1_000_000,
    )


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
