"""Pictures on the visitor pages: sizes the server derives (widths, formats, no EXIF, kept on
disk), and the markup that makes them responsive, lazy and steady."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from sqlalchemy import delete, select

from server.db import database
from server.models import Photo, Place, Shop
from server.services import photo_sizes, photos


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.status_code
    data = response.get_data()
    response.close()  # the file it was sent from
    return Image.open(io.BytesIO(data))


def _with_exif(tmp_path: Path) -> str:
    """A stored photo that still carries EXIF (GPS, camera) and an ICC profile, as if an older
    version had kept them: the sizes must not."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (50.0, 41.0, 32.0)}  # GPSInfo: a latitude
    picture = Image.new("RGB", (1000, 600), (200, 100, 50))
    name = "ab" * 16 + ".jpg"
    picture.save(tmp_path / name, "JPEG", exif=exif, icc_profile=b"\0" * 128)
    with Image.open(tmp_path / name) as check:
        assert check.getexif() and check.info.get("icc_profile")
    return name


@pytest.mark.parametrize("fmt, kind", [("webp", "WEBP"), ("jpg", "JPEG")])
def test_sizes_are_drawn_in_the_width_and_format_asked_and_carry_no_exif(tmp_path, fmt, kind):
    name = _with_exif(tmp_path)
    for width in (360, 720, 960):
        path = photo_sizes.derived(tmp_path, name, width, fmt, square=False)
        with Image.open(path) as sized:
            assert sized.format == kind and sized.size == (width, round(600 * width / 1000))
            assert not sized.getexif() and "icc_profile" not in sized.info
            assert "exif" not in sized.info
    square = photo_sizes.derived(tmp_path, name, 96, fmt, square=True)
    with Image.open(square) as sized:
        assert sized.size == (96, 96)
    # Kept on disk: asked again, the same file is served, not drawn again.
    stamp = square.stat().st_mtime_ns
    assert photo_sizes.derived(tmp_path, name, 96, fmt, square=True).stat().st_mtime_ns == stamp


def test_only_the_offered_sizes_can_be_asked_for_and_removing_a_photo_removes_them(tmp_path):
    name = _with_exif(tmp_path)
    for width, fmt in ((500, "webp"), (1280, "jpg"), (360, "gif")):
        with pytest.raises(ValueError):  # not offered, wider than the photo, not a format
            photo_sizes.derived(tmp_path, name, width, fmt, square=False)
    photo_sizes.derived(tmp_path, name, 360, "webp", square=False)
    assert list((tmp_path / "sizes").iterdir())
    photo_sizes.remove(tmp_path, name)
    assert not list((tmp_path / "sizes").iterdir())


def test_an_upload_short_of_time_draws_the_place_page_thumbnail_first(tmp_path, monkeypatch):
    name = _with_exif(tmp_path)  # 1000 pixels wide
    ticks = iter(range(100))  # each look at the clock: one second later
    monkeypatch.setattr(photo_sizes.time, "monotonic", lambda: float(next(ticks)))
    assert photo_sizes.draw_ahead(tmp_path, name, within=1.5) == (2, 6)  # one size, two formats
    drawn = sorted(path.name for path in (tmp_path / "sizes").iterdir())
    assert drawn == [f"{name[:-4]}-192s.jpg", f"{name[:-4]}-192s.webp"]


def test_the_place_page_has_a_cover_and_thumbnails_that_are_responsive_and_sized(visitor):
    soup = _soup(visitor.get("/p/la-piscine", headers={"Accept-Language": "fr"}))
    cover = soup.select_one("main picture img.cover")
    assert cover is not None and cover["alt"].startswith("Photo de La Piscine")
    assert cover["width"] and cover["height"] and cover.get("fetchpriority") == "high"
    assert cover.get("loading") is None  # the first screen's picture is not deferred
    source = cover.find_previous_sibling("source")
    assert source["type"] == "image/webp" and source["sizes"] == cover["sizes"]
    widths = re.findall(r"-(\d+)\.webp (\d+)w", source["srcset"])
    assert len(widths) >= 3 and all(a == b for a, b in widths)
    assert cover["srcset"].count(".jpg") == len(widths) and cover["src"].endswith(".jpg")
    thumbs = soup.select("ol.items img.th")
    assert thumbs, "no thumbnail on the nearby items"
    for thumb in thumbs:
        assert thumb["loading"] == "lazy" and thumb["alt"] == ""  # its title says it all
        assert (thumb["width"], thumb["height"]) == ("96", "96")
        assert re.fullmatch(r"/img/\d+-[0-9a-f]{8}-192s", thumb["src"])  # format negotiated
    og = soup.select_one("meta[property='og:image']")
    assert og["content"].startswith("http") and og["content"].endswith(".jpg")


