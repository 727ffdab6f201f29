"""QR labels for shop windows and phones without NFC: PNG and SVG per URL, and sheets to print.

A QR code holds the URL in capitals without the mirror query: capitals, digits and ":/." are
QR's alphanumeric mode, 5.5 bits a character instead of 8, so the code stays small (version 2
or 3 for a TapTrail URL). Host names are case-insensitive, and the server reads codes in either
case.

Each label of a sheet says to a passer-by what to do, in the territory's language ("Approchez
votre téléphone ou scannez"), shows the contactless mark, the place's name (shrunk, then
wrapped, never cut: a 60-character name fits), the short URL in readable type and the code in
groups of four, and optionally the operator's logo and name (whose service it is: the brand in
the batch's manifest). Sheets follow common sticker-sheet templates (A4 and
label rolls); the label's layout adapts to its size.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import qrcode
import qrcode.constants
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from tagwriter.errors import TagwriterError

DPI = 300
MM = DPI / 25.4  # pixels per millimetre
CODE_GROUP = 4  # symbols per group when the code is printed, to read it aloud
MIN_TEXT = 22  # pixels: about 5 pt, the smallest text printed (a 60-character name on 70x37)

# What a passer-by is asked to do, per language of the territory.
CALLS = {
    "fr": "Approchez votre téléphone ou scannez",
    "nl": "Houd uw telefoon ertegen of scan",
    "en": "Hold your phone here or scan",
}
LANGUAGES = tuple(CALLS)


@dataclass(frozen=True)
class Template:
    """A sheet of labels: page size, label size, how many across and down, and where the first
    one starts (millimetres); `pitch` is the distance from one label to the next."""

    name: str
    page: tuple[float, float]
    label: tuple[float, float]
    columns: int
    rows: int
    origin: tuple[float, float] = (0.0, 0.0)
    pitch: tuple[float, float] | None = None
    about: str = ""

    @property
    def per_page(self) -> int:
        """Labels on one page."""
        return self.columns * self.rows

    def box(self, index: int) -> tuple[int, int, int, int]:
        """The pixel box (left, top, right, bottom) of the index-th label of a page."""
        row, column = divmod(index, self.columns)
        step_x, step_y = self.pitch or self.label
        left = (self.origin[0] + column * step_x) * MM
        top = (self.origin[1] + row * step_y) * MM
        return (
            round(left),
            round(top),
            round(left + self.label[0] * MM),
            round(top + self.label[1] * MM),
        )

    @property
    def page_pixels(self) -> tuple[int, int]:
        """The page in pixels at DPI."""
        return round(self.page[0] * MM), round(self.page[1] * MM)


TEMPLATES = {
    t.name: t
    for t in (
        Template("a4-3x8", (210, 297), (70, 37.125), 3, 8, about="24 labels of 70 x 37 mm"),
        Template(
            "a4-3x7",
            (210, 297),
            (63.5, 38.1),
            3,
            7,
            (7.2, 15.15),
            (66.0, 38.1),
            "21 labels of 63.5 x 38.1 mm (L7160)",
        ),
        Template(
            "a4-2x7",
            (210, 297),
            (99.1, 38.1),
            2,
            7,
            (4.65, 15.15),
            (101.6, 38.1),
            "14 labels of 99.1 x 38.1 mm (L7163)",
        ),
        Template(
            "a4-2x4",
            (210, 297),
            (99.1, 67.7),
            2,
            4,
            (4.65, 13.1),
            (101.6, 67.7),
            "8 labels of 99.1 x 67.7 mm (L7165), for a shop window",
        ),
        Template("roll-62x29", (62, 29), (62, 29), 1, 1, about="a roll of 62 x 29 mm labels"),
        Template("roll-50x30", (50, 30), (50, 30), 1, 1, about="a roll of 50 x 30 mm labels"),
    )
}
DEFAULT_TEMPLATE = "a4-3x8"


@dataclass(frozen=True)
class Label:
    """One label: the text in the QR code, the short code printed beside it, the place."""

    code: str
    qr_text: str
    caption: str = ""


@dataclass(frozen=True)
class Placed:
    """A line of text drawn on a label, and the pixel box it takes."""

    role: str  # "call", "name", "url", "code", "operator"
    text: str
    box: tuple[int, int, int, int]


def qr_text(url: str) -> str:
    """The URL as the QR code holds it: no query, capitals where case does not matter."""
    parts = urlsplit(url.split("?", 1)[0])
    folder, _, code = parts.path.rpartition("/")
    # The base URL's own path may be case-sensitive: only the scheme, host and code go upper.
    return f"{parts.scheme}://{parts.netloc}".upper() + folder + "/" + code.upper()


def short_url(text: str) -> str:
    """The address people can type, without the scheme: "t.example.org/" before the code."""
    parts = urlsplit(text)
    folder = parts.path.rpartition("/")[0]
    return f"{parts.netloc.lower()}{folder}/"


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


# Pillow falls back to its bitmap font when no TrueType font is installed.
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.lru_cache(maxsize=256)  # a sheet tries many sizes; loading a font file is slow
def _font(size: int, mono: bool = False) -> Font:
    names = ("DejaVuSansMono-Bold.ttf",) if mono else ("DejaVuSans-Bold.ttf",)
    for name in (*names, "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def grouped(code: str) -> str:
    """The code in groups of four, easier to read aloud or type."""
    return " ".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def _width(draw: ImageDraw.ImageDraw, text: str, font: Font) -> float:
    return draw.textlength(text, font=font)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> list[str]:
    """The text in lines no wider than `width`, broken between words, and inside a word only
    when the word alone is wider."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if _width(draw, trial, font) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:  # a word wider than the line: cut it where it must be
            if _width(draw, current + char, font) > width and current:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines


