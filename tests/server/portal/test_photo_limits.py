"""Photos within a memory budget: sizes checked before decoding, JPEG decoded at reduced scale."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from server.db import database
from server.errors import Problem
from server.models import Photo
from server.services import photos
from tests.server.portal.test_photos import _send
from tests.support.html import page, text
from tests.support.images import blank_png

TOO_MANY = {
    "en": "This photo has more than 25 million pixels. Send a smaller one.",
    "fr": "Cette photo a plus de 25 millions de pixels. Envoyez-en une plus petite.",
    "nl": "Deze foto heeft meer dan 25 miljoen pixels. Stuur een kleinere.",
}

# Runs in a fresh interpreter, so that its peak memory is the photo's alone.
MEASURE = """
import json, resource, sys
from pathlib import Path
from server.errors import Problem
from server.services import photos

data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    done = photos.process(data)
    said = f"{done.width}x{done.height}"
except Problem as refused:
    said = refused.message
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"said": said, "grown_mb": grown}))
"""


def measured(path: Path) -> dict:
    """What processing the file said, and how much its peak memory grew (MB)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_the_audits_png_is_refused_without_being_decoded(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(blank_png(6300, 6300))  # 6300 x 6300 RGBA: 159 MB once decoded
    assert path.stat().st_size < 200_000
    result = measured(path)
    assert result["said"] == TOO_MANY["en"]
    assert result["grown_mb"] < 20  # decoding alone would take 159 MB; it took 645 MB before


def test_a_24_megapixel_jpeg_is_decoded_at_reduced_scale(tmp_path):
    path = tmp_path / "camera.jpg"
    subprocess.run(  # made in another process, so this one stays small
        [
            sys.executable,
            "-c",
            "import sys; from PIL import Image; Image.linear_gradient('L').resize((6000, 4000))"
            ".convert('RGB').save(sys.argv[1], quality=85)",
            str(path),
        ],
        check=True,
    )
    result = measured(path)
    assert result["said"] == "1600x1067"
    assert result["grown_mb"] < 80  # 96 MB decoded in full; 308 MB before


def test_a_png_too_large_to_decode_in_full_is_refused(tmp_path):
    path = tmp_path / "screen.png"
    path.write_bytes(blank_png(4000, 4000))  # 16 million pixels: over what is decoded in full
    result = measured(path)
    assert result["said"] == "This photo has more than 12 million pixels. Send a smaller one."
    assert result["grown_mb"] < 20


@pytest.mark.parametrize("language", ["fr", "en", "nl"])
def test_the_portal_says_why_in_the_owners_language(app, seed, signed_in, language):
    owner = signed_in("owner")
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = _send(owner, blank_png(6300, 6300), "bomb.png")
    assert response.status_code == 422
    assert text(page(response).find(id="e-photo")) == TOO_MANY[language]
    with database(app).sessions() as session:
        assert session.scalars(select(Photo)).all() == []


def _png_claiming(width: int, height: int) -> bytes:
    """A 10 x 10 PNG whose header says width x height (its checksum made right)."""
    output = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 128, 0, 255)).save(output, "PNG")
    data = bytearray(output.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    ("claimed", "said"),
    [
        ((60_000, 60_000), TOO_MANY["en"]),
        ((3000, 3000), "This file is not a photo we can read. Send a JPEG, PNG or WebP picture."),
    ],
)
def test_a_header_that_lies_about_the_size_is_refused_cleanly(claimed, said):
    with pytest.raises(Problem) as refused:
        photos.process(_png_claiming(*claimed))
    assert refused.value.message == said and refused.value.field == "photo"


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "MPO"])
def test_of_an_animation_or_a_multi_picture_jpeg_the_first_picture_is_kept(kind):
    first = Image.new("RGB", (300, 200), (255, 0, 0))
    second = Image.new("RGB", (300, 200), (0, 0, 255))
    output = io.BytesIO()
    first.save(output, kind, save_all=True, append_images=[second])
    with Image.open(output) as sent:
        assert sent.n_frames == 2
    stored = photos.process(output.getvalue())
    with Image.open(io.BytesIO(stored.data)) as image:
        red, green, blue = image.getpixel((10, 10))
    assert red > 240 and green < 10 and blue < 10
    assert (stored.width, stored.height) == (300, 200)
