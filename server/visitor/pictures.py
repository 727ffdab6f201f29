"""Pictures on visitor pages: which photos a page shows, and the responsive markup's values.

Every picture is a <picture> with a WebP source and a JPEG fallback, each with a srcset of the
derived widths (server.services.photo_sizes) and a `sizes` saying how wide it is shown, plus the
width and height of the fallback so the browser reserves its box before it loads (no layout
shift). Alt text comes from the listing, in the page's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from server.models import Photo, Place, PointOfInterest, Shop
from server.services import photo_sizes

GALLERY = 6  # photos on a shop's or sight's page (a shop may have 12)
THUMB = 96  # pixels of a list thumbnail (square), drawn at twice that
THUMBS = 12  # entries of a place page with a thumbnail: its first two or three phone screens
# How wide a cover or gallery photo is shown: the screen on a phone, about 3/5 of a 75rem
# two-column layout on larger screens.
COVER_SIZES = "(min-width:48rem) 44vw,100vw"


@dataclass(frozen=True)
class Picture:
    """What the template's picture macro writes."""

    alt: str
    src: str
    jpg: str  # srcset
    webp: str  # srcset
    sizes: str | None
    width: int
    height: int


def path(photo: Photo, width: int, fmt: str, square: bool = False) -> str:
    """The address of one size of a photo ("webp", "jpg", or "" for the browser's choice)."""
    ending = f".{fmt}" if fmt else ""  # no format: the browser's Accept header chooses
    return f"/img/{photo.id}-{photo.name[:8]}-{width}{'s' if square else ''}{ending}"


def picture(photo: Photo, alt: str, sizes: str = COVER_SIZES, largest: int = 1280) -> Picture:
    """A photo at its full width, responsive: every offered width up to `largest`."""
    widths = photo_sizes.page_widths(photo.width, largest)
    fallback = widths[1] if len(widths) > 1 else widths[0]  # 720: a phone at 2x
    shown = photo_sizes.size_of(photo.width, photo.height, fallback)

    def srcset(fmt: str) -> str:
        return ", ".join(f"{path(photo, w, fmt)} {w}w" for w in widths)

    return Picture(
        alt, path(photo, fallback, "jpg"), srcset("jpg"), srcset("webp"), sizes, *_dims(shown)
    )


def thumb(photo: Photo, alt: str = "") -> Picture:
    """A square thumbnail for a list entry (decorative next to its title: alt="").

    One address, 192 pixels (sharp at 2x, shown 80 CSS pixels wide), its format chosen by the
    browser's Accept header (WebP, else JPEG) rather than a <picture> with a source per format:
    a place page lists up to 60 entries and must stay under 30 KB.
    """
    shown = path(photo, photo_sizes.thumb_width(photo.width), "", square=True)
    return Picture(alt, shown, "", "", None, THUMB, THUMB)


def _dims(size: photo_sizes.Size) -> tuple[int, int]:
    return size.width, size.height


def live_photos(session: Session, owner: ColumnElement[bool]) -> list[Photo]:
    """The online photos of one shop, sight or place (`Photo.shop_id == 3`), oldest first."""
    rows = session.scalars(select(Photo).where(owner, Photo.live.is_(True)).order_by(Photo.id))
    return list(rows)


def first_photos(session: Session, shops: Iterable[str], pois: Iterable[str]) -> dict[str, Photo]:
    """The first online photo of each shop and sight named by slug, as {"shop:slug": photo}."""
    found: dict[str, Photo] = {}
    for kind, model, column, slugs in (
        ("shop", Shop, Photo.shop_id, set(shops)),
        ("poi", PointOfInterest, Photo.poi_id, set(pois)),
    ):
        if not slugs:
            continue
        rows = session.execute(
            select(model.slug, Photo)
            .join(Photo, column == model.id)
            .where(model.slug.in_(slugs), Photo.live.is_(True))
            .order_by(Photo.id.desc())
        )
        for slug, photo in rows:
            found[f"{kind}:{slug}"] = photo  # the last written is the oldest
    return found


def photos_for(session: Session, keys: Iterable[str | None]) -> dict[str, Photo]:
    """The first online photo of each card, by its photo key ("shop:<slug>", "poi:<slug>")."""
    wanted = [key for key in keys if key]
    shops = [key.removeprefix("shop:") for key in wanted if key.startswith("shop:")]
    pois = [key.removeprefix("poi:") for key in wanted if key.startswith("poi:")]
    return first_photos(session, shops, pois)


def thumbs_for(session: Session, keys: Iterable[str | None]) -> dict[str, Picture]:
    """Thumbnails for the first THUMBS cards, by their photo key ("shop:<slug>", "poi:<slug>")."""
    found = photos_for(session, list(keys)[:THUMBS])
    return {key: thumb(photo) for key, photo in found.items()}


def og_image(shown: Picture | None) -> str | None:
    """The address of a picture for link previews (Open Graph): its largest JPEG."""
    if shown is None:
        return None
    return shown.jpg.split(",")[-1].split()[0]


def cover_photo(session: Session, place: Place) -> Photo | None:
    """A place's first online photo (a shop window: its shop's), the cover of its page."""
    owner = Photo.shop_id == place.shop_id if place.shop_id else Photo.place_id == place.id
    query = select(Photo).where(owner, Photo.live.is_(True)).order_by(Photo.id).limit(1)
    return session.scalars(query).first()


def cover_image(session: Session, place_slug: str) -> str | None:
    """The address of a place's cover for link previews (its shop's, for a shop window)."""
    place = session.scalars(select(Place).where(Place.slug == place_slug)).first()
    cover = cover_photo(session, place) if place is not None else None
    return og_image(picture(cover, "")) if cover is not None else None
