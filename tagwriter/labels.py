"""QR labels for phones without NFC: PNG and SVG per URL, and A4 sheets to print.

A QR code holds the URL in capitals without the mirror query: capitals, digits and ":/." are
QR's alphanumeric mode, 5.5 bits a character instead of 8, so the code stays small (version 2
or 3 for a TapTrail URL). Host names are case-insensitive, and the server reads codes in either
case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import qrcode
import qrcode.constants
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont

DPI = 300
A4 = (2480, 3508)  # 210 x 297 mm at 300 dpi
COLUMNS, ROWS = 3, 8  # 24 labels of 70 x 37 mm, a common A4 label sheet
MARGIN = 24  # pixels kept blank inside each label (2 mm)
CODE_GROUP = 4  # symbols per group when the code is printed, to read it aloud


@dataclass(frozen=True)
class Label:
    """One label: the text in the QR code and the short code printed beside it."""

    code: str
    qr_text: str
    caption: str = ""


def qr_text(url: str) -> str:
    """The URL as the QR code holds it: no query, capitals where case does not matter."""
    parts = urlsplit(url.split("?", 1)[0])
    folder, _, code = parts.path.rpartition("/")
    # The base URL's own path may be case-sensitive: only the scheme, host and code go upper.
    return f"{parts.scheme}://{parts.netloc}".upper() + folder + "/" + code.upper()


def make_qr(text: str) -> qrcode.QRCode[Any]:
    """The smallest QR code (error correction M) for `text`."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code


def write_png(text: str, path: Path, box: int = 10) -> None:
    """A PNG of the QR code, `box` pixels a module."""
    code = make_qr(text)
    code.box_size = box
    code.make_image().save(path)


def write_svg(text: str, path: Path) -> None:
    """An SVG of the QR code, one path, scalable for print."""
    image = make_qr(text).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    with path.open("wb") as out:
        image.save(out)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSansMono-Bold.ttf", "DejaVuSansMono.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def grouped(code: str) -> str:
    """The code in groups of four, easier to read aloud or type."""
    return " ".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def _draw_label(page: Image.Image, label: Label, box: tuple[int, int, int, int]) -> None:
    left, top, _right, bottom = box
    side = bottom - top - 2 * MARGIN
    qr = make_qr(label.qr_text).make_image().get_image().convert("L")
    page.paste(qr.resize((side, side), Image.Resampling.NEAREST), (left + MARGIN, top + MARGIN))
    draw = ImageDraw.Draw(page)
    x, font = left + 2 * MARGIN + side, _font(44)
    lines = [*_wrap(grouped(label.code), 3), label.caption]
    for index, line in enumerate(line for line in lines if line):
        draw.text((x, top + 2 * MARGIN + index * 60), line, fill=0, font=font)


def _wrap(text: str, groups: int) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + groups]) for i in range(0, len(words), groups)]


def write_sheets(labels: Sequence[Label], path: Path) -> int:
    """A PDF of A4 pages of labels, each with its QR code and short code; returns the pages."""
    width, height = A4[0] // COLUMNS, A4[1] // ROWS
    pages = []
    per_page = COLUMNS * ROWS
    for first in range(0, len(labels), per_page):
        page = Image.new("L", A4, 255)
        for index, label in enumerate(labels[first : first + per_page]):
            row, column = divmod(index, COLUMNS)
            box = (column * width, row * height, (column + 1) * width, (row + 1) * height)
            _draw_label(page, label, box)
        pages.append(page)
    pages[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return len(pages)