def fit(
    draw: ImageDraw.ImageDraw,
    text: str,
    width: float,
    height: float,
    largest: int,
    mono: bool = False,
) -> tuple[Font, list[str], int]:
    """The largest font (down to MIN_TEXT) at which `text`, wrapped, fits `width` x `height`;
    its lines and line height. At the smallest size it is wrapped anyway: nothing is cut."""

    def tried(size: int) -> tuple[Font, list[str], int]:
        font = _font(size, mono)
        return font, wrap(draw, text, font, width), round(size * 1.18)

    def fits(result: tuple[Font, list[str], int]) -> bool:
        return len(result[1]) * result[2] <= height

    # Wrapped text grows taller with its size: the largest size that fits, by bisection.
    low, high = MIN_TEXT, max(largest, MIN_TEXT)
    if fits(best := tried(high)):
        return best
    best = tried(low)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(result := tried(middle)):
            low, best = middle, result
        else:
            high = middle
    return best


def _nfc_mark(draw: ImageDraw.ImageDraw, left: int, top: int, side: int) -> None:
    """The contactless mark: three arcs widening to the right, from a dot."""
    width = max(3, side // 12)
    centre_y = top + side // 2
    draw.ellipse((left, centre_y - width, left + 2 * width, centre_y + width), fill=0)
    for ring in range(1, 4):
        radius = ring * side // 3.4
        draw.arc(
            (left - radius, centre_y - radius, left + radius, centre_y + radius),
            -50,
            50,
            fill=0,
            width=width,
        )


@dataclass(frozen=True)
class _Block:
    role: str
    font: Font
    lines: list[str]
    step: int
    indent: int = 0

    @property
    def height(self) -> int:
        return self.step * len(self.lines)


def _plan(
    draw: ImageDraw.ImageDraw, label: Label, width: int, height: int, unit: int, language: str
) -> list[_Block] | None:
    """The text blocks of a label at this text size, or None when they do not fit `height`."""
    gap = unit // 3
    mark = round(unit * 1.5)
    call_font = _font(unit)
    call_lines = wrap(draw, CALLS.get(language, CALLS["fr"]), call_font, width - mark)
    blocks = [_Block("call", call_font, call_lines, round(unit * 1.18), mark)]
    url_font = _font(round(unit * 0.9))
    url_lines = wrap(draw, short_url(label.qr_text), url_font, width)
    code_font = _font(round(unit * 0.9), mono=True)
    code_lines = wrap(draw, grouped(label.code), code_font, width)
    bottom = [
        _Block("url", url_font, url_lines, round(unit * 1.06)),
        _Block("code", code_font, code_lines, round(unit * 1.06)),
    ]
    room = height - sum(b.height for b in blocks + bottom) - 2 * gap
    if label.caption:
        # The name is what a passer-by reads first: as large as the room allows, never
        # smaller than the rest of the label's text, wrapped but never cut.
        font, lines, step = fit(draw, label.caption, width, room, round(unit * 2.2))
        if font.size < unit or step * len(lines) > room:  # type: ignore[union-attr]
            return None
        blocks.append(_Block("name", font, lines, step))
    elif room < 0:
        return None
    return blocks + bottom


def layout(
    page: Image.Image,
    label: Label,
    box: tuple[int, int, int, int],
    language: str = "fr",
    logo: Image.Image | None = None,
    operator: str = "",
) -> list[Placed]:
    """Draw one label in `box` of `page`, with `operator`'s name at the bottom if given;
    returns what text was placed where."""
    left, top, right, bottom = box
    margin = max(12, round(min(right - left, bottom - top) * 0.05))
    draw = ImageDraw.Draw(page)
    side = bottom - top - 2 * margin
    side = min(side, round((right - left) * 0.45))
    qr = make_qr(label.qr_text).make_image().get_image().convert("L")
    page.paste(qr.resize((side, side), Image.Resampling.NEAREST), (left + margin, top + margin))
    x = left + 2 * margin + side
    width = right - margin - x
    height = bottom - top - 2 * margin
    logo_height = 0
    placed: list[Placed] = []
    if operator:
        # The operator's name, small but never below MIN_TEXT, wrapped but never cut.
        font = _font(max(MIN_TEXT, round(height * 0.07)))
        step = round(font.size * 1.18)  # type: ignore[union-attr]
        lines = wrap(draw, operator, font, width)
        y = bottom - margin - step * len(lines)
        for line in lines:
            draw.text((x, y), line, fill=0, font=font)
            shown = tuple(round(v) for v in draw.textbbox((x, y), line, font=font))
            placed.append(Placed("operator", line, shown))  # type: ignore[arg-type]
            y += step
        logo_height = step * len(lines) + margin // 3
    if logo is not None:
        room = round(height * 0.2)
        scaled = logo.copy()
        scaled.thumbnail((width, room))
        page.paste(scaled.convert("L"), (x, bottom - margin - logo_height - scaled.height))
        logo_height += scaled.height + margin // 2
    # The largest text size at which every block fits, by bisection (text grows with it).
    low, high = MIN_TEXT // 2, max(MIN_TEXT, round(height / 7))
    plan = _plan(draw, label, width, height - logo_height, high, language)
    unit = high
    if plan is None:
        plan, unit = _plan(draw, label, width, height - logo_height, low, language), low
        if plan is None:  # a label this small cannot say it all
            raise TagwriterError(_too_small(box, operator, logo is not None))
        while high - low > 1:
            middle = (low + high) // 2
            found = _plan(draw, label, width, height - logo_height, middle, language)
            if found is None:
                high = middle
            else:
                low, plan, unit = middle, found, middle
    gap = unit // 3
    y = top + margin
    call, *rest = plan
    _nfc_mark(draw, x, y + (call.height - round(unit * 1.3)) // 2, round(unit * 1.3))
    for block in plan:
        if block.role == "url":  # the short URL and the code sit at the bottom
            y = bottom - margin - logo_height - block.height - rest[-1].height
        elif block.role == "name":
            y += gap
        for line in block.lines:
            at = (x + block.indent, y)
            draw.text(at, line, fill=0, font=block.font)
            shown = tuple(round(v) for v in draw.textbbox(at, line, font=block.font))
            placed.append(Placed(block.role, line, shown))  # type: ignore[arg-type]
            y += block.step
    return placed


def _too_small(box: tuple[int, int, int, int], operator: str, logo: bool) -> str:
    """Why a label cannot say it all, and what to leave out when the brand takes the room."""
    left, top, right, bottom = box
    said = f"a label of {right - left} x {bottom - top} pixels is too small"
    if operator or logo:
        said += " with the operator's name and logo: give a shorter --operator, or leave out --logo"
    return said


def read_logo(path: Path) -> Image.Image:
    """The logo at `path`, decoded whole now, so a bad file is refused before anything is
    written."""
    try:
        picture = Image.open(path)
        picture.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise TagwriterError(f"{path} is not a picture: give a PNG or JPEG logo") from None
    return picture


def write_sheets(
    labels: Sequence[Label],
    path: Path,
    template: Template | None = None,
    language: str = "fr",
    picture: Image.Image | None = None,
    operator: str = "",
) -> int:
    """A PDF of pages of labels on `template` (A4, 24 labels by default), with `picture` as
    the logo (see read_logo) and `operator`'s name if given; returns the pages."""
    template = template or TEMPLATES[DEFAULT_TEMPLATE]
    pages = []
    for first in range(0, len(labels), template.per_page):
        page = Image.new("L", template.page_pixels, 255)
        for index, label in enumerate(labels[first : first + template.per_page]):
            layout(page, label, template.box(index), language, picture, operator)
        pages.append(page)
    pages[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return len(pages)
