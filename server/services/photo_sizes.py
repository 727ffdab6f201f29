"""Sizes of a stored photo for visitor pages: a few widths, in WebP and JPEG, cached on disk.

A phone needs a 360-pixel-wide picture, a TV a 1280-pixel one; sending the 1600-pixel original
to both wastes the phone's data and the page's speed budget. Each size is drawn once from the
stored photo's pixels (already stripped of EXIF, XMP and ICC data; nothing is copied over
again) and kept under `<media>/sizes/`. What can be asked for is bounded: the widths below,
never wider than the photo itself, two formats, and only photos that exist, so the cache holds
at most len(WIDTHS) x 2 files per photo, and removing a photo removes its sizes.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from server.services.photos import is_name

# CSS pixels x device pixel ratio: thumbnails (96, 2x 192), phones (360, 2x 720), tablets and
# desktops (960), TVs (1280). A fixed list keeps the cache bounded.
WIDTHS = (96, 192, 360, 720, 960, 1280)
FORMATS = {"webp": "WEBP", "jpg": "JPEG"}
QUALITY = {"webp": 72, "jpg": 78}
FOLDER = "sizes"
THUMB = 192  # the square list thumbnail (96 CSS pixels at 2x)
SHOWN_FROM = 360  # covers, galleries and cards: every width from a phone's up


@dataclass(frozen=True)
class Size:
    """One derived picture: its file's width and height."""

    width: int
    height: int


def widths_for(width: int) -> tuple[int, ...]:
    """The widths offered for a photo `width` pixels wide (never wider than the photo)."""
    offered = tuple(w for w in WIDTHS if w <= width)
    return offered or (WIDTHS[0],)


def page_widths(width: int, largest: int = WIDTHS[-1]) -> list[int]:
    """The widths of a photo `width` pixels wide that a page's srcset offers, up to `largest`
    (the photo's largest width when it is narrower than a phone's)."""
    offered = widths_for(width)
    return [w for w in offered if SHOWN_FROM <= w <= largest] or [offered[-1]]


def thumb_width(width: int) -> int:
    """The width of the square list thumbnail of a photo `width` pixels wide (THUMB, or the
    photo's largest offered width when it is narrower: any photo has a thumbnail)."""
    return min(THUMB, widths_for(width)[-1])


def shown_sizes(width: int) -> list[tuple[int, bool]]:
    """Every (width, square) the visitor pages may ask of a photo `width` pixels wide, the place
    page's thumbnail first (what a tap lands on; draw_ahead may run out of time)."""
    return [(thumb_width(width), True)] + [(w, False) for w in page_widths(width)]


def size_of(width: int, height: int, wanted: int, square: bool = False) -> Size:
    """The size of the `wanted`-wide version of a `width` x `height` photo (or its square crop)."""
    if square:
        return Size(wanted, wanted)
    return Size(wanted, max(1, round(height * wanted / width)))


def derived(media: str | os.PathLike[str], name: str, wanted: int, fmt: str, square: bool) -> Path:
    """The path of a photo's size, drawn now if it is not cached yet; ValueError if the size or
    format is not one offered, FileNotFoundError if the photo is gone."""
    if not is_name(name) or fmt not in FORMATS or wanted not in WIDTHS:
        raise ValueError(f"no such size: {name} {wanted} {fmt}")
    folder = Path(media) / FOLDER
    target = folder / f"{name[:-4]}-{wanted}{'s' if square else ''}.{fmt}"
    if target.exists():
        return target
    with Image.open(Path(media) / name) as original:
        if wanted not in widths_for(original.width):
            raise ValueError(f"{name} is narrower than {wanted} pixels")
        picture = _resized(original, wanted, square)
    _write(picture, fmt, target)
    return target


def draw_ahead(
    media: str | os.PathLike[str], name: str, within: float | None = None
) -> tuple[int, int]:
    """Draw every size the pages may ask of a stored photo that is not drawn yet, so that no
    visitor waits for one; (drawn now, left to draw on demand when `within` seconds ran out).

    The photo is decoded once; each size is written as derived() writes it, so a visitor's
    request meanwhile finds either nothing (and draws it) or the whole file.
    """
    if not is_name(name):
        raise ValueError(f"not a photo name: {name}")
    folder = Path(media) / FOLDER
    started = time.monotonic()
    drawn = left = 0
    with Image.open(Path(media) / name) as original:
        original.load()
        for wanted, square in shown_sizes(original.width):
            stem = f"{name[:-4]}-{wanted}{'s' if square else ''}"
            missing = [fmt for fmt in FORMATS if not (folder / f"{stem}.{fmt}").exists()]
            if missing and within is not None and time.monotonic() - started > within:
                left += len(missing)
                continue
            picture = _resized(original, wanted, square) if missing else None
            for fmt in missing:
                assert picture is not None
                _write(picture, fmt, folder / f"{stem}.{fmt}")
                drawn += 1
    return drawn, left


def _write(picture: Image.Image, fmt: str, target: Path) -> None:
    """Write one size whole under its name (a reader sees no file or the whole file)."""
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".size-")
    try:
        with os.fdopen(fd, "wb") as handle:
            # No exif= and no icc_profile= arguments: the file carries pixels only.
            picture.save(handle, FORMATS[fmt], quality=QUALITY[fmt], optimize=True, method=4)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)  # two workers drawing the same size both write it whole
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _resized(original: Image.Image, wanted: int, square: bool) -> Image.Image:
    """The pixels at `wanted` width (a centred square for thumbnails), in a new RGB image."""
    image = original.convert("RGB")
    if square:
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    size = size_of(image.width, image.height, wanted, square)
    resized = image.resize((size.width, size.height), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", resized.size)
    clean.paste(resized)  # a fresh image: no info dictionary (EXIF, ICC) travels with it
    return clean


def remove(media: str | os.PathLike[str], name: str) -> None:
    """Delete every cached size of a photo (gone already is fine)."""
    if not is_name(name):
        return
    for path in (Path(media) / FOLDER).glob(f"{name[:-4]}-*"):
        path.unlink(missing_ok=True)
