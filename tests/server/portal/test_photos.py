"""Photos: type and size checked, turned upright, resized, metadata stripped, served when live."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update

from server.commands.pictures import pictures_group
from server.db import database
from server.models import Photo, Territory
from server.services import photos
from server.visitor import pictures
from tests.server.portal.conftest import jpeg
from tests.support.html import page, text

PHOTOS = "/portal/shops/comptoir/photos"


def _send(browser, data: bytes, name: str = "photo.jpg"):  # type: ignore[no-untyped-def]
    """Upload as a browser does; the body is written out here, because the test client spools
    a large one to a temporary file it never closes."""
    body = (
        b'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + browser.token().encode()
        + b'\r\n--x\r\nContent-Disposition: form-data; name="photo"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        + b"\r\n--x--\r\n"
    )
    return browser.client.post(PHOTOS, data=body, content_type="multipart/form-data; boundary=x")


def _stored(app) -> list[Photo]:
    with database(app).sessions() as session:
        return list(session.scalars(select(Photo).order_by(Photo.id)))


def test_a_photo_is_resized_turned_upright_and_stripped_of_its_metadata(app, seed, signed_in):
    owner = signed_in("owner")
    assert _send(owner, jpeg(2400, 1800)).status_code == 303
    [photo] = _stored(app)
    assert (photo.width, photo.height) == (1200, 1600)  # EXIF said: rotated a quarter turn
    path = Path(app.config["MEDIA_DIR"]) / photo.name
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (1200, 1600)
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert b"SecretCam" not in path.read_bytes()
    public = app.test_client().get(f"/media/{photo.name}")
    assert public.status_code == 200 and "immutable" in public.headers["Cache-Control"]
    public.close()
    shop_page = page(app.test_client().get("/shop/comptoir"))
    shown = shop_page.select_one("main picture img")
    assert shown["src"].startswith(f"/img/{photo.id}-{photo.name[:8]}-")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<script>alert(1)</script>", "photo.jpg"),
        (b"GIF89a" + b"\0" * 100, "photo.gif"),
        (jpeg(20, 20)[:200], "broken.jpg"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_what_to_send(app, seed, signed_in, data, name):
    response = _send(signed_in("owner"), data, name)
    assert response.status_code == 422
    said = text(page(response).find(id="e-photo"))
    assert "JPEG, PNG" in said
    assert _stored(app) == []


def test_a_gif_is_refused_even_when_pillow_reads_it(app, seed, signed_in):
    image = io.BytesIO()
    Image.new("RGB", (10, 10)).save(image, "GIF")
    response = _send(signed_in("owner"), image.getvalue(), "photo.gif")
    assert response.status_code == 422 and _stored(app) == []


def test_a_photo_over_the_limit_is_refused_with_the_limit(app, seed, signed_in):
    big = jpeg(40, 40, exif=False) + b"\0" * photos.MAX_BYTES
    response = _send(signed_in("owner"), big)
    assert response.status_code == 422
    assert "5 MB" in text(page(response).find(id="e-photo"))


def test_a_request_over_the_upload_limit_gets_a_clear_page(app, seed, signed_in):
    response = _send(signed_in("owner"), b"\xff" * (9 * 1024 * 1024))
    assert response.status_code == 413
    assert "8 MB" in text(page(response).find("main"))


def test_a_png_with_transparency_becomes_a_white_backed_jpeg(app, seed, signed_in):
    image = io.BytesIO()
    Image.new("RGBA", (300, 200), (255, 0, 0, 0)).save(image, "PNG")
    assert _send(signed_in("owner"), image.getvalue(), "logo.png").status_code == 303
    [photo] = _stored(app)
    with Image.open(Path(app.config["MEDIA_DIR"]) / photo.name) as stored:
        assert stored.getpixel((10, 10)) == (255, 255, 255)


def test_a_photo_waiting_for_review_is_not_public(app, seed, signed_in):
    with database(app).transaction() as session:
        session.execute(update(Territory).values(review_changes=True))
    owner = signed_in("owner")
    assert _send(owner, jpeg(100, 100)).status_code == 303
    [photo] = _stored(app)
    assert not photo.live
    assert app.test_client().get(f"/media/{photo.name}").status_code == 404
    preview = owner.get(f"/portal/photos/{photo.id}.jpg")  # the owner's preview
    assert preview.status_code == 200
    preview.close()
    assert signed_in("other_owner").get(f"/portal/photos/{photo.id}.jpg").status_code == 404
    staff = signed_in("staff")
    queue = page(staff.get("/portal/staff/review"))
    link = queue.select_one("main ul a")["href"]
    change_id = link.rsplit("/", 1)[1]
    assert staff.post(f"/portal/staff/review/{change_id}/approve").status_code == 303
    public = app.test_client().get(f"/media/{photo.name}")
    assert public.status_code == 200
    public.close()


def test_a_removed_photo_is_gone_from_disk_and_page(app, seed, signed_in):
    owner = signed_in("owner")
    _send(owner, jpeg(100, 100))
    [photo] = _stored(app)
    assert owner.post(f"{PHOTOS}/{photo.id}/delete").status_code == 303
    assert _stored(app) == []
    assert not (Path(app.config["MEDIA_DIR"]) / photo.name).exists()
    assert app.test_client().get(f"/media/{photo.name}").status_code == 404


def test_only_names_the_server_made_are_served(app, seed):
    for name in ("../taptrail.db", "x.jpg", "0" * 32 + ".png"):
        assert app.test_client().get(f"/media/{name}").status_code == 404


def test_staff_add_a_place_s_photo_and_visitors_see_it_as_its_cover(app, seed, signed_in):
    staff = signed_in("staff")
    form = staff.client.get("/portal/staff/place/la-piscine/photos")
    assert form.status_code == 200
    body = (
        b'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + staff.token().encode()
        + b'\r\n--x\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"'
        + b"\r\nContent-Type: image/jpeg\r\n\r\n"
        + jpeg(1200, 900)
        + b"\r\n--x--\r\n"
    )
    sent = staff.client.post(
        "/portal/staff/place/la-piscine/photos",
        data=body,
        content_type="multipart/form-data; boundary=x",
    )
    assert sent.status_code == 303
    [photo] = _stored(app)
    assert photo.place_id is not None and photo.shop_id is None and photo.live
    cover = page(app.test_client().get("/p/la-piscine")).select_one("img.cover")
    assert cover["src"].startswith(f"/img/{photo.id}-")
    # An owner may not add photos to a place; removing one removes its sizes too.
    assert signed_in("owner").client.get("/portal/staff/place/la-piscine/photos").status_code in (
        403,
        404,
    )
    sized = app.test_client().get(cover["src"])
    assert sized.status_code == 200
    sized.close()
    sizes = Path(app.config["MEDIA_DIR"]) / "sizes"
    assert list(sizes.iterdir())
    removed = staff.post(f"/portal/staff/place/la-piscine/photos/{photo.id}/delete")
    assert removed.status_code == 303 and not _stored(app) and not list(sizes.iterdir())


def test_an_upload_draws_every_size_the_pages_ask_for_before_any_visitor(app, seed, signed_in):
    owner = signed_in("owner")
    assert _send(owner, jpeg(2400, 1800)).status_code == 303
    [photo] = _stored(app)
    sizes = Path(app.config["MEDIA_DIR"]) / "sizes"
    drawn = {path.name for path in sizes.iterdir()}  # no visitor has asked for anything yet
    # Every address the shop page and a place page's thumbnails name is already a file.
    shop_page = page(app.test_client().get("/shop/comptoir"))
    wanted = {shop_page.select_one("main picture img")["src"]}
    for element in shop_page.select("main picture source, main picture img"):
        wanted |= {part.split()[0] for part in element["srcset"].split(",")}
    thumb = f"/img/{photo.id}-{photo.name[:8]}-192s"
    stem = photo.name[:-4]
    expected = {f"{stem}-192s.webp", f"{stem}-192s.jpg"}
    for address in wanted:
        width, fmt = address.rsplit("-", 1)[1].split(".")
        expected.add(f"{stem}-{width}.{fmt}")
    assert len(wanted) >= 6 and expected <= drawn, expected - drawn
    # They are the sizes a visitor gets: the same bytes as the page's addresses serve.
    for address in (*wanted, thumb):
        served = app.test_client().get(address, headers={"Accept": "image/webp"})
        assert served.status_code == 200, address
        served.close()
    assert {path.name for path in sizes.iterdir()} == drawn  # nothing more had to be drawn


def test_a_photo_narrower_than_a_thumbnail_gets_one_the_list_can_show(app, seed, signed_in):
    owner = signed_in("owner")
    assert _send(owner, jpeg(150, 150)).status_code == 303  # no width too small is refused
    [photo] = _stored(app)
    address = pictures.thumb(photo).src
    drawn = {path.name for path in (Path(app.config["MEDIA_DIR"]) / "sizes").iterdir()}
    assert f"{photo.name[:-4]}-96s.webp" in drawn  # drawn at the upload, as wider photos' are
    served = app.test_client().get(address, headers={"Accept": "image/webp"})
    assert served.status_code == 200, address  # was a 404: 192s of a 150-pixel photo
    with Image.open(io.BytesIO(served.data)) as thumb:
        assert thumb.size == (96, 96)
    served.close()


def test_taptrail_pictures_draw_draws_what_is_missing_and_names_lost_files(app, seed, signed_in):
    runner = app.test_cli_runner()
    owner = signed_in("owner")
    _send(owner, jpeg(1200, 900))
    _send(owner, jpeg(800, 600))
    first, second = _stored(app)
    sizes = Path(app.config["MEDIA_DIR"]) / "sizes"
    for path in sizes.iterdir():
        path.unlink()  # as after restoring a backup without the cache
    result = runner.invoke(pictures_group, ["draw"])
    assert result.exit_code == 0, result.output
    assert "2 photos" in result.output
    made = {path.name for path in sizes.iterdir()}
    assert (first.width, second.width) == (900, 600)  # turned upright, as their EXIF said
    assert made == {
        f"{photo.name[:-4]}-{width}.{fmt}"
        for photo, widths in ((first, ("192s", "360", "720")), (second, ("192s", "360")))
        for width in widths
        for fmt in ("webp", "jpg")
    }  # no 960 of a 900-pixel photo, no 720 of a 600-pixel one
    assert "0 sizes drawn now" in runner.invoke(pictures_group, ["draw"]).output
    (Path(app.config["MEDIA_DIR"]) / first.name).unlink()
    lost = runner.invoke(pictures_group, ["draw"])
    assert lost.exit_code == 1 and first.name in lost.output and "restore" in lost.output


def test_taptrail_pictures_draw_names_a_damaged_file_and_still_draws_the_others(
    app, seed, signed_in
):
    owner = signed_in("owner")
    _send(owner, jpeg(1200, 900))
    _send(owner, jpeg(800, 600))
    first, second = _stored(app)
    media = Path(app.config["MEDIA_DIR"])
    for path in (media / "sizes").iterdir():
        path.unlink()
    whole = (media / first.name).read_bytes()
    (media / first.name).write_bytes(whole[: len(whole) // 2])  # a restore cut short
    runner = app.test_cli_runner()
    cut = runner.invoke(pictures_group, ["draw"])
    assert cut.exit_code == 1 and first.name in cut.output and "restore" in cut.output
    drawn = {path.name for path in (media / "sizes").iterdir()}
    assert f"{second.name[:-4]}-360.webp" in drawn  # the other photo's sizes are drawn
    (media / first.name).write_bytes(b"\x00not a picture")
    other = runner.invoke(pictures_group, ["draw"])
    assert other.exit_code == 1 and first.name in other.output, other.output
