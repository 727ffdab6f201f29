"""A small map drawn on the server, to pick a position without any tile server or script.

The picture is used as <input type="image">: a click submits its x and y with the form, and
server.maps.projection.point_at() turns them back into a latitude and longitude. It shows what
TapTrail knows around the point (places, shops, sights, stops, walks) on a 100 m grid, with a
scale bar and north up.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from server.maps import streets
from server.maps.projection import HEIGHT, SPAN_M, WIDTH, Frame, pixel
from server.services.street_maps import MapData

COLOURS = {
    "place": (11, 87, 208),
    "shop": (20, 108, 46),
    "poi": (140, 70, 0),
    "transit_stop": (90, 90, 90),
    "walk": (11, 87, 208),
    "pin": (165, 14, 14),
}


@dataclass(frozen=True)
class Feature:
    """Something drawn on the map."""

    kind: str  # a COLOURS key
    latitude: float
    longitude: float
    label: str = ""


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# DejaVu (Debian's fonts-dejavu-core) has every accent of French and Dutch names; Pillow's
# built-in font, used when it is missing, lacks some ("Métro").
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf")


@functools.cache
def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for name in FONTS:
        try:
            return ImageFont.truetype(name, 10)
        except OSError:
            continue
    return ImageFont.load_default(size=11)


def render(
    center: tuple[float, float],
    features: Sequence[Feature],
    walks: Sequence[Sequence[Feature]],
    span_m: float = SPAN_M,
    pin: bool = True,
    base: MapData | None = None,
) -> bytes:
    """The map as PNG, with the pin at the centre, over the streets of `base` when given (a
    grid line every 100 m, or every km, otherwise)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    metres = 100 if span_m < 3000 else 1000
    step = WIDTH / span_m * metres
    if base is not None:
        _streets(draw, Frame(center, span_m), base)
    else:
        for n in range(-4, 5):
            x, y = WIDTH / 2 + n * step, HEIGHT / 2 + n * step
            draw.line([(x, 0), (x, HEIGHT)], fill=(222, 222, 214))
            draw.line([(0, y), (WIDTH, y)], fill=(222, 222, 214))
    for route in walks:
        points = [pixel(center, stop.latitude, stop.longitude, span_m) for stop in route]
        if len(points) > 1:
            draw.line(points, fill=COLOURS["walk"], width=2)
    labelled: list[tuple[float, float, float, float]] = []
    for feature in features:
        x, y = pixel(center, feature.latitude, feature.longitude, span_m)
        colour = COLOURS.get(feature.kind, (0, 0, 0))
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour, outline=(255, 255, 255))
        box = draw.textbbox((x + 6, y - 6), feature.label[:28], font=_font())
        # A label that would cover another is left out: the dot stays, the page lists names.
        if feature.label and not any(_overlap(box, other) for other in labelled):
            draw.text((x + 6, y - 6), feature.label[:28], fill=colour, font=_font())
            labelled.append(box)
    if pin:
        x, y = WIDTH / 2, HEIGHT / 2
        draw.polygon([(x, y), (x - 7, y - 16), (x + 7, y - 16)], fill=COLOURS["pin"])
        draw.ellipse([x - 7, y - 23, x + 7, y - 9], fill=COLOURS["pin"], outline=(255, 255, 255))
    draw.line([(8, HEIGHT - 10), (8 + step, HEIGHT - 10)], fill=(26, 26, 26), width=3)
    label = f"{metres} m" if metres < 1000 else "1 km"
    draw.text((12 + step, HEIGHT - 17), label, fill=(26, 26, 26), font=_font())
    draw.text((WIDTH - 16, 6), "N", fill=(26, 26, 26), font=_font())
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _streets(draw: ImageDraw.ImageDraw, frame: Frame, data: MapData) -> None:
    """The street map under the picker's dots, in the colours of the visitors' maps."""
    areas, lines = streets.shapes(frame, data)
    for kind, rings in areas:
        if len(rings[0]) >= 3:
            draw.polygon(rings[0], fill=_rgb(streets.AREA_FILL[kind]))
    for run in lines["water"]:
        draw.line(run, fill=_rgb(streets.AREA_FILL["water"]), width=3)
    for kind, width, colour in (("minor", 5, "#ffffff"), ("major", 7, "#fde2b5")):
        for run in lines[kind]:
            draw.line(run, fill=(201, 192, 180), width=width + 2, joint="curve")
        for run in lines[kind]:
            draw.line(run, fill=_rgb(colour), width=width, joint="curve")
    for run in lines["foot"]:
        draw.line(run, fill=(140, 123, 107), width=1)
