"""QR labels: what a phone camera decodes, how small the codes stay, and the printable sheets."""

import json
import xml.etree.ElementTree as ET

import pypdf
import qrcode.util
import zxingcpp
from PIL import Image

from tagwriter.cli import main
from tagwriter.labels import make_qr, qr_text
from tests.support.manifests import manifest_file

A4_POINTS = (595.2, 841.92)


def test_each_url_gets_a_png_and_an_svg_that_decode_to_the_url_in_capitals(runner, tmp_path):
    manifest = manifest_file(tmp_path, 3, mirror="both")
    out = tmp_path / "labels"
    result = runner.invoke(main, ["labels", str(manifest), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for entry in json.loads(manifest.read_text())["stickers"]:
        [found] = zxingcpp.read_barcodes(Image.open(out / f"{entry['code']}.png"))
        base = entry["url"].split("?")[0]
        assert found.text == base.upper()  # no mirror query; the server reads either case
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
    scanned = {found.text for found in zxingcpp.read_barcodes(image.image)}
    first_page = json.loads(manifest.read_text())["stickers"][:24]
    assert scanned == {entry["url"].upper() for entry in first_page}


def test_a_broken_manifest_gives_no_labels(runner, tmp_path):
    broken = tmp_path / "manifest.json"
    broken.write_text("{}")
    result = runner.invoke(main, ["labels", str(broken), "--out", str(tmp_path / "labels")])
    assert result.exit_code == 1 and "is not a TapTrail manifest" in result.output
