"""Demo photos: drawings made here with Pillow (free to use, no one else's picture), one per
demo shop, sight and place, stored as an upload would be (server.services.photos).

Each drawing is a simple scene for what the listing is (a shop front with its awning, a church,
a park, a museum's arches, market stalls, a metro entrance), in colours picked from its slug so
the same demo always draws the same pictures.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Photo, Place, PointOfInterest, Shop
from server.services import photos

WIDTH, HEIGHT = 1200, 800
SKY = ((142, 186, 229), (230, 238, 247))
Draw = Callable[[ImageDraw.ImageDraw, random.Random], None]


@functools.cache
def _sky() -> Image.Image:
    """The sky's gradient, drawn once (each drawing starts from a copy)."""
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    top, bottom = SKY
    for y in range(HEIGHT):
        t = y / HEIGHT
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


@functools.cache
def _grain() -> Image.Image:
    """A layer of noise, made once: every drawing gets the same grain (making it took half the
    time of a whole drawing)."""
    return Image.effect_noise((WIDTH, HEIGHT), 12).convert("RGB")


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.choice([(176, 42, 48), (32, 96, 160), (28, 120, 80), (200, 120, 30), (90, 60, 140)])


def _bricks(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng: random.Random) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, fill=(150, 70, 50))
    for row, y in enumerate(range(top, bottom, 24)):
        offset = 30 if row % 2 else 0
        for x in range(left - offset, right, 60):
            shade = rng.randint(-18, 18)
            draw.rectangle(
                (max(x, left), y, min(x + 56, right), min(y + 20, bottom)),
                fill=(160 + shade, 78 + shade // 2, 56 + shade // 2),
            )


def shop_front(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A brick shop front with a striped awning, a window and a door."""
    _bricks(draw, (0, 120, WIDTH, 700), rng)
    colour = _colour(rng)
    draw.rectangle((120, 180, 1080, 260), fill=(250, 246, 236))  # the sign board
    draw.rectangle((140, 200, 1060, 240), fill=colour)
    for i, x in enumerate(range(100, 1100, 80)):  # the awning
        draw.polygon(
            [(x, 280), (x + 80, 280), (x + 90, 380), (x - 10, 380)],
            fill=colour if i % 2 else (250, 246, 236),
        )
    draw.rectangle((140, 400, 700, 660), fill=(60, 80, 96))  # the window, and what is in it
    for x in range(170, 680, 90):
        draw.ellipse((x, 560, x + 60, 620), fill=(rng.randint(180, 250), rng.randint(120, 200), 80))
    draw.rectangle((780, 400, 1000, 700), fill=(50, 40, 36))  # the door
    draw.rectangle((0, 700, WIDTH, HEIGHT), fill=(120, 120, 116))


def church(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A brick church with its spire."""
    draw.rectangle((0, 640, WIDTH, HEIGHT), fill=(96, 140, 80))
    _bricks(draw, (260, 360, 940, 660), rng)
    draw.polygon([(240, 370), (600, 200), (960, 370)], fill=(70, 64, 72))
    _bricks(draw, (520, 160, 680, 660), rng)
    draw.polygon([(500, 170), (600, 20), (700, 170)], fill=(60, 70, 80))
    draw.ellipse((560, 240, 640, 320), fill=(240, 230, 200))
    draw.rectangle((560, 520, 640, 660), fill=(50, 40, 36))


def park(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A lawn, a pond and trees."""
    draw.rectangle((0, 420, WIDTH, HEIGHT), fill=(104, 160, 84))
    draw.ellipse((380, 560, 900, 720), fill=(84, 140, 190))
    for _ in range(9):
        x, y = rng.randint(40, 1140), rng.randint(380, 520)
        draw.rectangle((x - 10, y, x + 10, y + 110), fill=(96, 70, 48))
        size = rng.randint(70, 120)
        draw.ellipse(
            (x - size, y - size * 1.4, x + size, y + 20), fill=(40, rng.randint(100, 140), 60)
        )


def hall(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A museum's long hall: arches, a pool of water, light from above."""
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(236, 226, 204))
    for x in range(0, WIDTH, 200):
        draw.rectangle((x, 180, x + 40, 640), fill=(200, 180, 150))
        draw.arc((x + 20, 60, x + 220, 300), 180, 360, fill=(170, 150, 120), width=14)
    draw.ellipse((150, 20, 1050, 160), fill=(255, 250, 230))  # the sun window
    draw.rectangle((0, 600, WIDTH, HEIGHT), fill=(60, 120, 170))  # the pool
    for y in range(620, HEIGHT, 30):
        draw.line([(0, y), (WIDTH, y)], fill=(90, 150, 200), width=3)
    for x in range(120, WIDTH, 260):  # statues along the pool
        draw.ellipse((x, 430, x + 40, 470), fill=(250, 250, 250))
        draw.rectangle((x + 5, 470, x + 35, 600), fill=(245, 245, 245))


def market(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """Market stalls under striped roofs."""
    draw.rectangle((0, 560, WIDTH, HEIGHT), fill=(150, 146, 140))
    for x in range(20, WIDTH, 240):
        colour = _colour(rng)
        draw.polygon([(x, 360), (x + 220, 360), (x + 200, 280), (x + 20, 280)], fill=colour)
        draw.rectangle((x + 10, 360, x + 210, 560), fill=(120, 90, 60))
        for i in range(6):
            draw.ellipse(
                (x + 20 + i * 30, 380, x + 46 + i * 30, 406),
                fill=(rng.randint(180, 250), rng.randint(60, 200), 40),
            )


def station(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A metro entrance with its sign."""
    draw.rectangle((0, 560, WIDTH, HEIGHT), fill=(130, 130, 126))
    draw.rectangle((300, 360, 900, 600), fill=(40, 44, 52))
    draw.polygon([(340, 600), (860, 600), (780, 720), (420, 720)], fill=(70, 72, 80))
    draw.rectangle((560, 100, 640, 360), fill=(90, 90, 96))
    draw.rectangle((500, 60, 700, 200), fill=(220, 40, 40))
    draw.line(
        [(540, 170), (540, 90), (600, 140), (660, 90), (660, 170)], fill=(255, 255, 255), width=16
    )


def monument(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A belfry or memorial over a square."""
    draw.rectangle((0, 600, WIDTH, HEIGHT), fill=(180, 170, 150))
    _bricks(draw, (200, 300, 1000, 600), rng)
    draw.rectangle((500, 80, 700, 600), fill=(200, 190, 170))
    draw.polygon([(480, 90), (600, 0), (720, 90)], fill=(60, 80, 90))
    draw.ellipse((550, 140, 650, 240), fill=(250, 250, 240))
    for x in range(240, 1000, 110):
        draw.rectangle((x, 380, x + 50, 480), fill=(70, 90, 110))


SCENES: dict[str, Draw] = {
    "church": church,
    "park": park,
    "museum": hall,
    "culture": hall,
    "venue": hall,
    "market": market,
    "station": station,
    "memorial": monument,
    "monument": monument,
    "square": monument,
    "village": church,
}


@functools.lru_cache(maxsize=64)
def demo_photo(slug: str, kind: str) -> photos.Processed:
    """A demo listing's drawing, processed as an upload is (kept: tests load the demo often)."""
    return photos.process(drawing(slug, kind))


def drawing(slug: str, kind: str) -> bytes:
    """A JPEG drawing of what `kind` of listing `slug` is (a shop front when not known)."""
    rng = random.Random(hashlib.sha256(slug.encode()).digest())
    image = _sky().copy()
    SCENES.get(kind, shop_front)(ImageDraw.Draw(image), rng)
    # A little softness and grain, so it compresses like a photo rather than a flat diagram.
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    image = Image.blend(image, _grain(), 0.06)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=88)
    return output.getvalue()


def _demo_owners(session: Session) -> list[tuple[str, int, str, str]]:
    """(photo column, id, slug, kind) of every demo shop, sight and place that shows a photo."""
    found = [
        ("shop_id", shop.id, shop.slug, shop.category)
        for shop in session.scalars(select(Shop).where(Shop.demo.is_(True)))
    ]
    found += [
        ("poi_id", poi.id, poi.slug, poi.category)
        for poi in session.scalars(select(PointOfInterest).where(PointOfInterest.demo.is_(True)))
    ]
    found += [
        ("place_id", place.id, place.slug, place.kind.value)
        for place in session.scalars(select(Place).where(Place.demo.is_(True)))
        if place.kind.value != "shop"  # a shop window shows its shop's photos
    ]
    return found


def add_demo_photos(session: Session, media: str | Path) -> int:
    """Give every demo shop, sight and place without a photo its drawing; returns how many."""
    added = 0
    have = {
        (field, owner)
        for field, column in (
            ("shop_id", Photo.shop_id),
            ("poi_id", Photo.poi_id),
            ("place_id", Photo.place_id),
        )
        for owner in session.scalars(select(column).where(column.is_not(None)))
    }
    for field, owner_id, slug, kind in _demo_owners(session):
        if (field, owner_id) in have:
            continue
        processed = demo_photo(slug, kind)
        name = photos.store(media, processed)
        session.add(
            Photo(
                name=name,
                width=processed.width,
                height=processed.height,
                size=len(processed.data),
                **{field: owner_id},
            )
        )
        added += 1
    session.flush()
    return added
