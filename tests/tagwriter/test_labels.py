"""QR labels: what a phone camera decodes, how small the codes stay, and the printable sheets."""

import itertools
import json
import xml.etree.ElementTree as ET

import pypdf
import pytest
import qrcode.util
from PIL import Image

from tagwriter.cli import main
from tagwriter.labels import TEMPLATES, Label, layout, make_qr, qr_text
from tests.support.manifests import manifest_file
from tests.support.scanning import qr_codes

A4_POINTS = (595.2, 841.92)


def test_each_url_gets_a_png_and_an_svg_that_decode_to_the_url_in_capitals(runner, tmp_path):
    manifest = manifest_file(tmp_path, 3, mirror="both")
    out = tmp_path / "labels"
    result = runner.invoke(main, ["labels", str(manifest), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for entry in json.loads(manifest.read_text())["stickers"]:
        [found] = qr_codes(Image.open(out / f"{entry['code']}.png"))
        base = entry["url"].split("?")[0]
        assert found == base.upper()  # no mirror query; the server reads either case
        svg = ET.parse(out / f"{entry['code']}.svg").getroot()
        assert svg.tag.endswith("svg") and svg.find(".//{*}path") is not None


def test_the_codes_use_alphanumeric_mode_and_stay_small(tmp_path):
    url = "https://t.example.org/1000C1SS9CG22JXH6EK?M=00000000000000x000000"
    code = make_qr(qr_text(url))
    assert [chunk.mode for chunk in code.data_list] == [qrcode.util.MODE_ALPHA_NUM]
    assert code.version <= 3  # 29 x 29 modules: easy to print at 2 cm
    assert make_qr(url).version > code.version  # the lower-case URL with the query is bigger


def test_a_base_url_with_a_path_keeps_its_case(tmp_path):
    assert qr_text("https://example.org/Tap/1000C1SS9CG22JXH6EK") == (
        "HTTPS://EXAMPLE.ORG/Tap/1000C1SS9CG22JXH6EK"
    )


def test_sheets_are_a4_pages_of_24_labels_that_scan(runner, tmp_path):
    manifest = manifest_file(tmp_path, 30)
    out = tmp_path / "labels"
    result = runner.invoke(main, ["labels", str(manifest), "--out", str(out)])
    assert result.exit_code == 0 and "2 A4 page(s) of labels" in result.output
    pdf = pypdf.PdfReader(out / "sheets.pdf")
    assert len(pdf.pages) == 2
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1
    [image] = pdf.pages[0].images
    scanned = set(qr_codes(image.image))
    first_page = json.loads(manifest.read_text())["stickers"][:24]
    assert scanned == {entry["url"].upper() for entry in first_page}


def test_a_broken_manifest_gives_no_labels(runner, tmp_path):
    broken = tmp_path / "manifest.json"
    broken.write_text("{}")
    result = runner.invoke(main, ["labels", str(broken), "--out", str(tmp_path / "labels")])
    assert result.exit_code == 1 and "is not a TapTrail manifest" in result.output


LONG_NAME = "Musée d'Art et d'Industrie André Diligent, La Piscine, Roubx"  # 60 characters


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_a_60_character_name_fits_every_label_and_nothing_is_cut(template):
    assert len(LONG_NAME) == 60
    sheet = TEMPLATES[template]
    page = Image.new("L", sheet.page_pixels, 255)
    label = Label(
        "10000Z97FGM5AD5EZAD", qr_text("https://t.example.org/10000Z97FGM5AD5EZAD"), LONG_NAME
    )
    box = sheet.box(sheet.per_page - 1)  # the last label of the page: inside the page too
    assert box[2] <= sheet.page_pixels[0] and box[3] <= sheet.page_pixels[1]
    placed = layout(page, label, box, "fr")
    for line in placed:
        left, top, right, bottom = line.box
        assert box[0] <= left and right <= box[2] and box[1] <= top and bottom <= box[3], line
    said = {role: " ".join(p.text for p in placed if p.role == role) for role in ("call", "name")}
    assert said == {"call": "Approchez votre téléphone ou scannez", "name": LONG_NAME}
    assert {p.text for p in placed if p.role == "url"} == {"t.example.org/"}
    assert "".join(p.text for p in placed if p.role == "code").replace(" ", "") == label.code
    name_size = min(p.box[3] - p.box[1] for p in placed if p.role == "name")
    assert name_size >= 20  # pixels at 300 dpi: about 5 pt capitals, readable at arm's length
    lines = [p.box for p in placed]
    assert all(a[3] <= b[1] for a, b in itertools.pairwise(lines))  # no overlap
    [found] = qr_codes(page.crop(box))
    assert found == label.qr_text


@pytest.mark.parametrize("template", ["a4-2x4", "a4-3x7", "roll-62x29"])
def test_every_label_of_a_sheet_scans_in_the_territory_s_language(runner, tmp_path, template):
    manifest = manifest_file(tmp_path, 9)
    out = tmp_path / "labels"
    options = ["--template", template, "--language", "nl"]
    result = runner.invoke(main, ["labels", str(manifest), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    sheet = TEMPLATES[template]
    pdf = pypdf.PdfReader(out / "sheets.pdf")
    assert len(pdf.pages) == -(-9 // sheet.per_page)
    width_mm = float(pdf.pages[0].mediabox.width) / 72 * 25.4
    assert abs(width_mm - sheet.page[0]) < 0.5
    scanned = set()
    for page in pdf.pages:
        [image] = page.images
        scanned |= set(qr_codes(image.image))
    assert scanned == {e["url"].upper() for e in json.loads(manifest.read_text())["stickers"]}
    page = Image.new("L", sheet.page_pixels, 255)
    label = Label("10000Z97FGM5AD5EZAD", "HTTPS://T.EXAMPLE.ORG/10000Z97FGM5AD5EZAD", "Kasteel")
    call = " ".join(p.text for p in layout(page, label, sheet.box(0), "nl") if p.role == "call")
    assert call == "Houd uw telefoon ertegen of scan"


def test_a_logo_that_is_not_a_picture_is_refused_with_what_to_give(runner, tmp_path):
    manifest = manifest_file(tmp_path, 1)
    logo = tmp_path / "logo.png"
    logo.write_text("not a picture")
    out = tmp_path / "labels"
    result = runner.invoke(main, ["labels", str(manifest), "--out", str(out), "--logo", str(logo)])
    assert result.exit_code == 1 and "give a PNG or JPEG logo" in result.output
    assert not out.exists()  # refused before any QR code was written