def test_every_size_on_a_page_is_served_in_its_format_and_size(visitor):
    soup = _soup(visitor.get("/p/la-piscine"))
    cover = soup.select_one("img.cover")
    for candidate in cover.find_previous_sibling("source")["srcset"].split(","):
        url, width = candidate.split()
        response = visitor.get(url)
        assert response.headers["Content-Type"] == "image/webp"
        assert "immutable" in response.headers["Cache-Control"]
        assert _image(response).width == int(width[:-1])
    thumb = soup.select_one("img.th")["src"]
    # One address for a thumbnail: WebP for a browser that says it takes it, JPEG otherwise.
    webp = visitor.get(thumb, headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"})
    assert "Accept" in webp.headers["Vary"]
    assert _image(webp).format == "WEBP"
    old = _image(visitor.get(thumb, headers={"Accept": "image/*"}))
    assert old.format == "JPEG" and old.size == (192, 192)


def test_alt_text_is_in_the_visitor_s_language(visitor):
    for lang, words in (("en", "Photo of"), ("nl", "Foto van")):
        soup = _soup(visitor.get("/poi/parc-barbieux", headers={"Accept-Language": lang}))
        assert soup.select_one("img.cover")["alt"].startswith(f"{words} Parc Barbieux")


def test_a_shop_page_shows_its_gallery_and_hides_photos_waiting_for_review(demo_app, visitor):
    with database(demo_app).sessions() as session, session.begin():
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir-de-la-piscine")).one()
        first = session.scalars(select(Photo).where(Photo.shop_id == shop.id)).first()
        media = demo_app.config["MEDIA_DIR"]
        for live in (True, True, False):
            processed = photos.process(Path(media, first.name).read_bytes())
            session.add(
                Photo(
                    name=photos.store(media, processed),
                    shop_id=shop.id,
                    width=processed.width,
                    height=processed.height,
                    size=len(processed.data),
                    live=live,
                )
            )
    soup = _soup(visitor.get("/shop/comptoir-de-la-piscine", headers={"Accept-Language": "en"}))
    shown = soup.select("main picture img")
    assert len(shown) == 3  # the cover and two more; the one waiting for review is not shown
    assert [img["alt"] for img in shown][:2] == [
        "Photo 1 of Le Comptoir de la Piscine",
        "Photo 2 of Le Comptoir de la Piscine",
    ]
    assert all(img.get("loading") == "lazy" for img in soup.select(".gallery img"))
    with database(demo_app).sessions() as session:
        hidden = session.scalars(select(Photo).where(Photo.live.is_(False))).one()
    assert visitor.get(f"/img/{hidden.id}-{hidden.name[:8]}-360.webp").status_code == 404


def test_unknown_or_made_up_sizes_are_not_found(visitor):
    soup = _soup(visitor.get("/p/la-piscine"))
    url = soup.select_one("img.cover")["src"]
    photo_id, key = re.search(r"/img/(\d+)-([0-9a-f]{8})-", url).groups()
    for wrong in (
        f"/img/{photo_id}-{key}-500.webp",  # not an offered width
        f"/img/{photo_id}-00000000-360.webp",  # not its name
        f"/img/{photo_id}-{key}-360.gif",
        "/img/999999-abcdef01-360.webp",
        "/img/4294967296-abcdef01-360.webp",  # past a 32-bit id column: not an outage either
    ):
        assert visitor.get(wrong).status_code == 404, wrong


def test_a_place_page_of_60_entries_with_photos_is_under_30_kb(demo_app, visitor):
    """The worst case of the 30 KB budget: the most entries a place page lists, all shops with
    photos, beside the demo's map, its mobility block and La Piscine's cover. Thumbnails go to
    the first entries only and add at most a kilobyte and a bit."""
    with database(demo_app).transaction() as session:
        place = session.scalars(select(Place).where(Place.slug == "la-piscine")).one()
        for number in range(60):
            shop = Shop(
                slug=f"boutique-{number}",
                territory_id=place.territory_id,
                name=f"Boutique {number} de Roubaix",
                category="shop",
                latitude=place.latitude + 0.00005 * number,
                longitude=place.longitude,
                opening_hours="Mo-Su 09:00-19:00",
            )
            session.add(shop)
            session.flush()
            session.add(
                Photo(name=f"{number:032x}.jpg", shop_id=shop.id, width=1200, height=800, size=1)
            )
    sizes = {}
    for lang in ("fr", "en", "nl"):
        response = visitor.get("/p/la-piscine", headers={"Accept-Language": lang})
        soup = _soup(response)
        assert len(soup.select("ol.items > li")) == demo_app.config["NEARBY_LIMIT"] == 60
        assert 6 < len(soup.select("ol.items img.th")) <= 12  # on the first screens only
        # Nothing a visitor needs was cut to fit: each entry keeps its title, how far it is,
        # whether it is open, and both ways to get there.
        for entry in soup.select("ol.items > li"):
            link = entry.select_one("h3 a")  # a metro station has no page of its own
            assert entry.h3.get_text() and (link is None or "from=la-piscine" in link["href"])
            assert entry.select_one("h3 + p").get_text()
            assert [a.get_text() for a in entry.select("p:last-child a")][1] == "OpenStreetMap"
        assert soup.select_one("img.map") and soup.select_one("img.cover")
        sizes[lang] = len(response.get_data())
        assert sizes[lang] <= 30 * 1024, (lang, sizes[lang])
    with database(demo_app).transaction() as session:
        session.execute(delete(Photo).where(Photo.name.like("0000%")))
    for lang, size in sizes.items():
        bare = len(visitor.get("/p/la-piscine", headers={"Accept-Language": lang}).get_data())
        assert size - bare <= 1200, (lang, size, bare)
